"""Slack's mrkdwn: escaping values so they cannot act as control sequences.

A cut in an over-long line uses the core's ``cut_outside_entity``, which
keeps ``&amp;`` entities and ``<...>`` sequences whole.
"""

from __future__ import annotations


def escape_mrkdwn(value: str) -> str:
    """Escape ``&``, ``<`` and ``>``, the three characters Slack asks to escape.

    They are what Slack reads as control sequences (``<!here>``,
    ``<https://x|link>``), so an alert value can no longer ping a channel
    or fake a link. Slack has no escape for ``*``, ``_``, ``~`` and
    backticks: values holding them may still show formatted.
    """
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""Discord's markdown: escaping values so they show as sent.

A cut in an over-long line uses the core's ``cut_outside_backslash``, as
these escapes are a backslash before the character.
"""

from __future__ import annotations

import re

# Discord treats a backslash before any punctuation as "show this
# character"; these are the ones that start formatting anywhere in a line.
_INLINE = re.compile(r"([\\*_~`|\[\]<])")

# These only format at the start of a line and before a space: quotes,
# headings, subtext ("-# "), lists ("- ", "+ ", "1. "). A price such as
# "-5.2" or "64250.5" is left alone.
_LINE_START = re.compile(r"^(\s*)([>#\-+])(?=[\s#>]|$)", re.MULTILINE)
_ORDERED_ITEM = re.compile(r"^(\s*\d+)\.(?=\s|$)", re.MULTILINE)


def escape_markdown(value: str) -> str:
    """Escape ``value`` so Discord shows it as written, not formatted.

    Mentions are not escaped here: the notifier sends ``allowed_mentions``
    so an ``@everyone`` in alert text never pings anyone.
    """
    value = _INLINE.sub(r"\\\1", value)
    value = _LINE_START.sub(r"\1\\\2", value)
    return _ORDERED_ITEM.sub(r"\1\\.", value)

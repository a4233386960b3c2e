"""Escaping values for Slack's mrkdwn and keeping cuts out of entities."""

from __future__ import annotations

import pytest

from alarmhugger_slack._mrkdwn import escape_mrkdwn


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("S&P 500", "S&amp;P 500"),
        ("a < b > c", "a &lt; b &gt; c"),
        ("<!everyone>", "&lt;!everyone&gt;"),
        (
            "<https://evil.example|TradingView>",
            "&lt;https://evil.example|TradingView&gt;",
        ),
        ("&amp;", "&amp;amp;"),
        ("*bold* _it_ 🚀", "*bold* _it_ 🚀"),
    ],
    ids=["ampersand", "angles", "broadcast", "fake-link", "entity-text", "untouched"],
)
def test_escape_mrkdwn_escapes_control_characters(value, escaped):
    assert escape_mrkdwn(value) == escaped


def test_safe_cut_moves_before_an_unfinished_entity_or_sequence(make_notifier):
    notifier = make_notifier()

    assert notifier.safe_cut("ab &amp; cd", 6) == 3
    assert notifier.safe_cut("ab &amp; cd", 8) == 8
    assert notifier.safe_cut("x <https://a.b|link> y", 10) == 2

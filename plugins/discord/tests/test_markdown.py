"""Escaping Discord markdown in values, and where a long line may be cut."""

from __future__ import annotations

import pytest

from alarmhugger_discord._markdown import escape_markdown


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("BTC-USD 64250.5", "BTC-USD 64250.5"),
        ("*bold* _it_ __u__", r"\*bold\* \_it\_ \_\_u\_\_"),
        ("~~s~~ ||spoiler|| `code`", r"\~\~s\~\~ \|\|spoiler\|\| \`code\`"),
        ("[chart](https://x.y/z)", r"\[chart\](https://x.y/z)"),
        ("<@123> <t:1700000000>", r"\<@123> \<t:1700000000>"),
        (
            "> quote\n# head\n- item\n+ item\n12. item",
            "\\> quote\n\\# head\n\\- item\n\\+ item\n12\\. item",
        ),
        ("RSI > 70 # 3 - 1", "RSI > 70 # 3 - 1"),
        ("-5.2\n64250.5\n-# small", "-5.2\n64250.5\n\\-# small"),
        ("C:\\dir", "C:\\\\dir"),
        ("🚀 ✅", "🚀 ✅"),
    ],
    ids=[
        "plain",
        "emphasis",
        "strike-spoiler-code",
        "masked-link",
        "mentions",
        "line-starts",
        "mid-line",
        "numbers",
        "backslash",
        "emoji",
    ],
)
def test_escape_markdown_shows_value_as_written(value, escaped):
    assert escape_markdown(value) == escaped


def test_safe_cut_keeps_backslash_with_its_character(make_notifier):
    notifier = make_notifier()

    assert notifier.safe_cut(r"ab\*cd", 3) == 2
    assert notifier.safe_cut(r"ab\\cd", 4) == 4

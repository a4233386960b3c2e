"""Escaping, safe cuts and the plain-text fallback for Telegram's formats."""

from __future__ import annotations

import pytest

from alarmhugger_telegram._markup import escape_html
from alarmhugger_telegram._markup import escape_markdown_v2
from alarmhugger_telegram._markup import part_marker
from alarmhugger_telegram._markup import safe_cut
from alarmhugger_telegram._markup import to_plain
from alarmhugger_telegram._markup import truncation_note


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("BTC-USD", r"BTC\-USD"),
        ("64250.5", r"64250\.5"),
        ("RSI(14) > 70!", r"RSI\(14\) \> 70\!"),
        ("a_b*c[d]e~f`g#h+i=j|k{l}m", r"a\_b\*c\[d\]e\~f\`g\#h\+i\=j\|k\{l\}m"),
        ("C:\\path", r"C:\\path"),
        ("🚀 ok", "🚀 ok"),
    ],
    ids=["dash", "dot", "brackets-bang", "all-others", "backslash", "emoji"],
)
def test_escape_markdown_v2_reserved_characters_get_backslash(value, escaped):
    assert escape_markdown_v2(value) == escaped


def test_escape_html_escapes_only_what_telegram_parses():
    assert escape_html("S&P < 5 > 3 \"q\" 'a'") == "S&amp;P &lt; 5 &gt; 3 \"q\" 'a'"


def test_to_plain_markdown_v2_undoes_escapes_only():
    assert to_plain(r"*BTC\-USD* \\ 64250\.5", "MarkdownV2") == r"*BTC-USD* \ 64250.5"


def test_to_plain_html_drops_tags_and_decodes_entities():
    assert to_plain("<b>S&amp;P</b> &lt;x&gt;", "HTML") == "S&P <x>"


def test_safe_cut_markdown_v2_never_separates_backslash_from_its_character():
    cut = safe_cut("MarkdownV2")

    assert cut(r"abc\.def", 4) == 3
    assert cut(r"abc\\.def", 5) == 5
    assert cut("abcdef", 4) == 4


def test_safe_cut_html_never_cuts_inside_entity_or_tag():
    cut = safe_cut("HTML")

    assert cut("ab &amp; cd", 5) == 3
    assert cut("ab &amp; cd", 8) == 8
    assert cut('ab <a href="x">l</a>', 9) == 3


def test_part_marker_is_escaped_for_markdown_v2():
    assert part_marker("MarkdownV2")(1, 2) == r" \(1/2\)"
    assert part_marker("HTML")(1, 2) == " (1/2)"


def test_truncation_note_names_the_alarm_escaped():
    assert truncation_note("MarkdownV2", "01-ab") == "\n… full text: alarm \\#01\\-ab"
    assert truncation_note("none", "01-ab") == "\n… full text: alarm #01-ab"

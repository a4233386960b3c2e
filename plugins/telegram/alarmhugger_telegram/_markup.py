"""Telegram's text formats: escaping values, safe cuts, and plain-text fallback."""

from __future__ import annotations

import html
import re
from typing import Callable

from gateway.kit import cut_outside_backslash
from gateway.kit import cut_outside_entity

PARSE_MODES = ("none", "MarkdownV2", "HTML")

# Every character MarkdownV2 reserves, backslash included
# (https://core.telegram.org/bots/api#markdownv2-style).
_MARKDOWN_V2_RESERVED = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")
_MARKDOWN_V2_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_HTML_TAG = re.compile(r"<[^<>]*>")


def escape_markdown_v2(value: str) -> str:
    """Escape ``value`` so MarkdownV2 shows it exactly as written."""
    return _MARKDOWN_V2_RESERVED.sub(r"\\\1", value)


def escape_html(value: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so Telegram's HTML shows ``value`` as written."""
    return html.escape(value, quote=False)


def escaper(parse_mode: str) -> Callable[[str], str] | None:
    """Return the value escaper for ``parse_mode`` (``None`` for plain text)."""
    if parse_mode == "MarkdownV2":
        return escape_markdown_v2
    if parse_mode == "HTML":
        return escape_html
    return None


def to_plain(text: str, parse_mode: str) -> str:
    """Turn formatted text into what it would show as plain text.

    Used when Telegram refuses to parse a message: MarkdownV2 escapes are
    undone (the template's own ``*`` stays as a literal star), HTML tags
    are dropped and entities decoded.
    """
    if parse_mode == "MarkdownV2":
        return _MARKDOWN_V2_ESCAPED.sub(r"\1", text)
    if parse_mode == "HTML":
        return html.unescape(_HTML_TAG.sub("", text))
    return text


def safe_cut(parse_mode: str) -> Callable[[str, int], int]:
    """Return a function moving a cut position back out of an escape or tag."""
    if parse_mode == "MarkdownV2":
        return cut_outside_backslash
    if parse_mode == "HTML":
        return cut_outside_entity
    return lambda text, position: position


def part_marker(parse_mode: str) -> Callable[[int, int], str]:
    """Return the ``(1/2)`` marker maker, escaped for ``parse_mode``."""
    escape = escaper(parse_mode) or str
    return lambda number, total: " " + escape(f"({number}/{total})")


def truncation_note(parse_mode: str, alarm_id: str) -> str:
    """Return the suffix of a cut message, pointing to the stored alarm."""
    escape = escaper(parse_mode) or str
    return "\n" + escape(f"… full text: alarm #{alarm_id}")

"""Reading ``key=value`` alert text such as ``ticker=AAPL; price=189.37``.

A body is key=value text when every part of every line is a pair (or the
one bare ``EXCHANGE:TICKER`` symbol TradingView's own template starts
with); anything less and it is left to the free-text reader, so a sentence
that happens to contain ``tf=15`` is never half-read.
"""

from __future__ import annotations

import re
from typing import Any
from typing import NamedTuple

from alarmhugger_tradingview._freetext import SYMBOL
from alarmhugger_tradingview._values import NON_FINITE_WORDS
from alarmhugger_tradingview._values import read_number

# Parts of one line; lines themselves are split first, so CRLF is fine.
_SEPARATORS = re.compile(r"[;,|&]")

# A key, then ``=`` or a colon followed by a space (``Price: 5``). A colon
# without a space is not a separator: ``NASDAQ:AAPL`` is a symbol and
# ``14:30`` a time. Keys have no spaces, so ``Long signal on BTC=1`` is text.
_PAIR_HEAD = re.compile(r"\s*([^\W\d][\w.\-]{0,63})\s*(?:=|:(?=\s))")

_QUOTES = frozenset({'"', "'"})


class KeyValueBody(NamedTuple):
    """A body read as key=value text.

    :param fields: values under lower-cased keys; numbers as int or
        Decimal, NaN/Infinity as ``None``, everything else as text.
    :param symbol: ``(exchange, ticker)`` from a bare ``EXCHANGE:TICKER``
        part, or ``None``.
    :param non_finite: keys whose value was NaN/Infinity.
    :param warnings: notes such as a key given twice.
    """

    fields: dict[str, Any]
    symbol: tuple[str, str] | None
    non_finite: list[str]
    warnings: list[str]


def read_keyvalue(text: str) -> KeyValueBody | None:
    """Read ``text`` as key=value pairs, or return ``None`` when it is not that."""
    if "=" not in text and ":" not in text:
        return None

    pairs: list[tuple[str, str]] = []
    symbols: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line.strip() and not _read_line(line, pairs, symbols):
            return None

    if not pairs or len(symbols) > 1:
        return None
    return _collect(pairs, symbols[0] if symbols else None)


def _read_line(
    line: str, pairs: list[tuple[str, str]], symbols: list[tuple[str, str]]
) -> bool:
    line_pairs: list[tuple[str, str]] = []
    line_symbols: list[tuple[str, str]] = []
    for part in _SEPARATORS.split(line):
        if not part.strip():
            continue

        pair = _read_pair(part)
        if pair is not None:
            line_pairs.append(pair)
            continue

        symbol = SYMBOL.fullmatch(part.strip())
        if symbol is None:
            break
        line_symbols.append((symbol.group(1), symbol.group(2)))
    else:
        pairs.extend(line_pairs)
        symbols.extend(line_symbols)
        return True

    # A line that is one pair whose value holds a separator, such as
    # ``message=Bought, 100 shares``; a second ``=`` means it is not.
    pair = _read_pair(line)
    if pair is None or "=" in pair[1]:
        return False
    pairs.append(pair)
    return True


def _read_pair(part: str) -> tuple[str, str] | None:
    head = _PAIR_HEAD.match(part)
    if head is None:
        return None
    return head.group(1), part[head.end() :].strip()


def _collect(
    pairs: list[tuple[str, str]], symbol: tuple[str, str] | None
) -> KeyValueBody:
    fields: dict[str, Any] = {}
    repeated: list[str] = []
    # Ordered set: a later finite value for the same key clears the mark.
    non_finite: dict[str, None] = {}

    for raw_key, raw_value in pairs:
        key = raw_key.lower()
        if key in fields and key not in repeated:
            repeated.append(key)

        fields[key] = _convert(raw_value)
        if raw_value in NON_FINITE_WORDS:
            non_finite[key] = None
        else:
            non_finite.pop(key, None)

    warnings = [
        f"key {key!r} given more than once; the last value is kept" for key in repeated
    ]
    return KeyValueBody(fields, symbol, list(non_finite), warnings)


def _convert(value: str) -> Any:
    # Quotes mark text on purpose: ``id="007"`` stays the string 007.
    if len(value) >= 2 and value[0] == value[-1] and value[0] in _QUOTES:
        return value[1:-1]
    if value in NON_FINITE_WORDS:
        return None

    number = read_number(value)
    return value if number is None else number

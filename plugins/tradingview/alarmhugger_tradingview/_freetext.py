"""Picking the few unambiguous facts out of free-text alert messages.

Free text is anything that is neither JSON nor key=value text, such as
``SHORT BTCUSD 27455.3 (15m) RSI=71.2``. Only two things are taken from it,
and only when the text names exactly one of each: an ``EXCHANGE:TICKER``
symbol and a trade direction word. Nothing else is guessed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# TradingView's symbol notation, upper case as TradingView writes it:
# ``NASDAQ:AAPL``, ``NYMEX_DL:CL1!``, ``BINANCE:BTCUSDT.P``. The ticker
# needs a letter so ``RSI:71`` or ``TF:15`` are not read as symbols.
SYMBOL = re.compile(
    r"(?<![\w:])([A-Z][A-Z0-9_]{1,29})"
    r":((?=[A-Z0-9_!.]*[A-Z])[A-Z0-9][A-Z0-9_!]*(?:\.[A-Z0-9_!]+)*)"
    r"(?![\w:/])"
)

# The words that name a trade direction on their own.
ACTION_WORDS = frozenset({"buy", "sell", "long", "short"})

# A direction word standing alone: ``demo:long``, ``long-term`` or
# ``sell_all`` do not count.
_ACTION = re.compile(
    r"(?<![\w:=./\-])(buy|sell|long|short)(?![\w:=/\-])(?!\.\w)",
    re.IGNORECASE,
)


class FreeText(NamedTuple):
    """What free text says for certain; ``None`` where it is not clear."""

    exchange: str | None
    ticker: str | None
    action: str | None


def read_free_text(text: str) -> FreeText:
    """Find a single symbol and a single direction word in ``text``."""
    exchange = ticker = action = None

    # Substring checks in C first: on long text the patterns cost far more.
    if ":" in text:
        symbols = set(SYMBOL.findall(text))
        if len(symbols) == 1:
            exchange, ticker = symbols.pop()

    lowered = text.lower()
    if any(word in lowered for word in ACTION_WORDS):
        actions = {word.lower() for word in _ACTION.findall(text)}
        if len(actions) == 1:
            action = actions.pop()

    return FreeText(exchange, ticker, action)

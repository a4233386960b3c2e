"""Filling the normalised alarm fields from whatever names the sender used.

Each normalised field has a list of keys (its aliases), tried in order. A
key counts only when its value is usable: present, not null, not blank and
not an unresolved placeholder. The first usable one wins; if it cannot be
converted (``price = "abc"``) the field stays ``None`` and a warning says
why. Keys match case-insensitively; ``strategy.order.action`` matches the
flat key of that name or the nested ``{"strategy": {"order": ...}}``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any
from typing import Callable
from typing import Mapping

from alarmhugger_tradingview._freetext import ACTION_WORDS
from alarmhugger_tradingview._placeholders import has_placeholder
from alarmhugger_tradingview._placeholders import is_only_placeholder
from alarmhugger_tradingview._values import to_decimal
from alarmhugger_tradingview._values import to_time

if TYPE_CHECKING:
    from gateway.kit import ParsedAlarm

# ``BINANCE:BTCUSDT`` in a ticker field: one colon, no spaces.
_SYMBOL_VALUE = re.compile(r"([^:\s]+):([^:\s]+)")

_MISSING = object()


@dataclass(frozen=True)
class Aliases:
    """The keys looked up for each normalised field, in the order tried.

    ``signal`` feeds ``action`` only when no action key is usable, and only
    with a direction word (buy, sell, long, short).
    """

    ticker: tuple[str, ...] = ("ticker", "symbol", "tickerid")
    exchange: tuple[str, ...] = ("exchange",)
    interval: tuple[str, ...] = ("interval", "timeframe", "tf", "resolution")
    action: tuple[str, ...] = (
        "action",
        "side",
        "order_action",
        "strategy.order.action",
    )
    signal: tuple[str, ...] = ("signal",)
    price: tuple[str, ...] = ("price", "order_price", "strategy.order.price", "close")
    quantity: tuple[str, ...] = (
        "quantity",
        "qty",
        "strategy.order.contracts",
        "contracts",
        "size",
        "amount",
    )
    message: tuple[str, ...] = (
        "message",
        "msg",
        "text",
        "comment",
        "alert_message",
        "strategy.order.comment",
        "strategy.order.alert_message",
    )
    event_time: tuple[str, ...] = ("timenow", "time", "timestamp")

    def extended(self, extra: Mapping[str, tuple[str, ...]]) -> Aliases:
        """Return a copy with ``extra`` keys tried after the built-in ones."""
        changes = {
            name: getattr(self, name) + tuple(key.lower() for key in keys)
            for name, keys in extra.items()
        }
        return dataclasses.replace(self, **changes)


def alias_fields() -> tuple[str, ...]:
    """Return the names of the fields that have aliases."""
    return tuple(item.name for item in dataclasses.fields(Aliases))


def normalise(
    alarm: ParsedAlarm,
    record: Mapping[str, Any],
    aliases: Aliases,
    *,
    keys_lowered: bool = False,
) -> None:
    """Fill ``alarm``'s named fields from ``record``; notes go to its warnings.

    :param keys_lowered: ``True`` when ``record``'s keys are already lower
        case (key=value bodies), which saves building a lower-case index.
    """
    keys = _Keys(record, keys_lowered)
    warnings = alarm.warnings

    alarm.exchange = _pick(keys, aliases.exchange, "exchange", _as_text, warnings)
    ticker = _pick(keys, aliases.ticker, "ticker", _as_text, warnings)
    if ticker is not None:
        exchange, ticker = split_symbol(ticker)
        alarm.exchange = alarm.exchange or exchange
    alarm.ticker = ticker
    alarm.interval = _pick(keys, aliases.interval, "interval", _as_text, warnings)

    action = _pick(keys, aliases.action, "action", _as_text, warnings)
    if action is None:
        action = _pick(keys, aliases.signal, "action", _as_direction, None)
    alarm.action = action.lower() if action else None

    alarm.price = _pick(keys, aliases.price, "price", to_decimal, warnings)
    alarm.quantity = _pick(keys, aliases.quantity, "quantity", to_decimal, warnings)
    alarm.event_time = _pick(keys, aliases.event_time, "event_time", to_time, warnings)
    alarm.message = _pick(
        keys, aliases.message, "message", _as_text, warnings, allow_inside=True
    )


def split_symbol(value: str) -> tuple[str | None, str]:
    """Split ``BINANCE:BTCUSDT`` into exchange and ticker; no colon, no exchange."""
    match = _SYMBOL_VALUE.fullmatch(value)
    if match is None:
        return None, value
    return match.group(1), match.group(2)


class _Keys:
    """Case-insensitive access to one record, nested keys by dotted path."""

    __slots__ = ("index", "record")

    def __init__(self, record: Mapping[str, Any], keys_lowered: bool) -> None:
        self.record = record
        self.index = None if keys_lowered else {key.lower(): key for key in record}

    def get(self, name: str) -> Any:
        key = name if self.index is None else self.index.get(name, name)
        value = self.record.get(key, _MISSING)
        if value is _MISSING and "." in name:
            value = _get_nested(self.record, name.split("."))
        return value


def _get_nested(record: Mapping[str, Any], path: list[str]) -> Any:
    node: Any = record
    for part in path:
        if not isinstance(node, dict):
            return _MISSING
        value = node.get(part, _MISSING)
        if value is _MISSING:
            value = next(
                (node[key] for key in node if key.lower() == part),
                _MISSING,
            )
        node = value
    return node


def _pick(
    keys: _Keys,
    names: tuple[str, ...],
    field: str,
    convert: Callable[[Any], Any],
    warnings: list[str] | None,
    *,
    allow_inside: bool = False,
) -> Any:
    for name in names:
        value = keys.get(name)
        if not _is_usable(value, allow_inside):
            continue

        try:
            return convert(value)
        except ValueError as error:
            if warnings is not None:
                warnings.append(f"{field}: {name} = {_preview(value)} {error}")
            return None
    return None


def _is_usable(value: Any, allow_inside: bool) -> bool:
    if value is _MISSING or value is None:
        return False
    if not isinstance(value, str):
        return True
    if not value.strip():
        return False
    if allow_inside:
        return not is_only_placeholder(value)
    return not has_placeholder(value)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise ValueError("is not text")


def _as_direction(value: Any) -> str | None:
    # Used quietly for ``signal``: RSI_OVERSOLD is a fine signal, just not
    # a direction, so it gives no action and no warning.
    if isinstance(value, str) and value.strip().lower() in ACTION_WORDS:
        return value.strip().lower()
    return None


def _preview(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."

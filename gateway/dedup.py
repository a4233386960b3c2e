"""Recognising a re-sent alert: the dedup key and how long it holds.

TradingView re-sends an alert up to three times, 5 s apart, when it gets a
5xx or no answer; some relays replay old alerts. An alarm's key is the
sender's own id when the body has one of the configured id fields (held
for ``id_window``), otherwise a hash of route and body (held for
``hash_window``: long enough to cover the re-sends, shorter than the next
bar of a one-minute chart, whose identical static message is a new alert).
When the body also carries the alert's time (``timenow``, ``time``,
``timestamp``), it joins the id in the key, so an id a strategy reuses on
every trade only matches a replay of the same event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gateway.errors import ConfigError

if TYPE_CHECKING:
    from gateway._types import Alarm
    from gateway._types import InboundRequest
    from gateway.config import GatewayConfig

SECTION = "dedup"


@dataclass(frozen=True)
class DedupSettings:
    """The ``[dedup]`` section."""

    is_enabled: bool = True
    id_fields: tuple[str, ...] = ("id", "alert_id", "idempotency_key")
    id_window: dt.timedelta = dt.timedelta(hours=24)
    hash_window: dt.timedelta = dt.timedelta(seconds=30)

    @classmethod
    def from_config(cls, config: GatewayConfig) -> DedupSettings:
        """Read and check ``[dedup]``."""
        fields = config.get_list(SECTION, "id_fields", "id, alert_id, idempotency_key")
        return cls(
            is_enabled=config.get_bool(SECTION, "enabled", True),
            id_fields=tuple(name.lower() for name in fields),
            id_window=_duration(config, "id_window", "24h"),
            hash_window=_duration(config, "hash_window", "30s"),
        )


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> dt.timedelta:
    """Parse ``90s``, ``10m``, ``24h``, ``7d`` (or plain seconds) into a timedelta."""
    text = text.strip().lower()
    unit = text[-1] if text and text[-1] in _UNITS else "s"
    number = text[:-1] if text and text[-1] in _UNITS else text
    return dt.timedelta(seconds=float(number) * _UNITS[unit])


def _duration(config: GatewayConfig, key: str, default: str) -> dt.timedelta:
    raw = config.get(SECTION, key, default) or default
    try:
        value = parse_duration(raw)
    except ValueError:
        raise ConfigError(
            SECTION, key, raw, "a duration such as 30s, 10m, 24h or 7d"
        ) from None
    if value.total_seconds() < 0:
        raise ConfigError(SECTION, key, raw, "a duration of 0 or more")
    return value


def assign_dedup_key(
    alarm: Alarm, request: InboundRequest, settings: DedupSettings
) -> None:
    """Set ``alarm.dedup_key`` and ``alarm.dedup_until`` (or leave them ``None``)."""
    if not settings.is_enabled:
        return

    lowered = {str(key).lower(): value for key, value in alarm.fields.items()}
    for name in settings.id_fields:
        value = lowered.get(name)
        if value is not None and str(value).strip() and "{{" not in str(value):
            if settings.id_window.total_seconds() > 0:
                alarm.dedup_key = f"id:{request.route}:{str(value).strip()[:200]}"
                # Strategy order ids ("Long Entry") repeat on every trade; with
                # the alert's own time in the key, only a replay of the same
                # event counts as a duplicate.
                stamp = _event_stamp(lowered)
                if stamp:
                    alarm.dedup_key += f"@{stamp}"
                alarm.dedup_until = alarm.received_at + settings.id_window
            return

    if settings.hash_window.total_seconds() > 0:
        digest = hashlib.sha256(
            request.route.encode() + b"\n" + request.body
        ).hexdigest()
        alarm.dedup_key = f"hash:{digest}"
        alarm.dedup_until = alarm.received_at + settings.hash_window


_TIME_FIELDS = ("timenow", "time", "timestamp")


def _event_stamp(fields: dict[str, object]) -> str | None:
    for name in _TIME_FIELDS:
        value = fields.get(name)
        if value is not None and str(value).strip() and "{{" not in str(value):
            return str(value).strip()[:40]
    return None

"""Reading one Uptime Kuma webhook body into an alarm.

Uptime Kuma's webhook notification posts, with the "application/json"
body type, ``{"heartbeat": {...}, "monitor": {...}, "msg": "..."}``; for
the "Test" button, ``heartbeat`` and ``monitor`` are ``null``. The
heartbeat's ``status`` is 0 (down), 1 (up), 2 (pending) or 3
(maintenance), and its ``time`` is UTC, written ``YYYY-MM-DD HH:MM:SS.mmm``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from gateway.kit import ParsedAlarm

STATUS_WORDS = {0: "down", 1: "up", 2: "pending", 3: "maintenance"}

# The top-level keys every Uptime Kuma webhook body has, and nothing else.
_SHAPE = frozenset({"heartbeat", "monitor", "msg"})

# Monitor keys kept in the alarm's fields (the rest is configuration).
_MONITOR_KEYS = {
    "id": "monitor_id",
    "name": "monitor_name",
    "type": "monitor_type",
    "url": "monitor_url",
    "hostname": "monitor_hostname",
    "port": "monitor_port",
}

# Heartbeat keys kept in the alarm's fields.
_HEARTBEAT_KEYS = {
    "status": "status",
    "msg": "heartbeat_msg",
    "ping": "ping_ms",
    "duration": "duration_s",
    "important": "important",
    "timezone": "timezone",
    "localDateTime": "local_time",
}


def read_notification(text: str | None) -> ParsedAlarm | None:
    """Read an Uptime Kuma webhook body; ``None`` when it is not one.

    Only a JSON object with exactly the keys ``heartbeat``, ``monitor`` and
    ``msg`` (an object or ``null``, an object or ``null``, a string) counts
    as Uptime Kuma's, so other senders' JSON is left to other parsers.
    """
    try:
        body = json.loads(text or "", parse_float=Decimal, parse_constant=_refuse)
    except ValueError:
        return None
    if not _is_notification(body):
        return None

    heartbeat: dict[str, Any] = body["heartbeat"] or {}
    monitor: dict[str, Any] = body["monitor"] or {}
    fields = {
        field: monitor[key] for key, field in _MONITOR_KEYS.items() if key in monitor
    }
    fields.update(
        (field, heartbeat[key])
        for key, field in _HEARTBEAT_KEYS.items()
        if key in heartbeat
    )
    if fields.get("monitor_url") in {"https://", "http://", ""}:
        del fields["monitor_url"]

    warnings: list[str] = []
    event_time = _utc_time(heartbeat.get("time"), warnings)
    return ParsedAlarm(
        parser="uptime",
        format="json",
        ticker=_text(monitor.get("name")),
        action=_action(body["heartbeat"], warnings),
        message=body["msg"],
        event_time=event_time,
        fields=fields,
        warnings=warnings,
    )


def _is_notification(body: object) -> bool:
    return (
        isinstance(body, dict)
        and set(body) == _SHAPE
        and isinstance(body["msg"], str)
        and isinstance(body["heartbeat"], (dict, type(None)))
        and isinstance(body["monitor"], (dict, type(None)))
    )


def _action(heartbeat: dict[str, Any] | None, warnings: list[str]) -> str:
    if heartbeat is None:
        return "test"
    status = heartbeat.get("status")
    word = STATUS_WORDS.get(status) if isinstance(status, int) else None
    if word is None:
        warnings.append(f"unknown heartbeat status {status!r}")
        return "unknown"
    return word


def _utc_time(value: object, warnings: list[str]) -> dt.datetime | None:
    if value is None:
        return None
    text = str(value).strip().replace("T", " ").removesuffix("Z")
    for layout in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            moment = dt.datetime.strptime(text, layout)
        except ValueError:
            continue
        return moment.replace(tzinfo=dt.timezone.utc)
    warnings.append(f"heartbeat time {str(value)[:40]!r} is not YYYY-MM-DD HH:MM:SS")
    return None


def _refuse(constant: str) -> Any:
    # NaN and Infinity are not JSON, and Uptime Kuma never sends them.
    raise ValueError(constant)


def _text(value: object) -> str | None:
    return None if value is None else str(value)

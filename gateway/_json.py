"""JSON for API answers: exact decimals, UTC timestamps, never a bare NaN."""

from __future__ import annotations

import datetime as dt
from typing import Any

import simplejson
from flask.json.provider import JSONProvider


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any, **kwargs: Any) -> str:
    """Serialise with decimals as exact numbers and NaN/Infinity as null."""
    kwargs.setdefault("ensure_ascii", False)
    return simplejson.dumps(
        value, use_decimal=True, ignore_nan=True, default=_default, **kwargs
    )


class GatewayJSONProvider(JSONProvider):
    """Flask's JSON provider for the gateway: see :func:`dumps`."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return simplejson.loads(s, use_decimal=True, **kwargs)

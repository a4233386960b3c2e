"""Rates written as operators write them: ``60/minute``, ``5/10s``, ``off``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.kit import ConfigError

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}

_RATE = re.compile(r"^(\d+)\s*(?:/|per)\s*(\d+)?\s*([a-z]+?)s?$", re.IGNORECASE)
_OFF = frozenset({"off", "none", "0", "unlimited"})

_EXPECTED = "a rate such as 60/minute, 10/second, 1000/hour or 5/10s, or off"


@dataclass(frozen=True)
class Rate:
    """At most ``count`` requests per ``seconds``, in bursts of up to ``burst``.

    Enforced as a token bucket holding ``burst`` tokens and refilled at
    ``count / seconds`` tokens a second.
    """

    count: int
    seconds: int
    burst: int

    @property
    def per_second(self) -> float:
        """How many tokens come back each second."""
        return self.count / self.seconds

    def describe(self) -> str:
        """Return the rate in words, e.g. ``60 per minute (burst 60)``."""
        period = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}.get(
            self.seconds, f"{self.seconds} seconds"
        )
        return f"{self.count} per {period} (burst {self.burst})"


def parse_rate(
    section: str, key: str, text: str, burst: int | None = None
) -> Rate | None:
    """Read a rate; ``None`` when it is switched off.

    :param burst: the bucket size; by default the rate's own count, so
        ``60/minute`` admits 60 at once and then one a second.
    :raises ConfigError: naming the key, the value and the expected form.
    """
    value = text.strip()
    if value.lower() in _OFF:
        return None

    match = _RATE.match(value)
    unit = _UNITS.get(match.group(3).lower()) if match else None
    if match is None or unit is None:
        raise ConfigError(section, key, value, _EXPECTED)

    count = int(match.group(1))
    seconds = int(match.group(2) or 1) * unit
    if count < 1 or seconds < 1:
        raise ConfigError(section, key, value, _EXPECTED)
    return Rate(count, seconds, burst if burst is not None else count)

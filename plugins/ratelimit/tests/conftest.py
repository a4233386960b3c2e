"""Fixtures for the ratelimit plugin's tests; the general ones are the core's.

Every test runs in ``isolated_gateway``, so no ``gateway.ini`` or legacy
variable (``ALLOWED_IPS``, ``SECRETKEY``...) of the developer leaks in.

``clock`` is a fake monotonic clock for the rate limiter.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_config(isolated_gateway):
    """Keep ./gateway.ini and the legacy variables out of every test."""


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock to hand to ``RateLimit(clock=...)``; no test sleeps."""
    return FakeClock()

"""Token buckets in memory: one per key, thread-safe, O(1), bounded.

A bucket holds up to ``burst`` tokens and refills continuously; a request
takes one. Buckets live in an ordered dict, least recently used first:
each request moves its bucket to the end, buckets idle long enough to be
full again are dropped from the front (a full bucket and no bucket are
the same thing), and past ``max_keys`` the least recently used one goes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

from alarmhugger_ratelimit._rates import Rate

# How many idle buckets one request may sweep; enough to keep up, small
# enough to keep every request O(1).
_SWEEP = 2


class TokenBuckets:
    """Token buckets keyed by client or route, all with the same rate.

    :param rate: refill rate and bucket size.
    :param max_keys: most buckets kept at once (memory bound).
    :param clock: monotonic seconds; tests pass a fake one.
    """

    def __init__(self, rate: Rate, max_keys: int, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self._clock = clock
        self._per_second = rate.per_second
        self._refill_seconds = rate.burst / rate.per_second
        # key -> (tokens left, when they were counted)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """Take a token for ``key``.

        :returns: ``0.0`` when one was taken, otherwise the seconds until
            the next token is there.
        """
        with self._lock:
            now = self._clock()
            tokens = self._tokens(key, now)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1 - tokens) / self._per_second
            self._buckets.move_to_end(key)
            self._sweep(now)
            return wait

    def _tokens(self, key: str, now: float) -> float:
        state = self._buckets.get(key)
        if state is None:
            return float(self.rate.burst)
        tokens, counted_at = state
        refilled = tokens + max(0.0, now - counted_at) * self._per_second
        return min(float(self.rate.burst), refilled)

    def _sweep(self, now: float) -> None:
        for _ in range(_SWEEP):
            oldest = next(iter(self._buckets.items()), None)
            if oldest is None:
                return
            key, (_, counted_at) = oldest
            if (
                now - counted_at < self._refill_seconds
                and len(self._buckets) <= self.max_keys
            ):
                return
            del self._buckets[key]

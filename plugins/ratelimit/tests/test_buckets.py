"""Token buckets: limits, refills, threads and the memory bound."""

from __future__ import annotations

import threading

import pytest

from alarmhugger_ratelimit import Rate
from alarmhugger_ratelimit import TokenBuckets


def test_token_buckets_burst_then_refused_with_wait(clock):
    buckets = TokenBuckets(Rate(60, 60, 3), max_keys=100, clock=clock)

    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1.0)
    assert buckets.take("b") == 0.0


def test_token_buckets_refill_after_waiting(clock):
    buckets = TokenBuckets(Rate(2, 60, 2), max_keys=100, clock=clock)
    buckets.take("a")
    buckets.take("a")

    wait = buckets.take("a")
    assert wait == pytest.approx(30.0)

    clock.advance(wait)
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(30.0)


def test_token_buckets_refused_requests_take_nothing(clock):
    buckets = TokenBuckets(Rate(1, 10, 1), max_keys=100, clock=clock)
    buckets.take("a")

    for _ in range(5):
        clock.advance(1)
        buckets.take("a")

    clock.advance(5)
    assert buckets.take("a") == 0.0


def test_token_buckets_never_exceed_burst_after_long_idle(clock):
    buckets = TokenBuckets(Rate(60, 60, 5), max_keys=100, clock=clock)
    buckets.take("a")

    clock.advance(3600)
    granted = sum(1 for _ in range(10) if buckets.take("a") == 0.0)

    assert granted == 5


def test_token_buckets_concurrent_takes_grant_exactly_burst(clock):
    buckets = TokenBuckets(Rate(100, 60, 100), max_keys=100, clock=clock)
    granted = []
    barrier = threading.Barrier(8)

    def hammer():
        barrier.wait()
        granted.extend(1 for _ in range(50) if buckets.take("tv") == 0.0)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(granted) == 100


def test_token_buckets_memory_bounded_by_max_keys(clock):
    buckets = TokenBuckets(Rate(60, 60, 60), max_keys=100, clock=clock)

    for number in range(10_000):
        buckets.take(f"client-{number}")

    assert len(buckets) <= 100


def test_token_buckets_idle_full_buckets_are_dropped(clock):
    buckets = TokenBuckets(Rate(60, 60, 60), max_keys=1000, clock=clock)
    for number in range(50):
        buckets.take(f"client-{number}")

    clock.advance(61)
    for _ in range(30):
        buckets.take("busy")

    assert len(buckets) == 1


def test_token_buckets_evicting_active_client_keeps_limit_for_others(clock):
    buckets = TokenBuckets(Rate(1, 60, 1), max_keys=100, clock=clock)
    buckets.take("attacker")

    for number in range(50):
        buckets.take(f"spoofed-{number}")

    assert buckets.take("attacker") > 0

"""Listing alarms: each filter, the newest-first order and keyset pages."""

from __future__ import annotations

import datetime as dt

import pytest

from gateway.kit import AlarmQuery

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


# Alarms that no ticker, exchange or action filter should find.
NO_MARKET = {"ticker": None, "exchange": None, "action": None}


def at(seconds):
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def seeded(shared_storage, make_alarm):
    """The shared storage plus a small, varied set of alarms in it, by name."""
    storage = shared_storage
    alarms = {
        "btc_buy": make_alarm(received_at=at(0), ticker="BTCUSDT", action="buy"),
        "btc_perp": make_alarm(received_at=at(1), ticker="BTCUSDT.P", action="sell"),
        "eth_sell": make_alarm(
            received_at=at(2), ticker="ETHUSD", exchange="COINBASE", action="SELL"
        ),
        "eth_route": make_alarm(
            received_at=at(3), ticker="ethusd", source="strategies", action="Buy"
        ),
        "raw": make_alarm(
            received_at=at(4),
            ticker=None,
            exchange=None,
            action=None,
            parser="raw",
            format="raw",
            raw="RSI crossed 70 on SOL",
            message="RSI crossed 70 on SOL",
        ),
    }
    # Messages where LIKE's wildcards and escape characters must be literal.
    texts = {
        "percent": "take 50% off",
        "no_percent": "take 500 off",
        "underscore": "signal a_b",
        "no_underscore": "signal axb",
        "slash": "size 1/2",
        "backslash": "regex \\d+",
    }
    for offset, (name, message) in enumerate(texts.items()):
        alarms[name] = make_alarm(
            received_at=at(-10 - offset),
            source="wildcards",
            message=message,
            **NO_MARKET,
        )

    for alarm in alarms.values():
        storage.gateway_store_alarm(alarm, [])
    return storage, alarms


def names(page, alarms):
    by_id = {alarm.id: name for name, alarm in alarms.items()}
    return [by_id[alarm.id] for alarm in page.alarms]


def test_query_no_filter_newest_first(seeded):
    storage, alarms = seeded

    page = storage.gateway_query_alarms(AlarmQuery(since=at(-100), until=at(100)))

    assert names(page, alarms)[:5] == [
        "raw",
        "eth_route",
        "eth_sell",
        "btc_perp",
        "btc_buy",
    ]
    assert names(page, alarms)[5:] == [
        "percent",
        "no_percent",
        "underscore",
        "no_underscore",
        "slash",
        "backslash",
    ]
    assert page.has_more is False
    assert page.alarms[0] == alarms["raw"]


def test_query_ticker_exact_and_case_insensitive(seeded):
    storage, alarms = seeded

    lower = storage.gateway_query_alarms(AlarmQuery(ticker="btcusdt"))
    mixed = storage.gateway_query_alarms(AlarmQuery(ticker="EthUsd"))

    # Exact: BTCUSDT.P is another instrument, not a match for BTCUSDT.
    assert names(lower, alarms) == ["btc_buy"]
    assert names(mixed, alarms) == ["eth_route", "eth_sell"]


def test_query_action_case_insensitive(seeded):
    storage, alarms = seeded

    page = storage.gateway_query_alarms(AlarmQuery(action="BUY"))

    assert names(page, alarms) == ["eth_route", "btc_buy"]


def test_query_exchange_case_insensitive(seeded):
    storage, alarms = seeded

    page = storage.gateway_query_alarms(AlarmQuery(exchange="coinbase"))

    assert names(page, alarms) == ["eth_sell"]


def test_query_source_exact_including_case(seeded):
    storage, alarms = seeded

    exact = storage.gateway_query_alarms(AlarmQuery(source="strategies"))
    other_case = storage.gateway_query_alarms(AlarmQuery(source="Strategies"))

    assert names(exact, alarms) == ["eth_route"]
    assert other_case.alarms == []


def test_query_since_inclusive_until_exclusive(seeded):
    storage, alarms = seeded

    page = storage.gateway_query_alarms(AlarmQuery(since=at(1), until=at(3)))

    assert names(page, alarms) == ["eth_sell", "btc_perp"]


def test_query_since_in_other_time_zone_same_instant(seeded):
    storage, alarms = seeded
    berlin = dt.timezone(dt.timedelta(hours=1))

    page = storage.gateway_query_alarms(AlarmQuery(since=at(3).astimezone(berlin)))

    assert names(page, alarms) == ["raw", "eth_route"]


def test_query_q_matches_message_or_raw_ignoring_case(seeded):
    storage, alarms = seeded

    in_message = storage.gateway_query_alarms(AlarmQuery(q="rsi CROSSED"))
    in_raw = storage.gateway_query_alarms(
        AlarmQuery(q='"PRICE":64250.5', since=at(0), until=at(100))
    )

    assert names(in_message, alarms) == ["raw"]
    assert names(in_raw, alarms) == ["eth_route", "eth_sell", "btc_perp", "btc_buy"]


def test_query_filters_combined(seeded):
    storage, alarms = seeded

    page = storage.gateway_query_alarms(
        AlarmQuery(ticker="ethusd", action="sell", exchange="COINBASE", until=at(5))
    )

    assert names(page, alarms) == ["eth_sell"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("50%", ["percent"]),
        ("a_b", ["underscore"]),
        ("1/2", ["slash"]),
        ("\\d", ["backslash"]),
    ],
    ids=["percent", "underscore", "slash", "backslash"],
)
def test_query_q_wildcards_literal(seeded, q, expected):
    storage, alarms = seeded

    page = storage.gateway_query_alarms(AlarmQuery(q=q, source="wildcards"))

    assert names(page, alarms) == expected


def test_query_keyset_three_pages_no_gaps_or_repeats(shared_storage, make_alarm):
    storage = shared_storage
    # Ties in received_at on purpose: the id must order them, stably.
    alarms = [
        make_alarm(received_at=at(1000 + index // 3), source="paging", **NO_MARKET)
        for index in range(8)
    ]
    for alarm in alarms:
        storage.gateway_store_alarm(alarm, [])
    expected = sorted(alarms, key=lambda a: (a.received_at, a.id), reverse=True)

    pages = []
    after = None
    for _ in range(3):
        query = AlarmQuery(source="paging", limit=3, after=after)
        page = storage.gateway_query_alarms(query)
        pages.append(page)
        after = (page.alarms[-1].received_at, page.alarms[-1].id)

    assert [len(page.alarms) for page in pages] == [3, 3, 2]
    assert [page.has_more for page in pages] == [True, True, False]
    listed = [alarm.id for page in pages for alarm in page.alarms]
    assert listed == [alarm.id for alarm in expected]


def test_query_keyset_with_filter_continues_within_filter(seeded):
    storage, alarms = seeded

    first = storage.gateway_query_alarms(AlarmQuery(ticker="ETHUSD", limit=1))
    last = first.alarms[-1]
    second = storage.gateway_query_alarms(
        AlarmQuery(ticker="ETHUSD", limit=1, after=(last.received_at, last.id))
    )

    assert names(first, alarms) == ["eth_route"]
    assert first.has_more is True
    assert names(second, alarms) == ["eth_sell"]
    assert second.has_more is False


def test_query_limit_exactly_reached_has_more_false(seeded):
    storage, alarms = seeded

    page = storage.gateway_query_alarms(AlarmQuery(ticker="ethusd", limit=2))

    assert len(page.alarms) == 2
    assert page.has_more is False

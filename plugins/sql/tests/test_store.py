"""Storing alarms and reading them back, exactly, on PostgreSQL and SQLite."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from gateway.kit import Alarm
from gateway.kit import StoreResult

from alarmhugger_sql._schema import ALARM_COLUMNS

UTC = dt.timezone.utc
NEW_YORK_WINTER = dt.timezone(dt.timedelta(hours=-5))


# Alarm fields kept outside the alarms table; each must have a default so a
# stored alarm can still be built from its row.
NOT_IN_ALARMS_TABLE = {"deliveries"}


def test_alarm_columns_match_alarm_fields():
    fields = {field.name: field for field in dataclasses.fields(Alarm)}
    unstored = set(fields) - set(ALARM_COLUMNS)

    assert set(ALARM_COLUMNS) <= set(fields)
    assert unstored == NOT_IN_ALARMS_TABLE
    for name in unstored:
        assert fields[name].default is not dataclasses.MISSING or (
            fields[name].default_factory is not dataclasses.MISSING
        )


def test_store_every_field_round_trips_exactly(shared_storage, make_alarm):
    storage = shared_storage
    alarm = make_alarm(
        received_at=dt.datetime(2026, 3, 1, 7, 30, 15, 123456, tzinfo=NEW_YORK_WINTER),
        source="strategies/btc",
        client_ip="2001:db8::7",
        content_type="text/plain; charset=utf-8",
        raw="BTCUSDT 🚀 buy at 64250.50 — ✓",
        raw_bytes=b"\x00\xff\xfe{\x00}BTC",
        parser="tradingview",
        format="keyvalue",
        ticker="BTCUSDT.P",
        exchange="BINANCE",
        interval="1D",
        action="buy",
        price=Decimal("64250.50"),
        quantity=Decimal("0.00000012"),
        message="Moon 🚀🌕 ünïcödé",
        event_time=dt.datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
        fields={
            "ticker": "BTCUSDT.P",
            "price": Decimal("64250.50"),
            "tiny": Decimal("0.00000012"),
            "huge": Decimal("123456789012345678901234567890.123456789"),
            "count": 3,
            "flag": True,
            "nothing": None,
            "emoji": "🚀",
            "nested": {"levels": [Decimal("1.10"), {"deeper": ["a", 2, None]}]},
        },
        unresolved=["strategy.order.action"],
        warnings=["looks like JSON but is invalid: Expecting ',' delimiter"],
        non_finite_fields=["rsi"],
        duplicates=2,
        dedup_key="id:tv-round-trip-🚀",
        dedup_until=dt.datetime(2026, 3, 1, 7, 30, 25, 123456, tzinfo=NEW_YORK_WINTER),
    )

    result = storage.gateway_store_alarm(alarm, [])
    stored = storage.gateway_get_alarm(alarm.id)

    assert result == StoreResult(alarm.id)
    assert stored == alarm
    assert stored.received_at.tzinfo == UTC
    assert stored.received_at == dt.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    assert str(stored.price) == "64250.50"
    assert stored.quantity.as_tuple() == Decimal("0.00000012").as_tuple()
    assert str(stored.fields["nested"]["levels"][0]) == "1.10"
    assert str(stored.fields["huge"]) == "123456789012345678901234567890.123456789"
    assert isinstance(stored.raw_bytes, bytes)
    assert stored.dedup_until == dt.datetime(2026, 3, 1, 12, 30, 25, 123456, tzinfo=UTC)


def test_store_minimal_alarm_defaults_round_trip(shared_storage, make_alarm):
    storage = shared_storage
    alarm = make_alarm(
        ticker=None,
        exchange=None,
        interval=None,
        action=None,
        price=None,
        message=None,
        parser="raw",
        format="raw",
    )

    storage.gateway_store_alarm(alarm, [])
    stored = storage.gateway_get_alarm(alarm.id)

    assert stored == alarm
    assert stored.fields == {}
    assert stored.raw_bytes is None
    assert stored.duplicates == 0


def test_store_naive_received_at_taken_as_utc(shared_storage, make_alarm):
    storage = shared_storage
    alarm = make_alarm(received_at=dt.datetime(2026, 3, 1, 12, 0, 0, 5))

    storage.gateway_store_alarm(alarm, [])

    stored = storage.gateway_get_alarm(alarm.id)
    assert stored.received_at == dt.datetime(2026, 3, 1, 12, 0, 0, 5, tzinfo=UTC)


def test_store_same_id_twice_one_row(shared_storage, make_alarm, count_rows):
    storage = shared_storage
    alarm = make_alarm(source="twice")

    first = storage.gateway_store_alarm(alarm, [])
    second = storage.gateway_store_alarm(alarm, [])

    assert first == second == StoreResult(alarm.id)
    assert count_rows(storage, source="twice") == 1


def test_store_case_05_non_finite_fields_identical_on_both_backends(
    shared_storage, make_alarm
):
    """Case 05-nan-infinity-in-json: nulls plus the list, stored as given."""
    storage = shared_storage
    alarm = make_alarm(
        raw='{"ticker":"BTCUSD","rsi":NaN,"atr":Infinity,"close":64000.5}',
        content_type="text/plain; charset=utf-8",
        fields={
            "ticker": "BTCUSD",
            "rsi": None,
            "atr": None,
            "close": Decimal("64000.5"),
        },
        non_finite_fields=["rsi", "atr"],
    )

    storage.gateway_store_alarm(alarm, [])

    stored = storage.gateway_get_alarm(alarm.id)
    assert stored.fields == {
        "ticker": "BTCUSD",
        "rsi": None,
        "atr": None,
        "close": Decimal("64000.5"),
    }
    assert stored.non_finite_fields == ["rsi", "atr"]


def test_store_non_finite_numbers_slipping_through_become_null(
    shared_storage, make_alarm
):
    """Case 05-nan-infinity-in-json: NaN never reaches a JSON column."""
    storage = shared_storage
    alarm = make_alarm(
        price=Decimal("NaN"),
        quantity=Decimal("Infinity"),
        fields={"rsi": float("nan"), "atr": Decimal("-Infinity"), "ok": 1},
    )

    storage.gateway_store_alarm(alarm, [])

    stored = storage.gateway_get_alarm(alarm.id)
    assert stored.price is None
    assert stored.quantity is None
    assert stored.fields == {"rsi": None, "atr": None, "ok": 1}


def test_store_nul_and_lone_surrogates_replaced_identically(shared_storage, make_alarm):
    # JSON like {"note":"a\u0000b","odd":"\ud800"} parses to strings no
    # PostgreSQL text or jsonb value can hold; the raw body keeps the truth.
    storage = shared_storage
    alarm = make_alarm(
        raw='{"note":"a\\u0000b","odd":"\\ud800","pair":"\\ud83d\\ude80"}',
        message="a\x00b",
        ticker="BTC\ud800",
        fields={"note": "a\x00b", "odd": "\ud800", "pair": "\ud83d\ude80", "k\x00": 1},
    )

    storage.gateway_store_alarm(alarm, [])

    stored = storage.gateway_get_alarm(alarm.id)
    assert stored.message == "a\ufffdb"
    assert stored.ticker == "BTC\ufffd"
    assert stored.fields == {
        "note": "a\ufffdb",
        "odd": "\ufffd",
        "pair": "🚀",
        "k\ufffd": 1,
    }
    assert stored.raw == alarm.raw


def test_get_alarm_unknown_id_none(shared_storage):
    storage = shared_storage

    assert storage.gateway_get_alarm("01890000-0000-7000-8000-000000000000") is None
    assert (
        storage.gateway_get_alarm("not an id at all, and far too long for it") is None
    )


def test_store_before_startup_storage_unavailable(make_alarm):
    from gateway.kit import StorageUnavailable

    from alarmhugger_sql import SqlStorage

    with pytest.raises(StorageUnavailable, match="not started"):
        SqlStorage().gateway_store_alarm(make_alarm(), [])


def test_store_constraint_broken_error_not_swallowed(shared_storage, make_alarm):
    # Only "this id is already stored" counts as success; a missing
    # required value is a bug the core must hear about.
    with pytest.raises(IntegrityError):
        shared_storage.gateway_store_alarm(make_alarm(source=None), [])

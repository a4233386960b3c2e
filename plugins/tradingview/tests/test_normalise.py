"""The alias table: which sender keys fill which normalised field, and how."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

UTC = dt.timezone.utc


def as_json(**fields):
    return json.dumps(fields)


@pytest.mark.parametrize(
    ("body", "attribute", "expected"),
    [
        pytest.param(as_json(symbol="AAPL"), "ticker", "AAPL", id="symbol"),
        pytest.param(as_json(tickerid="AAPL"), "ticker", "AAPL", id="tickerid"),
        pytest.param(as_json(timeframe="1D"), "interval", "1D", id="timeframe"),
        pytest.param(as_json(tf=60), "interval", "60", id="tf-number"),
        pytest.param(as_json(resolution="240"), "interval", "240", id="resolution"),
        pytest.param(as_json(side="SELL"), "action", "sell", id="side"),
        pytest.param(as_json(order_action="Buy"), "action", "buy", id="order_action"),
        pytest.param(as_json(action="Exit Long"), "action", "exit long", id="any-word"),
        pytest.param(as_json(signal="LONG"), "action", "long", id="signal-direction"),
        pytest.param(as_json(signal="RSI_OVERSOLD"), "action", None, id="signal-other"),
        pytest.param(as_json(close="1.5"), "price", Decimal("1.5"), id="close"),
        pytest.param(as_json(order_price=2), "price", Decimal("2"), id="order_price"),
        pytest.param(as_json(qty="3"), "quantity", Decimal("3"), id="qty"),
        pytest.param(as_json(contracts=4), "quantity", Decimal("4"), id="contracts"),
        pytest.param(as_json(size="0.5"), "quantity", Decimal("0.5"), id="size"),
        pytest.param(as_json(amount="+7"), "quantity", Decimal("7"), id="amount"),
        pytest.param(as_json(msg="hi"), "message", "hi", id="msg"),
        pytest.param(as_json(text="hi"), "message", "hi", id="text"),
        pytest.param(as_json(comment="hi"), "message", "hi", id="comment"),
        pytest.param(as_json(alert_message="hi"), "message", "hi", id="alert_message"),
        pytest.param('{"TICKER":"AAPL"}', "ticker", "AAPL", id="upper-case-key"),
    ],
)
def test_parse_alarm_alias_key_fills_normalised_field(parse, body, attribute, expected):
    alarm = parse(body)

    assert getattr(alarm, attribute) == expected
    assert alarm.warnings == []


@pytest.mark.parametrize(
    ("body", "price"),
    [
        pytest.param('{"price":1,"order_price":2,"close":3}', 1, id="price-first"),
        pytest.param('{"close":3,"order_price":2}', 2, id="order-price-before-close"),
        pytest.param('{"price":null,"close":3}', 3, id="null-skipped"),
        pytest.param('{"price":"","close":3}', 3, id="blank-skipped"),
        pytest.param('{"price":"{{close}}","close":3}', 3, id="placeholder-skipped"),
        pytest.param('{"price":NaN,"close":3}', 3, id="non-finite-skipped"),
    ],
)
def test_parse_alarm_first_usable_alias_wins(parse, body, price):
    assert parse(body).price == Decimal(price)


def test_parse_alarm_ticker_with_exchange_prefix_split(parse):
    alarm = parse('{"ticker":"BINANCE:BTCUSDT"}')

    assert (alarm.exchange, alarm.ticker) == ("BINANCE", "BTCUSDT")


def test_parse_alarm_explicit_exchange_kept_over_ticker_prefix(parse):
    alarm = parse('{"ticker":"BINANCE:BTCUSDT","exchange":"BYBIT"}')

    assert (alarm.exchange, alarm.ticker) == ("BYBIT", "BTCUSDT")


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        pytest.param(
            '{"price":"abc"}', "price: price = 'abc' is not a number", id="text-price"
        ),
        pytest.param('{"qty":true}', "quantity: qty = True is not a number", id="bool"),
        pytest.param(
            '{"price":"1,234.5"}',
            "price: price = '1,234.5' is not a number",
            id="thousands-separator",
        ),
        pytest.param(
            '{"ticker":{"a":1}}', "ticker: ticker = {'a': 1} is not text", id="object"
        ),
    ],
)
def test_parse_alarm_unusable_value_gives_none_and_warning(parse, body, warning):
    alarm = parse(body)

    assert alarm.format == "json"
    assert (alarm.price, alarm.quantity, alarm.ticker) == (None, None, None)
    assert alarm.warnings == [warning]


def test_parse_alarm_message_with_placeholder_inside_kept(parse):
    alarm = parse('{"msg":"Long {{ticker}} now","comment":"x"}')

    assert alarm.message == "Long {{ticker}} now"
    assert alarm.unresolved == ["ticker"]


def test_parse_alarm_message_that_is_only_a_placeholder_skipped(parse):
    alarm = parse('{"alert_message":"{{strategy.order.alert_message}}"}')

    assert alarm.message is None
    assert alarm.unresolved == ["strategy.order.alert_message"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param('"2025-01-15T14:30:00Z"', (2025, 1, 15, 14, 30, 0), id="iso-z"),
        pytest.param(
            '"2025-01-15T16:30:00+02:00"', (2025, 1, 15, 14, 30, 0), id="offset"
        ),
        pytest.param(
            '"2025-01-15T14:30:00"', (2025, 1, 15, 14, 30, 0), id="naive-is-utc"
        ),
        pytest.param('"2025-01-15T14:30:00z"', (2025, 1, 15, 14, 30, 0), id="lower-z"),
        pytest.param("1736951400", (2025, 1, 15, 14, 30, 0), id="unix-seconds"),
        pytest.param("1736951400000", (2025, 1, 15, 14, 30, 0), id="unix-ms"),
        pytest.param('"1736951400"', (2025, 1, 15, 14, 30, 0), id="unix-text"),
    ],
)
def test_parse_alarm_event_time_forms_give_aware_utc(parse, value, expected):
    alarm = parse('{"time":' + value + "}")

    assert alarm.event_time == dt.datetime(*expected, tzinfo=UTC)
    assert alarm.event_time.tzinfo is UTC


def test_parse_alarm_event_time_prefers_timenow_over_bar_time(parse):
    alarm = parse(
        '{"time":"2025-01-15T14:30:00Z","timenow":"2025-01-15T14:30:05Z","timestamp":1}'
    )

    assert alarm.event_time == dt.datetime(2025, 1, 15, 14, 30, 5, tzinfo=UTC)


def test_parse_alarm_event_time_fractional_seconds_kept(parse):
    alarm = parse('{"timestamp":1736951400.25}')

    assert alarm.event_time == dt.datetime(2025, 1, 15, 14, 30, 0, 250000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "warning"),
    [
        pytest.param(
            '"yesterday"',
            "event_time: timenow = 'yesterday' is not an ISO 8601 time",
            id="words",
        ),
        pytest.param(
            "1e30", "event_time: timenow = 1E+30 is not a time in range", id="huge"
        ),
        pytest.param("true", "event_time: timenow = True is not a time", id="bool"),
    ],
)
def test_parse_alarm_unreadable_event_time_gives_none_and_warning(
    parse, value, warning
):
    alarm = parse('{"timenow":' + value + "}")

    assert alarm.event_time is None
    assert alarm.warnings == [warning]

"""Every example body of TRADINGVIEW.md section 1.4, with what it must give."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gateway.kit import ParsedAlarm

UTC = dt.timezone.utc

EXAMPLE_3 = (
    '{"passphrase":"demo-pass","strategy":"EMA Cross v2","ticker":"ETHUSDT",'
    '"action":"buy","contracts":0.75,"price":3312.45,"order_id":"Long Entry",'
    '"comment":"Long Entry","market_position":"long","market_position_size":0.75,'
    '"prev_market_position":"flat","position_size":0.75,'
    '"time":"2025-01-15T14:45:00Z"}'
)

EXAMPLES = [
    pytest.param(
        "application/json",
        '{"secret":"s3cr3t-demo","ticker":"BTCUSDT","exchange":"BINANCE",'
        '"interval":"15","close":67432.5,"volume":1234.567,'
        '"time":"2025-01-15T14:30:00Z","timenow":"2025-01-15T14:30:05Z",'
        '"signal":"RSI_OVERSOLD","rsi":28.41}',
        ParsedAlarm(
            parser="tradingview",
            format="json",
            ticker="BTCUSDT",
            exchange="BINANCE",
            interval="15",
            price=Decimal("67432.5"),
            event_time=dt.datetime(2025, 1, 15, 14, 30, 5, tzinfo=UTC),
            fields={
                "secret": "s3cr3t-demo",
                "ticker": "BTCUSDT",
                "exchange": "BINANCE",
                "interval": "15",
                "close": Decimal("67432.5"),
                "volume": Decimal("1234.567"),
                "time": "2025-01-15T14:30:00Z",
                "timenow": "2025-01-15T14:30:05Z",
                "signal": "RSI_OVERSOLD",
                "rsi": Decimal("28.41"),
            },
        ),
        id="1-indicator-json-template",
    ),
    pytest.param(
        "text/plain",
        "NASDAQ:AAPL, price = 189.37, volume = 51234567",
        ParsedAlarm(
            parser="tradingview",
            format="keyvalue",
            ticker="AAPL",
            exchange="NASDAQ",
            price=Decimal("189.37"),
            fields={"price": Decimal("189.37"), "volume": 51234567},
        ),
        id="2-plain-text-tradingview-template",
    ),
    pytest.param(
        "application/json",
        EXAMPLE_3,
        ParsedAlarm(
            parser="tradingview",
            format="json",
            ticker="ETHUSDT",
            action="buy",
            price=Decimal("3312.45"),
            quantity=Decimal("0.75"),
            message="Long Entry",
            event_time=dt.datetime(2025, 1, 15, 14, 45, tzinfo=UTC),
            fields={
                "passphrase": "demo-pass",
                "strategy": "EMA Cross v2",
                "ticker": "ETHUSDT",
                "action": "buy",
                "contracts": Decimal("0.75"),
                "price": Decimal("3312.45"),
                "order_id": "Long Entry",
                "comment": "Long Entry",
                "market_position": "long",
                "market_position_size": Decimal("0.75"),
                "prev_market_position": "flat",
                "position_size": Decimal("0.75"),
                "time": "2025-01-15T14:45:00Z",
            },
        ),
        id="3-strategy-order-fill-json",
    ),
    pytest.param(
        "application/json",
        '{"action":"sell","ticker":"SOLUSDT","price":187.12,"sl":191.5,"tp":179.0}',
        ParsedAlarm(
            parser="tradingview",
            format="json",
            ticker="SOLUSDT",
            action="sell",
            price=Decimal("187.12"),
            fields={
                "action": "sell",
                "ticker": "SOLUSDT",
                "price": Decimal("187.12"),
                "sl": Decimal("191.5"),
                "tp": Decimal("179.0"),
            },
        ),
        id="4-strategy-alert-message-json",
    ),
    pytest.param(
        "text/plain",
        "SHORT BTCUSD 27455.3 (15m) RSI=71.2",
        ParsedAlarm(
            parser="tradingview",
            format="text",
            action="short",
            message="SHORT BTCUSD 27455.3 (15m) RSI=71.2",
        ),
        id="5-alert-function-free-text",
    ),
    pytest.param(
        "text/plain",
        '{"key":"demo","msg":"Long #XBTUSD at 23591"}\n',
        ParsedAlarm(
            parser="tradingview",
            format="json",
            message="Long #XBTUSD at 23591",
            fields={"key": "demo", "msg": "Long #XBTUSD at 23591"},
        ),
        id="6-json-with-trailing-newline-as-text-plain",
    ),
    pytest.param(
        "text/plain",
        '{"ticker":"EURUSD","close":1.08412,"atr":NaN}',
        ParsedAlarm(
            parser="tradingview",
            format="json",
            ticker="EURUSD",
            price=Decimal("1.08412"),
            fields={"ticker": "EURUSD", "close": Decimal("1.08412"), "atr": None},
            warnings=["non-finite numbers stored as null: atr"],
            non_finite_fields=["atr"],
        ),
        id="7-nan-from-na-plot",
    ),
    pytest.param(
        "application/json",
        '{"ticker":"AAPL","action":"{{strategy.order.action}}","price":"{{close}}"}',
        ParsedAlarm(
            parser="tradingview",
            format="json",
            ticker="AAPL",
            fields={
                "ticker": "AAPL",
                "action": "{{strategy.order.action}}",
                "price": "{{close}}",
            },
            unresolved=["strategy.order.action", "close"],
        ),
        id="8-unresolved-placeholders",
    ),
    pytest.param(
        "text/plain",
        "demo:cancelall symbol=BTCUSD\n"
        "demo:long size=100 symbol=BTCUSD profittrigger=69000",
        ParsedAlarm(
            parser="tradingview",
            format="text",
            message="demo:cancelall symbol=BTCUSD\n"
            "demo:long size=100 symbol=BTCUSD profittrigger=69000",
        ),
        id="9-multi-line-frostybot-commands",
    ),
    pytest.param(
        "text/plain",
        "🚀 Long #BTCUSDT at `67432.5` | TF 60",
        ParsedAlarm(
            parser="tradingview",
            format="text",
            action="long",
            message="🚀 Long #BTCUSDT at `67432.5` | TF 60",
        ),
        id="10-emoji-markdown-text",
    ),
    pytest.param(
        "text/plain",
        "demo_key|My Strategy|buy|BTCUSDT",
        ParsedAlarm(
            parser="tradingview",
            format="text",
            action="buy",
            message="demo_key|My Strategy|buy|BTCUSDT",
        ),
        id="11-pipe-delimited-positional",
    ),
]


@pytest.mark.parametrize(("content_type", "body", "expected"), EXAMPLES)
def test_parse_alarm_tradingview_example_gives_expected_alarm(
    parse, content_type, body, expected
):
    assert parse(body, content_type) == expected


def test_parse_alarm_example_prices_keep_exact_decimal_digits(parse):
    alarm = parse(EXAMPLE_3, "application/json")

    assert str(alarm.price) == "3312.45"
    assert str(alarm.quantity) == "0.75"
    assert all(not isinstance(value, float) for value in alarm.fields.values())

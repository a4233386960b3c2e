"""Reading key=value text: separators, keys, values, and when it is not that."""

from __future__ import annotations

from decimal import Decimal

import pytest

EXPECTED_FIELDS = {"ticker": "AAPL", "price": Decimal("189.37"), "qty": 10}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("ticker=AAPL;price=189.37;qty=10", id="semicolons"),
        pytest.param("ticker=AAPL, price=189.37, qty=10", id="commas"),
        pytest.param("ticker=AAPL|price=189.37|qty=10", id="pipes"),
        pytest.param("ticker=AAPL&price=189.37&qty=10", id="ampersands"),
        pytest.param("ticker=AAPL\nprice=189.37\nqty=10", id="newlines"),
        pytest.param("ticker=AAPL\r\nprice=189.37\r\nqty=10\r\n", id="crlf"),
        pytest.param("ticker = AAPL ;  price = 189.37 ; qty = 10", id="spaces"),
        pytest.param("Ticker: AAPL\nPrice: 189.37\nQTY: 10", id="colon-space"),
        pytest.param("TICKER=AAPL; Price=189.37; Qty=10;", id="mixed-case-keys"),
    ],
)
def test_parse_alarm_keyvalue_separators_give_same_fields(parse, body):
    alarm = parse(body)

    assert alarm.format == "keyvalue"
    assert alarm.fields == EXPECTED_FIELDS
    assert alarm.ticker == "AAPL"
    assert alarm.price == Decimal("189.37")
    assert alarm.quantity == Decimal("10")


def test_parse_alarm_keyvalue_values_typed_by_json_number_rules(parse):
    alarm = parse("a=5; b=-0.75; c=1.2e-7; d=007; e=1_000; f=+5; g=.5; h=yes")

    assert alarm.fields == {
        "a": 5,
        "b": Decimal("-0.75"),
        "c": Decimal("1.2e-7"),
        "d": "007",
        "e": "1_000",
        "f": "+5",
        "g": ".5",
        "h": "yes",
    }


def test_parse_alarm_keyvalue_quoted_value_stays_text(parse):
    alarm = parse("id=\"007\"; note='hello'; price='5'")

    assert alarm.fields == {"id": "007", "note": "hello", "price": "5"}
    assert alarm.price == Decimal("5")


def test_parse_alarm_keyvalue_line_value_may_hold_commas(parse):
    alarm = parse("ticker=AAPL\nmessage=Bought, 100 shares; filled")

    assert alarm.format == "keyvalue"
    assert alarm.message == "Bought, 100 shares; filled"


def test_parse_alarm_keyvalue_colon_value_keeps_the_time_intact(parse):
    alarm = parse("ticker: AAPL\ntime: 2025-01-15T14:30:00Z")

    assert alarm.fields == {"ticker": "AAPL", "time": "2025-01-15T14:30:00Z"}


def test_parse_alarm_keyvalue_repeated_key_keeps_last_with_warning(parse):
    alarm = parse("price=1; price=2; price=3")

    assert alarm.fields == {"price": 3}
    assert alarm.warnings == [
        "key 'price' given more than once; the last value is kept"
    ]


def test_parse_alarm_keyvalue_dotted_key_matches_strategy_alias(parse):
    alarm = parse("strategy.order.action=BUY; strategy.order.contracts=3")

    assert alarm.action == "buy"
    assert alarm.quantity == Decimal("3")


def test_parse_alarm_keyvalue_placeholder_value_literal_kept(parse):
    alarm = parse("ticker={{ticker}}; price={{close}}; tf=15")

    assert alarm.fields == {"ticker": "{{ticker}}", "price": "{{close}}", "tf": 15}
    assert alarm.unresolved == ["ticker", "close"]
    assert (alarm.ticker, alarm.price, alarm.interval) == (None, None, "15")


def test_parse_alarm_keyvalue_bare_symbol_fills_exchange_and_ticker(parse):
    alarm = parse("BINANCE:BTCUSDT.P | side=short | qty=0.5")

    assert alarm.format == "keyvalue"
    assert (alarm.exchange, alarm.ticker) == ("BINANCE", "BTCUSDT.P")
    assert alarm.fields == {"side": "short", "qty": Decimal("0.5")}


def test_parse_alarm_keyvalue_named_ticker_wins_over_bare_symbol(parse):
    alarm = parse("NASDAQ:AAPL, ticker=MSFT")

    assert (alarm.exchange, alarm.ticker) == (None, "MSFT")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "BUY BTCUSDT @ 64250.5 (RSI cross, tf=15)", id="sentence-with-pair"
        ),
        pytest.param("Long signal on BTC RSI=71.2", id="spaces-before-equals"),
        pytest.param("NASDAQ:AAPL", id="symbol-only"),
        pytest.param("NASDAQ:AAPL, NYSE:IBM, price=5", id="two-symbols"),
        pytest.param("a=1, b=2, and more", id="trailing-words"),
        pytest.param("time 14:30 price=5", id="clock-time"),
    ],
)
def test_parse_alarm_text_not_entirely_pairs_read_as_free_text(parse, body):
    alarm = parse(body)

    assert alarm.format == "text"
    assert alarm.fields == {}
    assert alarm.message == body

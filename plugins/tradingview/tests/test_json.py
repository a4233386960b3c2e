"""Reading JSON bodies: tolerance, arrays, exact numbers, placeholders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.kit import ParsedAlarm


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('\ufeff{"ticker":"AAPL"}', id="bom"),
        pytest.param('{"ticker":"AAPL"}\n', id="trailing-newline"),
        pytest.param('{"ticker":"AAPL"}\r\n', id="trailing-crlf"),
        pytest.param('  \n\t{"ticker":"AAPL"}  \n\n', id="surrounding-whitespace"),
        pytest.param('\ufeff  {"ticker":"AAPL"}\n', id="bom-and-whitespace"),
    ],
)
def test_parse_alarm_json_with_bom_or_whitespace_read_as_json(parse, body):
    alarm = parse(body)

    assert alarm.format == "json"
    assert alarm.fields == {"ticker": "AAPL"}
    assert alarm.ticker == "AAPL"


def test_parse_alarm_json_numbers_stay_exact_decimal_and_int(parse):
    alarm = parse('{"a":0.1,"b":64250.50,"c":1.2e-7,"d":1E+3,"e":42,"f":-7}')

    assert alarm.fields == {
        "a": Decimal("0.1"),
        "b": Decimal("64250.50"),
        "c": Decimal("1.2e-7"),
        "d": Decimal("1E+3"),
        "e": 42,
        "f": -7,
    }
    assert str(alarm.fields["b"]) == "64250.50"
    assert type(alarm.fields["e"]) is int


def test_parse_alarm_price_in_scientific_notation_kept_exact(parse):
    alarm = parse('{"ticker":"SHIBUSDT","price":1.2e-7}')

    assert alarm.price == Decimal("1.2E-7")
    assert str(alarm.price) == "1.2E-7"


def test_parse_alarm_numeric_strings_parsed_only_in_normalised_fields(parse):
    alarm = parse('{"price":"64250.5","qty":"0.75","id":"007"}')

    assert alarm.price == Decimal("64250.5")
    assert alarm.quantity == Decimal("0.75")
    assert alarm.fields == {"price": "64250.5", "qty": "0.75", "id": "007"}


def test_parse_alarm_json_array_of_one_object_normalised_from_it(parse):
    alarm = parse('[{"ticker":"BINANCE:BTCUSDT","action":"Buy","price":64250.5}]')

    assert alarm == ParsedAlarm(
        parser="tradingview",
        format="json",
        ticker="BTCUSDT",
        exchange="BINANCE",
        action="buy",
        price=Decimal("64250.5"),
        fields={
            "items": [
                {
                    "ticker": "BINANCE:BTCUSDT",
                    "action": "Buy",
                    "price": Decimal("64250.5"),
                }
            ]
        },
    )


@pytest.mark.parametrize(
    ("body", "items"),
    [
        pytest.param(
            '[{"ticker":"A"},{"ticker":"B"}]',
            [{"ticker": "A"}, {"ticker": "B"}],
            id="several-objects",
        ),
        pytest.param("[1, 2.5]", [1, Decimal("2.5")], id="numbers"),
        pytest.param("[]", [], id="empty"),
        pytest.param('["buy"]', ["buy"], id="one-string"),
    ],
)
def test_parse_alarm_json_array_kept_under_items_without_normalising(
    parse, body, items
):
    alarm = parse(body)

    assert alarm.format == "json"
    assert alarm.fields == {"items": items}
    assert (alarm.ticker, alarm.action, alarm.price) == (None, None, None)
    assert alarm.warnings == []


def test_parse_alarm_empty_json_object_gives_empty_alarm(parse):
    assert parse("{}") == ParsedAlarm(parser="tradingview", format="json")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[ALERT] BTCUSDT crossed 64250", id="bracketed-tag"),
        pytest.param("{{ticker}} crossed {{close}}", id="leading-placeholder"),
        pytest.param("[{{ticker}}] crossed up", id="bracketed-placeholder"),
    ],
)
def test_parse_alarm_bracket_start_that_is_not_json_read_as_text(parse, body):
    alarm = parse(body)

    assert alarm.format == "text"
    assert alarm.message == body
    assert alarm.warnings == []


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        pytest.param(
            '{"a":1}{"b":2}',
            "looks like JSON but is invalid: Extra data at line 1 column 8",
            id="two-documents",
        ),
        pytest.param(
            '{"ticker":"AAPL"',
            "looks like JSON but is invalid: Expecting ',' delimiter "
            "at line 1 column 17",
            id="truncated",
        ),
        pytest.param(
            '["buy", ]',
            "looks like JSON but is invalid: Expecting value at line 1 column 9",
            id="trailing-comma",
        ),
        pytest.param(
            '{"n":' + "9" * 5000 + "}",
            "looks like JSON but is invalid: a number is too long or out of range",
            id="integer-past-digit-limit",
        ),
        pytest.param(
            '{"n":1e99999999999999999999}',
            "looks like JSON but is invalid: a number is too long or out of range",
            id="exponent-out-of-range",
        ),
    ],
)
def test_parse_alarm_broken_json_kept_raw_with_reason(parse, body, warning):
    alarm = parse(body)

    assert alarm.format == "raw"
    assert alarm.message == body
    assert alarm.fields == {}
    assert alarm.warnings == [warning]


def test_parse_alarm_placeholders_named_in_order_once_each(parse):
    alarm = parse(
        '{"t":"{{ticker}}","p":"{{close}}","q":"{{ close }}",'
        '"r":"{{plot(\\"RSI\\")}}","m":"at {{close}} on {{exchange}}"}'
    )

    assert alarm.unresolved == ["ticker", "close", 'plot("RSI")', "exchange"]
    assert alarm.fields["r"] == '{{plot("RSI")}}'


def test_parse_alarm_nested_strategy_keys_normalised(parse):
    alarm = parse(
        '{"strategy":{"order":{"action":"SELL","price":"3120.4",'
        '"contracts":2,"alert_message":"exit"}},"ticker":"ETHUSD"}'
    )

    assert alarm.action == "sell"
    assert alarm.price == Decimal("3120.4")
    assert alarm.quantity == Decimal("2")
    assert alarm.message == "exit"


def test_parse_alarm_lone_surrogate_escape_replaced_with_warning(parse):
    alarm = parse('{"msg":"bad \\ud800 half","\\udfff":1,"ok":"\\ud83d\\ude80"}')

    assert alarm.format == "json"
    assert alarm.fields == {"msg": "bad \ufffd half", "ok": "🚀", "\ufffd": 1}
    assert alarm.message == "bad \ufffd half"
    assert alarm.warnings == ["lone surrogate escapes replaced with U+FFFD"]
    alarm.message.encode("utf-8")

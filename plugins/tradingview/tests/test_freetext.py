"""Free text: only a single symbol and a single direction word are taken."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("body", "exchange", "ticker"),
    [
        pytest.param("Crossing on NASDAQ:AAPL now", "NASDAQ", "AAPL", id="stock"),
        pytest.param("NYMEX_DL:CL1! breakout", "NYMEX_DL", "CL1!", id="delayed-future"),
        pytest.param("alert BINANCE:BTCUSDT.P.", "BINANCE", "BTCUSDT.P", id="perp-dot"),
        pytest.param("NASDAQ:AAPL and NASDAQ:AAPL", "NASDAQ", "AAPL", id="repeated"),
        pytest.param("NASDAQ:AAPL vs NYSE:IBM", None, None, id="two-symbols"),
        pytest.param("RSI:71 TF:15 at 14:30", None, None, id="no-letter-ticker"),
        pytest.param("demo:long size=100", None, None, id="lower-case-command"),
        pytest.param("BINANCE:BTC/USDT rising", None, None, id="slash-pair"),
    ],
)
def test_parse_alarm_free_text_symbol_taken_only_when_single(
    parse, body, exchange, ticker
):
    alarm = parse(body)

    assert alarm.format == "text"
    assert (alarm.exchange, alarm.ticker) == (exchange, ticker)


@pytest.mark.parametrize(
    ("body", "action"),
    [
        pytest.param("BUY now", "buy", id="upper-case"),
        pytest.param("Going long.", "long", id="sentence-end"),
        pytest.param("🔴 Sell! 🔴", "sell", id="emoji"),
        pytest.param("short | short | BTC", "short", id="repeated"),
        pytest.param("buy the dip, sell the rip", None, id="two-directions"),
        pytest.param("long-term view", None, id="hyphenated"),
        pytest.param("sell_all positions", None, id="underscored"),
        pytest.param("demo:long", None, id="after-colon"),
        pytest.param("buyer seller longer shorter", None, id="longer-words"),
        pytest.param("close crossed 189.37", None, id="close-is-not-a-direction"),
    ],
)
def test_parse_alarm_free_text_direction_taken_only_when_single(parse, body, action):
    alarm = parse(body)

    assert alarm.format == "text"
    assert alarm.action == action


def test_parse_alarm_free_text_invents_no_fields(parse):
    alarm = parse("BUY NASDAQ:AAPL at 189.37 size 10 (15m)")

    assert (alarm.exchange, alarm.ticker, alarm.action) == ("NASDAQ", "AAPL", "buy")
    assert (alarm.price, alarm.quantity, alarm.interval) == (None, None, None)
    assert alarm.fields == {}


def test_parse_alarm_free_text_lists_placeholders(parse):
    alarm = parse('Long {{ticker}} at {{close}}, RSI {{plot("RSI")}}')

    assert alarm.format == "text"
    assert alarm.unresolved == ["ticker", "close", 'plot("RSI")']

"""The plugin object: settings and the hooks as the core calls them."""

from __future__ import annotations

from decimal import Decimal

import pluggy
import pytest

from alarmhugger_tradingview import TradingViewParser
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import ParsedAlarm
from gateway.kit import hookimpl
from gateway.testing import make_request


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("0", id="zero"),
        pytest.param("-1", id="negative"),
        pytest.param("257", id="above-ceiling"),
        pytest.param("deep", id="not-a-number"),
        pytest.param("6.4", id="fraction"),
    ],
)
def test_configure_bad_max_depth_raises_config_error(value):
    config = GatewayConfig({"plugin:tradingview": {"max_depth": value}})

    with pytest.raises(ConfigError) as raised:
        TradingViewParser().gateway_configure(config=config)

    assert raised.value.section == "plugin:tradingview"
    assert raised.value.key == "max_depth"
    assert raised.value.value == value
    assert raised.value.expected == "a whole number from 1 to 256"


def test_configure_unknown_setting_raises_config_error_naming_known_ones():
    config = GatewayConfig({"plugin:tradingview": {"max_dept": "10"}})

    with pytest.raises(ConfigError) as raised:
        TradingViewParser().gateway_configure(config=config)

    assert raised.value.key == "max_dept"
    assert "max_depth" in raised.value.expected
    assert "price_keys" in raised.value.expected


@pytest.mark.parametrize(
    ("settings", "max_depth"),
    [
        pytest.param({}, 64, id="absent"),
        pytest.param({"max_depth": "  "}, 64, id="blank"),
        pytest.param({"max_depth": " 10 "}, 10, id="padded"),
        pytest.param({"max_depth": "256"}, 256, id="ceiling"),
    ],
)
def test_configure_max_depth_read_or_defaulted(settings, max_depth):
    parser = TradingViewParser()

    parser.gateway_configure(config=GatewayConfig({"plugin:tradingview": settings}))

    assert parser.settings.max_depth == max_depth


def test_configure_extra_keys_tried_after_builtin_aliases(make_parser):
    parser = make_parser(price_keys="Entry, limit", ticker_keys="pair")

    alarm = parser.gateway_parse_alarm(
        request=make_request('{"pair":"ETHUSD","entry":"3120.4","close":1}')
    )

    assert alarm.ticker == "ETHUSD"
    assert alarm.price == Decimal("1")
    assert parser.settings.aliases.price[-2:] == ("entry", "limit")


def test_configure_extra_keys_used_when_builtin_absent(make_parser):
    parser = make_parser(price_keys="entry")

    alarm = parser.gateway_parse_alarm(request=make_request('{"entry":"3120.4"}'))

    assert alarm.price == Decimal("3120.4")


def test_parse_alarm_unconfigured_parser_uses_defaults():
    alarm = TradingViewParser().gateway_parse_alarm(
        request=make_request("[" * 65 + "]" * 65)
    )

    assert alarm.warnings == ["nesting deeper than 64"]


def test_hook_gateway_parse_alarm_called_through_pluggy():
    manager = pluggy.PluginManager(hookimpl.project_name)
    manager.register(TradingViewParser(), name="tradingview")

    results = manager.hook.gateway_parse_alarm(
        request=make_request('{"ticker":"AAPL"}')
    )

    assert results == [
        ParsedAlarm(
            parser="tradingview",
            format="json",
            ticker="AAPL",
            fields={"ticker": "AAPL"},
        )
    ]


def test_hook_gateway_configure_called_through_pluggy():
    manager = pluggy.PluginManager(hookimpl.project_name)
    parser = TradingViewParser()
    manager.register(parser, name="tradingview")

    manager.hook.gateway_configure(
        config=GatewayConfig({"plugin:tradingview": {"max_depth": "5"}})
    )

    assert parser.settings.max_depth == 5

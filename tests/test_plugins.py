"""Finding, enabling and ordering plugins."""

from __future__ import annotations

import pytest

from gateway.config import load_config
from gateway.errors import PluginError
from gateway.plugins import ENTRY_POINT_GROUP
from gateway.plugins import PluginHost
from gateway.plugins import find_installed_plugins


def config_with(plugins, **sections):
    overrides = {"gateway": {"plugins": plugins}, **sections}
    return load_config(overrides=overrides, environ={})


def test_find_installed_plugins_lists_bundled_ones():
    installed = find_installed_plugins()

    assert installed["tradingview"].distribution == "alarmhugger-tradingview"
    assert installed["sql"].distribution == "alarmhugger-sql"


def test_plugin_host_enabled_but_not_installed_refuses_start(tmp_path, monkeypatch):
    """Case 24-plugin-entry-point-silently-ignored: a missing plugin stops the start."""
    monkeypatch.chdir(tmp_path)

    with pytest.raises(PluginError) as caught:
        PluginHost.from_config(config_with("tradingview, sql, pushover"))

    message = str(caught.value)
    assert "'pushover' is enabled in [gateway] plugins" in message
    assert ENTRY_POINT_GROUP in message
    assert "sql" in message and "tradingview" in message


def test_plugin_host_section_of_disabled_plugin_warns(
    tmp_path, monkeypatch, log_records
):
    """Case 24-plugin-entry-point-silently-ignored: stray sections are not silent."""
    monkeypatch.chdir(tmp_path)
    config = config_with("tradingview, sql", **{"plugin:pushover": {"user_key": "u-0"}})

    PluginHost.from_config(config)

    warnings = [r["message"] for r in log_records if r["level"].name == "WARNING"]
    assert any("[plugin:pushover] is set" in message for message in warnings)


def test_plugin_host_logs_loaded_plugins_in_order(tmp_path, monkeypatch, log_records):
    monkeypatch.chdir(tmp_path)

    host = PluginHost.from_config(config_with("tradingview, sql"))

    messages = [r["message"] for r in log_records]
    assert "plugins loaded: tradingview 0.1.0, sql 0.1.0" in messages
    parse_order = [impl.plugin for impl in host.implementations("gateway_parse_alarm")]
    assert parse_order == ["tradingview", "raw"]


def test_plugin_host_first_listed_is_asked_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    class First:
        from gateway.kit import hookimpl

        @hookimpl
        def gateway_get_alarm(self, alarm_id):
            return "first"

    class Second:
        from gateway.kit import hookimpl

        @hookimpl
        def gateway_get_alarm(self, alarm_id):
            return "second"

    host = PluginHost.from_config(
        config_with("one, two"), extra={"one": First(), "two": Second()}
    )

    assert host.call_first("gateway_get_alarm", alarm_id="x") == ("one", "first")

"""Hook API versions a plugin supports, and the order of plugins per hook."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gateway.cli import main
from gateway.config import load_config
from gateway.errors import ConfigError
from gateway.errors import PluginError
from gateway.hookspecs import HOOK_API_VERSION
from gateway.kit import ParsedAlarm
from gateway.kit import hookimpl
from gateway.plugins import PluginHost
from gateway.plugins import supported_api_versions
from gateway.pytest_plugin import write_config


class Parser:
    """Claims every body, under its own name."""

    def __init__(self, name, versions=None, **marks):
        self.name = name
        if versions is not None:
            self.hook_api_versions = versions

        def parse(request):
            return ParsedAlarm(parser=name, format="raw")

        self.gateway_parse_alarm = hookimpl(**marks)(parse)


def host_with(plugins, **gateway_settings):
    names = ", ".join(plugins)
    config = load_config(
        overrides={"gateway": {"plugins": names, **gateway_settings}}, environ={}
    )
    return PluginHost.from_config(config, extra=plugins)


def parse_order(host):
    return [impl.plugin for impl in host.implementations("gateway_parse_alarm")]


# --------------------------------------------------------------------------
# hook_api_versions
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "versions",
    [None, HOOK_API_VERSION, (HOOK_API_VERSION,), [0, HOOK_API_VERSION], range(1, 5)],
    ids=["unstated", "int", "tuple", "list", "range"],
)
def test_api_versions_including_the_core_accepted(isolated_gateway, versions):
    host = host_with({"acme": Parser("acme", versions)})

    assert "acme" in host.enabled


def test_api_versions_mismatch_refuses_start_naming_both_sides(isolated_gateway):
    with pytest.raises(PluginError) as caught:
        host_with({"acme": Parser("acme", (HOOK_API_VERSION + 1,))})

    message = str(caught.value)
    assert message.startswith(
        f"plugin 'acme' (test plugin test) supports hook API version "
        f"{HOOK_API_VERSION + 1}, but this gateway (alarmhugger "
    )
    assert f"provides hook API version {HOOK_API_VERSION}:" in message


def test_api_versions_range_described_as_a_span(isolated_gateway):
    with pytest.raises(PluginError, match="supports hook API versions 5 to 9,"):
        host_with({"acme": Parser("acme", range(5, 10))})


def test_api_versions_checked_before_the_plugin_is_instantiated(isolated_gateway):
    class Future:
        hook_api_versions = (99,)

        def __init__(self):
            raise AssertionError("instantiated")

    with pytest.raises(PluginError, match="supports hook API version 99"):
        host_with({"future": Future})


@pytest.mark.parametrize(
    "stated", ["1", 1.0, (), True], ids=["str", "float", "empty", "bool"]
)
def test_api_versions_malformed_attribute_named(isolated_gateway, stated):
    with pytest.raises(
        PluginError, match="expected a whole number, a tuple of them or a range"
    ):
        host_with({"acme": Parser("acme", stated)})


def test_api_versions_mismatch_stops_gateway_serve_with_clear_message(
    tmp_path, monkeypatch, install_plugins, hook_examples
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(hook_examples.Ping, "hook_api_versions", (7,), raising=False)
    install_plugins(ping="hook_examples:Ping")
    config = write_config(
        tmp_path,
        {
            "gateway": {"plugins": "tradingview, ping, sql"},
            "logging": {"file": "", "console": "false"},
            "plugin:ping": {"url": "https://p.example.org"},
        },
    )

    result = CliRunner().invoke(main, ["check-config", "--config", str(config)])

    assert result.exit_code == 1
    assert (
        "plugin 'ping' (hook_examples:Ping ?) supports hook API version 7"
        in result.output
    )


def test_supported_api_versions_reads_module_class_or_object():
    class Stated:
        hook_api_versions = range(1, 3)

    assert supported_api_versions(Stated) == (1, 2)
    assert supported_api_versions(Stated()) == (1, 2)
    assert supported_api_versions(object()) is None


# --------------------------------------------------------------------------
# Order: [gateway] plugins, tryfirst/trylast, order.<hook>
# --------------------------------------------------------------------------


def test_order_follows_plugin_list_then_tryfirst_and_trylast(isolated_gateway):
    host = host_with(
        {
            "a": Parser("a"),
            "b": Parser("b", tryfirst=True),
            "c": Parser("c"),
            "d": Parser("d", trylast=True),
        }
    )

    assert parse_order(host) == ["b", "a", "c", "d", "raw"]


def test_order_override_swaps_named_plugins_among_their_places(isolated_gateway):
    host = host_with(
        {"a": Parser("a"), "b": Parser("b", tryfirst=True), "c": Parser("c")},
        **{"order.gateway_parse_alarm": "c, b"},
    )

    assert parse_order(host) == ["c", "a", "b", "raw"]
    assert host.call_first("gateway_parse_alarm", request=None)[0] == "c"


def test_order_override_of_other_hook_leaves_this_one(isolated_gateway):
    host = host_with(
        {"a": Parser("a"), "b": Parser("b")},
        **{"order.gateway_parse_alarm": "b, a"},
    )

    assert parse_order(host) == ["b", "a", "raw"]
    assert host.implementations("gateway_configure") == []


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("order.gateway_parse_alarms", "a", "there is no hook 'gateway_parse_alarms'"),
        (
            "order.gateway_parse_alarm",
            "a, zz",
            "implementing gateway_parse_alarm (a, b, raw)",
        ),
        ("order.gateway_store_alarm", "a", "implementing gateway_store_alarm (none)"),
    ],
    ids=["unknown-hook", "unknown-plugin", "not-implemented"],
)
def test_order_override_bad_setting_names_key(isolated_gateway, key, value, expected):
    with pytest.raises(ConfigError) as caught:
        host_with({"a": Parser("a"), "b": Parser("b")}, **{key: value})

    assert str(caught.value).startswith(f"[gateway] {key} = {value!r} is not valid")
    assert expected in str(caught.value)

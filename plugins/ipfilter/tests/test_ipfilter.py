"""The ipfilter screen on its own: settings, verdicts and log lines."""

from __future__ import annotations

import pytest

from gateway.config import load_config
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.testing import make_request

from alarmhugger_ipfilter import TRADINGVIEW_SENDERS
from alarmhugger_ipfilter import IpFilter


def configured(trusted: str = "", **settings: str) -> IpFilter:
    plugin = IpFilter()
    plugin.gateway_configure(
        GatewayConfig(
            {"gateway": {"trusted_proxies": trusted}, "plugin:ipfilter": settings}
        )
    )
    return plugin


def screen(plugin: IpFilter, client_ip: str, **request_options):
    request = make_request(
        '{"ticker":"BTCUSDT"}', client_ip=client_ip, **request_options
    )
    return plugin.gateway_screen_request(request)


def warnings_in(records) -> list[str]:
    return [r["message"] for r in records if r["level"].name == "WARNING"]


@pytest.mark.parametrize("sender", TRADINGVIEW_SENDERS)
def test_ipfilter_tradingview_preset_admits_each_sender(sender):
    plugin = configured(allow="tradingview")

    assert screen(plugin, sender) is None


def test_ipfilter_tradingview_preset_other_address_is_403():
    plugin = configured(allow="TradingView")

    rejection = screen(plugin, "203.0.113.9")

    assert (rejection.status, rejection.error) == (403, "forbidden")
    assert rejection.reason == "client address not allowed"


@pytest.mark.parametrize(
    ("client_ip", "is_allowed"),
    [
        ("10.8.3.4", True),
        ("2001:db8:42::17", True),
        ("52.32.178.7", True),
        ("10.9.0.1", False),
        ("2001:db8:43::1", False),
    ],
    ids=[
        "v4-in-range",
        "v6-in-range",
        "tradingview-sender",
        "v4-outside",
        "v6-outside",
    ],
)
def test_ipfilter_allowed_ips_cidr_ranges_decide(client_ip, is_allowed):
    """Case 12-allowlist-cidr-ranges: CIDR entries of ALLOWED_IPS, v4 and v6."""
    plugin = configured(
        allow_extra=(
            "52.89.214.238, 34.212.75.30, 54.218.53.128, 52.32.178.7, "
            "10.8.0.0/16, 2001:db8:42::/48"
        )
    )

    assert (screen(plugin, client_ip) is None) is is_allowed


@pytest.mark.parametrize(
    ("allow", "client_ip"),
    [
        ("52.89.214.238", "::ffff:52.89.214.238"),
        ("10.8.0.0/16", "::ffff:10.8.3.4"),
        ("::ffff:52.89.214.238", "52.89.214.238"),
        ("::ffff:10.8.0.0/112", "10.8.3.4"),
    ],
    ids=[
        "mapped-client-address",
        "mapped-client-range",
        "mapped-entry",
        "mapped-range-entry",
    ],
)
def test_ipfilter_ipv4_mapped_forms_match_each_other(allow, client_ip):
    plugin = configured(allow=allow)

    assert screen(plugin, client_ip) is None


def test_ipfilter_block_wins_over_allow():
    plugin = configured(allow="10.0.0.0/8", block="10.8.9.0/24")

    assert screen(plugin, "10.8.3.4") is None
    assert screen(plugin, "10.8.9.9").status == 403


def test_ipfilter_empty_allow_admits_all_but_blocked():
    plugin = configured(block="203.0.113.0/24, 2001:db8::/32")

    assert screen(plugin, "198.51.100.7") is None
    assert screen(plugin, "203.0.113.9").status == 403
    assert screen(plugin, "2001:db8::5").status == 403


def test_ipfilter_entries_with_spaces_and_newlines_are_trimmed():
    plugin = configured(allow="  52.89.214.238 ,\n   10.8.0.0/16  ,,")

    assert screen(plugin, "52.89.214.238") is None
    assert screen(plugin, "10.8.200.1") is None
    assert len(plugin.allow) == 2


def test_ipfilter_unparsable_client_with_allow_list_is_403():
    plugin = configured(allow="tradingview")

    assert screen(plugin, "unix-socket").status == 403


@pytest.mark.parametrize(
    ("value", "hint"),
    [("192.168.1.*", "192.168.1.0/24"), ("10.8.0.0/33", "10.8.0.0/16")],
    ids=["wildcard", "prefix-33"],
)
def test_ipfilter_bad_allowed_ips_entry_stops_start(monkeypatch, tmp_path, value, hint):
    """Case 12-allowlist-cidr-ranges: wildcard and /33 stop the start."""
    monkeypatch.chdir(tmp_path)
    config = load_config(
        overrides={"gateway": {"plugins": "ipfilter"}},
        environ={"ALLOWED_IPS": f"52.89.214.238, {value}"},
    )

    with pytest.raises(ConfigError) as caught:
        IpFilter().gateway_configure(config)

    message = str(caught.value)
    assert "ALLOWED_IPS" in message
    assert "allow_extra" in message
    assert repr(value) in message
    assert hint in message


@pytest.mark.parametrize("key", ["allow", "block"])
def test_ipfilter_bad_entry_error_names_its_key(key):
    with pytest.raises(ConfigError) as caught:
        configured(**{key: "10.0.0.0/8, 10.1.2.*"})

    assert caught.value.key == key
    assert caught.value.value == "10.1.2.*"
    assert "10.1.2.0/24" in caught.value.expected


def test_ipfilter_configure_logs_effective_allow_list(log_records):
    """Case 12-allowlist-cidr-ranges: INFO at start lists count and entries."""
    configured(allow="tradingview", allow_extra="10.8.0.0/16, 2001:db8:42::/48")

    infos = [r["message"] for r in log_records if r["level"].name == "INFO"]
    assert (
        "allow-list: 6 entries: 52.89.214.238, 34.212.75.30, 54.218.53.128, "
        "52.32.178.7, 10.8.0.0/16, 2001:db8:42::/48"
    ) in infos


def test_ipfilter_entry_with_host_bits_warns(log_records):
    plugin = configured(allow="10.8.3.4/16")

    assert screen(plugin, "10.8.200.1") is None
    assert any(
        "taken as 10.8.0.0/16" in message for message in warnings_in(log_records)
    )


def test_ipfilter_refusal_logs_peer_and_ignored_forwarding_headers(log_records):
    """Case 09-xff-spoofing-allowlist: the log names the peer and the ignored claim."""
    plugin = configured(allow="tradingview")

    screen(
        plugin,
        "203.0.113.9",
        headers={"x-forwarded-for": "52.89.214.238", "x-real-ip": "52.89.214.238"},
    )

    [warning] = warnings_in(log_records)
    assert "client 203.0.113.9 is not in the allow-list" in warning
    assert "peer 203.0.113.9" in warning
    assert "forwarding headers ignored" in warning
    assert "trusted_proxies" in warning
    assert "X-Forwarded-For='52.89.214.238'" in warning
    assert "X-Real-IP='52.89.214.238'" in warning


def test_ipfilter_refusal_log_quotes_and_truncates_forged_headers(log_records):
    """Case 09-xff-spoofing-allowlist: header values are quoted safely, truncated."""
    plugin = configured(allow="tradingview")
    forged = "52.89.214.238\nINFO fake line " + "x" * 500

    screen(plugin, "203.0.113.9", headers={"x-forwarded-for": forged})

    [warning] = warnings_in(log_records)
    assert "\n" not in warning
    assert "\\nINFO fake line" in warning
    assert "x" * 100 not in warning


def test_ipfilter_refusal_through_trusted_proxy_logs_resolved_client(log_records):
    plugin = configured(allow="tradingview", trusted="10.0.0.0/8")

    screen(
        plugin,
        "198.51.100.7",
        peer_ip="10.0.0.2",
        headers={"x-forwarded-for": "198.51.100.7"},
    )

    [warning] = warnings_in(log_records)
    assert "client 198.51.100.7 is not in the allow-list (peer 10.0.0.2)" in warning
    assert "ignored" not in warning


def test_ipfilter_unknown_key_stops_start():
    with pytest.raises(ConfigError) as caught:
        configured(alow="tradingview")

    assert caught.value.key == "alow"
    assert "allow" in caught.value.expected

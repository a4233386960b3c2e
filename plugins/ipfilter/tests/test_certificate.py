"""The optional sender-certificate check of the ipfilter screen."""

from __future__ import annotations

import pytest

from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.testing import make_request

from alarmhugger_ipfilter import IpFilter

# nginx's $ssl_client_s_dn for TradingView's certificate (RFC 2253 order).
TRADINGVIEW_DN = (
    "CN=TradingView Webhooks,O=TradingView\\, Inc.,L=Westerville,ST=Ohio,C=US"
)


def configured(**settings: str) -> IpFilter:
    plugin = IpFilter()
    plugin.gateway_configure(
        GatewayConfig(
            {
                "gateway": {"trusted_proxies": "10.0.0.0/8"},
                "plugin:ipfilter": {
                    "cert_subject_header": "X-SSL-Client-S-DN",
                    **settings,
                },
            }
        )
    )
    return plugin


def screen(plugin: IpFilter, peer_ip: str, headers: dict[str, str]):
    request = make_request(
        "alert",
        "text/plain",
        client_ip="52.89.214.238",
        peer_ip=peer_ip,
        headers=headers,
    )
    return plugin.gateway_screen_request(request)


def test_certificate_subject_from_trusted_proxy_passes():
    plugin = configured()

    assert screen(plugin, "10.0.0.2", {"x-ssl-client-s-dn": TRADINGVIEW_DN}) is None


def test_certificate_header_from_untrusted_peer_is_403():
    plugin = configured()

    rejection = screen(plugin, "203.0.113.9", {"x-ssl-client-s-dn": TRADINGVIEW_DN})

    assert (rejection.status, rejection.error) == (403, "forbidden")
    assert "did not come through a trusted proxy" in rejection.reason


def test_certificate_header_missing_is_403_naming_header():
    plugin = configured()

    rejection = screen(plugin, "10.0.0.2", {})

    assert rejection.status == 403
    assert "X-SSL-Client-S-DN" in rejection.reason


def test_certificate_other_subject_is_403():
    plugin = configured()

    rejection = screen(
        plugin, "10.0.0.2", {"x-ssl-client-s-dn": "CN=Someone Else,O=Evil"}
    )

    assert rejection.status == 403
    assert "'CN=TradingView Webhooks'" in rejection.reason


def test_certificate_custom_subject_is_required():
    plugin = configured(cert_subject="O=Example Corp")

    assert (
        screen(plugin, "10.0.0.2", {"x-ssl-client-s-dn": "CN=a,O=Example Corp"}) is None
    )
    assert (
        screen(plugin, "10.0.0.2", {"x-ssl-client-s-dn": TRADINGVIEW_DN}).status == 403
    )


@pytest.mark.parametrize(
    ("verdict", "is_passed"),
    [
        ("SUCCESS", True),
        ("NONE", False),
        ("FAILED:unable to verify", False),
        (None, False),
    ],
    ids=["verified", "no-certificate", "failed", "header-missing"],
)
def test_certificate_verify_header_must_say_success(verdict, is_passed):
    plugin = configured(cert_verify_header="X-SSL-Client-Verify")
    headers = {"x-ssl-client-s-dn": TRADINGVIEW_DN}
    if verdict is not None:
        headers["x-ssl-client-verify"] = verdict

    assert (screen(plugin, "10.0.0.2", headers) is None) is is_passed


def test_certificate_header_without_trusted_proxies_stops_start():
    plugin = IpFilter()
    config = GatewayConfig(
        {"plugin:ipfilter": {"cert_subject_header": "X-SSL-Client-S-DN"}}
    )

    with pytest.raises(ConfigError) as caught:
        plugin.gateway_configure(config)

    assert caught.value.key == "cert_subject_header"
    assert "trusted_proxies" in caught.value.expected


def test_certificate_check_runs_after_address_check():
    plugin = configured(allow="tradingview")
    request = make_request(
        "alert",
        "text/plain",
        client_ip="203.0.113.9",
        peer_ip="10.0.0.2",
        headers={"x-ssl-client-s-dn": TRADINGVIEW_DN},
    )

    assert plugin.gateway_screen_request(request).reason == "client address not allowed"

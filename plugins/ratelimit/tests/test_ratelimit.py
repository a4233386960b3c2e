"""The ratelimit screen on its own: who is limited, and the 429 answer."""

from __future__ import annotations

import pytest

from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.testing import make_request

from alarmhugger_ratelimit import TRADINGVIEW_SENDERS
from alarmhugger_ratelimit import RateLimit
from alarmhugger_ratelimit import client_key


def configured(clock, **settings: str) -> RateLimit:
    plugin = RateLimit(clock=clock)
    plugin.gateway_configure(GatewayConfig({"plugin:ratelimit": settings}))
    return plugin


def screen(
    plugin: RateLimit,
    client_ip: str = "198.51.100.7",
    route: str = "default",
    **options,
):
    """Run both screens of the plugin, as the core would."""
    request = make_request("{}", client_ip=client_ip, route=route, **options)
    return plugin.gateway_screen_request(request) or plugin.screen_route(request)


def test_ratelimit_client_over_limit_gets_429_with_retry_after(clock):
    plugin = configured(clock, per_client="2/minute")

    assert screen(plugin) is None
    assert screen(plugin) is None
    rejection = screen(plugin)

    assert (rejection.status, rejection.error) == (429, "rate_limited")
    assert rejection.headers == {"Retry-After": "30"}
    assert "at most 2 per minute (burst 2) per client address" in rejection.reason
    assert "198.51.100.7" in rejection.reason


def test_ratelimit_client_recovers_after_retry_after(clock):
    plugin = configured(clock, per_client="2/minute")
    screen(plugin)
    screen(plugin)

    retry_after = int(screen(plugin).headers["Retry-After"])
    clock.advance(retry_after)

    assert screen(plugin) is None


def test_ratelimit_retry_after_is_whole_seconds_at_least_one(clock):
    plugin = configured(clock, per_client="100/second", per_client_burst="1")
    screen(plugin)

    rejection = screen(plugin)

    assert rejection.headers["Retry-After"] == "1"
    assert "retry in 1 s" in rejection.reason


def test_ratelimit_clients_are_counted_apart(clock):
    plugin = configured(clock, per_client="1/minute")

    assert screen(plugin, "198.51.100.7") is None
    assert screen(plugin, "198.51.100.8") is None
    assert screen(plugin, "198.51.100.7").status == 429


@pytest.mark.parametrize("sender", TRADINGVIEW_SENDERS)
def test_ratelimit_tradingview_senders_exempt_from_client_limit(clock, sender):
    plugin = configured(clock, per_client="1/minute")

    assert all(screen(plugin, sender) is None for _ in range(100))


def test_ratelimit_exempt_list_replaces_default(clock):
    plugin = configured(clock, per_client="1/minute", exempt="10.0.0.0/8")

    assert all(screen(plugin, "10.1.2.3") is None for _ in range(5))
    screen(plugin, TRADINGVIEW_SENDERS[0])
    assert screen(plugin, TRADINGVIEW_SENDERS[0]).status == 429


def test_ratelimit_exempt_none_limits_tradingview_too(clock):
    plugin = configured(clock, per_client="1/minute", exempt="none")

    screen(plugin, TRADINGVIEW_SENDERS[0])
    assert screen(plugin, TRADINGVIEW_SENDERS[0]).status == 429


def test_ratelimit_route_over_limit_gets_429_naming_route(clock):
    plugin = configured(clock, per_client="off", per_route="3/minute")

    for number in range(3):
        assert screen(plugin, f"198.51.100.{number}", route="btc") is None
    rejection = screen(plugin, "198.51.100.99", route="btc")

    assert rejection.status == 429
    assert (
        "on route 'btc': at most 3 per minute (burst 3) per route" in rejection.reason
    )
    assert rejection.headers == {"Retry-After": "20"}
    assert screen(plugin, "198.51.100.99", route="eth") is None


def test_ratelimit_route_limit_applies_to_tradingview_too(clock):
    plugin = configured(clock, per_route="2/minute")

    assert screen(plugin, TRADINGVIEW_SENDERS[0]) is None
    assert screen(plugin, TRADINGVIEW_SENDERS[1]) is None
    assert screen(plugin, TRADINGVIEW_SENDERS[2]).status == 429


def test_ratelimit_defaults_admit_a_tradingview_bar_close_burst(clock):
    """1,000 alerts firing at one bar close, then each at TradingView's own cap."""
    plugin = configured(clock)

    burst = [screen(plugin, TRADINGVIEW_SENDERS[n % 4]) for n in range(1000)]
    assert burst == [None] * 1000

    # TradingView stops an alert firing more than 15 times in 3 minutes: at
    # most 5 a minute each, so 1,000 alerts send 5,000 a minute at worst.
    for _second in range(180):
        clock.advance(1)
        sent = [screen(plugin, TRADINGVIEW_SENDERS[0]) for _ in range(83)]
        assert sent == [None] * 83


def test_ratelimit_ipv6_clients_counted_per_64(clock):
    plugin = configured(clock, per_client="1/minute")

    assert screen(plugin, "2001:db8:1:2::1") is None
    assert screen(plugin, "2001:db8:1:2:ffff::9").status == 429
    assert screen(plugin, "2001:db8:1:3::1") is None


def test_ratelimit_ipv4_mapped_client_shares_ipv4_bucket(clock):
    plugin = configured(clock, per_client="1/minute")

    assert screen(plugin, "198.51.100.7") is None
    assert screen(plugin, "::ffff:198.51.100.7").status == 429


@pytest.mark.parametrize(
    ("client_ip", "prefix", "expected"),
    [
        ("198.51.100.7", 64, "198.51.100.7"),
        ("::ffff:198.51.100.7", 64, "198.51.100.7"),
        ("2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6"),
        ("not-an-address", 64, "not-an-address"),
    ],
    ids=["ipv4", "mapped", "ipv6-64", "ipv6-128", "unparsable"],
)
def test_client_key_table(client_ip, prefix, expected):
    assert client_key(client_ip, prefix) == expected


def test_ratelimit_both_off_admits_everything(clock):
    plugin = configured(clock, per_client="off", per_route="off")

    assert all(screen(plugin) is None for _ in range(10_000))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("per_client", "sixty"),
        ("per_route", "10/fortnight"),
        ("per_client_burst", "0"),
        ("max_tracked", "5"),
        ("ipv6_prefix", "200"),
        ("exempt", "192.168.1.*"),
        ("per_clent", "60/minute"),
    ],
)
def test_ratelimit_bad_setting_stops_start_naming_key(clock, key, value):
    with pytest.raises(ConfigError) as caught:
        configured(clock, **{key: value})

    assert caught.value.key == key


def test_ratelimit_configure_logs_limits(clock, log_records):
    configured(clock)

    [info] = [r["message"] for r in log_records if r["level"].name == "INFO"]
    assert "per client 60 per minute (burst 60)" in info
    assert "exempt: 52.89.214.238, 34.212.75.30, 54.218.53.128, 52.32.178.7" in info
    assert "per route 6000 per minute (burst 6000)" in info


def test_ratelimit_untrusted_proxy_warning_given_once(clock, log_records):
    plugin = configured(clock, per_client="1/minute")
    headers = {"x-forwarded-for": "52.89.214.238"}

    for _ in range(5):
        screen(plugin, "10.0.0.2", headers=headers)

    warnings = [r["message"] for r in log_records if r["level"].name == "WARNING"]
    assert len(warnings) == 1
    assert "trusted_proxies" in warnings[0]

"""The token screen on its own: where the token may be, and the answers."""

from __future__ import annotations

import pytest

from gateway.kit import GatewayConfig
from gateway.kit import mask
from gateway.testing import make_request

from alarmhugger_token import WebhookToken

SECRET = "tv-hook-7f3a"
MISSING = (
    'missing webhook token: add ?token=... to the URL or a "passphrase" field '
    "to the message"
)


def configured(**settings: str) -> WebhookToken:
    plugin = WebhookToken()
    plugin.gateway_configure(
        GatewayConfig({"plugin:token": {"secret": SECRET, **settings}})
    )
    return plugin


@pytest.mark.parametrize(
    ("body", "options"),
    [
        ('{"ticker":"BTCUSDT"}', {"query": {"token": SECRET}}),
        ('{"ticker":"BTCUSDT"}', {"route": "btc", "path_token": SECRET}),
        (f'{{"ticker":"BTCUSDT","passphrase":"{SECRET}"}}', {}),
        (f"ticker=BTCUSDT action=buy key={SECRET}", {"content_type": "text/plain"}),
    ],
    ids=["query", "path", "json-field", "keyvalue-field"],
)
def test_token_right_secret_passes(body, options):
    plugin = configured()

    assert plugin.gateway_screen_request(make_request(body, **options)) is None


def test_token_missing_is_401_saying_where_to_put_it():
    plugin = configured()

    rejection = plugin.gateway_screen_request(make_request('{"ticker":"BTCUSDT"}'))

    assert (rejection.status, rejection.error, rejection.reason) == (
        401,
        "unauthorized",
        MISSING,
    )


@pytest.mark.parametrize(
    ("body", "options", "source"),
    [
        ("{}", {"query": {"token": "tv-hook-7f3b"}}, "?token="),
        ("{}", {"path_token": "tv-hook"}, "the URL path"),
        ('{"passphrase":"tv-hook-7f3a "}', {}, "body field 'passphrase'"),
        ("token=TV-HOOK-7F3A", {}, "body field 'token'"),
    ],
    ids=["query", "path", "json-field-trailing-space", "keyvalue-other-case"],
)
def test_token_wrong_secret_is_401(body, options, source):
    plugin = configured()

    rejection = plugin.gateway_screen_request(make_request(body, **options))

    assert rejection.status == 401
    assert rejection.reason.startswith("wrong webhook token")
    assert source in rejection.reason
    assert SECRET not in rejection.reason


def test_token_one_right_among_wrong_ones_passes():
    plugin = configured()
    request = make_request(
        f'{{"passphrase":"{SECRET}"}}', query={"token": "old-secret-1"}
    )

    assert plugin.gateway_screen_request(request) is None


def test_token_rotation_both_secrets_pass():
    plugin = configured(secret=f"{SECRET}, tv-hook-next-9c1d")

    for secret in (SECRET, "tv-hook-next-9c1d"):
        assert (
            plugin.gateway_screen_request(make_request("{}", query={"token": secret}))
            is None
        )


def test_token_route_secret_only_on_its_route():
    plugin = configured(**{"route.binance": "binance-5ecret"})

    def screen(route, token):
        return plugin.gateway_screen_request(
            make_request("{}", route=route, query={"token": token})
        )

    assert screen("binance", "binance-5ecret") is None
    assert screen("binance", SECRET).status == 401
    assert screen("default", SECRET) is None
    assert screen("default", "binance-5ecret").status == 401


def test_token_route_without_any_secret_is_401_naming_route():
    plugin = WebhookToken()
    plugin.gateway_configure(
        GatewayConfig({"plugin:token": {"route.binance": "binance-5ecret"}})
    )

    rejection = plugin.gateway_screen_request(
        make_request("{}", query={"token": "binance-5ecret"})
    )

    assert rejection.status == 401
    assert "route 'default'" in rejection.reason


def test_token_secret_written_as_route_gets_a_hint():
    plugin = configured()

    rejection = plugin.gateway_screen_request(make_request("{}", route=SECRET))

    assert rejection.status == 401
    assert "/alarms/webhook/default/<token>" in rejection.reason
    assert SECRET not in rejection.reason


def test_token_configured_body_fields_change_missing_reason():
    plugin = configured(body_fields="auth")

    rejection = plugin.gateway_screen_request(
        make_request(f'{{"passphrase":"{SECRET}"}}')
    )

    assert rejection.reason.endswith('or a "auth" field to the message')


def test_token_body_fields_none_looks_only_at_url():
    plugin = configured(body_fields="none")

    rejection = plugin.gateway_screen_request(
        make_request(f'{{"passphrase":"{SECRET}"}}')
    )

    assert rejection.reason == "missing webhook token: add ?token=... to the URL"


def test_token_configure_registers_every_secret_for_masking():
    configured(
        secret=f"{SECRET}, tv-hook-next-9c1d", **{"route.bybit": "bybit-5ecret-22"}
    )

    assert (
        mask(f"a {SECRET} b tv-hook-next-9c1d c bybit-5ecret-22") == "a *** b *** c ***"
    )


def test_token_configure_logs_settings_without_secrets(log_records):
    configured(**{"route.bybit": "bybit-5ecret-22"})

    [info] = [r["message"] for r in log_records if r["level"].name == "INFO"]
    assert "1 shared secret(s)" in info
    assert "bybit" in info
    assert SECRET not in info and "bybit-5ecret-22" not in info


def test_token_secret_needing_url_encoding_warns(log_records):
    configured(secret="tv hook&7f3a#")

    warnings = [r["message"] for r in log_records if r["level"].name == "WARNING"]
    assert any("percent-encoded" in message for message in warnings)

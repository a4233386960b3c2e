"""Reading ``[plugin:webhook]``: defaults, the APIURL variable, refusals."""

from __future__ import annotations

import pytest

from alarmhugger_webhook import WebhookPlugin
from gateway.config import load_config
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig


def configure(**settings: str) -> WebhookPlugin:
    plugin = WebhookPlugin()
    plugin.gateway_configure(config=GatewayConfig({"plugin:webhook": settings}))
    return plugin


def refusal(**settings: str) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        configure(**settings)
    assert raised.value.section == "plugin:webhook"
    return raised.value


def test_configure_only_url_gives_defaults():
    settings = configure(url="https://example.com/hook").settings

    assert settings.method == "POST"
    assert settings.payload == "alarm"
    assert settings.headers == {}
    assert settings.hmac_secret is None
    assert (settings.connect_timeout, settings.read_timeout) == (5.0, 10.0)
    assert settings.max_attempts is None


def test_configure_template_without_payload_sends_template():
    settings = configure(
        url="https://example.com/hook", template="{{ ticker }}"
    ).settings

    assert settings.payload == "template"


def test_configure_apiurl_variable_becomes_url(isolated_gateway):
    config = load_config(environ={"APIURL": "https://legacy.example.com/fwd"})
    plugin = WebhookPlugin()

    plugin.gateway_configure(config=config)

    assert plugin.settings.url == "https://legacy.example.com/fwd"


def test_register_notifiers_returns_one_named_webhook():
    plugin = configure(url="https://example.com/hook", max_attempts="8")

    (notifier,) = plugin.gateway_register_notifiers(config=GatewayConfig({}))

    assert notifier.name == "webhook"
    assert notifier.max_attempts == 8
    notifier.close()


def test_configure_missing_url_names_apiurl():
    error = refusal()

    assert error.key == "url"
    assert "APIURL" in error.expected


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        pytest.param("ftp://example.com/x", "ftp://example.com/x", id="scheme"),
        pytest.param("https:///path", "https:///path", id="no-host"),
        pytest.param("example.com/hook", "example.com/***", id="no-scheme"),
        pytest.param(
            "https://bob:hunter2pass@example.com:99999/a",
            None,
            id="bad-port-with-password",
        ),
    ],
)
def test_configure_bad_url_raises_config_error_masked(url, shown):
    error = refusal(url=url)

    assert error.key == "url"
    assert "hunter2pass" not in str(error)
    if shown is not None:
        assert error.value == shown


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("method", "GET", id="method"),
        pytest.param("payload", "xml", id="payload"),
        pytest.param("connect_timeout", "0", id="timeout-zero"),
        pytest.param("read_timeout", "soon", id="timeout-word"),
        pytest.param("max_attempts", "0", id="attempts"),
        pytest.param("template", "{{ ticker ", id="template-syntax"),
        pytest.param("where", "strategy", id="where-no-equals"),
    ],
)
def test_configure_bad_value_raises_config_error_naming_key(key, value):
    error = refusal(url="https://example.com/hook", **{key: value})

    assert error.key == key


def test_configure_unknown_key_masks_its_value():
    error = refusal(url="https://example.com/hook", hmac_secrett="whsec-typo-value-1")

    assert error.key == "hmac_secrett"
    assert "whsec-typo-value-1" not in str(error)
    assert "hmac_secret" in error.expected


def test_configure_short_hmac_secret_is_not_echoed():
    error = refusal(url="https://example.com/hook", hmac_secret="abc1234")

    assert error.key == "hmac_secret"
    assert error.value == "<7 characters>"


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        pytest.param("Authorization Bearer tok-3f9a8b7c", "***", id="no-colon"),
        pytest.param("Bad Name: tok-3f9a8b7c", "Bad Name: ***", id="bad-name"),
        pytest.param("Host: tok-3f9a8b7c.example", "Host: ***", id="reserved"),
        pytest.param(
            "X-AlarmHugger-Signature: tok-3f9a8b7c",
            "X-AlarmHugger-Signature: ***",
            id="our-signature",
        ),
    ],
)
def test_configure_bad_header_line_is_refused_without_value(line, shown):
    error = refusal(url="https://example.com/hook", headers=line)

    assert error.key == "headers"
    assert error.value == shown
    assert "tok-3f9a8b7c" not in str(error)

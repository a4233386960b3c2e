"""Reading ``[plugin:email]``: defaults, ports by security mode, refusals."""

from __future__ import annotations

import pytest

from alarmhugger_email import EmailPlugin
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig

REQUIRED = {
    "host": "smtp.example.com",
    "from": "bot@example.com",
    "to": "a@example.com",
}


def configure(**settings: str) -> EmailPlugin:
    plugin = EmailPlugin()
    plugin.gateway_configure(config=GatewayConfig({"plugin:email": settings}))
    return plugin


def refusal(**settings: str) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        configure(**settings)
    assert raised.value.section == "plugin:email"
    return raised.value


def test_configure_required_keys_only_gives_defaults():
    settings = configure(**REQUIRED).settings

    assert settings.security == "starttls"
    assert settings.port == 587
    assert settings.username is None
    assert settings.timeout == 10.0
    assert settings.ca_file is None
    assert settings.envelope_recipients == ["a@example.com"]


@pytest.mark.parametrize(
    ("security", "port"),
    [
        pytest.param("none", 25, id="none"),
        pytest.param("STARTTLS", 587, id="starttls"),
        pytest.param("ssl", 465, id="ssl"),
    ],
)
def test_configure_security_picks_its_usual_port(security, port):
    settings = configure(**REQUIRED, security=security).settings

    assert settings.port == port
    assert settings.security == security.lower()


def test_register_notifiers_returns_one_named_email():
    plugin = configure(**REQUIRED, min_interval="2")

    (notifier,) = plugin.gateway_register_notifiers(config=GatewayConfig({}))

    assert notifier.name == "email"
    assert notifier.min_interval == 2.0


@pytest.mark.parametrize("key", ["host", "from", "to"])
def test_configure_missing_required_key_is_named(key):
    settings = {name: value for name, value in REQUIRED.items() if name != key}

    assert refusal(**settings).key == key


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("from", "not an address", id="from-word"),
        pytest.param("from", "a@example.com, b@example.com", id="from-two"),
        pytest.param("to", "a@example.com, nobody", id="to-one-bad"),
        pytest.param("security", "tls", id="security"),
        pytest.param("port", "70000", id="port"),
        pytest.param("timeout", "0", id="timeout"),
        pytest.param("subject", "{% if %}", id="subject-syntax"),
        pytest.param("body", "{{ ticker", id="body-syntax"),
        pytest.param("ca_file", "/nonexistent/ca.pem", id="ca-file-missing"),
    ],
)
def test_configure_bad_value_raises_config_error_naming_key(key, value):
    assert refusal(**{**REQUIRED, key: value}).key == key


def test_configure_password_without_username_is_refused_unshown():
    error = refusal(**REQUIRED, password="smtp-pw-abcdef")

    assert error.key == "username"
    assert "smtp-pw-abcdef" not in str(error)


def test_configure_username_without_password_is_refused():
    assert refusal(**REQUIRED, username="alerts").key == "password"


def test_configure_unknown_key_masks_its_value():
    error = refusal(**REQUIRED, pasword="smtp-pw-typo-123")

    assert error.key == "pasword"
    assert "smtp-pw-typo-123" not in str(error)


def test_configure_login_without_tls_logs_warning(log_records):
    configure(**REQUIRED, security="none", username="alerts", password="smtp-pw-1234")

    assert any("SMTP password sent unencrypted" in r["message"] for r in log_records)
    assert "smtp-pw-1234" not in repr(log_records)

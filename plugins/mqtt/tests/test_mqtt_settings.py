"""Reading ``[plugin:mqtt]``: defaults and refusals; no connection is made."""

from __future__ import annotations

import pytest

from alarmhugger_mqtt import MqttPlugin
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig


def configure(**settings: str) -> MqttPlugin:
    plugin = MqttPlugin()
    plugin.gateway_configure(config=GatewayConfig({"plugin:mqtt": settings}))
    return plugin


def refusal(**settings: str) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        configure(**settings)
    assert raised.value.section == "plugin:mqtt"
    return raised.value


def test_configure_empty_section_gives_defaults():
    settings = configure().settings

    assert (settings.host, settings.port) == ("localhost", 1883)
    assert settings.qos == 1
    assert not settings.retain
    assert not settings.tls
    assert settings.payload == "alarm"
    assert settings.keepalive == 60
    assert settings.topic.source == 'alarmhugger/{{ source }}/{{ ticker or "unknown" }}'
    assert settings.client_id.startswith("alarmhugger-")


def test_configure_two_gateways_get_different_client_ids():
    assert configure().settings.client_id != configure().settings.client_id


def test_configure_tls_defaults_to_port_8883():
    assert configure(tls="yes").settings.port == 8883


def test_configure_template_without_payload_sends_template():
    assert configure(template="{{ ticker }}").settings.payload == "template"


def test_register_notifiers_returns_one_named_mqtt():
    plugin = configure(max_attempts="3")

    (notifier,) = plugin.gateway_register_notifiers(config=GatewayConfig({}))

    assert notifier.name == "mqtt"
    assert notifier.max_attempts == 3
    plugin.gateway_shutdown()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param("qos", "3", id="qos"),
        pytest.param("retain", "maybe", id="retain"),
        pytest.param("tls", "sometimes", id="tls"),
        pytest.param("port", "0", id="port"),
        pytest.param("keepalive", "1", id="keepalive"),
        pytest.param("timeout", "-1", id="timeout"),
        pytest.param("payload", "xml", id="payload"),
        pytest.param("topic", "a/{{ ticker", id="topic-syntax"),
        pytest.param("template", "{% for %}", id="template-syntax"),
        pytest.param("ca_file", "/nonexistent/ca.pem", id="ca-file-missing"),
        pytest.param("where", "no-equals-sign", id="where"),
    ],
)
def test_configure_bad_value_raises_config_error_naming_key(key, value):
    assert refusal(**{key: value}).key == key


def test_configure_ca_file_without_tls_is_refused(tmp_path):
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n")

    assert refusal(ca_file=str(ca_file)).key == "tls"


def test_configure_password_without_username_is_refused_unshown():
    error = refusal(password="mqtt-pw-lonely-1")

    assert error.key == "username"
    assert "mqtt-pw-lonely-1" not in str(error)


def test_configure_unknown_key_masks_its_value():
    error = refusal(passwd="mqtt-pw-typo-22")

    assert error.key == "passwd"
    assert "mqtt-pw-typo-22" not in str(error)

"""Reading and checking ``[plugin:slack]``."""

from __future__ import annotations

import pytest

from alarmhugger_slack import SlackPlugin
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import mask

URL = "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/settingsSecret42xyz"


def configure(**section):
    plugin = SlackPlugin()
    plugin.gateway_configure(config=GatewayConfig({"plugin:slack": section}))
    return plugin


def test_configure_minimal_section_uses_defaults():
    settings = configure(webhook_url=URL).settings

    assert settings.webhook.shown == "hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/***"
    assert settings.mrkdwn is True
    assert settings.chat.min_interval == 1.0
    assert settings.chat.split is True


def test_configure_registers_webhook_secret():
    configure(webhook_url=URL)

    assert mask(URL) == "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/***"


def test_configure_missing_webhook_url_is_an_error():
    with pytest.raises(ConfigError) as caught:
        configure(template="{{ ticker }}")

    assert caught.value.key == "webhook_url"
    assert "hooks.slack.com/services" in caught.value.expected


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("mrkdwn", "rich"),
        ("read_timeout", "900"),
        ("max_attempts", "many"),
        ("actions", ""),
    ],
    ids=["mrkdwn", "timeout", "attempts", "empty-routing-is-fine"],
)
def test_configure_bad_value_names_the_key(key, value):
    if not value:
        assert configure(webhook_url=URL, **{key: value}).settings is not None
        return

    with pytest.raises(ConfigError) as caught:
        configure(webhook_url=URL, **{key: value})

    assert caught.value.key == key


def test_configure_unknown_key_is_an_error():
    with pytest.raises(ConfigError) as caught:
        configure(webhook_url=URL, channel="#alerts")

    assert caught.value.key == "channel"
    assert "webhook_url" in caught.value.expected


def test_register_notifiers_returns_one_notifier_named_slack():
    config = GatewayConfig({"plugin:slack": {"webhook_url": URL}})
    plugin = SlackPlugin()
    plugin.gateway_configure(config=config)

    [notifier] = plugin.gateway_register_notifiers(config=config)

    assert notifier.name == "slack"
    assert notifier.min_interval == 1.0
    notifier.close()

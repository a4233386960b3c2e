"""Reading and checking ``[plugin:discord]``."""

from __future__ import annotations

import pytest

from alarmhugger_discord import DiscordPlugin
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import mask

URL = "https://discord.com/api/webhooks/222222222222222222/settings-Token_42"


def configure(**section):
    plugin = DiscordPlugin()
    plugin.gateway_configure(config=GatewayConfig({"plugin:discord": section}))
    return plugin


def test_configure_minimal_section_uses_defaults():
    settings = configure(webhook_url=URL).settings

    assert settings.webhook.webhook_id == "222222222222222222"
    assert settings.webhook.shown == "discord.com/api/webhooks/222…/***"
    assert settings.chat.min_interval == 2.0
    assert settings.chat.split is True
    assert (settings.username, settings.avatar_url, settings.mentions) == (
        None,
        None,
        (),
    )


def test_configure_registers_webhook_token_as_secret():
    configure(webhook_url=URL)

    assert (
        mask(f"POST {URL}")
        == "POST https://discord.com/api/webhooks/222222222222222222/***"
    )


def test_configure_versioned_webhook_url_is_accepted():
    url = (
        "https://discordapp.com/api/v10/webhooks/333333333333333333/tok-en?thread_id=9"
    )

    settings = configure(webhook_url=url).settings

    assert settings.webhook.shown == "discordapp.com/api/v10/webhooks/333…/***"
    assert settings.webhook.url == url


def test_configure_missing_webhook_url_is_an_error():
    with pytest.raises(ConfigError) as caught:
        configure()

    assert caught.value.key == "webhook_url"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("username", "Discord alerts"),
        ("username", "x" * 81),
        ("avatar_url", "ftp://x/a.png"),
        ("mentions", "here"),
        ("split", "sometimes"),
        ("min_interval", "abc"),
        ("template", "{% if %}"),
    ],
    ids=[
        "username-word",
        "username-long",
        "avatar",
        "mentions",
        "split",
        "interval",
        "template",
    ],
)
def test_configure_bad_value_names_the_key(key, value):
    with pytest.raises(ConfigError) as caught:
        configure(webhook_url=URL, **{key: value})

    assert caught.value.key == key


def test_configure_unknown_key_is_an_error():
    with pytest.raises(ConfigError) as caught:
        configure(webhook_url=URL, webhook=URL)

    assert caught.value.key == "webhook"
    assert caught.value.value == "***"


def test_register_notifiers_returns_one_notifier_named_discord():
    config = GatewayConfig(
        {"plugin:discord": {"webhook_url": URL, "min_interval": "0.5"}}
    )
    plugin = DiscordPlugin()
    plugin.gateway_configure(config=config)

    [notifier] = plugin.gateway_register_notifiers(config=config)

    assert notifier.name == "discord"
    assert notifier.min_interval == 0.5
    notifier.close()

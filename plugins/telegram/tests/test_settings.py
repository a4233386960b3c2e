"""Reading and checking ``[plugin:telegram]``."""

from __future__ import annotations

import pytest

from alarmhugger_telegram import TelegramPlugin
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import mask

TOKEN = "987654:ZYX-settings-test-token"


def configure(**section):
    plugin = TelegramPlugin()
    plugin.gateway_configure(config=GatewayConfig({"plugin:telegram": section}))
    return plugin


def test_configure_minimal_section_uses_defaults():
    plugin = configure(bot_token=TOKEN, chat_id="42")

    settings = plugin.settings
    assert settings.parse_mode == "none"
    assert settings.api_url == "https://api.telegram.org"
    assert (settings.chat.connect_timeout, settings.chat.read_timeout) == (5.0, 10.0)
    assert settings.chat.split is True
    assert settings.chat.min_interval == 1.0
    assert settings.chat.max_attempts == 5


@pytest.mark.parametrize(
    ("chat_id", "interval"),
    [("42", 1.0), ("-4242", 1.0), ("-1001234567890", 3.0), ("@alerts_channel", 3.0)],
    ids=["private", "basic-group", "supergroup", "channel-name"],
)
def test_configure_min_interval_default_follows_chat_kind(chat_id, interval):
    assert (
        configure(bot_token=TOKEN, chat_id=chat_id).settings.chat.min_interval
        == interval
    )


def test_configure_registers_bot_token_as_secret():
    configure(bot_token=TOKEN, chat_id="42")

    assert mask(f"GET /bot{TOKEN}/sendMessage") == "GET /bot***/sendMessage"


def test_configure_missing_bot_token_is_an_error():
    with pytest.raises(ConfigError) as caught:
        configure(chat_id="42")

    assert caught.value.key == "bot_token"
    assert "@BotFather" in str(caught.value)


def test_configure_malformed_bot_token_is_shown_masked():
    with pytest.raises(ConfigError) as caught:
        configure(bot_token="987654:has spaces inside", chat_id="42")

    assert caught.value.value == "987654:***"
    assert "has spaces" not in str(caught.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("chat_id", ""),
        ("chat_id", "my group"),
        ("parse_mode", "Markdown"),
        ("api_url", "api.telegram.org"),
        ("read_timeout", "0"),
        ("connect_timeout", "soon"),
        ("split", "maybe"),
        ("min_interval", "-1"),
        ("max_attempts", "0"),
        ("template", "{{ ticker "),
        ("where", "signal"),
    ],
    ids=lambda value: value or "empty",
)
def test_configure_bad_value_names_the_key(key, value):
    section = {"bot_token": TOKEN, "chat_id": "42", key: value}

    with pytest.raises(ConfigError) as caught:
        configure(**section)

    assert caught.value.key == key


def test_configure_unknown_key_is_an_error_with_value_masked():
    with pytest.raises(ConfigError) as caught:
        configure(bot_token=TOKEN, chat_id="42", bot_tokn="1:secret-looking")

    assert caught.value.key == "bot_tokn"
    assert caught.value.value == "***"
    assert "chat_id" in caught.value.expected


def test_configure_parse_mode_is_case_insensitive():
    plugin = configure(bot_token=TOKEN, chat_id="42", parse_mode="markdownv2")

    assert plugin.settings.parse_mode == "MarkdownV2"


def test_register_notifiers_returns_one_notifier_named_telegram():
    config = GatewayConfig(
        {"plugin:telegram": {"bot_token": TOKEN, "chat_id": "42", "max_attempts": "8"}}
    )
    plugin = TelegramPlugin()
    plugin.gateway_configure(config=config)

    [notifier] = plugin.gateway_register_notifiers(config=config)

    assert notifier.name == "telegram"
    assert notifier.max_attempts == 8
    assert notifier.min_interval == 1.0
    notifier.close()

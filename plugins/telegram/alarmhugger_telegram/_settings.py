"""The ``[plugin:telegram]`` settings and their checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Mapping
from urllib.parse import urlsplit

from gateway.kit import MASK
from gateway.kit import ChatSettings
from gateway.kit import ConfigError
from gateway.kit import read_chat_settings
from gateway.kit import register_secret

from alarmhugger_telegram._markup import PARSE_MODES
from alarmhugger_telegram._markup import escaper

NAME = "telegram"
SECTION = f"plugin:{NAME}"

DEFAULT_API_URL = "https://api.telegram.org"

# Telegram asks bots to stay near one message per second in a chat and
# twenty per minute in a group or channel.
CHAT_INTERVAL = 1.0
GROUP_INTERVAL = 3.0

_OWN_KEYS = ("bot_token", "chat_id", "parse_mode", "api_url")
_BOT_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_CHAT_ID = re.compile(r"^(-?\d+|@[A-Za-z][A-Za-z0-9_]{3,})$")


@dataclass(frozen=True)
class Settings:
    """The checked settings of the Telegram notifier.

    :param bot_token: the bot's token; masked in every log line.
    :param chat_id: a numeric chat id (``-100…`` for supergroups and
        channels) or a public ``@channelname``.
    :param parse_mode: ``none``, ``MarkdownV2`` or ``HTML``.
    :param api_url: the Bot API's base address.
    :param chat: the keys every chat notifier shares.
    """

    bot_token: str = field(repr=False)
    chat_id: str
    parse_mode: str
    api_url: str
    chat: ChatSettings


def read_settings(raw: Mapping[str, str]) -> Settings:
    """Check ``[plugin:telegram]`` and return :class:`Settings`.

    The bot token is registered as a secret first, so that no later error
    or log line can show it.

    :raises ConfigError: for a missing or malformed value, or an unknown key.
    """
    bot_token = (raw.get("bot_token") or "").strip()
    if bot_token:
        register_secret(bot_token)

    chat_id = _read_chat_id(raw)
    parse_mode = _read_parse_mode(raw)
    chat = read_chat_settings(
        SECTION,
        raw,
        own_keys=_OWN_KEYS,
        escape=escaper(parse_mode),
        default_interval=default_interval(chat_id),
    )
    return Settings(
        bot_token=_check_bot_token(bot_token),
        chat_id=chat_id,
        parse_mode=parse_mode,
        api_url=_read_api_url(raw),
        chat=chat,
    )


def default_interval(chat_id: str) -> float:
    """Return the pacing Telegram asks for: 3 s in groups and channels, else 1 s.

    Supergroups and channels have ids starting with ``-100``; a public
    ``@channelname`` is a channel too.
    """
    if chat_id.startswith(("-100", "@")):
        return GROUP_INTERVAL
    return CHAT_INTERVAL


def _check_bot_token(token: str) -> str:
    expected = "the token @BotFather gave, like 123456789:AAH…"
    if not token:
        raise ConfigError(SECTION, "bot_token", "", expected)
    if not _BOT_TOKEN.match(token):
        bot_id, separator, _ = token.partition(":")
        shown = f"{bot_id}:{MASK}" if separator and bot_id.isdigit() else MASK
        raise ConfigError(SECTION, "bot_token", shown, expected)
    return token


def _read_chat_id(raw: Mapping[str, str]) -> str:
    chat_id = (raw.get("chat_id") or "").strip()
    if not _CHAT_ID.match(chat_id):
        raise ConfigError(
            SECTION,
            "chat_id",
            chat_id,
            "a numeric chat id (e.g. -1001234567890 for a group) or @channelname",
        )
    return chat_id


def _read_parse_mode(raw: Mapping[str, str]) -> str:
    value = (raw.get("parse_mode") or "none").strip()
    for mode in PARSE_MODES:
        if value.lower() == mode.lower():
            return mode

    legacy = value.lower() == "markdown"
    hint = " (Telegram's legacy Markdown is not supported)" if legacy else ""
    raise ConfigError(SECTION, "parse_mode", value, f"none, MarkdownV2 or HTML{hint}")


def _read_api_url(raw: Mapping[str, str]) -> str:
    value = (raw.get("api_url") or DEFAULT_API_URL).strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(
            SECTION, "api_url", value, "an http(s) URL such as https://api.telegram.org"
        )
    return value

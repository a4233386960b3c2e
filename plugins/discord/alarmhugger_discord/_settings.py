"""The ``[plugin:discord]`` settings and their checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from gateway.kit import MASK
from gateway.kit import ChatSettings
from gateway.kit import ConfigError
from gateway.kit import ServiceAddress
from gateway.kit import match_webhook_url
from gateway.kit import read_chat_settings

from alarmhugger_discord._markdown import escape_markdown

NAME = "discord"
SECTION = f"plugin:{NAME}"

# A webhook allows 5 requests per 2 s, but a channel takes only about 30
# webhook messages a minute (discord/discord-api-docs#1454).
DEFAULT_INTERVAL = 2.0

MENTION_KINDS = ("users", "roles", "everyone")

_OWN_KEYS = ("webhook_url", "username", "avatar_url", "mentions")
_WEBHOOK_PATH = re.compile(
    r"^(?P<prefix>.*)/webhooks/(?P<id>\d+)/(?P<secret>[A-Za-z0-9_.-]+)/?$"
)
_EXPECTED_URL = "a Discord webhook URL, https://discord.com/api/webhooks/<id>/<token>"
_USERNAME_LIMIT = 80
_FORBIDDEN_IN_USERNAME = ("discord", "clyde")


@dataclass(frozen=True)
class Webhook(ServiceAddress):
    """A Discord webhook address, split into what may be shown and what not.

    ``secret`` is the webhook's token, the last path segment; ``shown``
    masks it and shortens the id, e.g. ``discord.com/api/webhooks/111…/***``.

    :param webhook_id: the webhook's numeric id.
    """

    webhook_id: str


@dataclass(frozen=True)
class Settings:
    """The checked settings of the Discord notifier.

    :param username: overrides the webhook's name for these messages.
    :param avatar_url: overrides the webhook's avatar.
    :param mentions: which mentions in the text may ping: any of
        ``users``, ``roles``, ``everyone``; none by default.
    """

    webhook: Webhook
    chat: ChatSettings
    username: str | None = None
    avatar_url: str | None = None
    mentions: tuple[str, ...] = ()


def read_settings(raw: Mapping[str, str]) -> Settings:
    """Check ``[plugin:discord]`` and return :class:`Settings`.

    The webhook token is registered as a secret before anything else can
    fail, so no error message or log line shows it.

    :raises ConfigError: for a missing or malformed value, or an unknown key.
    """
    webhook = parse_webhook_url((raw.get("webhook_url") or "").strip())
    chat = read_chat_settings(
        SECTION,
        raw,
        own_keys=_OWN_KEYS,
        escape=escape_markdown,
        default_interval=DEFAULT_INTERVAL,
    )
    return Settings(
        webhook=webhook,
        chat=chat,
        username=_read_username(raw),
        avatar_url=_read_avatar_url(raw),
        mentions=_read_mentions(raw),
    )


def parse_webhook_url(url: str) -> Webhook:
    """Split a Discord webhook URL into its id, its token and a form to show.

    :raises ConfigError: for an empty URL or one not shaped like
        ``https://discord.com/api/webhooks/<id>/<token>``; the message
        quotes the URL with the token masked.
    """
    parts, match = match_webhook_url(
        SECTION, "webhook_url", url, _WEBHOOK_PATH, expected=_EXPECTED_URL
    )
    webhook_id = match.group("id")
    shown = f"{parts.netloc}{match.group('prefix')}/webhooks/{webhook_id[:3]}…/{MASK}"
    return Webhook(
        url=url, secret=match.group("secret"), shown=shown, webhook_id=webhook_id
    )


def _read_username(raw: Mapping[str, str]) -> str | None:
    username = (raw.get("username") or "").strip()
    if not username:
        return None

    expected = (
        f"1 to {_USERNAME_LIMIT} characters without the words discord or clyde"
        " (Discord refuses those)"
    )
    lowered = username.lower()
    too_long = len(username) > _USERNAME_LIMIT
    if too_long or any(word in lowered for word in _FORBIDDEN_IN_USERNAME):
        raise ConfigError(SECTION, "username", username, expected)
    return username


def _read_avatar_url(raw: Mapping[str, str]) -> str | None:
    url = (raw.get("avatar_url") or "").strip()
    if not url:
        return None
    if urlsplit(url).scheme not in {"http", "https"}:
        raise ConfigError(SECTION, "avatar_url", url, "an http(s) URL of an image")
    return url


def _read_mentions(raw: Mapping[str, str]) -> tuple[str, ...]:
    text = (raw.get("mentions") or "").strip()
    kinds = tuple(kind.strip().lower() for kind in text.split(",") if kind.strip())
    for kind in kinds:
        if kind not in MENTION_KINDS:
            raise ConfigError(
                SECTION,
                "mentions",
                text,
                f"a comma-separated list of {', '.join(MENTION_KINDS)} (or empty)",
            )
    return kinds

"""The ``[plugin:slack]`` settings and their checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from gateway.kit import MASK
from gateway.kit import ChatSettings
from gateway.kit import GatewayConfig
from gateway.kit import ServiceAddress
from gateway.kit import match_webhook_url
from gateway.kit import read_chat_settings

from alarmhugger_slack._mrkdwn import escape_mrkdwn

NAME = "slack"
SECTION = f"plugin:{NAME}"

# Slack takes about one message per second per incoming webhook.
DEFAULT_INTERVAL = 1.0

_OWN_KEYS = ("webhook_url", "mrkdwn")
_WEBHOOK_PATH = re.compile(
    r"^(?P<head>.*/services/[A-Z0-9]+/[A-Z0-9]+)/(?P<secret>[A-Za-z0-9]+)/?$"
)
_EXPECTED_URL = "a Slack incoming webhook URL, https://hooks.slack.com/services/T…/B…/…"


@dataclass(frozen=True)
class Settings:
    """The checked settings of the Slack notifier.

    :param webhook: the incoming webhook's address; its last path segment
        is the secret, shown as
        ``hooks.slack.com/services/T00000000/B00000000/***``.
    :param mrkdwn: let Slack format the text (``*bold*``, links); with
        ``false`` it is shown as typed.
    """

    webhook: ServiceAddress
    chat: ChatSettings
    mrkdwn: bool = True


def read_settings(raw: Mapping[str, str]) -> Settings:
    """Check ``[plugin:slack]`` and return :class:`Settings`.

    The webhook's secret segment is registered as a secret before anything
    else can fail, so no error message or log line shows it.

    :raises ConfigError: for a missing or malformed value, or an unknown key.
    """
    webhook = parse_webhook_url((raw.get("webhook_url") or "").strip())
    chat = read_chat_settings(
        SECTION,
        raw,
        own_keys=_OWN_KEYS,
        escape=escape_mrkdwn,
        default_interval=DEFAULT_INTERVAL,
    )
    mrkdwn = GatewayConfig({SECTION: raw}).get_bool(SECTION, "mrkdwn", True)
    return Settings(webhook=webhook, chat=chat, mrkdwn=mrkdwn)


def parse_webhook_url(url: str) -> ServiceAddress:
    """Take a Slack incoming-webhook URL apart: the secret last segment, and the rest.

    :raises ConfigError: unless the URL looks like
        ``https://hooks.slack.com/services/T…/B…/<secret>``; the message
        keeps only the plain words of the URL's path.
    """
    parts, match = match_webhook_url(
        SECTION, "webhook_url", url, _WEBHOOK_PATH, expected=_EXPECTED_URL
    )
    return ServiceAddress(
        url=url,
        secret=match.group("secret"),
        shown=f"{parts.netloc}{match.group('head')}/{MASK}",
    )

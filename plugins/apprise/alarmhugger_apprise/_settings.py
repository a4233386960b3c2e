"""The ``[plugin:apprise]`` settings and their checks."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from dataclasses import field
from typing import Callable

import apprise

from gateway.kit import DEFAULT_TEMPLATE
from gateway.kit import AlarmFilter
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import MessageTemplate
from gateway.kit import read_notifier_settings

from alarmhugger_apprise._urls import register_url_secrets
from alarmhugger_apprise._urls import scheme_of
from alarmhugger_apprise._urls import split_urls

NAME = "apprise"
SECTION = f"plugin:{NAME}"

DEFAULT_TITLE = "{{ ticker or source }}{% if action %} {{ action }}{% endif %}"

# The keys read here; the shared ones are read by read_notifier_settings.
OWN_KEYS = ("urls", "body_format")

# The timeouts of every URL that sets none: (default, maximum) in seconds.
TIMEOUTS = {"connect_timeout": (5.0, 300.0), "read_timeout": (10.0, 300.0)}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def escape_markdown(value: str) -> str:
    """Backslash-escape Markdown's special characters in an inserted value."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def escape_html(value: str) -> str:
    """Escape ``&``, ``<`` and ``>`` in an inserted value."""
    return html.escape(value, quote=False)


# How values from the alarm are escaped for each body format.
ESCAPES: dict[str, Callable[[str], str] | None] = {
    "text": None,
    "markdown": escape_markdown,
    "html": escape_html,
}


@dataclass(frozen=True)
class AppriseSettings:
    """The Apprise notifier's settings after checking.

    :param urls: the Apprise URLs to notify, each a secret.
    :param body_format: ``text``, ``markdown`` or ``html``: how Apprise
        reads the body (and converts it for each service).
    :param connect_timeout: applied to every URL that sets no ``cto``.
    :param read_timeout: applied to every URL that sets no ``rto``.
    """

    urls: tuple[str, ...] = field(repr=False)
    title: MessageTemplate = field(
        default_factory=lambda: MessageTemplate(DEFAULT_TITLE)
    )
    body: MessageTemplate = field(default_factory=lambda: MessageTemplate(None))
    body_format: str = "text"
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    max_attempts: int | None = None
    min_interval: float = 0.0
    alarm_filter: AlarmFilter = field(default_factory=AlarmFilter)

    @property
    def schemes(self) -> list[str]:
        """The URLs' schemes, each once, in order (safe to show)."""
        return list(dict.fromkeys(scheme_of(url) for url in self.urls))


def read_settings(config: GatewayConfig) -> AppriseSettings:
    """Check ``[plugin:apprise]`` and return :class:`AppriseSettings`.

    Every URL is registered for masking first, then loaded once by Apprise
    to check it (no network is used).

    :raises ConfigError: for missing or unusable URLs, an unknown key or a
        bad value; a URL is shown only by its scheme.
    """
    # The templates escape values for the body format, so it is read first.
    body_format = (config.get(SECTION, "body_format", "text") or "text").lower()
    if body_format not in ESCAPES:
        raise ConfigError(SECTION, "body_format", body_format, "text, markdown or html")

    shared = read_notifier_settings(
        SECTION,
        config.plugin_settings(NAME),
        own_keys=OWN_KEYS,
        templates={"title": DEFAULT_TITLE, "body": DEFAULT_TEMPLATE},
        timeouts=TIMEOUTS,
        escape=ESCAPES[body_format],
    )

    return AppriseSettings(
        urls=_read_urls(config),
        title=shared.templates["title"],
        body=shared.templates["body"],
        body_format=body_format,
        connect_timeout=shared.timeouts["connect_timeout"],
        read_timeout=shared.timeouts["read_timeout"],
        max_attempts=shared.max_attempts,
        min_interval=shared.min_interval,
        alarm_filter=shared.alarm_filter,
    )


def _read_urls(config: GatewayConfig) -> tuple[str, ...]:
    urls = split_urls(config.get(SECTION, "urls", "") or "")
    for url in urls:
        register_url_secrets(url)
    if not urls:
        raise ConfigError(
            SECTION,
            "urls",
            "",
            "one or more Apprise URLs, separated by commas or new lines, "
            "e.g. tgram://<bot token>/<chat id>",
        )

    for url in urls:
        if apprise.Apprise.instantiate(url) is None:
            raise ConfigError(
                SECTION,
                "urls",
                f"{scheme_of(url)}://***",
                "URLs Apprise can load: a supported scheme with the parts that "
                "service needs (see https://github.com/caronc/apprise/wiki)",
            )
    return tuple(urls)

"""The ``[plugin:apprise]`` settings and their checks."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from dataclasses import field
from typing import Callable
from typing import Mapping

import apprise

from gateway.kit import DEFAULT_TEMPLATE
from gateway.kit import AlarmFilter
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import MessageTemplate

from alarmhugger_apprise._urls import register_url_secrets
from alarmhugger_apprise._urls import scheme_of
from alarmhugger_apprise._urls import split_urls

NAME = "apprise"
SECTION = f"plugin:{NAME}"

DEFAULT_TITLE = "{{ ticker or source }}{% if action %} {{ action }}{% endif %}"

ROUTING_KEYS = ("sources", "tickers", "actions", "where")
KNOWN_KEYS = (
    "urls",
    "title",
    "body",
    "body_format",
    "connect_timeout",
    "read_timeout",
    "max_attempts",
    "min_interval",
    *ROUTING_KEYS,
)

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
    raw = config.plugin_settings(NAME)
    _check_known_keys(raw)

    urls = _read_urls(config)
    body_format = (config.get(SECTION, "body_format", "text") or "text").lower()
    if body_format not in ESCAPES:
        raise ConfigError(SECTION, "body_format", body_format, "text, markdown or html")
    escape = ESCAPES[body_format]

    return AppriseSettings(
        urls=urls,
        title=_read_template(config, "title", DEFAULT_TITLE, escape),
        body=_read_template(config, "body", DEFAULT_TEMPLATE, escape),
        body_format=body_format,
        connect_timeout=read_seconds(config, "connect_timeout", 5.0),
        read_timeout=read_seconds(config, "read_timeout", 10.0),
        max_attempts=_read_max_attempts(config),
        min_interval=read_seconds(config, "min_interval", 0.0, minimum=0.0),
        alarm_filter=AlarmFilter.from_settings(SECTION, raw),
    )


def read_seconds(
    config: GatewayConfig,
    key: str,
    default: float,
    *,
    minimum: float = 0.1,
    maximum: float = 300.0,
) -> float:
    """Return a duration in seconds between ``minimum`` and ``maximum``."""
    raw = config.get(SECTION, key)
    if raw is None:
        return default

    expected = f"a number of seconds from {minimum:g} to {maximum:g}"
    try:
        seconds = float(raw)
    except ValueError:
        raise ConfigError(SECTION, key, raw, expected) from None
    if not minimum <= seconds <= maximum:
        raise ConfigError(SECTION, key, raw, expected)
    return seconds


def _read_max_attempts(config: GatewayConfig) -> int | None:
    # Unset means the [delivery] section's max_attempts applies.
    if config.get(SECTION, "max_attempts") is None:
        return None
    return config.get_int(SECTION, "max_attempts", 5, minimum=1, maximum=100)


def _check_known_keys(raw: Mapping[str, str]) -> None:
    # A misspelt key may hold a secret (url instead of urls): never shown.
    for key in raw:
        if key not in KNOWN_KEYS:
            raise ConfigError(
                SECTION, key, "***", f"one of the keys {', '.join(KNOWN_KEYS)}"
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


def _read_template(
    config: GatewayConfig,
    key: str,
    default: str,
    escape: Callable[[str], str] | None,
) -> MessageTemplate:
    try:
        return MessageTemplate(
            config.get(SECTION, key, default), escape, section=SECTION
        )
    except ConfigError as error:
        # MessageTemplate names its key "template"; ours are title and body.
        raise ConfigError(SECTION, key, error.value, error.expected) from error

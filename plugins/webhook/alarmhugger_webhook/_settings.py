"""The ``[plugin:webhook]`` settings and their checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Mapping
from urllib.parse import urlsplit

from gateway.kit import AlarmFilter
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import MessageTemplate
from gateway.kit import read_notifier_settings
from gateway.kit import register_secret

from alarmhugger_webhook._signature import SIGNATURE_HEADER
from alarmhugger_webhook._signature import TIMESTAMP_HEADER
from alarmhugger_webhook._url import redact_url
from alarmhugger_webhook._url import register_url_secrets

NAME = "webhook"
SECTION = f"plugin:{NAME}"

# The keys read here; the shared ones are read by read_notifier_settings.
OWN_KEYS = ("url", "method", "payload", "headers", "hmac_secret")

# The network timeouts: (default, maximum) in seconds.
TIMEOUTS = {"connect_timeout": (5.0, 300.0), "read_timeout": (10.0, 300.0)}

METHODS = ("POST", "PUT")
PAYLOADS = ("alarm", "template")

# Shorter secrets are guessable, and the core does not mask them in logs.
MIN_SECRET_LENGTH = 8

# Headers whose values describe the body, never a credential: masking
# "application/json" in every log line would only garble the logs.
_PLAIN_HEADERS = frozenset({"content-type", "accept", "user-agent"})

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_RESERVED_HEADERS = frozenset(
    name.lower()
    for name in (
        "Host",
        "Content-Length",
        "Transfer-Encoding",
        "Connection",
        SIGNATURE_HEADER,
        TIMESTAMP_HEADER,
    )
)


@dataclass(frozen=True)
class WebhookSettings:
    """The webhook notifier's settings after checking.

    :param url: where to send; may carry credentials, never shown as is.
    :param payload: ``alarm`` (the alarm as JSON) or ``template`` (text).
    :param headers: extra request headers, values treated as secrets.
    :param hmac_secret: when set, every request is signed with it.
    """

    url: str = field(repr=False)
    method: str = "POST"
    payload: str = "alarm"
    template: MessageTemplate = field(default_factory=lambda: MessageTemplate(None))
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    hmac_secret: str | None = field(default=None, repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    max_attempts: int | None = None
    min_interval: float = 0.0
    alarm_filter: AlarmFilter = field(default_factory=AlarmFilter)


def read_settings(config: GatewayConfig) -> WebhookSettings:
    """Check ``[plugin:webhook]`` and return :class:`WebhookSettings`.

    Secrets (the URL's credentials, header values, the HMAC secret) are
    registered for masking before anything else can log them.

    :raises ConfigError: for an unknown key or a bad value; the value in
        the message is masked when it is a secret.
    """
    shared = read_notifier_settings(
        SECTION,
        config.plugin_settings(NAME),
        own_keys=OWN_KEYS,
        templates={"template": None},
        timeouts=TIMEOUTS,
    )

    url = _read_url(config)
    headers = _read_headers(config.get(SECTION, "headers", "") or "")
    hmac_secret = _read_hmac_secret(config)
    template_source = config.get(SECTION, "template")

    return WebhookSettings(
        url=url,
        method=_read_choice(config, "method", METHODS, "POST").upper(),
        payload=_read_choice(
            config, "payload", PAYLOADS, "template" if template_source else "alarm"
        ),
        template=shared.templates["template"],
        headers=headers,
        hmac_secret=hmac_secret,
        connect_timeout=shared.timeouts["connect_timeout"],
        read_timeout=shared.timeouts["read_timeout"],
        max_attempts=shared.max_attempts,
        min_interval=shared.min_interval,
        alarm_filter=shared.alarm_filter,
    )


def _read_choice(
    config: GatewayConfig, key: str, choices: tuple[str, ...], default: str
) -> str:
    value = (config.get(SECTION, key, default) or default).lower()
    if value.upper() not in {choice.upper() for choice in choices}:
        raise ConfigError(SECTION, key, value, f"one of {', '.join(choices)}")
    return value


def _read_url(config: GatewayConfig) -> str:
    url = config.get(SECTION, "url")
    if url is None:
        raise ConfigError(
            SECTION,
            "url",
            "",
            "the address to forward alarms to, e.g. https://example.com/hook "
            "(or the APIURL environment variable)",
        )

    register_url_secrets(url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            SECTION, "url", redact_url(url), "an http:// or https:// URL with a host"
        )
    try:
        _ = parts.port
    except ValueError:
        raise ConfigError(
            SECTION, "url", redact_url(url), "a port number from 1 to 65535"
        ) from None
    return url


def _read_headers(text: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue

        name, separator, value = line.partition(":")
        if not separator:
            # Without a colon the whole line may be the credential.
            register_secret(line)
            raise ConfigError(
                SECTION, "headers", "***", "one 'Name: value' header per line"
            )

        name, value = name.strip(), value.strip()
        if value and name.lower() not in _PLAIN_HEADERS:
            register_secret(value)
            register_secret(value.split()[-1])

        shown = f"{name}: ***"
        if not _HEADER_NAME.match(name):
            raise ConfigError(
                SECTION, "headers", shown, "one 'Name: value' header per line"
            )
        if name.lower() in _RESERVED_HEADERS:
            raise ConfigError(
                SECTION,
                "headers",
                shown,
                "headers other than Host, Content-Length, Transfer-Encoding, "
                f"Connection, {SIGNATURE_HEADER} and {TIMESTAMP_HEADER}",
            )
        headers[name] = value
    return headers


def _read_hmac_secret(config: GatewayConfig) -> str | None:
    secret = config.get(SECTION, "hmac_secret")
    if secret is None:
        return None

    register_secret(secret)
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            SECTION,
            "hmac_secret",
            f"<{len(secret)} characters>",
            f"a secret of at least {MIN_SECRET_LENGTH} characters",
        )
    return secret

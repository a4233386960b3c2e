"""The ``[plugin:email]`` settings and their checks."""

from __future__ import annotations

import email.errors
import email.utils
import socket
from dataclasses import dataclass
from dataclasses import field
from email.headerregistry import Address
from pathlib import Path
from typing import Mapping

from gateway.kit import AlarmFilter
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import MessageTemplate
from gateway.kit import register_secret

NAME = "email"
SECTION = f"plugin:{NAME}"

SECURITY_PORTS = {"none": 25, "starttls": 587, "ssl": 465}

DEFAULT_SUBJECT = (
    "[AlarmHugger] {{ ticker or source }}{% if action %} {{ action }}{% endif %}"
)
DEFAULT_BODY = (
    "{% if ticker %}{{ ticker }}{% if action %} {{ action }}{% endif %}"
    "{% if price is not none %} @ {{ price }}{% endif %}\n\n{% endif %}"
    "{{ message or raw }}\n\n"
    "--\n"
    "Received {{ received_at.strftime('%Y-%m-%d %H:%M:%S') }} UTC"
    " on route {{ source }} from {{ client_ip }}\n"
    "Alarm {{ id }}"
)

ROUTING_KEYS = ("sources", "tickers", "actions", "where")
KNOWN_KEYS = (
    "host",
    "port",
    "security",
    "username",
    "password",
    "from",
    "to",
    "subject",
    "body",
    "timeout",
    "ca_file",
    "helo_name",
    "max_attempts",
    "min_interval",
    *ROUTING_KEYS,
)


@dataclass(frozen=True)
class EmailSettings:
    """The e-mail notifier's settings after checking.

    :param security: ``none``, ``starttls`` (upgrade after connecting) or
        ``ssl`` (TLS from the first byte, usually port 465).
    :param sender: the ``From`` address, e.g. ``AlarmHugger <bot@example.com>``.
    :param recipients: the ``To`` addresses.
    :param ca_file: extra certificate authorities to trust, for a relay
        with its own certificate; ``None`` trusts the system's.
    """

    host: str
    sender: Address
    recipients: tuple[Address, ...]
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    subject: MessageTemplate = field(
        default_factory=lambda: MessageTemplate(DEFAULT_SUBJECT)
    )
    body: MessageTemplate = field(default_factory=lambda: MessageTemplate(DEFAULT_BODY))
    timeout: float = 10.0
    ca_file: str | None = None
    helo_name: str = field(default_factory=socket.gethostname)
    max_attempts: int | None = None
    min_interval: float = 0.0
    alarm_filter: AlarmFilter = field(default_factory=AlarmFilter)

    @property
    def envelope_recipients(self) -> list[str]:
        """The bare addresses of ``recipients``, for ``RCPT TO``."""
        return [recipient.addr_spec for recipient in self.recipients]


def read_settings(config: GatewayConfig) -> EmailSettings:
    """Check ``[plugin:email]`` and return :class:`EmailSettings`.

    The password is registered for masking before anything can log it.

    :raises ConfigError: for a missing or bad value, or an unknown key.
    """
    raw = config.plugin_settings(NAME)
    _check_known_keys(raw)

    username = config.get(SECTION, "username")
    password = config.get(SECTION, "password")
    if password is not None:
        register_secret(password)
    _check_credentials(username, password)

    security = (config.get(SECTION, "security", "starttls") or "").lower()
    if security not in SECURITY_PORTS:
        raise ConfigError(SECTION, "security", security, "none, starttls or ssl")

    return EmailSettings(
        host=_required(config, "host", "the SMTP server's name, e.g. smtp.example.com"),
        port=config.get_int(
            SECTION, "port", SECURITY_PORTS[security], minimum=1, maximum=65535
        ),
        security=security,
        username=username,
        password=password,
        sender=_read_sender(config),
        recipients=_read_recipients(config),
        subject=_read_template(config, "subject", DEFAULT_SUBJECT),
        body=_read_template(config, "body", DEFAULT_BODY),
        timeout=read_seconds(config, "timeout", 10.0),
        ca_file=_read_ca_file(config),
        helo_name=config.get(SECTION, "helo_name") or socket.gethostname(),
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
    # A misspelt key may hold a secret (pasword), so its value is not shown.
    for key in raw:
        if key not in KNOWN_KEYS:
            raise ConfigError(
                SECTION, key, "***", f"one of the keys {', '.join(KNOWN_KEYS)}"
            )


def _check_credentials(username: str | None, password: str | None) -> None:
    if password is not None and username is None:
        raise ConfigError(
            SECTION, "username", "", "a user name to log in with, since password is set"
        )
    if username is not None and password is None:
        raise ConfigError(
            SECTION, "password", "", "a password for the user name that is set"
        )


def _required(config: GatewayConfig, key: str, expected: str) -> str:
    value = config.get(SECTION, key)
    if value is None:
        raise ConfigError(SECTION, key, "", expected)
    return value


def _read_sender(config: GatewayConfig) -> Address:
    raw = _required(config, "from", "the sender, e.g. AlarmHugger <bot@example.com>")
    addresses = _parse_addresses(raw)
    if addresses is None or len(addresses) != 1:
        raise ConfigError(
            SECTION, "from", raw, "one address, e.g. AlarmHugger <bot@example.com>"
        )
    return addresses[0]


def _read_recipients(config: GatewayConfig) -> tuple[Address, ...]:
    raw = _required(config, "to", "one or more addresses, separated by commas")
    addresses = _parse_addresses(raw)
    if not addresses:
        raise ConfigError(
            SECTION, "to", raw, "addresses separated by commas, e.g. a@example.com"
        )
    return tuple(addresses)


def _parse_addresses(raw: str) -> list[Address] | None:
    """Parse ``a@x, Name <b@y>``; ``None`` when any part is not an address."""
    addresses = []
    for name, address in email.utils.getaddresses([raw]):
        local, at, domain = address.rpartition("@")
        if not (local and at and domain):
            return None
        try:
            addresses.append(Address(display_name=name, addr_spec=address))
        except (ValueError, IndexError, email.errors.HeaderParseError):
            return None
    return addresses


def _read_template(config: GatewayConfig, key: str, default: str) -> MessageTemplate:
    try:
        return MessageTemplate(config.get(SECTION, key, default), section=SECTION)
    except ConfigError as error:
        # MessageTemplate names its key "template"; ours are subject and body.
        raise ConfigError(SECTION, key, error.value, error.expected) from error


def _read_ca_file(config: GatewayConfig) -> str | None:
    if config.get(SECTION, "ca_file") is None:
        return None

    path = config.get_path(SECTION, "ca_file", "")
    if not path.is_file():
        raise ConfigError(
            SECTION, "ca_file", str(path), "a PEM file of certificate authorities"
        )
    return str(Path(path))

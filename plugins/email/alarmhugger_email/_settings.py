"""The ``[plugin:email]`` settings and their checks."""

from __future__ import annotations

import email.errors
import email.utils
import socket
from dataclasses import dataclass
from dataclasses import field
from email.headerregistry import Address

from gateway.kit import AlarmFilter
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import MessageTemplate
from gateway.kit import read_notifier_settings
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

# The keys read here; the shared ones are read by read_notifier_settings.
OWN_KEYS = (
    "host",
    "port",
    "security",
    "username",
    "password",
    "from",
    "to",
    "ca_file",
    "helo_name",
)

# The SMTP session's timeout: (default, maximum) in seconds.
TIMEOUTS = {"timeout": (10.0, 300.0)}


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
    shared = read_notifier_settings(
        SECTION,
        config.plugin_settings(NAME),
        own_keys=OWN_KEYS,
        templates={"subject": DEFAULT_SUBJECT, "body": DEFAULT_BODY},
        timeouts=TIMEOUTS,
    )

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
        subject=shared.templates["subject"],
        body=shared.templates["body"],
        timeout=shared.timeouts["timeout"],
        ca_file=_read_ca_file(config),
        helo_name=config.get(SECTION, "helo_name") or socket.gethostname(),
        max_attempts=shared.max_attempts,
        min_interval=shared.min_interval,
        alarm_filter=shared.alarm_filter,
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


def _read_ca_file(config: GatewayConfig) -> str | None:
    path = config.get_file(SECTION, "ca_file", "a PEM file of certificate authorities")
    return None if path is None else str(path)

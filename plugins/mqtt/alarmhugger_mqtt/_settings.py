"""The ``[plugin:mqtt]`` settings and their checks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field
from typing import Mapping

from gateway.kit import AlarmFilter
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import MessageTemplate
from gateway.kit import register_secret

from alarmhugger_mqtt._topic import TopicTemplate

NAME = "mqtt"
SECTION = f"plugin:{NAME}"

PAYLOADS = ("alarm", "template")

ROUTING_KEYS = ("sources", "tickers", "actions", "where")
KNOWN_KEYS = (
    "host",
    "port",
    "username",
    "password",
    "tls",
    "ca_file",
    "client_id",
    "topic",
    "qos",
    "retain",
    "payload",
    "template",
    "keepalive",
    "timeout",
    "max_attempts",
    "min_interval",
    *ROUTING_KEYS,
)


def _new_client_id() -> str:
    return f"alarmhugger-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class MqttSettings:
    """The MQTT notifier's settings after checking.

    :param client_id: the id the broker knows us by; a broker drops an
        older connection when a new one uses the same id, so every gateway
        process gets a random one unless it is set.
    :param qos: 0 (at most once), 1 (at least once) or 2 (exactly once).
    :param timeout: seconds to wait for the connection and for the
        broker's acknowledgement of each message.
    """

    host: str = "localhost"
    port: int = 1883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    ca_file: str | None = None
    client_id: str = field(default_factory=_new_client_id)
    topic: TopicTemplate = field(
        default_factory=lambda: TopicTemplate(None, section=SECTION)
    )
    qos: int = 1
    retain: bool = False
    payload: str = "alarm"
    template: MessageTemplate = field(default_factory=lambda: MessageTemplate(None))
    keepalive: int = 60
    timeout: float = 10.0
    max_attempts: int | None = None
    min_interval: float = 0.0
    alarm_filter: AlarmFilter = field(default_factory=AlarmFilter)


def read_settings(config: GatewayConfig) -> MqttSettings:
    """Check ``[plugin:mqtt]`` and return :class:`MqttSettings`.

    The password is registered for masking before anything can log it.

    :raises ConfigError: for an unknown key or a bad value.
    """
    raw = config.plugin_settings(NAME)
    _check_known_keys(raw)

    username = config.get(SECTION, "username")
    password = config.get(SECTION, "password")
    if password is not None:
        register_secret(password)
        if username is None:
            raise ConfigError(
                SECTION, "username", "", "a user name, since password is set"
            )

    tls = config.get_bool(SECTION, "tls", False)
    ca_file = _read_ca_file(config)
    if ca_file is not None and not tls:
        raise ConfigError(SECTION, "tls", "false", "true, since ca_file is set")
    template_source = config.get(SECTION, "template")
    payload = (config.get(SECTION, "payload") or "").lower() or (
        "template" if template_source else "alarm"
    )
    if payload not in PAYLOADS:
        raise ConfigError(SECTION, "payload", payload, "alarm or template")

    return MqttSettings(
        host=config.get(SECTION, "host", "localhost") or "localhost",
        port=config.get_int(
            SECTION, "port", 8883 if tls else 1883, minimum=1, maximum=65535
        ),
        username=username,
        password=password,
        tls=tls,
        ca_file=ca_file,
        client_id=_read_client_id(config),
        topic=TopicTemplate(config.get(SECTION, "topic"), section=SECTION),
        qos=config.get_int(SECTION, "qos", 1, minimum=0, maximum=2),
        retain=config.get_bool(SECTION, "retain", False),
        payload=payload,
        template=MessageTemplate(template_source, section=SECTION),
        keepalive=config.get_int(SECTION, "keepalive", 60, minimum=5, maximum=3600),
        timeout=read_seconds(config, "timeout", 10.0),
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


def _read_client_id(config: GatewayConfig) -> str:
    client_id = config.get(SECTION, "client_id")
    if client_id is None:
        return _new_client_id()
    if len(client_id.encode("utf-8")) > 65535 or "\x00" in client_id:
        raise ConfigError(
            SECTION, "client_id", client_id, "a client id of up to 65535 bytes"
        )
    return client_id


def _read_ca_file(config: GatewayConfig) -> str | None:
    if config.get(SECTION, "ca_file") is None:
        return None

    path = config.get_path(SECTION, "ca_file", "")
    if not path.is_file():
        raise ConfigError(
            SECTION, "ca_file", str(path), "a PEM file of certificate authorities"
        )
    return str(path)

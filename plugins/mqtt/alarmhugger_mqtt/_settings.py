"""The ``[plugin:mqtt]`` settings and their checks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field

from gateway.kit import AlarmFilter
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.kit import MessageTemplate
from gateway.kit import read_notifier_settings
from gateway.kit import register_secret

from alarmhugger_mqtt._topic import TopicTemplate

NAME = "mqtt"
SECTION = f"plugin:{NAME}"

PAYLOADS = ("alarm", "template")

# The keys read here; the shared ones are read by read_notifier_settings.
OWN_KEYS = (
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
    "keepalive",
)

# How long to wait for the broker: (default, maximum) in seconds.
TIMEOUTS = {"timeout": (10.0, 300.0)}


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
    shared = read_notifier_settings(
        SECTION,
        config.plugin_settings(NAME),
        own_keys=OWN_KEYS,
        templates={"template": None},
        timeouts=TIMEOUTS,
    )

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
        template=shared.templates["template"],
        keepalive=config.get_int(SECTION, "keepalive", 60, minimum=5, maximum=3600),
        timeout=shared.timeouts["timeout"],
        max_attempts=shared.max_attempts,
        min_interval=shared.min_interval,
        alarm_filter=shared.alarm_filter,
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
    path = config.get_file(SECTION, "ca_file", "a PEM file of certificate authorities")
    return None if path is None else str(path)

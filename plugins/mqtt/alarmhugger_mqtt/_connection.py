"""One kept-open connection to the broker, made lazily and remade after a loss.

paho's network loop runs in its own thread (``loop_start``). paho's own
reconnecting is switched off: when the connection drops, the loop thread
ends, and the next send opens a fresh connection at once. That way an
unacknowledged message is never re-sent later behind the dispatcher's back
(the dispatcher retries it itself), and a broker that comes back is used on
the next attempt rather than after paho's growing reconnect delay.
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import TYPE_CHECKING
from typing import Any

import paho.mqtt.client as mqtt
from loguru import logger
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.enums import MQTTErrorCode

from gateway.kit import SendResult

from alarmhugger_mqtt._settings import NAME

if TYPE_CHECKING:
    from paho.mqtt.reasoncodes import ReasonCode

    from alarmhugger_mqtt._settings import MqttSettings

# CONNACK refusals that no retry can cure: only a change of settings can.
PERMANENT_REFUSALS = frozenset(
    {
        "Unsupported protocol version",
        "Client identifier not valid",
        "Bad user name or password",
        "Not authorized",
    }
)

log = logger.bind(plugin=NAME)


class BrokerUnavailable(Exception):
    """No usable connection could be made; ``detail`` says why."""

    def __init__(self, detail: str, *, is_permanent: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.is_permanent = is_permanent


class BrokerConnection:
    """A paho client kept connected for one notifier, safe to share between threads.

    :param target: a secret-free name of the broker, for log lines.
    """

    def __init__(self, settings: MqttSettings, target: str) -> None:
        self.settings = settings
        self.target = target
        self._lock = threading.Lock()
        self._client: mqtt.Client | None = None

    def publish(self, topic: str, payload: bytes) -> SendResult:
        """Publish one message and wait until the broker has it (per its QoS)."""
        settings = self.settings
        try:
            client = self._connected_client()
        except BrokerUnavailable as error:
            return SendResult(False, error.detail, is_permanent=error.is_permanent)

        info = client.publish(topic, payload, qos=settings.qos, retain=settings.retain)
        if info.rc == MQTTErrorCode.MQTT_ERR_PAYLOAD_SIZE:
            return SendResult(False, "message too large for MQTT", is_permanent=True)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            self._drop(client)
            return SendResult(False, f"publish failed: {mqtt.error_string(info.rc)}")

        try:
            info.wait_for_publish(settings.timeout)
        except (ValueError, RuntimeError) as error:
            self._drop(client)
            return SendResult(False, f"publish failed: {error}")
        if not info.is_published():
            self._drop(client)
            return SendResult(
                False,
                f"no acknowledgement within {settings.timeout:g} s "
                f"(QoS {settings.qos})",
            )
        return SendResult(True, f"published with QoS {settings.qos}")

    def close(self) -> None:
        """Disconnect and stop the network thread; a later send reconnects."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            _stop(client)

    def _connected_client(self) -> mqtt.Client:
        with self._lock:
            client = self._client
            if client is not None and client.is_connected():
                return client

            if client is not None:
                self._client = None
                _stop(client)
            self._client = self._connect()
            return self._client

    def _drop(self, client: mqtt.Client) -> None:
        with self._lock:
            if self._client is client:
                self._client = None
        _stop(client)

    def _connect(self) -> mqtt.Client:
        settings = self.settings
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=settings.client_id,
            clean_session=True,
            reconnect_on_failure=False,
        )
        client.connect_timeout = settings.timeout
        if settings.username is not None:
            client.username_pw_set(settings.username, settings.password)
        if settings.tls:
            client.tls_set_context(ssl.create_default_context(cafile=settings.ca_file))

        connack = threading.Event()
        outcome: dict[str, ReasonCode] = {}

        def on_connect(
            client: mqtt.Client,
            userdata: Any,
            flags: Any,
            reason: ReasonCode,
            properties: Any,
        ) -> None:
            outcome["reason"] = reason
            connack.set()

        client.on_connect = on_connect
        client.on_disconnect = self._on_disconnect

        try:
            client.connect(settings.host, settings.port, keepalive=settings.keepalive)
        except (OSError, ValueError) as error:
            raise BrokerUnavailable(
                _describe_connect_error(error, settings.timeout)
            ) from None

        client.loop_start()
        if not connack.wait(settings.timeout):
            _stop(client)
            raise BrokerUnavailable(
                f"no answer to CONNECT within {settings.timeout:g} s"
            )

        reason = outcome["reason"]
        if reason.is_failure:
            _stop(client)
            raise BrokerUnavailable(
                f"broker refused the connection: {reason}",
                is_permanent=str(reason) in PERMANENT_REFUSALS,
            )

        log.info("connected to MQTT broker", target=self.target)
        return client

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: Any,
        reason: ReasonCode,
        properties: Any,
    ) -> None:
        # A disconnect we asked for carries reason 0; anything else is a loss.
        if reason.is_failure:
            log.warning("MQTT connection lost", reason=str(reason), target=self.target)


def _stop(client: mqtt.Client) -> None:
    client.disconnect()
    client.loop_stop()


def _describe_connect_error(error: BaseException, timeout: float) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"certificate not trusted ({error.verify_message})"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed ({error.reason})"
    if isinstance(error, TimeoutError):
        return f"no connection within {timeout:g} s"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "host name could not be resolved"
    if isinstance(error, OSError) and error.strerror:
        return f"connection failed: {error.strerror.lower()}"
    return f"connection failed: {type(error).__name__}"

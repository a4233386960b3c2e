"""Fixtures for the MQTT notifier's tests, against real Mosquitto brokers.

- ``subscriber``: a paho client subscribed (QoS 2) to a fresh topic prefix
  on the broker at 127.0.0.1:1883, collecting what arrives.
- ``topic_prefix``: that prefix, unique per test.
- ``tls_broker``: a second Mosquitto started for the session on a free
  port, speaking TLS with a self-signed certificate (made with the
  ``openssl`` command) and requiring a user name and password.
- ``make_alarm``, ``make_notifier``, ``log_text``, ``closed_port``.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

import paho.mqtt.client as mqtt
import pytest
from loguru import logger
from paho.mqtt.enums import CallbackAPIVersion

from alarmhugger_mqtt import MqttPlugin
from gateway.kit import Alarm
from gateway.kit import GatewayConfig

BROKER = ("127.0.0.1", 1883)
USERNAME = "gateway"
PASSWORD = "mqtt-pw-8a7b6c5d4e"


class Subscriber:
    """A paho client that collects every message on its subscription."""

    def __init__(self, host: str, port: int, topic: str, **connect) -> None:
        self.messages: list[mqtt.MQTTMessage] = []
        self._arrived = threading.Condition()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        if "username" in connect:
            self.client.username_pw_set(connect["username"], connect["password"])
        if "ca_file" in connect:
            self.client.tls_set_context(
                ssl.create_default_context(cafile=connect["ca_file"])
            )
        self.client.on_connect = lambda client, *args: client.subscribe(topic, qos=2)
        self.client.on_subscribe = lambda *args: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect(host, port)
        self.client.loop_start()
        if not self._subscribed.wait(5):
            raise AssertionError(f"no SUBACK from {host}:{port}")

    def _on_message(self, client, userdata, message) -> None:
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[mqtt.MQTTMessage]:
        """Block until ``count`` messages arrived (or fail after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} messages, got {len(self.messages)}"
                    )
                self._arrived.wait(remaining)
            return list(self.messages)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def topic_prefix() -> str:
    """A topic prefix no other test publishes under."""
    return f"alarmhugger-test/{uuid.uuid4().hex[:12]}"


@pytest.fixture
def subscriber(topic_prefix):
    """A subscriber on ``<topic_prefix>/#`` at the broker on 127.0.0.1:1883."""
    client = Subscriber(*BROKER, f"{topic_prefix}/#")
    yield client
    client.close()


@pytest.fixture
def make_subscriber():
    """Start more subscribers (``Subscriber`` arguments); closed after the test."""
    started = []

    def start(*args, **kwargs) -> Subscriber:
        started.append(Subscriber(*args, **kwargs))
        return started[-1]

    yield start
    for client in started:
        client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class TlsBroker:
    """Where the TLS broker listens and the CA file that trusts it."""

    port: int
    ca_file: str
    username: str = USERNAME
    password: str = PASSWORD


@pytest.fixture(scope="session")
def tls_broker(tmp_path_factory):
    """A Mosquitto with TLS and password login, running for the session."""
    folder = tmp_path_factory.mktemp("mosquitto")
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    passwords = folder / "passwords"
    subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(passwords), USERNAME, PASSWORD],
        check=True,
        capture_output=True,
    )
    port = free_port()
    config = folder / "mosquitto.conf"
    config.write_text(
        f"user root\npersistence false\nlog_dest stderr\n"
        f"listener {port} 127.0.0.1\n"
        f"certfile {certificate}\nkeyfile {key}\n"
        f"allow_anonymous false\npassword_file {passwords}\n"
    )

    process = subprocess.Popen(
        ["mosquitto", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_until_running(process)
    yield TlsBroker(port, str(certificate))
    process.terminate()
    process.wait(timeout=10)


def _wait_until_running(process: subprocess.Popen) -> None:
    # Mosquitto says "... running" once its listeners are open.
    seen = []
    for line in process.stderr:
        seen.append(line)
        if " running" in line:
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return
    raise AssertionError("mosquitto did not start:\n" + "".join(seen))


@pytest.fixture
def make_alarm():
    """Build an alarm; keyword arguments replace the defaults."""

    def build(**overrides) -> Alarm:
        values = dict(
            id="01J9ZK3V7Q8Y2W4E6R8T0Y2U4I",
            received_at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc),
            source="default",
            client_ip="52.89.214.238",
            content_type="application/json",
            raw='{"ticker": "BTCUSDT", "action": "buy", "price": 64250.5}',
            parser="tradingview",
            format="json",
            ticker="BTCUSDT",
            action="buy",
            price=Decimal("64250.5"),
            message="🚀 breakout ✅",
            fields={"ticker": "BTCUSDT", "action": "buy", "price": Decimal("64250.5")},
        )
        values.update(overrides)
        return Alarm(**values)

    return build


@pytest.fixture
def make_notifier():
    """Configure the plugin with ``[plugin:mqtt]`` keys and return its notifier.

    ``host``/``port`` default to the broker at 127.0.0.1:1883 and
    ``timeout`` to 5 s; every notifier is closed after the test.
    """
    plugins = []

    def build(**settings: str):
        values = {"host": BROKER[0], "port": str(BROKER[1]), "timeout": "5"}
        values.update(settings)
        plugin = MqttPlugin()
        config = GatewayConfig({"plugin:mqtt": values})
        plugin.gateway_configure(config=config)
        (notifier,) = plugin.gateway_register_notifiers(config=config)
        plugins.append(plugin)
        return notifier

    yield build
    for plugin in plugins:
        plugin.gateway_shutdown()


@pytest.fixture
def log_text():
    """Return a callable giving all loguru output of the test so far."""
    lines: list[str] = []
    sink_id = logger.add(
        lambda message: lines.append(str(message)),
        level="DEBUG",
        format="{level} {message} {extra}",
    )
    yield lambda: "".join(lines)
    logger.remove(sink_id)


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on (connections are refused)."""
    return free_port()

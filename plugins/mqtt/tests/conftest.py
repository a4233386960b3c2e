"""Fixtures for the MQTT notifier's tests, against real Mosquitto brokers.

- ``subscriber``: a paho client subscribed (QoS 2) to a fresh topic prefix
  on the broker at 127.0.0.1:1883, collecting what arrives.
- ``topic_prefix``: that prefix, unique per test.
- ``tls_broker``: a second Mosquitto started for the session on a free
  port, speaking TLS with a self-signed certificate and requiring a user
  name and password.
- ``make_notifier``: a configured notifier (the broker at 127.0.0.1:1883,
  5 s timeout, unless a test says otherwise); closed after the test.

The core's pytest plugin gives ``make_alarm``, ``log_records``,
``log_lines``, ``closed_url`` and ``silent_url``.
"""

from __future__ import annotations

import ssl
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from alarmhugger_mqtt import MqttPlugin
from gateway.testing import free_port
from gateway.testing import make_certificate

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
    certificate, key = make_certificate(folder)
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
def make_notifier(configure_notifier):
    """Configure the plugin with ``[plugin:mqtt]`` keys; return its notifier.

    ``host``/``port`` default to the broker at 127.0.0.1:1883 and
    ``timeout`` to 5 s; every notifier is closed after the test.
    """

    def make(**settings):
        section = {
            "host": BROKER[0],
            "port": str(BROKER[1]),
            "timeout": "5",
            **settings,
        }
        return configure_notifier(MqttPlugin(), "mqtt", **section)

    return make

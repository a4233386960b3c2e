"""Fixtures for the webhook notifier's tests.

- ``make_alarm``: an :class:`~gateway.kit.Alarm` with plausible values,
  any of them overridable.
- ``make_notifier``: the ``webhook`` notifier built the way the core does
  (configure, then register) from ``[plugin:webhook]`` keys; closed after
  the test.
- ``stub``: a real HTTP server on 127.0.0.1 recording requests; set its
  ``respond`` to script answers. One server serves the whole session
  (stopping one costs half a second), emptied before each test.
- ``log_text``: everything loguru writes during the test, as one string.
- ``closed_port``: a local port that refuses connections.
"""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal

import pytest
from loguru import logger

from alarmhugger_webhook import WebhookPlugin
from gateway.kit import Alarm
from gateway.kit import GatewayConfig
from gateway.testing import StubHTTPServer
from gateway.testing import StubResponse


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
            message="🚀 breakout ✅ target 70k 🎯",
            fields={"ticker": "BTCUSDT", "action": "buy", "price": Decimal("64250.5")},
        )
        values.update(overrides)
        return Alarm(**values)

    return build


@pytest.fixture
def make_notifier():
    """Configure the plugin with ``[plugin:webhook]`` keys and return its notifier."""
    built = []

    def build(**settings: str):
        plugin = WebhookPlugin()
        config = GatewayConfig({"plugin:webhook": settings})
        plugin.gateway_configure(config=config)
        (notifier,) = plugin.gateway_register_notifiers(config=config)
        built.append(notifier)
        return notifier

    yield build
    for notifier in built:
        notifier.close()


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
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def shared_stub():
    """The session's stub server; use ``stub`` instead."""
    with StubHTTPServer() as server:
        yield server


@pytest.fixture
def stub(shared_stub):
    """The stub server with no requests recorded, answering 200 by default."""
    shared_stub.requests.clear()
    shared_stub.respond = lambda request, count: StubResponse(200, {"ok": True})
    return shared_stub

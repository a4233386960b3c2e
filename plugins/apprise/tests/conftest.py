"""Fixtures for the Apprise notifier's tests.

- ``stub``: a real HTTP server on 127.0.0.1 standing in for a service
  Apprise posts JSON to (``json://`` URLs); set ``respond`` to script
  answers. One server serves the session, emptied before each test.
- ``json_url``: a ``json://`` URL for a path on that server.
- ``make_alarm``, ``make_notifier``, ``log_text``, ``closed_port``.
"""

from __future__ import annotations

import datetime as dt
import socket
import warnings
from decimal import Decimal

import apprise
import pytest
from loguru import logger

from alarmhugger_apprise import ApprisePlugin
from gateway.kit import Alarm
from gateway.kit import GatewayConfig
from gateway.testing import StubHTTPServer
from gateway.testing import StubResponse


@pytest.fixture(scope="session", autouse=True)
def _apprise_plugins_loaded():
    """Load Apprise's service plugins once, quietly.

    Loading imports ``imghdr`` (through PGPy), which Python 3.11 flags as
    deprecated; that is Apprise's concern, not a failure of ours.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        apprise.Apprise.instantiate("json://localhost")


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


@pytest.fixture
def json_url(stub):
    """Return ``json://127.0.0.1:<port><path>`` for the stub server."""

    def build(path: str = "/notify") -> str:
        return stub.url.replace("http://", "json://", 1) + path

    return build


@pytest.fixture
def make_alarm():
    """Build an alarm; keyword arguments replace the defaults."""

    def build(**overrides) -> Alarm:
        values = dict(
            id="01J9ZK3V7Q8Y2W4E6R8T0Y2U4I",
            received_at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc),
            source="default",
            client_ip="52.89.214.238",
            content_type="text/plain",
            raw="🚀 BTCUSDT breakout",
            parser="tradingview",
            format="text",
            ticker="BTCUSDT",
            action="buy",
            price=Decimal("64250.5"),
            message="🚀 breakout <b>now</b> & *fast*",
        )
        values.update(overrides)
        return Alarm(**values)

    return build


@pytest.fixture
def make_notifier():
    """Configure the plugin with ``[plugin:apprise]`` keys and return its notifier."""

    def build(**settings: str):
        plugin = ApprisePlugin()
        config = GatewayConfig({"plugin:apprise": settings})
        plugin.gateway_configure(config=config)
        (notifier,) = plugin.gateway_register_notifiers(config=config)
        return notifier

    return build


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

"""The stand-in HTTP server plugin tests talk to (gateway.testing)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import socket
import ssl
import threading
import time
from decimal import Decimal

import pytest
import requests

from gateway.testing import StubHTTPServer
from gateway.testing import StubResponse
from gateway.testing import find_package_problems
from gateway.testing import make_certificate
from gateway.testing import make_alarm


def test_stub_server_records_requests_and_plays_answers():
    def respond(request, count):
        return StubResponse(429 if count else 200, {"n": count})

    with StubHTTPServer(respond) as server:
        first = requests.post(server.url + "/a", json={"x": 1}, timeout=5)
        second = requests.post(server.url + "/b", data=b"raw", timeout=5)

    assert (first.status_code, first.json()) == (200, {"n": 0})
    assert (second.status_code, second.json()) == (429, {"n": 1})
    assert [request.path for request in server.requests] == ["/a", "/b"]
    assert server.requests[0].json() == {"x": 1}


def test_stub_server_stops_quickly():
    server = StubHTTPServer()
    server.__enter__()

    started = time.monotonic()
    server.__exit__(None, None, None)

    assert time.monotonic() - started < 0.3


def test_stub_server_client_hanging_up_prints_no_traceback(capsys):
    with StubHTTPServer() as server:
        for error in (BrokenPipeError(), ConnectionResetError()):
            try:
                raise error
            except OSError:
                server._server.handle_error(None, ("127.0.0.1", 1))

        try:
            raise ValueError("a real bug in a handler")
        except ValueError:
            server._server.handle_error(None, ("127.0.0.1", 1))

    stderr = capsys.readouterr().err
    assert "BrokenPipeError" not in stderr
    assert "ConnectionResetError" not in stderr
    assert "ValueError: a real bug in a handler" in stderr


def test_stub_server_script_wins_over_respond_until_reset(stub_server):
    stub_server.respond = lambda request, count: StubResponse(201)
    stub_server.script[1] = StubResponse(503)
    stub_server.script["*"] = lambda request, count: (
        StubResponse(418) if request.path == "/teapot" else None
    )

    statuses = [
        requests.post(stub_server.url + path, timeout=5).status_code
        for path in ("/a", "/b", "/teapot", "/c")
    ]
    stub_server.reset()
    after_reset = requests.post(stub_server.url + "/d", timeout=5)

    assert statuses == [201, 503, 418, 201]
    assert after_reset.status_code == 200
    assert [request.path for request in stub_server.requests] == ["/d"]


def test_make_alarm_fills_attributes_and_fields():
    alarm = make_alarm(id="a-1", ticker="ETHUSDT", price=3150.25, signal="rsi")

    assert alarm.id == "a-1"
    assert alarm.ticker == "ETHUSDT"
    assert alarm.price == Decimal("3150.25")
    assert alarm.fields == {
        "ticker": "ETHUSDT",
        "price": Decimal("3150.25"),
        "signal": "rsi",
    }
    assert json.loads(alarm.raw) == {
        "ticker": "ETHUSDT",
        "price": 3150.25,
        "signal": "rsi",
    }


def test_make_alarm_values_json_cannot_hold_are_raw_as_text():
    received = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)

    alarm = make_alarm(price=Decimal("0.1"), received_at=received)

    assert alarm.received_at == received
    assert json.loads(alarm.raw) == {
        "price": "0.1",
        "received_at": "2024-05-01 12:00:00+00:00",
    }


def test_make_certificate_is_trusted_for_127_0_0_1_as_its_own_ca(tmp_path):
    certificate, key = make_certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(certificate, key)
    client_context = ssl.create_default_context(cafile=str(certificate))

    with socket.create_server(("127.0.0.1", 0)) as listener:

        def accept_one() -> None:
            connection, _ = listener.accept()
            with server_context.wrap_socket(connection, server_side=True):
                pass

        server = threading.Thread(target=accept_one, daemon=True)
        server.start()
        address = listener.getsockname()
        with socket.create_connection(address, timeout=5) as raw:
            with client_context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                assert tls.version() is not None
        server.join(5)


def test_closed_and_silent_urls_refuse_and_hang(closed_url, silent_url):
    with pytest.raises(requests.ConnectionError):
        requests.get(closed_url, timeout=2)
    with pytest.raises(requests.ReadTimeout):
        requests.get(silent_url, timeout=(2, 0.1))


def test_configure_notifier_returns_the_plugins_notifier(
    configure_notifier, recording_notifier
):
    notifier = configure_notifier(recording_notifier, "recorder", sources="tv")

    assert notifier.name == "recorder"


def test_find_package_problems_bundled_plugin_keeps_the_rules():
    import alarmhugger_tradingview

    problems = find_package_problems(
        alarmhugger_tradingview, "tradingview", "TradingViewParser"
    )

    assert problems == []


def test_find_package_problems_names_each_broken_rule(tmp_path):
    package = tmp_path / "alarmhugger_stray"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from gateway.kit import hookimpl\n"
        "Helper = 1\n"
        "__all__ = ['StrayPlugin']\n"
        "class StrayPlugin:\n    pass\n",
        encoding="utf-8",
    )
    (package / "_inside.py").write_text(
        "from gateway.config import GatewayConfig\n", encoding="utf-8"
    )
    spec = importlib.util.spec_from_file_location(
        "alarmhugger_stray", package / "__init__.py"
    )
    stray = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stray)

    problems = find_package_problems(stray, "stray", "StrayPlugin")

    assert problems[0] == "no entry point 'stray' is installed"
    assert problems[1].startswith("__all__ is ['StrayPlugin'], public names are")
    assert "'Helper'" in problems[1] and "'hookimpl'" in problems[1]
    assert problems[2:] == ["_inside.py imports from gateway.config"]

"""Fixtures for testing AlarmHugger plugins, loaded by pytest automatically.

Installed with the core (entry point ``pytest11``), so a plugin's own test
suite gets them with nothing to import:

- ``make_app(sections, plugins)``: an in-process gateway app built from
  section overrides, with plugin objects registered by name; closed after
  the test. Logs go to a file in the test's temporary folder.
- ``memory_storage``: a storage plugin that keeps alarms in a list.
- ``recording_notifier``: a notifier plugin that records what it was sent.
- ``log_records``: every loguru record emitted during the test (masked).
- ``log_lines``: the same as ``LEVEL message`` lines, for plain asserts.
- ``make_alarm(**values)``: a stored-looking alarm from a sender's keys.
- ``stub_server``: a real HTTP server on 127.0.0.1 standing in for a
  service (:class:`~gateway.testing.StubHTTPServer`), shared by the
  session and reset for each test.
- ``closed_url`` / ``silent_url``: an address where nothing listens / one
  that accepts connections and never answers.
- ``configure_notifier(plugin, name, **settings)``: a notifier plugin
  configured from one ``[plugin:NAME]`` section, and its one notifier;
  closed after the test.
- ``start_gateway(sections, env)``: a real ``gateway serve`` subprocess on
  a free port (waitress), stopped after the test.
- ``isolated_gateway``: runs the test in its temporary folder with no
  ``gateway.ini`` and none of the gateway's environment variables.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pluggy
import pytest
from loguru import logger

from gateway import hookspecs
from gateway._memory_storage import MemoryStorage
from gateway._memory_storage import RecordingNotifierPlugin
from gateway.config import GatewayConfig
from gateway.plugins import load_plugin_settings
from gateway.testing import StubHTTPServer
from gateway.testing import free_port
from gateway.testing import make_alarm as build_alarm

GATEWAY_VARIABLES = (
    "GATEWAY_CONFIG",
    "DATABASE_URL",
    "ALLOWED_IPS",
    "APIKEY",
    "SECRETKEY",
    "APIURL",
)


@pytest.fixture
def isolated_gateway(tmp_path, monkeypatch):
    """Keep ./gateway.ini and the gateway's variables out of one test."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name in GATEWAY_VARIABLES or name.startswith("GATEWAY__"):
            monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def make_app(tmp_path):
    """Build in-process gateway apps; every app is closed after the test."""
    from gateway.app import create_app
    from gateway.app import gateway_of

    apps = []

    def make(overrides=None, plugins=None, start=True):
        sections = {
            "gateway": {"data_dir": str(tmp_path / "data")},
            "logging": {
                "file": str(tmp_path / "logs" / "gateway.log"),
                "console": "false",
            },
        }
        for section, values in (overrides or {}).items():
            sections.setdefault(section, {}).update(values)
        app = create_app(sections, plugins=plugins, start=start)
        apps.append(app)
        return app

    yield make
    for app in apps:
        gateway_of(app).close()


@pytest.fixture
def memory_storage():
    """A fresh in-memory storage plugin object (register it as a plugin)."""
    return MemoryStorage()


@pytest.fixture
def recording_notifier():
    """A notifier plugin object whose notifier records every alarm sent."""
    return RecordingNotifierPlugin()


@pytest.fixture
def log_records():
    """Every loguru record emitted during the test, as sinks see them."""
    records = []
    handler_id = logger.add(
        lambda message: records.append(message.record),
        level="DEBUG",
        format="{message}",
    )
    yield records
    logger.remove(handler_id)


@pytest.fixture
def log_lines():
    """Every loguru line emitted during the test, as ``LEVEL message``."""
    lines: list[str] = []
    handler_id = logger.add(
        lambda line: lines.append(line.rstrip("\n")),
        level="DEBUG",
        format="{level} {message}",
    )
    yield lines
    logger.remove(handler_id)


@pytest.fixture
def make_alarm():
    """Build alarms from a sender's keys, e.g. ``make_alarm(ticker="ETHUSDT")``."""
    return build_alarm


@pytest.fixture(scope="session")
def _session_stub_server():
    with StubHTTPServer() as server:
        yield server


@pytest.fixture
def stub_server(_session_stub_server):
    """A running stand-in HTTP server with no requests, no script, default answers.

    Set ``respond`` for the service's usual answer and fill ``script`` for
    particular requests; both are reset after the test.
    """
    _session_stub_server.reset()
    yield _session_stub_server
    _session_stub_server.reset()


@pytest.fixture
def configure_notifier():
    """Configure a notifier plugin from one section and return its one notifier.

    ``configure_notifier(TelegramPlugin(), "telegram", chat_id=42, ...)``:
    values become strings, as ``gateway.ini`` gives them. Every notifier
    built is closed after the test.
    """
    notifiers = []

    def configure(plugin, name: str, **settings):
        section = {key: str(value) for key, value in settings.items()}
        config = GatewayConfig({f"plugin:{name}": section})
        # Called through pluggy, as the core calls them: a plugin may leave
        # a hook out or take only some of its arguments.
        manager = pluggy.PluginManager(hookspecs.PROJECT)
        manager.add_hookspecs(hookspecs)
        manager.register(plugin, name)
        settings = load_plugin_settings(manager, name, config)
        manager.hook.gateway_configure(config=config, settings=settings)
        [[notifier]] = manager.hook.gateway_register_notifiers(config=config)
        notifiers.append(notifier)
        return notifier

    yield configure
    for notifier in notifiers:
        notifier.close()


@pytest.fixture
def closed_url():
    """The address of a port on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def silent_url():
    """The address of a port on 127.0.0.1 that accepts connections, never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def write_config(folder: Path, sections: dict) -> Path:
    """Write ``sections`` as ``folder/gateway.ini`` and return its path."""
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {value}" for key, value in values.items())
        lines.append("")
    path = folder / "gateway.ini"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass
class LiveGateway:
    """A ``gateway serve`` subprocess and where to reach it."""

    url: str
    process: subprocess.Popen
    log_file: Path
    config_path: Path

    def post(self, path="/alarms/webhook", **kwargs):
        """POST to the gateway (``requests``), 10 s timeout."""
        import requests

        kwargs.setdefault("timeout", 10)
        return requests.post(self.url + path, **kwargs)

    def get(self, path, **kwargs):
        """GET from the gateway (``requests``), 10 s timeout."""
        import requests

        kwargs.setdefault("timeout", 10)
        return requests.get(self.url + path, **kwargs)

    def log_text(self) -> str:
        """The gateway's log file so far."""
        return (
            self.log_file.read_text(encoding="utf-8") if self.log_file.exists() else ""
        )

    def wait_for_log(self, fragment: str, timeout: float = 5.0) -> str:
        """Wait until ``fragment`` is in the log file (written from a queue)."""
        deadline = time.monotonic() + timeout
        while fragment not in (text := self.log_text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{fragment!r} not logged within {timeout} s")
            time.sleep(0.02)
        return text


@pytest.fixture
def start_gateway(tmp_path):
    """Start ``gateway serve`` with the given sections; stopped after the test."""
    started: list[subprocess.Popen] = []

    def start(sections=None, env=None, name="gw") -> LiveGateway:
        # Starting again under the same name reuses the folder (data, spool,
        # logs): that is how a test restarts a gateway after killing it.
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        port = free_port()
        merged = {
            "gateway": {
                "plugins": "tradingview, sql",
                "port": str(port),
                "threads": "4",
            },
            "logging": {"file": "logs/gateway.log", "level": "DEBUG"},
        }
        for section, values in (sections or {}).items():
            merged.setdefault(section, {}).update(values)
        config_path = write_config(folder, merged)

        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in GATEWAY_VARIABLES and not key.startswith("GATEWAY__")
        }
        environment.update(env or {})
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "serve",
                "--config",
                str(config_path),
            ],
            cwd=folder,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=(folder / "stderr.txt").open("wb"),
        )
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        _wait_until_serving(url, process, folder / "stderr.txt")
        return LiveGateway(url, process, folder / "logs" / "gateway.log", config_path)

    yield start

    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_serving(url: str, process: subprocess.Popen, stderr: Path) -> None:
    import requests

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"gateway exited with {process.returncode}:\n{stderr.read_text()}"
            )
        try:
            requests.get(url + "/server/status-server", timeout=1)
            return
        except requests.ConnectionError:
            # Polling a socket that is not listening yet: there is no event.
            time.sleep(0.05)
    pytest.fail(f"gateway did not start within 30 s:\n{stderr.read_text()}")

"""Fixtures for the core's tests.

- ``make_app``: build a gateway app from section overrides (and optional
  plugin objects); every app is closed after the test.
- ``memory_storage`` / ``app`` / ``client``: an app on the in-memory storage
  plugin of ``tests/plugins``, for tests that need no database.
- ``log_records``: every loguru record emitted during the test, masked as a
  sink would see it.
"""

from __future__ import annotations

import pytest
from loguru import logger

from gateway.app import create_app
from gateway.app import gateway_of
from tests.plugins.memory_storage import MemoryStorage


@pytest.fixture
def make_app(tmp_path):
    apps = []

    def make(overrides=None, plugins=None):
        sections = {
            "gateway": {"data_dir": str(tmp_path / "data")},
            "logging": {"file": str(tmp_path / "logs" / "gateway.log"), "console": "false"},
        }
        for section, values in (overrides or {}).items():
            sections.setdefault(section, {}).update(values)
        app = create_app(sections, plugins=plugins)
        apps.append(app)
        return app

    yield make
    for app in apps:
        gateway_of(app).close()


@pytest.fixture
def memory_storage():
    return MemoryStorage()


@pytest.fixture
def app(make_app, memory_storage):
    return make_app(
        {"gateway": {"plugins": "tradingview, memory"}},
        plugins={"memory": memory_storage},
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def log_records():
    records = []
    handler_id = logger.add(
        lambda message: records.append(message.record), level="DEBUG", format="{message}"
    )
    yield records
    logger.remove(handler_id)


# --------------------------------------------------------------------------
# A real gateway process served by waitress on a free port
# --------------------------------------------------------------------------

import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import requests  # noqa: E402

GATEWAY_COMMAND = [sys.executable, "-m", "gateway.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveGateway:
    """A ``gateway serve`` subprocess and where to reach it."""

    url: str
    process: subprocess.Popen
    log_file: Path
    config_path: Path

    def post(self, path="/alarms/webhook", **kwargs):
        return requests.post(self.url + path, timeout=10, **kwargs)

    def get(self, path, **kwargs):
        return requests.get(self.url + path, timeout=10, **kwargs)

    def log_text(self) -> str:
        return self.log_file.read_text(encoding="utf-8") if self.log_file.exists() else ""


def write_config(folder: Path, sections: dict) -> Path:
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {value}" for key, value in values.items())
        lines.append("")
    path = folder / "gateway.ini"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def start_gateway(tmp_path):
    """Start ``gateway serve`` with the given sections; stopped after the test."""
    started: list[subprocess.Popen] = []

    def start(sections=None, env=None, name="gw") -> LiveGateway:
        folder = tmp_path / name
        folder.mkdir()
        port = free_port()
        merged = {
            "gateway": {"plugins": "tradingview, sql", "port": str(port), "threads": "4"},
            "logging": {"file": "logs/gateway.log", "level": "DEBUG"},
        }
        for section, values in (sections or {}).items():
            merged.setdefault(section, {}).update(values)
        config_path = write_config(folder, merged)

        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("GATEWAY") and key not in {"DATABASE_URL", "SECRETKEY", "APIKEY"}
        }
        environment.update(env or {})
        process = subprocess.Popen(
            [*GATEWAY_COMMAND, "serve", "--config", str(config_path)],
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
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gateway exited with {process.returncode}:\n{stderr.read_text()}")
        try:
            requests.get(url + "/server/status-server", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    pytest.fail(f"gateway did not start within 30 s:\n{stderr.read_text()}")

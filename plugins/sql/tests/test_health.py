"""The ``database`` health check: ok when ``SELECT 1`` answers, else failing."""

from __future__ import annotations

import socket
import time

from gateway.kit import CheckResult

from alarmhugger_sql import SqlStorage

CLOSED_PORT_URL = "postgresql://alarm_app:Hunter2-pw-X@127.0.0.1:1/alarms"


def test_health_reachable_database_ok(database_url, start_storage):
    storage = start_storage(database_url)

    checks = storage.gateway_check_health()

    check = checks["database"]
    assert isinstance(check, CheckResult)
    assert check.ok is True
    assert check.critical is True
    assert check.details["backend"] == database_url.split(":")[0]
    assert isinstance(check.details["latency_ms"], float)
    assert "error" not in check.details


def test_health_closed_port_fails_without_password(start_storage, log_records):
    """Case 20-health-ok-while-database-down: the check fails, critically."""
    storage = start_storage(CLOSED_PORT_URL)

    check = storage.gateway_check_health()["database"]

    assert check.ok is False
    assert check.critical is True
    assert check.details["backend"] == "postgresql"
    assert "refused" in check.details["error"].lower()
    assert "Hunter2-pw-X" not in repr(check.details)
    assert all("Hunter2-pw-X" not in record["message"] for record in log_records)


def test_health_silent_server_fails_within_timeout(start_storage):
    # A server that accepts TCP but never speaks: the check must not hang.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        storage = start_storage(
            f"postgresql://u@127.0.0.1:{port}/alarms",
            connect_timeout=2,
            auto_upgrade="false",
        )

        started = time.monotonic()
        check = storage.gateway_check_health()["database"]
        elapsed = time.monotonic() - started

    assert check.ok is False
    assert elapsed < 3.5


def test_health_before_startup_fails():
    check = SqlStorage().gateway_check_health()["database"]

    assert check.ok is False
    assert check.details["error"] == "storage not started"


def test_health_after_shutdown_fails(database_url, start_storage):
    storage = start_storage(database_url)

    storage.gateway_shutdown()

    assert storage.gateway_check_health()["database"].ok is False

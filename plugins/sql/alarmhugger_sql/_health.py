"""The ``database`` health check: can we run ``SELECT 1``, and how fast.

The check runs on its own thread with a deadline, so a server that stops
answering (a black-holed network, say) makes the check fail within
seconds instead of holding the health endpoint until TCP gives up.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import text

from gateway.kit import CheckResult

from alarmhugger_sql._database import Database
from alarmhugger_sql._database import describe_error

CHECK_NAME = "database"


def check_database(database: Database | None, timeout: float) -> CheckResult:
    """Run ``SELECT 1`` within ``timeout`` seconds and report the outcome.

    :param database: the started database, or ``None`` before start-up.
    :returns: a critical check with ``backend``, ``latency_ms`` and, when
        failing, a short ``error`` without secrets.
    """
    if database is None:
        return CheckResult(False, {"error": "storage not started"}, critical=True)

    details: dict[str, Any] = {"backend": database.backend}
    outcome: dict[str, BaseException | None] = {}
    started = time.perf_counter()

    def probe() -> None:
        try:
            with database.engine.connect() as connection:
                connection.execute(text("SELECT 1")).scalar_one()
        except Exception as error:  # reported in the check, never raised
            outcome["error"] = error
        else:
            outcome["error"] = None

    worker = threading.Thread(target=probe, name="sql-health", daemon=True)
    worker.start()
    worker.join(timeout)
    details["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)

    if "error" not in outcome:
        details["error"] = f"no answer within {timeout:g} s"
        return CheckResult(False, details, critical=True)

    error = outcome["error"]
    if error is not None:
        details["error"] = describe_error(error)
        return CheckResult(False, details, critical=True)
    return CheckResult(True, details, critical=True)

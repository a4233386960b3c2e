"""``GET /server/status-server``: is the gateway able to take alarms?"""

from __future__ import annotations

import threading
import time

from flask import jsonify
from flask import request
from flask_smorest import Blueprint
from loguru import logger

from gateway import __version__
from gateway._types import CheckResult
from gateway.api import current_gateway
from gateway.api.auth import is_authorised
from gateway.plugins import PluginCallError

bp = Blueprint(
    "server",
    __name__,
    url_prefix="/server",
    description="Health of the gateway, its database and plugins.",
)

_RESERVED = {
    "status",
    "version",
    "uptime_s",
    "plugins",
    "counters",
    "spool",
    "notifiers",
}
_last_status: dict[int, str] = {}
_status_lock = threading.Lock()


def _collect_checks() -> dict[str, CheckResult]:
    gateway = current_gateway()
    checks: dict[str, CheckResult] = {}
    implementations = gateway.plugins.implementations("gateway_check_health")

    for implementation in implementations:
        try:
            answer = gateway.plugins.call_impl(
                implementation, "gateway_check_health", {}
            )
        except PluginCallError as failure:
            logger.opt(exception=failure.error).error(
                "health check of plugin {} failed", failure.plugin
            )
            answer = {
                failure.plugin: CheckResult(
                    ok=False, details={"error": "the health check itself failed"}
                )
            }
        for name, result in (answer or {}).items():
            key = f"{implementation.plugin}_{name}" if name in _RESERVED else name
            checks[key] = result
    return checks


def _notifier_report() -> dict[str, dict[str, object]]:
    gateway = current_gateway()
    lanes = gateway.dispatcher.lane_states()
    if not lanes:
        return {}

    try:
        answer = gateway.plugins.call_first("gateway_delivery_backlog")
    except PluginCallError as failure:
        logger.opt(exception=failure.error).warning(
            "could not read the delivery backlog"
        )
        answer = None
    backlog = answer[1] if answer else {}

    report: dict[str, dict[str, object]] = {}
    for name, is_running in lanes.items():
        counts = backlog.get(name)
        report[name] = {
            # A lane that is not running delivers nothing: say so.
            "ok": is_running or not gateway.dispatcher.settings.is_enabled,
            "dispatcher_running": is_running,
            "pending": counts.pending if counts else None,
            "dead": counts.dead if counts else None,
            "oldest_pending_age_s": counts.oldest_pending_age_s if counts else None,
        }
    return report


def _log_status_change(status: str) -> None:
    # One line when health changes, not one per probe.
    app_key = id(current_gateway())
    with _status_lock:
        previous = _last_status.get(app_key)
        _last_status[app_key] = status
    if previous is not None and previous != status:
        logger.warning("gateway health changed: {} -> {}", previous, status)


@bp.route("/status-server", methods=["GET"])
@bp.doc(
    summary="Health of the gateway",
    responses={200: {"description": "healthy"}, 503: {"description": "degraded"}},
)
def status_server():
    """Report the gateway's health: 200 when healthy, 503 when storage is down."""
    gateway = current_gateway()
    if request.args.get("probe") == "live":
        # Liveness: the process answers. Kept 200 while storage is down so
        # an orchestrator does not kill a gateway whose spool holds alarms.
        return jsonify({"status": "alive"})

    checks = _collect_checks()
    if gateway.spool is not None:
        checks["spool"] = CheckResult(
            ok=True, details={"pending": gateway.spool.pending}, critical=False
        )
    is_healthy = all(result.ok for result in checks.values() if result.critical)
    status = "ok" if is_healthy else "degraded"
    _log_status_change(status)

    if not is_authorised():
        # Without the API key only the verdict is shown, not the details.
        response = jsonify({"status": status})
        response.status_code = 200 if is_healthy else 503
        return response

    body: dict[str, object] = {
        "status": status,
        "version": __version__,
        "uptime_s": round(time.time() - gateway.started_at, 1),
        "plugins": [
            {"name": name, "version": gateway.plugins.versions.get(name, "?")}
            for name in gateway.plugins.enabled
        ],
        "counters": dict(gateway.ingest.counters),
    }
    for name, result in checks.items():
        body[name] = {"ok": result.ok, **result.details}
    notifiers = _notifier_report()
    if notifiers:
        body["notifiers"] = notifiers

    response = jsonify(body)
    response.status_code = 200 if is_healthy else 503
    return response

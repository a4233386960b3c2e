"""``POST /alarms/webhook[/<route>]``: where TradingView and others send alerts."""

from __future__ import annotations

import datetime as dt
import re

from flask import Response
from flask import jsonify
from flask import request
from flask_smorest import Blueprint

from gateway._types import InboundRequest
from gateway.api import current_gateway
from gateway.api.errors import error_response
from gateway.api.middleware import CLIENT_KEY
from gateway.api.middleware import REQUEST_ID_KEY

bp = Blueprint(
    "webhook",
    __name__,
    url_prefix="/alarms/webhook",
    description="Receive alerts from TradingView and other senders.",
)

_ROUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def _decode(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


@bp.route("", methods=["POST"], defaults={"route": "default"})
@bp.route("/<route>", methods=["POST"])
@bp.route("/<route>/<path_token>", methods=["POST"])
@bp.doc(
    summary="Receive one alert",
    description=(
        "Any content type is accepted: the body is stored whatever it is. "
        "Answers 200 with the new alarm's id once it is stored."
    ),
    responses={
        200: {"description": 'stored: {"id": ...}'},
        400: {"description": "empty body"},
        413: {"description": "body larger than the configured limit"},
        503: {"description": "storage unavailable; send again"},
    },
)
def receive_alarm(route: str, path_token: str | None = None):
    """Store one alert sent by TradingView or another sender."""
    return receive_webhook(route, path_token)


def receive_webhook(route: str = "default", path_token: str | None = None) -> Response:
    """Run the current Flask request through the gateway's pipeline as one webhook.

    This is what ``POST /alarms/webhook/<route>`` does; a plugin that adds a
    sender-specific path (``gateway_register_routes``) calls it from its
    view to get the same screens, parsers, storage and answers.

    :param route: the route name the alarm is recorded under (its
        ``source``): 1 to 64 letters, digits, ``.``, ``_`` or ``-``.
    :param path_token: a secret taken from the URL path, for the token
        screen; ``None`` when the URL carries none.
    :returns: the JSON response to send back, as the core's webhook
        answers: 200 with the alarm's id, 202 when spooled, a JSON error
        (4xx or 503) otherwise.
    """
    if not _ROUTE_NAME.match(route):
        return error_response(
            404,
            "not_found",
            "route names are 1 to 64 letters, digits, '.', '_' or '-'",
        )

    body = request.get_data(cache=False)
    if not body.strip():
        return error_response(
            400, "empty_body", "empty body: there is nothing to store"
        )

    inbound = InboundRequest(
        body=body,
        text=_decode(body),
        content_type=request.headers.get("Content-Type", ""),
        headers={name.lower(): value for name, value in request.headers.items()},
        query=request.args.to_dict(),
        client_ip=request.environ.get(CLIENT_KEY, request.remote_addr or ""),
        peer_ip=request.remote_addr or "",
        # Route names are case-insensitive, like the token screen treats them.
        route=route.lower(),
        received_at=dt.datetime.now(dt.timezone.utc),
        request_id=request.environ.get(REQUEST_ID_KEY, ""),
        path_token=path_token,
    )
    outcome = current_gateway().ingest.handle(inbound)

    response = jsonify(outcome.body)
    response.status_code = outcome.status
    response.headers.update(outcome.headers)
    return response


def _explain_method(route: str = "default", path_token: str | None = None):
    return error_response(
        405,
        "method_not_allowed",
        "send alerts with POST; read them back with GET /alarms",
    ), {"Allow": "POST"}


# Without this, GET /alarms/webhook would reach GET /alarms/<id> and answer
# 404; it is not in the API docs on purpose.
bp.add_url_rule("", view_func=_explain_method, methods=["GET"], endpoint="webhook_get")
for number, rule in enumerate(["/<route>", "/<route>/<path_token>"]):
    bp.add_url_rule(
        rule,
        view_func=_explain_method,
        methods=["GET"],
        endpoint=f"webhook_get_{number}",
    )

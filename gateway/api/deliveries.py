"""``GET /deliveries`` and ``POST /deliveries/<id>/retry``: operating deliveries."""

from __future__ import annotations

from flask import abort
from flask_smorest import Blueprint
from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from gateway._types import DELIVERY_STATES
from gateway._types import DeliveryQuery
from gateway.api import current_gateway
from gateway.api._common import FilterText
from gateway.api._common import call_storage
from gateway.api.auth import require_api_key

bp = Blueprint(
    "deliveries",
    __name__,
    url_prefix="/deliveries",
    description="See and re-queue deliveries of alarms to notifiers.",
)
bp.before_request(require_api_key)


class DeliverySchema(Schema):
    """One alarm's delivery to one notifier."""

    id = fields.String()
    alarm_id = fields.String()
    notifier = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)


class DeliveryListArgsSchema(Schema):
    """Arguments of ``GET /deliveries``."""

    class Meta:
        unknown = RAISE

    state = fields.String(validate=validate.OneOf(DELIVERY_STATES))
    notifier = FilterText()
    alarm_id = FilterText()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class DeliveryListSchema(Schema):
    """A list of deliveries."""

    deliveries = fields.List(fields.Nested(DeliverySchema))


class RequeuedSchema(Schema):
    """How many deliveries were re-queued."""

    requeued = fields.Integer()


def _call_storage(hook: str, **kwargs):
    answer = call_storage(hook, **kwargs)
    if answer is None:
        abort(501, description="no enabled storage plugin keeps deliveries")
    return answer[1]


@bp.route("", methods=["GET"])
@bp.arguments(
    DeliveryListArgsSchema, location="query", error_status_code=400, unknown=RAISE
)
@bp.response(200, DeliveryListSchema)
def list_deliveries(args: dict):
    """List deliveries, newest first; ``?state=dead`` shows what gave up."""
    query = DeliveryQuery(
        state=args.get("state"),
        notifier=args.get("notifier"),
        alarm_id=args.get("alarm_id"),
        limit=args["limit"],
    )
    return {"deliveries": _call_storage("gateway_query_deliveries", query=query)}


@bp.route("/<delivery_id>/retry", methods=["POST"])
@bp.response(200, RequeuedSchema)
def retry_delivery(delivery_id: str):
    """Re-queue one dead delivery: it is sent again at once, attempts from zero."""
    if len(delivery_id) > 64 or any(ord(character) < 32 for character in delivery_id):
        abort(404, description=f"no delivery with id {delivery_id[:64]!r}")
    found = _call_storage(
        "gateway_query_deliveries",
        query=DeliveryQuery(delivery_id=delivery_id, limit=1),
    )
    match = found[0] if found else None
    if match is None:
        abort(404, description=f"no delivery with id {delivery_id!r}")
    if match.state != "dead":
        abort(409, description=f"delivery {delivery_id} is {match.state}, not dead")

    count = _call_storage(
        "gateway_requeue_deliveries", delivery_ids=[delivery_id], state="dead"
    )
    current_gateway().dispatcher.wake([match.notifier])
    return {"requeued": count}

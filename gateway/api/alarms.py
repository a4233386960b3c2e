"""``GET /alarms``, ``/alarms/latest``, ``/alarms/<id>``: reading stored alarms."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from flask import abort
from flask_smorest import Blueprint
from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from gateway._types import AlarmQuery
from gateway.api import current_gateway
from gateway.api._common import FilterText
from gateway.api._common import FilterTime
from gateway.api._common import call_storage
from gateway.api.auth import require_api_key
from gateway.api.deliveries import DeliverySchema
from gateway.api.errors import error_response

bp = Blueprint(
    "alarms",
    __name__,
    url_prefix="/alarms",
    description="Query stored alarms.",
)
bp.before_request(require_api_key)


class AlarmFilterSchema(Schema):
    """Filters shared by ``/alarms`` and ``/alarms/latest``."""

    class Meta:
        # A misspelt filter must not silently return everything.
        unknown = RAISE

    ticker = FilterText()
    exchange = FilterText()
    action = FilterText()
    source = FilterText()
    since = FilterTime()
    until = FilterTime()
    q = FilterText(max_length=200)


class AlarmListArgsSchema(AlarmFilterSchema):
    """Arguments of ``GET /alarms``."""

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = FilterText(max_length=200)


class AlarmSchema(Schema):
    """An alarm as the API shows it."""

    id = fields.String()
    received_at = fields.AwareDateTime()
    source = fields.String()
    client_ip = fields.String()
    content_type = fields.String()
    raw = fields.String()
    raw_base64 = fields.Method("_raw_base64")
    parser = fields.String()
    format = fields.String()
    ticker = fields.String(allow_none=True)
    exchange = fields.String(allow_none=True)
    interval = fields.String(allow_none=True)
    action = fields.String(allow_none=True)
    price = fields.Decimal(allow_none=True)
    quantity = fields.Decimal(allow_none=True)
    message = fields.String(allow_none=True)
    event_time = fields.AwareDateTime(allow_none=True)
    fields_ = fields.Raw(attribute="fields", data_key="fields")
    unresolved = fields.List(fields.String())
    warnings = fields.List(fields.String())
    non_finite_fields = fields.List(fields.String())
    duplicates = fields.Integer()
    deliveries = fields.List(fields.Nested(DeliverySchema))

    def _raw_base64(self, alarm) -> str | None:
        if alarm.raw_bytes is None:
            return None
        return base64.b64encode(alarm.raw_bytes).decode("ascii")


class AlarmPageSchema(Schema):
    """A page of alarms and where the next one starts."""

    alarms = fields.List(fields.Nested(AlarmSchema))
    next_cursor = fields.String(allow_none=True)


def _encode_cursor(received_at: dt.datetime, alarm_id: str) -> str:
    payload = json.dumps([received_at.isoformat(), alarm_id]).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, alarm_id = json.loads(base64.urlsafe_b64decode(padded))
        return dt.datetime.fromisoformat(stamp), str(alarm_id)
    except (ValueError, TypeError, binascii.Error):
        raise ValidationError(
            {"cursor": ["not a cursor from this API; pass next_cursor as given"]}
        ) from None


def _query(args: dict, limit: int, after=None) -> AlarmQuery:
    return AlarmQuery(
        ticker=args.get("ticker"),
        exchange=args.get("exchange"),
        action=args.get("action"),
        source=args.get("source", "").lower() or None,
        since=args.get("since"),
        until=args.get("until"),
        q=args.get("q"),
        limit=limit,
        after=after,
    )


def _run_query(query: AlarmQuery):
    answer = call_storage("gateway_query_alarms", query=query)
    if answer is None:
        abort(501, description="no enabled storage plugin answers queries")
    return answer[1]


@bp.route("", methods=["GET"])
@bp.arguments(
    AlarmListArgsSchema, location="query", error_status_code=400, unknown=RAISE
)
@bp.response(200, AlarmPageSchema)
def list_alarms(args: dict):
    """List stored alarms, newest first, with filters and a keyset cursor."""
    after = None
    if "cursor" in args:
        try:
            after = _decode_cursor(args["cursor"])
        except ValidationError as error:
            return error_response(
                400, "bad_request", "invalid request arguments", errors=error.messages
            )

    page = _run_query(_query(args, args["limit"], after))
    next_cursor = None
    if page.has_more and page.alarms:
        last = page.alarms[-1]
        next_cursor = _encode_cursor(last.received_at, last.id)
    return {"alarms": page.alarms, "next_cursor": next_cursor}


@bp.route("/latest", methods=["GET"])
@bp.arguments(AlarmFilterSchema, location="query", error_status_code=400, unknown=RAISE)
@bp.response(200, AlarmSchema)
def latest_alarm(args: dict):
    """Return the newest alarm matching the filters; 404 when there is none."""
    page = _run_query(_query(args, 1))
    if not page.alarms:
        abort(404, description="no alarm matches these filters")
    return page.alarms[0]


@bp.route("/<alarm_id>", methods=["GET"])
@bp.response(200, AlarmSchema)
def get_alarm(alarm_id: str):
    """Return one alarm by id; 404 when there is none."""
    if len(alarm_id) > 64 or any(ord(character) < 32 for character in alarm_id):
        abort(404, description=f"no alarm with id {alarm_id[:64]!r}")
    answer = call_storage("gateway_get_alarm", alarm_id=alarm_id)
    if answer is None:
        abort(404, description=f"no alarm with id {alarm_id!r}")
    return answer[1]

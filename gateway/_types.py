"""Plain values that travel between the core and its plugins.

Nothing here touches Flask, SQLAlchemy or pluggy: these are the shapes a
third-party plugin codes against, re-exported from :mod:`gateway.kit`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from typing import Mapping


@dataclass(frozen=True)
class InboundRequest:
    """One webhook request as the core received it; never changed afterwards.

    :param body: the body bytes exactly as sent.
    :param text: the body decoded as UTF-8, or ``None`` when it is not valid
        UTF-8. Byte-exact: no BOM or whitespace is stripped here.
    :param content_type: the declared ``Content-Type`` (``""`` when absent).
    :param headers: request headers, names lower-cased.
    :param query: query-string arguments (first value of each name).
    :param client_ip: the sender's address after the trusted-proxy rules.
    :param peer_ip: the address of the TCP peer that connected to us.
    :param route: the ``<route>`` of ``/alarms/webhook/<route>``, or
        ``"default"`` for ``/alarms/webhook``.
    :param received_at: when the core received the request (UTC).
    :param request_id: an id for this request, also in every log line.
    :param path_token: the last segment of
        ``/alarms/webhook/<route>/<token>``, for senders that can only put
        a secret in the URL; ``None`` when absent. Never stored.
    """

    body: bytes
    text: str | None
    content_type: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    client_ip: str
    peer_ip: str
    route: str
    received_at: dt.datetime
    request_id: str
    path_token: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", MappingProxyType(dict(self.headers)))
        object.__setattr__(self, "query", MappingProxyType(dict(self.query)))


@dataclass
class ParsedAlarm:
    """What a parser plugin makes of a body.

    The named fields are the normalised alarm; ``fields`` keeps every
    key/value the parser found, under the sender's own names. Values in
    ``fields`` are JSON types, with :class:`~decimal.Decimal` for numbers
    that are not integers (so no float rounding happens anywhere).

    :param parser: the name of the plugin that produced this result.
    :param format: how the body was read: ``json``, ``keyvalue``, ``text``
        or ``raw`` (not understood, kept as it came).
    :param unresolved: names of TradingView placeholders left in the body
        unsubstituted, e.g. ``["close", "strategy.order.action"]``.
    :param warnings: human-readable notes on what could not be read,
        e.g. ``looks like JSON but is invalid: ...``.
    :param non_finite_fields: keys whose value was ``NaN``/``Infinity``
        (stored as ``null``).
    """

    parser: str
    format: str
    ticker: str | None = None
    exchange: str | None = None
    interval: str | None = None
    action: str | None = None
    price: Decimal | None = None
    quantity: Decimal | None = None
    message: str | None = None
    event_time: dt.datetime | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    non_finite_fields: list[str] = field(default_factory=list)


@dataclass
class Alarm:
    """An alarm as stored and as the query API returns it.

    :param raw: the body as text; byte-exact when the body was UTF-8.
    :param raw_bytes: the body bytes, kept only when ``raw`` cannot hold
        them exactly (not UTF-8, or containing NUL); otherwise ``None``.
    :param source: the webhook route the alarm arrived on.
    :param duplicates: how many times the same alarm arrived again.
    :param dedup_key: what identifies a re-sent copy of this alarm: the
        sender's own id (``id:<value>``) or a hash of route and body
        (``hash:<hex>``); ``None`` when deduplication is off.
    :param dedup_until: until when a copy with the same key counts as a
        duplicate rather than a new alarm.
    :param deliveries: the alarm's deliveries, filled in when it is read
        back from storage (empty when it is written).
    """

    id: str
    received_at: dt.datetime
    source: str
    client_ip: str
    content_type: str
    raw: str
    parser: str
    format: str
    raw_bytes: bytes | None = None
    ticker: str | None = None
    exchange: str | None = None
    interval: str | None = None
    action: str | None = None
    price: Decimal | None = None
    quantity: Decimal | None = None
    message: str | None = None
    event_time: dt.datetime | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    non_finite_fields: list[str] = field(default_factory=list)
    duplicates: int = 0
    dedup_key: str | None = None
    dedup_until: dt.datetime | None = None
    deliveries: list[Delivery] = field(default_factory=list)

    @classmethod
    def from_parsed(
        cls,
        parsed: ParsedAlarm,
        request: InboundRequest,
        alarm_id: str,
    ) -> Alarm:
        """Combine a parser's result with what the core knows of the request."""
        parsed_values = dataclasses.asdict(parsed)
        raw, raw_bytes = _raw_text(request)

        return cls(
            id=alarm_id,
            received_at=request.received_at,
            source=request.route,
            client_ip=request.client_ip,
            content_type=request.content_type,
            raw=raw,
            raw_bytes=raw_bytes,
            **parsed_values,
        )


def _raw_text(request: InboundRequest) -> tuple[str, bytes | None]:
    # Databases refuse NUL in text columns, so such bodies keep their bytes.
    text = request.text
    if text is not None and "\x00" not in text:
        return text, None

    readable = request.body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    return readable, request.body


@dataclass(frozen=True)
class StoreResult:
    """What storage says after writing an alarm.

    :param alarm_id: the id the alarm is stored under. For a duplicate this
        is the id of the original.
    :param duplicate: ``True`` when the alarm was recognised as one already
        stored and only counted on the original.
    """

    alarm_id: str
    duplicate: bool = False


@dataclass(frozen=True)
class AlarmQuery:
    """Filters for listing stored alarms, newest first.

    ``after`` is the keyset position to continue from: the
    ``(received_at, id)`` of the last alarm of the previous page.
    ``since`` is inclusive, ``until`` exclusive. ``q`` matches text in
    ``message`` or ``raw``, case-insensitively.
    """

    ticker: str | None = None
    exchange: str | None = None
    action: str | None = None
    source: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    q: str | None = None
    limit: int = 50
    after: tuple[dt.datetime, str] | None = None


@dataclass(frozen=True)
class AlarmPage:
    """One page of a query: the alarms and whether more follow."""

    alarms: list[Alarm]
    has_more: bool


@dataclass(frozen=True)
class Rejection:
    """A screen's refusal of a request.

    :param status: the HTTP status to answer (401, 403, 413, 429...).
    :param error: a short stable code, e.g. ``forbidden``.
    :param reason: a sentence a human can act on.
    :param headers: extra response headers, e.g. ``Retry-After``.
    """

    status: int
    error: str
    reason: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    """One health check's outcome, as a plugin reports it.

    :param ok: whether the thing checked works.
    :param details: extra JSON-able facts (latency, backlog...); never
        secrets.
    :param critical: when ``True`` a failing check makes the whole gateway
        unhealthy (HTTP 503).
    """

    ok: bool
    details: Mapping[str, Any] = field(default_factory=dict)
    critical: bool = True


DELIVERY_STATES = ("pending", "delivered", "dead")


@dataclass
class Delivery:
    """One alarm on its way to one notifier.

    :param state: ``pending`` (waiting or being sent), ``delivered`` or
        ``dead`` (gave up; can be re-queued).
    :param attempts: attempts that counted against the retry budget
        (rate-limited attempts do not).
    :param next_attempt_at: when a pending delivery is due.
    :param last_error: the last failure, masked; ``None`` after success.
    :param detail: a note on the last outcome, e.g. ``sent_plain_fallback``.
    :param alarm: the alarm itself, filled in when claimed for sending.
    :param claimed_by: the worker holding the claim, when claimed; storage
        records a finish only from that worker.
    """

    id: str
    alarm_id: str
    notifier: str
    state: str
    attempts: int = 0
    next_attempt_at: dt.datetime | None = None
    last_error: str | None = None
    detail: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    alarm: Alarm | None = None
    claimed_by: str | None = None


@dataclass(frozen=True)
class DeliveryOutcome:
    """How one attempt at a claimed delivery ended, to be recorded by storage.

    :param state: the new state: ``delivered``, ``pending`` (retry at
        ``next_attempt_at``) or ``dead``.
    :param counts_as_attempt: ``False`` for a rate-limited attempt.
    """

    state: str
    next_attempt_at: dt.datetime | None = None
    counts_as_attempt: bool = True
    error: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class DeliveryQuery:
    """Filters for listing deliveries, newest first."""

    state: str | None = None
    notifier: str | None = None
    alarm_id: str | None = None
    delivery_id: str | None = None
    limit: int = 100


@dataclass(frozen=True)
class NotifierBacklog:
    """Delivery counts of one notifier for the health endpoint."""

    pending: int = 0
    dead: int = 0
    oldest_pending_age_s: float | None = None

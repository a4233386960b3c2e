"""Deliveries: written with their alarm, claimed under a lease, finished once.

A claim picks one notifier's due deliveries, oldest alarm first, and marks
them with the claiming worker and a lease. On PostgreSQL the rows are
selected ``FOR UPDATE OF deliveries SKIP LOCKED``, so concurrent claimers
pass over each other's rows instead of waiting; on SQLite the whole claim
is one ``BEGIN IMMEDIATE`` transaction, which writers take one at a time.
Either way no delivery is handed to two claimers while a lease runs.

Finishing is recorded only while the row is still claimed by the worker
that claimed it, expired lease or not. Once another worker has claimed it
again (the lease ran out while the first was still sending), or the claim
was released or re-queued, the late outcome is dropped and ``False``
returned: the newer claim stands, and at worst a notifier hears an alarm
twice, never not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from loguru import logger
from sqlalchemy import Connection
from sqlalchemy import Integer
from sqlalchemy import RowMapping
from sqlalchemy import Select
from sqlalchemy import Text
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import null
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from uuid6 import uuid7

from gateway.kit import DELIVERY_STATES
from gateway.kit import Delivery
from gateway.kit import DeliveryOutcome
from gateway.kit import DeliveryQuery
from gateway.kit import NotifierBacklog

from alarmhugger_sql._database import Database
from alarmhugger_sql._query import ALARM_SELECTION
from alarmhugger_sql._query import to_alarm
from alarmhugger_sql._schema import ALARMS
from alarmhugger_sql._schema import DELIVERIES
from alarmhugger_sql._schema import DELIVERY_COLUMNS
from alarmhugger_sql._sqltypes import UtcDateTime
from alarmhugger_sql._sqltypes import clean_text

UTC = dt.timezone.utc

#: Longest ``last_error`` and ``detail`` kept; the rest is cut off.
MAX_NOTE_CHARS = 1000

_D = DELIVERIES.c
_NOW = bindparam("now", type_=UtcDateTime())

# Claimed rows come back with their alarm; delivery columns are prefixed.
_PREFIX = "delivery_"
_DUE = (
    select(
        *[_D[name].label(_PREFIX + name) for name in DELIVERY_COLUMNS],
        *ALARM_SELECTION,
    )
    .join_from(DELIVERIES, ALARMS, _D.alarm_id == ALARMS.c.id)
    .where(
        _D.notifier == bindparam("notifier"),
        _D.state == "pending",
        _D.next_attempt_at <= _NOW,
        or_(_D.claimed_until.is_(None), _D.claimed_until < _NOW),
    )
    .order_by(ALARMS.c.received_at, ALARMS.c.id)
    .limit(bindparam("limit", type_=Integer()))
    .with_for_update(of=DELIVERIES, skip_locked=True)
)

_CLAIM = (
    update(DELIVERIES)
    .where(_D.id.in_(bindparam("ids", expanding=True)))
    .values(
        claimed_by=bindparam("worker"),
        claimed_until=bindparam("until", type_=UtcDateTime()),
        updated_at=_NOW,
    )
)


def _finish(*condition: Any) -> Any:
    new_state = bindparam("new_state", type_=Text())
    error = bindparam("error", type_=Text())
    return (
        update(DELIVERIES)
        .where(_D.id == bindparam("delivery_id"), *condition)
        .values(
            state=new_state,
            next_attempt_at=bindparam("next_at", type_=UtcDateTime()),
            attempts=_D.attempts + bindparam("increment", type_=Integer()),
            last_error=case(
                (new_state == "delivered", null()),
                else_=func.coalesce(error, _D.last_error),
            ),
            detail=func.coalesce(bindparam("new_detail", type_=Text()), _D.detail),
            claimed_by=None,
            claimed_until=None,
            updated_at=_NOW,
        )
    )


# A delivery this storage handed out: only while its claimer still holds it.
_FINISH_CLAIMED = _finish(_D.claimed_by == bindparam("worker"))
# Any other: only while nobody holds a live claim on it.
_FINISH_UNCLAIMED = _finish(or_(_D.claimed_until.is_(None), _D.claimed_until < _NOW))

_RELEASE = (
    update(DELIVERIES)
    .where(_D.state == "pending", _D.claimed_by == bindparam("worker"))
    .values(claimed_by=None, claimed_until=None, updated_at=_NOW)
)

_REQUEUE_VALUES = {
    "state": "pending",
    "next_attempt_at": _NOW,
    "attempts": 0,
    "claimed_by": None,
    "claimed_until": None,
    "updated_at": _NOW,
}
_REQUEUE_ALL = (
    update(DELIVERIES)
    .where(_D.state == bindparam("from_state"))
    .values(**_REQUEUE_VALUES)
)
_REQUEUE_SOME = _REQUEUE_ALL.where(_D.id.in_(bindparam("ids", expanding=True)))

_IS_PENDING = _D.state == "pending"
_BACKLOG = (
    select(
        _D.notifier,
        func.sum(case((_IS_PENDING, 1), else_=0)).label("pending"),
        func.sum(case((_D.state == "dead", 1), else_=0)).label("dead"),
        func.min(case((_IS_PENDING, _D.created_at))).label("oldest_pending"),
    )
    .where(_D.state.in_(["pending", "dead"]))
    .group_by(_D.notifier)
)

_OF_ALARMS = (
    select(*[_D[name] for name in DELIVERY_COLUMNS])
    .where(_D.alarm_id.in_(bindparam("alarm_ids", expanding=True)))
    .order_by(_D.alarm_id, _D.notifier)
)


class DeliveryQueue:
    """Claims, finishes and lists deliveries through one :class:`Database`."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def claim(
        self, notifier: str, worker: str, limit: int, lease_s: float
    ) -> list[Delivery]:
        """Claim up to ``limit`` due deliveries of ``notifier`` for ``worker``."""
        if limit < 1:
            return []

        def take(connection: Connection) -> list[Delivery]:
            now = utc_now()
            due = {"notifier": notifier, "now": now, "limit": limit}
            rows = connection.execute(_DUE, due).all()
            if not rows:
                return []

            ids = [row.delivery_id for row in rows]
            until = now + dt.timedelta(seconds=lease_s)
            claim = {"ids": ids, "worker": worker, "until": until, "now": now}
            connection.execute(_CLAIM, claim)
            return [_to_claimed(row._mapping, worker, now) for row in rows]

        return self.database.run(take, writes=True)

    def finish(self, delivery: Delivery, outcome: DeliveryOutcome) -> bool:
        """Record one attempt's outcome and release the claim.

        :returns: ``False`` when the claim was lost meanwhile and nothing
            was written.
        """
        if outcome.state not in DELIVERY_STATES:
            raise ValueError(
                f"delivery outcome state {outcome.state!r} is not one of "
                f"{', '.join(DELIVERY_STATES)}"
            )

        now = utc_now()
        next_at = outcome.next_attempt_at
        if outcome.state == "pending" and next_at is None:
            next_at = now
        elif outcome.state != "pending":
            next_at = None

        worker = delivery.claimed_by
        statement = _FINISH_UNCLAIMED if worker is None else _FINISH_CLAIMED
        values = {
            "delivery_id": delivery.id,
            "worker": worker,
            "now": now,
            "new_state": outcome.state,
            "next_at": next_at,
            "increment": 1 if outcome.counts_as_attempt else 0,
            "error": note(outcome.error),
            "new_detail": note(outcome.detail),
        }

        def record(connection: Connection) -> bool:
            return connection.execute(statement, values).rowcount == 1

        is_recorded = self.database.run(record, writes=True)
        if not is_recorded:
            logger.warning(
                "storage: delivery {} is no longer claimed by {}; "
                "outcome {} not recorded",
                delivery.id,
                worker or "anyone",
                outcome.state,
            )
        return is_recorded

    def release(self, worker: str) -> int:
        """Release every claim ``worker`` holds; return how many."""

        def release_all(connection: Connection) -> int:
            values = {"worker": worker, "now": utc_now()}
            return connection.execute(_RELEASE, values).rowcount

        return self.database.run(release_all, writes=True)

    def requeue(self, delivery_ids: list[str] | None, state: str) -> int:
        """Make deliveries in ``state`` pending and due now; return how many."""
        if state not in DELIVERY_STATES:
            raise ValueError(
                f"cannot re-queue deliveries in state {state!r}; "
                f"expected one of {', '.join(DELIVERY_STATES)}"
            )
        if delivery_ids is not None and not delivery_ids:
            return 0

        def requeue_all(connection: Connection) -> int:
            values: dict[str, Any] = {"from_state": state, "now": utc_now()}
            if delivery_ids is None:
                return connection.execute(_REQUEUE_ALL, values).rowcount
            values["ids"] = list(delivery_ids)
            return connection.execute(_REQUEUE_SOME, values).rowcount

        return self.database.run(requeue_all, writes=True)

    def query(self, query: DeliveryQuery) -> list[Delivery]:
        """List deliveries matching ``query``, newest first, without alarms."""
        statement = select_deliveries(query)

        def fetch(connection: Connection) -> list[Delivery]:
            return [to_delivery(row._mapping) for row in connection.execute(statement)]

        return self.database.run(fetch)

    def backlog(self) -> dict[str, NotifierBacklog]:
        """Count pending and dead deliveries per notifier."""

        def count(connection: Connection) -> dict[str, NotifierBacklog]:
            now = utc_now()
            found = {}
            for row in connection.execute(_BACKLOG):
                age = None
                if row.oldest_pending is not None:
                    age = max((now - row.oldest_pending).total_seconds(), 0.0)
                found[row.notifier] = NotifierBacklog(
                    pending=int(row.pending),
                    dead=int(row.dead),
                    oldest_pending_age_s=age,
                )
            return found

        return self.database.run(count)


def select_deliveries(query: DeliveryQuery) -> Select[Any]:
    """Build the statement listing deliveries for ``query``.

    Newest first by id: ids are UUIDv7, which sort in creation order.
    """
    statement = select(*[_D[name] for name in DELIVERY_COLUMNS])
    for name in ("state", "notifier", "alarm_id"):
        value = getattr(query, name)
        if value is not None:
            statement = statement.where(_D[name] == value)
    if query.delivery_id is not None:
        statement = statement.where(_D.id == query.delivery_id)
    return statement.order_by(_D.id.desc()).limit(max(1, query.limit))


def deliveries_of(
    connection: Connection, alarm_ids: list[str]
) -> dict[str, list[Delivery]]:
    """Return the deliveries of ``alarm_ids``, each alarm's by notifier."""
    found: dict[str, list[Delivery]] = {alarm_id: [] for alarm_id in alarm_ids}
    if not alarm_ids:
        return found
    for row in connection.execute(_OF_ALARMS, {"alarm_ids": alarm_ids}):
        found[row.alarm_id].append(to_delivery(row._mapping))
    return found


def new_delivery_rows(
    alarm_id: str, notifiers: list[str], now: dt.datetime
) -> list[dict[str, Any]]:
    """Return one pending delivery row per notifier, due ``now``."""
    return [
        {
            "id": str(uuid7()),
            "alarm_id": alarm_id,
            "notifier": notifier,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for notifier in notifiers
    ]


def to_delivery(mapping: RowMapping, prefix: str = "") -> Delivery:
    """Turn one row of ``deliveries`` into a :class:`Delivery`."""
    return Delivery(**{name: mapping[prefix + name] for name in DELIVERY_COLUMNS})


def _to_claimed(mapping: RowMapping, worker: str, now: dt.datetime) -> Delivery:
    values = {name: mapping[_PREFIX + name] for name in DELIVERY_COLUMNS}
    values["updated_at"] = now
    return Delivery(**values, alarm=to_alarm(mapping), claimed_by=worker)


def note(text: str | None) -> str | None:
    """Make an error or detail storable and at most :data:`MAX_NOTE_CHARS` long."""
    if text is None:
        return None
    text = clean_text(text)
    if len(text) > MAX_NOTE_CHARS:
        text = text[: MAX_NOTE_CHARS - 1] + "…"
    return text


def utc_now() -> dt.datetime:
    """The current time, in UTC."""
    return dt.datetime.now(UTC)

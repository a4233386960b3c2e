"""Writing many alarms in one transaction, with a few multi-row statements.

The group committer (``_group.py``) hands over every alarm that waited
while the previous commit was in flight; :func:`write_batch` writes them
all in the caller's transaction and returns one :class:`StoreResult` per
alarm, in order, exactly as if they had been stored one after the other
by the one-alarm path (``_store.py``):

1. **Keys.** The first alarm of the batch with each dedup key tries to
   take it: one multi-row ``INSERT INTO dedup_keys ... ON CONFLICT
   (dedup_key) DO NOTHING RETURNING dedup_key``. A key that comes back is
   new and held by that alarm. The keys that did not come back are held
   already; they are read, and locked, with ``SELECT ... FOR UPDATE``
   (PostgreSQL; on SQLite ``BEGIN IMMEDIATE`` already holds the write
   lock), and the batch's other alarms with a key are checked for being
   stored already (a spool replay). On PostgreSQL a key another
   transaction has just inserted makes our insert wait for that
   transaction and then counts as held, so two copies racing in two
   processes still cannot both be stored.
2. **Deciding.** The alarms are walked in order with what the keys hold
   now, updated as we go, which is what storing them one by one would
   see. An alarm already stored is answered as stored and writes nothing;
   a key that is free or has run out (``expires_at <= received_at``) is
   taken; the same alarm again is answered as stored; anything else is a
   copy, counted on the key's holder, whether that holder was stored long
   ago or earlier in this very batch.
3. **Writing.** Keys that changed hands are updated, copies are counted
   on originals stored before (one ``UPDATE`` per original), and the new
   alarms go in with one multi-row ``INSERT ... ON CONFLICT (id) DO
   NOTHING RETURNING id`` (copies of an alarm of this batch are counted in
   its row), then their deliveries with one multi-row ``INSERT``.

Locks are taken in one order (keys sorted, then originals sorted by id),
so two gateways writing overlapping batches wait for each other instead
of deadlocking.

Anything outside what the one-alarm path would do the same way raises
:class:`OneByOne`: the caller rolls back and stores the batch one alarm
at a time, where the old, careful path decides. That covers the rare
cases (a key whose holder is not in ``alarms`` because foreign keys were
off once; a stored alarm whose key row has gone; a key pruned between
two of our statements).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import InternalTraversal

from gateway.kit import Alarm
from gateway.kit import StoreResult

from alarmhugger_sql._schema import ALARMS
from alarmhugger_sql._schema import DEDUP_KEYS
from alarmhugger_sql._schema import DELIVERIES
from alarmhugger_sql._sqltypes import UtcDateTime

UTC = dt.timezone.utc


@dataclass(frozen=True)
class PendingAlarm:
    """One alarm waiting to be written, prepared in its request thread.

    :param alarm: the alarm as the core built it.
    :param values: its column values, strings made storable
        (:func:`alarmhugger_sql._store.alarm_values`).
    :param deliveries: one pending delivery row per notifier, due at once.
    """

    alarm: Alarm
    values: dict[str, Any]
    deliveries: list[dict[str, Any]]

    @property
    def notifiers(self) -> list[str]:
        """The notifiers the alarm goes to, each once."""
        return [row["notifier"] for row in self.deliveries]


class OneByOne(Exception):
    """The batch holds a case the one-alarm path must decide; roll back."""


class _DoNothingOnConflict(ClauseElement):
    """``ON CONFLICT (column) DO NOTHING``, spelled alike by PostgreSQL and SQLite.

    The dialects' own ``on_conflict_do_nothing()`` has no cache key in
    SQLAlchemy 2.0, so every execution would compile the whole INSERT
    again (about 1.4 ms for ``alarms``). This clause has one, and is put
    where the dialects put theirs, after the VALUES, so the statement is
    compiled once and still expanded to many rows per execution.
    """

    __visit_name__ = "alarmhugger_do_nothing_on_conflict"
    _traverse_internals = [("column", InternalTraversal.dp_string)]
    inherit_cache = True

    def __init__(self, column: str) -> None:
        self.column = column


@compiles(_DoNothingOnConflict)
def _compile_do_nothing(
    element: _DoNothingOnConflict, compiler: SQLCompiler, **_kw: Any
) -> str:
    return f"ON CONFLICT ({compiler.preparer.quote(element.column)}) DO NOTHING"


def _insert_unless_present(table: Table, column: str) -> Insert:
    statement = insert(table).returning(table.c[column])
    statement._post_values_clause = _DoNothingOnConflict(column)
    return statement


# Executed with a list of rows: one multi-row statement per execution.
_TAKE_NEW_KEYS = _insert_unless_present(DEDUP_KEYS, "dedup_key")
_INSERT_NEW_ALARMS = _insert_unless_present(ALARMS, "id")
_INSERT_DELIVERIES = insert(DELIVERIES)

_LOCK_HELD_KEYS = (
    select(DEDUP_KEYS.c.dedup_key, DEDUP_KEYS.c.alarm_id, DEDUP_KEYS.c.expires_at)
    .where(DEDUP_KEYS.c.dedup_key.in_(bindparam("keys", expanding=True)))
    .order_by(DEDUP_KEYS.c.dedup_key)
    .with_for_update(of=DEDUP_KEYS)
)
_STORED_AMONG = select(ALARMS.c.id).where(
    ALARMS.c.id.in_(bindparam("ids", expanding=True))
)
_MOVE_KEY = (
    update(DEDUP_KEYS)
    .where(DEDUP_KEYS.c.dedup_key == bindparam("key"))
    .values(
        alarm_id=bindparam("holder"),
        expires_at=bindparam("until", type_=UtcDateTime()),
    )
)
_SEEN = bindparam("seen_at", type_=UtcDateTime())
_COUNT_COPIES = (
    update(ALARMS)
    .where(ALARMS.c.id == bindparam("original_id"))
    .values(
        duplicates=ALARMS.c.duplicates + bindparam("copies"),
        # The latest arrival wins, even when the spool drains late copies.
        last_seen_at=case(
            (
                or_(ALARMS.c.last_seen_at.is_(None), ALARMS.c.last_seen_at < _SEEN),
                _SEEN,
            ),
            else_=ALARMS.c.last_seen_at,
        ),
    )
)

_Holding = tuple[str, "dt.datetime | None"]


def write_batch(connection: Connection, batch: list[PendingAlarm]) -> list[StoreResult]:
    """Write ``batch`` in the open transaction of ``connection``.

    Safe to call again on a fresh connection after a rollback: it decides
    from what the database holds, never from an earlier attempt.

    :returns: one result per alarm, in the order of ``batch``.
    :raises OneByOne: the batch must be stored one alarm at a time.
    """
    first_with_key: dict[str, int] = {}
    for index, item in enumerate(batch):
        key = item.values["dedup_key"]
        if key is not None and key not in first_with_key:
            first_with_key[key] = index

    held = _take_keys(connection, batch, first_with_key)
    taken_by = {
        index: key for key, index in first_with_key.items() if held[key][0] is None
    }
    stored_before = _stored_alarms(connection, batch, taken_by)

    # Walk the batch in order, as one-by-one storing would see it.
    holding: dict[str, _Holding] = {}
    for key, index in first_with_key.items():
        holder, until = held[key]
        if holder is None:
            holding[key] = (batch[index].alarm.id, utc(batch[index].alarm.dedup_until))
        else:
            holding[key] = (holder, until)
    written_keys = dict(holding)

    results: list[StoreResult] = []
    new_rows: dict[str, int] = {}  # alarm id -> index of its row in ``batch``
    copies: dict[str, list[Any]] = {}  # original id -> [count, latest arrival]
    for index, item in enumerate(batch):
        alarm = item.alarm
        key = item.values["dedup_key"]
        if alarm.id in new_rows or alarm.id in stored_before:
            results.append(StoreResult(alarm.id))
            continue
        if key is None or taken_by.get(index) == key:
            new_rows[alarm.id] = index
            results.append(StoreResult(alarm.id))
            continue

        holder, until = holding[key]
        received = utc(alarm.received_at)
        if until is not None and received is not None and until <= received:
            # The key has run out: this alarm takes it over.
            holding[key] = (alarm.id, utc(alarm.dedup_until))
            new_rows[alarm.id] = index
            results.append(StoreResult(alarm.id))
        elif holder == alarm.id:
            # This very alarm again (a spool drained twice), not a copy.
            results.append(StoreResult(alarm.id))
        else:
            counted = copies.setdefault(holder, [0, None])
            counted[0] += 1
            if counted[1] is None or (received is not None and received > counted[1]):
                counted[1] = received
            results.append(StoreResult(holder, duplicate=True))

    _move_keys(connection, holding, written_keys)
    _count_copies_on_stored(connection, copies, new_rows)
    _insert_alarms(connection, batch, new_rows, copies)
    return results


def _take_keys(
    connection: Connection, batch: list[PendingAlarm], first_with_key: dict[str, int]
) -> dict[str, tuple[str | None, dt.datetime | None]]:
    """Insert the keys nobody holds; read and lock the others.

    :returns: per key, ``(None, None)`` when this batch took it, otherwise
        who holds it and until when.
    """
    if not first_with_key:
        return {}
    rows = [
        {
            "dedup_key": key,
            "alarm_id": batch[first_with_key[key]].alarm.id,
            "expires_at": batch[first_with_key[key]].alarm.dedup_until,
        }
        for key in sorted(first_with_key)
    ]
    taken = set(connection.execute(_TAKE_NEW_KEYS, rows).scalars())
    held: dict[str, tuple[str | None, dt.datetime | None]] = {
        key: (None, None) for key in taken
    }

    others = sorted(key for key in first_with_key if key not in taken)
    if others:
        for row in connection.execute(_LOCK_HELD_KEYS, {"keys": others}):
            held[row.dedup_key] = (row.alarm_id, utc(row.expires_at))
        if len(held) != len(first_with_key):
            raise OneByOne("a dedup key vanished while the batch was written")
    return held


def _stored_alarms(
    connection: Connection, batch: list[PendingAlarm], taken_by: dict[int, str]
) -> set[str]:
    """Return which of the batch's alarms with a key are stored already.

    Only the alarms that just took a new key are left out: a stored alarm
    would hold its key already. A stored alarm that took one anyway (its
    key row was gone) is caught when its row is not inserted.
    """
    ids = sorted(
        {
            item.alarm.id
            for index, item in enumerate(batch)
            if item.values["dedup_key"] is not None and index not in taken_by
        }
    )
    if not ids:
        return set()
    return set(connection.execute(_STORED_AMONG, {"ids": ids}).scalars())


def _move_keys(
    connection: Connection,
    holding: dict[str, _Holding],
    written: dict[str, _Holding],
) -> None:
    for key in sorted(holding):
        if holding[key] != written[key]:
            holder, until = holding[key]
            connection.execute(
                _MOVE_KEY, {"key": key, "holder": holder, "until": until}
            )


def _count_copies_on_stored(
    connection: Connection, copies: dict[str, list[Any]], new_rows: dict[str, int]
) -> None:
    for original_id in sorted(copies):
        if original_id in new_rows:
            continue  # counted in its row below
        count, seen = copies[original_id]
        counted = connection.execute(
            _COUNT_COPIES,
            {"original_id": original_id, "copies": count, "seen_at": seen},
        )
        if counted.rowcount != 1:
            # Only reachable when foreign keys were not enforced at some point.
            raise OneByOne(f"the holder {original_id} of a dedup key is not stored")


def _insert_alarms(
    connection: Connection,
    batch: list[PendingAlarm],
    new_rows: dict[str, int],
    copies: dict[str, list[Any]],
) -> None:
    if not new_rows:
        return
    rows = []
    for alarm_id, index in new_rows.items():
        row = dict(batch[index].values)
        row["last_seen_at"] = None
        counted = copies.get(alarm_id)
        if counted is not None:
            row["duplicates"] = (row["duplicates"] or 0) + counted[0]
            row["last_seen_at"] = counted[1]
        rows.append(row)
    inserted = set(connection.execute(_INSERT_NEW_ALARMS, rows).scalars())

    deliveries = []
    for alarm_id, index in new_rows.items():
        if alarm_id in inserted:
            deliveries.extend(batch[index].deliveries)
        elif batch[index].values["dedup_key"] is not None or alarm_id in copies:
            # Stored already although nothing said so: its key or its
            # copies would be decided wrongly here.
            raise OneByOne(f"alarm {alarm_id} turned out to be stored already")
        # A keyless alarm stored already (a spool replay): answered as stored.
    if deliveries:
        connection.execute(_INSERT_DELIVERIES, deliveries)


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """``value`` as an aware UTC datetime; a naive one is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)

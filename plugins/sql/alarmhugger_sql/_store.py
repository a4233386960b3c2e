"""Writing one alarm: its dedup key, the row, its deliveries, one transaction.

The statements are built once, so SQLAlchemy compiles each once and reuses
it. The dialects' ``ON CONFLICT`` inserts are not cacheable in SQLAlchemy
2.0 and would be compiled again for every alarm, so the one upsert we need
is written as text; PostgreSQL and SQLite (3.35 and later) spell it alike.

Deduplication rests on the ``dedup_keys`` table: the upsert either takes
the key for this alarm (new, or expired at ``received_at``) or leaves the
live key untouched and returns nothing. On PostgreSQL a second copy
racing the first waits on the key's row until the first commits, then
finds it live; on SQLite the write lock (``BEGIN IMMEDIATE``) puts the
copies one after the other. Either way one is stored and the other counted.

Writing an alarm whose id is already stored (a retry after a lost commit
acknowledgement, a spool replay) fails on the primary key; that case is
recognised and answered as stored, so there is still exactly one row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from loguru import logger
from sqlalchemy import Connection
from sqlalchemy import String
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from gateway.kit import Alarm
from gateway.kit import StoreResult

from alarmhugger_sql._database import Database
from alarmhugger_sql._deliveries import new_delivery_rows
from alarmhugger_sql._schema import ALARM_COLUMNS
from alarmhugger_sql._schema import ALARMS
from alarmhugger_sql._schema import DEDUP_KEYS
from alarmhugger_sql._schema import DELIVERIES
from alarmhugger_sql._sqltypes import UtcDateTime
from alarmhugger_sql._sqltypes import clean_text

UTC = dt.timezone.utc

_INSERT = insert(ALARMS)
_INSERT_DELIVERIES = insert(DELIVERIES)
_EXISTS = select(ALARMS.c.id).where(ALARMS.c.id == bindparam("id"))

# Takes the key unless a live one holds it; returns the holder when taken.
_TAKE_KEY = (
    text(
        "INSERT INTO dedup_keys (dedup_key, alarm_id, expires_at) "
        "VALUES (:dedup_key, :alarm_id, :expires_at) "
        "ON CONFLICT (dedup_key) DO UPDATE "
        "SET alarm_id = excluded.alarm_id, expires_at = excluded.expires_at "
        "WHERE dedup_keys.expires_at <= :received_at "
        "RETURNING alarm_id"
    )
    .bindparams(
        bindparam("expires_at", type_=UtcDateTime()),
        bindparam("received_at", type_=UtcDateTime()),
    )
    .columns(alarm_id=String())
)

# Who holds a live key, and whether this very alarm is stored already.
_FIND_HOLDER = select(
    DEDUP_KEYS.c.alarm_id,
    exists().where(ALARMS.c.id == bindparam("alarm_id")).label("is_stored"),
).where(DEDUP_KEYS.c.dedup_key == bindparam("dedup_key"))

_SEEN = bindparam("seen_at", type_=UtcDateTime())
_COUNT_DUPLICATE = (
    update(ALARMS)
    .where(ALARMS.c.id == bindparam("original_id"))
    .values(
        duplicates=ALARMS.c.duplicates + 1,
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

# Hands a key whose alarm is gone over to the new alarm.
_REPLACE_KEY = (
    update(DEDUP_KEYS)
    .where(DEDUP_KEYS.c.dedup_key == bindparam("key"))
    .values(
        alarm_id=bindparam("new_alarm_id"),
        expires_at=bindparam("expiry", type_=UtcDateTime()),
    )
)

# Columns filled from parser output, where anything a sender wrote may land.
_TEXT_COLUMNS = frozenset(
    name
    for name in ALARM_COLUMNS
    if name not in {"id", "received_at", "raw_bytes", "dedup_until"}
)


class AlarmWriter:
    """Stores alarms and their deliveries through one :class:`Database`."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def store(self, alarm: Alarm, notifiers: list[str]) -> StoreResult:
        """Commit ``alarm`` with one pending delivery per notifier.

        A copy of an alarm whose dedup key is live is only counted on the
        original; its id and ``duplicate=True`` are returned.

        :raises gateway.kit.StorageUnavailable: the database cannot be
            reached even after one retry on a fresh connection.
        """
        values = alarm_values(alarm)
        names = list(dict.fromkeys(notifiers))

        # Made storable like every text column, so copies still match.
        dedup_key = values["dedup_key"]

        def write(connection: Connection) -> StoreResult:
            if dedup_key is not None:
                found = self._find_original(connection, alarm, dedup_key)
                if found is not None:
                    return found

            connection.execute(_INSERT, values)
            if names:
                now = dt.datetime.now(UTC)
                rows = new_delivery_rows(alarm.id, names, now)
                connection.execute(_INSERT_DELIVERIES, rows)
            return StoreResult(alarm.id)

        try:
            return self.database.run(write, writes=True)
        except IntegrityError:
            if not self._is_stored(alarm.id):
                raise
            logger.debug("storage: alarm {} was already stored", alarm.id)
        return StoreResult(alarm.id)

    def _find_original(
        self, connection: Connection, alarm: Alarm, dedup_key: str
    ) -> StoreResult | None:
        # None: the key is ours now, store the alarm.
        key = {
            "dedup_key": dedup_key,
            "alarm_id": alarm.id,
            "expires_at": alarm.dedup_until,
            "received_at": alarm.received_at,
        }
        if connection.execute(_TAKE_KEY, key).first() is not None:
            return None

        holder = connection.execute(_FIND_HOLDER, key).one()
        if holder.alarm_id == alarm.id or holder.is_stored:
            # This very alarm again (a spool drained twice), not a copy.
            return StoreResult(alarm.id)

        counted = connection.execute(
            _COUNT_DUPLICATE,
            {"original_id": holder.alarm_id, "seen_at": alarm.received_at},
        )
        if counted.rowcount == 1:
            return StoreResult(holder.alarm_id, duplicate=True)

        # Only reachable when foreign keys were not enforced at some point.
        connection.execute(
            _REPLACE_KEY,
            {
                "key": key["dedup_key"],
                "new_alarm_id": alarm.id,
                "expiry": alarm.dedup_until,
            },
        )
        return None

    def _is_stored(self, alarm_id: str) -> bool:
        def find(connection: Connection) -> bool:
            return connection.execute(_EXISTS, {"id": alarm_id}).first() is not None

        return self.database.run(find)


def alarm_values(alarm: Alarm) -> dict[str, Any]:
    """Return the column values for ``alarm``, with strings made storable."""
    values = {name: getattr(alarm, name) for name in ALARM_COLUMNS}
    for name in _TEXT_COLUMNS:
        value = values[name]
        if isinstance(value, str):
            values[name] = clean_text(value)
    return values

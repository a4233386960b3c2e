"""Writing alarms: their dedup keys, rows and deliveries, committed together.

Two paths write. The batch path (``_batch.py``) takes every alarm the
group committer (``_group.py``) collected and writes them in one
transaction with multi-row statements; it is what every request uses.
The one-alarm path here is the fallback: when a batch fails for a reason
that may lie in one alarm's data (a constraint, a value the database
refuses), :meth:`AlarmWriter.store_many` rolls the batch back and stores
its alarms one by one here, so one bad alarm fails only its own request.

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
from sqlalchemy.exc import DataError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import NotSupportedError
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.exc import StatementError

from gateway.kit import Alarm
from gateway.kit import StorageUnavailable
from gateway.kit import StoreResult

from alarmhugger_sql._batch import OneByOne
from alarmhugger_sql._batch import PendingAlarm
from alarmhugger_sql._batch import write_batch
from alarmhugger_sql._database import Database
from alarmhugger_sql._database import describe_error
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

    def prepare(self, alarm: Alarm, notifiers: list[str]) -> PendingAlarm:
        """Turn ``alarm`` into what :meth:`store_many` writes.

        Done in the request thread, so the writer only writes.
        """
        names = list(dict.fromkeys(notifiers))
        rows = new_delivery_rows(alarm.id, names, dt.datetime.now(UTC))
        return PendingAlarm(alarm, alarm_values(alarm), rows)

    def store_many(self, batch: list[PendingAlarm]) -> list[StoreResult | Exception]:
        """Commit every alarm of ``batch`` in one transaction.

        :returns: per alarm, in order, its result or the exception its
            caller should raise. When the batch fails for a reason that may
            lie in one alarm (a constraint, a value refused), the batch is
            rolled back and each alarm stored on its own, so only the bad
            one fails. When the database itself fails (unreachable after
            the retry, locked, timed out), every alarm gets
            :class:`~gateway.kit.StorageUnavailable`.
        """

        def write(connection: Connection) -> list[StoreResult]:
            return write_batch(connection, batch)

        try:
            return list(self.database.run(write, writes=True))
        except StorageUnavailable as error:
            if not is_about_data(error.__cause__):
                return [unavailable_copy(error) for _ in batch]
            reason: Exception = error
        except Exception as error:  # IntegrityError, DataError, OneByOne, a bug
            reason = error

        log = logger.debug if isinstance(reason, OneByOne) else logger.info
        log(
            "storage: a batch of {} alarms was not written ({}); storing them one by one",
            len(batch),
            describe_error(reason),
        )
        return self._one_by_one(batch)

    def store(self, alarm: Alarm, notifiers: list[str]) -> StoreResult:
        """Commit ``alarm`` with one pending delivery per notifier, on its own.

        A copy of an alarm whose dedup key is live is only counted on the
        original; its id and ``duplicate=True`` are returned.

        :raises gateway.kit.StorageUnavailable: the database cannot be
            reached even after one retry on a fresh connection.
        """
        return self.store_one(self.prepare(alarm, notifiers))

    def store_one(self, item: PendingAlarm) -> StoreResult:
        """Commit one prepared alarm in its own transaction (the fallback path)."""
        alarm = item.alarm
        values = item.values
        rows = item.deliveries

        # Made storable like every text column, so copies still match.
        dedup_key = values["dedup_key"]

        def write(connection: Connection) -> StoreResult:
            if dedup_key is not None:
                found = self._find_original(connection, alarm, dedup_key)
                if found is not None:
                    return found

            connection.execute(_INSERT, values)
            if rows:
                connection.execute(_INSERT_DELIVERIES, rows)
            return StoreResult(alarm.id)

        try:
            return self.database.run(write, writes=True)
        except IntegrityError:
            if not self._is_stored(alarm.id):
                raise
            logger.debug("storage: alarm {} was already stored", alarm.id)
        return StoreResult(alarm.id)

    def _one_by_one(self, batch: list[PendingAlarm]) -> list[StoreResult | Exception]:
        outcomes: list[StoreResult | Exception] = []
        for index, item in enumerate(batch):
            try:
                outcomes.append(self.store_one(item))
            except StorageUnavailable as error:
                outcomes.append(error)
                if not is_about_data(error.__cause__):
                    # The database is the trouble: the rest would only wait
                    # for it again, one after the other.
                    rest = batch[index + 1 :]
                    outcomes.extend(unavailable_copy(error) for _ in rest)
                    break
            except Exception as error:  # this alarm's own failure
                outcomes.append(error)
        return outcomes

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


def is_about_data(error: BaseException | None) -> bool:
    """Tell whether ``error`` may come from one alarm's values, not the database.

    Constraint and value errors, and errors raised while binding a value
    before the database saw it, are about data: the other alarms of a
    batch may still be written. Lost connections, timeouts, locks and
    everything unknown are about the database.
    """
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return False
        return isinstance(
            error, (IntegrityError, DataError, ProgrammingError, NotSupportedError)
        )
    # Raised while processing a value, before anything reached the database.
    return isinstance(error, StatementError)


def unavailable_copy(error: StorageUnavailable) -> StorageUnavailable:
    """A fresh :class:`StorageUnavailable` like ``error``, one per waiting caller."""
    copy = StorageUnavailable(str(error))
    copy.__cause__ = error.__cause__
    return copy

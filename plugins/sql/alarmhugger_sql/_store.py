"""Writing one alarm: one INSERT, one transaction, safe to repeat.

The statement is a plain Core ``INSERT`` built once, so SQLAlchemy compiles
it once and reuses it (the dialects' ``ON CONFLICT`` inserts are not
cacheable in SQLAlchemy 2.0 and would be compiled again for every alarm).
Writing an alarm whose id is already stored (a retry after a lost commit
acknowledgement, a spool replay) fails on the primary key; that case is
recognised and answered as stored, so there is still exactly one row.
"""

from __future__ import annotations

from typing import Any

from loguru import logger
from sqlalchemy import Connection
from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gateway.kit import Alarm
from gateway.kit import StoreResult

from alarmhugger_sql._database import Database
from alarmhugger_sql._schema import ALARM_COLUMNS
from alarmhugger_sql._schema import ALARMS
from alarmhugger_sql._sqltypes import clean_text

_INSERT = insert(ALARMS)
_EXISTS = select(ALARMS.c.id).where(ALARMS.c.id == bindparam("id"))

# Columns filled from parser output, where anything a sender wrote may land.
_TEXT_COLUMNS = frozenset(
    name for name in ALARM_COLUMNS if name not in {"id", "received_at", "raw_bytes"}
)


class AlarmWriter:
    """Stores alarms through one :class:`Database`."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def store(self, alarm: Alarm) -> StoreResult:
        """Commit ``alarm`` and return its id.

        :raises gateway.kit.StorageUnavailable: the database cannot be
            reached even after one retry on a fresh connection.
        """
        values = alarm_values(alarm)

        def write(connection: Connection) -> None:
            connection.execute(_INSERT, values)

        try:
            self.database.run(write)
        except IntegrityError:
            if not self._is_stored(alarm.id):
                raise
            logger.debug("storage: alarm {} was already stored", alarm.id)
        return StoreResult(alarm.id)

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

"""Deleting old alarms, a batch per transaction, keeping those still in flight.

An alarm with a pending delivery is kept whatever its age: deleting it
would silently cancel the delivery. Deleting an alarm deletes its
deliveries and its dedup key with it (``ON DELETE CASCADE``).

Each batch is its own short transaction, so a first prune of months of
alarms neither runs into PostgreSQL's statement timeout nor holds SQLite's
write lock long enough to make webhooks wait.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import select

from alarmhugger_sql._database import Database
from alarmhugger_sql._schema import ALARMS
from alarmhugger_sql._schema import DELIVERIES
from alarmhugger_sql._sqltypes import UtcDateTime

#: Alarms deleted per transaction.
BATCH_SIZE = 500

_IS_IN_FLIGHT = exists().where(
    DELIVERIES.c.alarm_id == ALARMS.c.id, DELIVERIES.c.state == "pending"
)
_OLDEST = (
    select(ALARMS.c.id)
    .where(
        ALARMS.c.received_at < bindparam("before", type_=UtcDateTime()),
        ~_IS_IN_FLIGHT,
    )
    .order_by(ALARMS.c.received_at, ALARMS.c.id)
    .limit(bindparam("batch"))
)
_DELETE_BATCH = delete(ALARMS).where(ALARMS.c.id.in_(_OLDEST.scalar_subquery()))


def prune_alarms(database: Database, received_before: dt.datetime) -> int:
    """Delete alarms received before ``received_before``; return how many."""
    values = {"before": received_before, "batch": BATCH_SIZE}

    def delete_batch(connection: Connection) -> int:
        return connection.execute(_DELETE_BATCH, values).rowcount

    deleted = 0
    while True:
        count = database.run(delete_batch, writes=True)
        deleted += count
        if count < BATCH_SIZE:
            return deleted

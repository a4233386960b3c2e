"""Running one unit of work against the database, surviving a dropped connection.

A pooled connection can die while it waits: Neon suspends an idle compute,
a server restarts, an administrator calls ``pg_terminate_backend``. The
pool's pre-ping notices most of these at checkout and reconnects; a
connection that dies between the ping and the statement, or a connect
that fails while a compute wakes, gets exactly one more try on a fresh
connection. Whatever still fails becomes
:class:`~gateway.kit.StorageUnavailable`, so the core can answer 503 and
the sender retries.
"""

from __future__ import annotations

import threading
from typing import Any
from typing import Callable
from typing import TypeVar

from loguru import logger
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import event
from sqlalchemy.exc import DataError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import SQLAlchemyError

from gateway.kit import StorageUnavailable
from gateway.kit import mask

from alarmhugger_sql._engine import SQLITE_BEGIN_IMMEDIATE
from alarmhugger_sql._url import DatabaseUrl

T = TypeVar("T")


class _DroppedConnection(Exception):
    """The connection was lost (or never made); the work may be tried again."""

    def __init__(self, error: DBAPIError) -> None:
        super().__init__(str(error))
        self.error = error


class Database:
    """An engine plus the rules for running work on it.

    :param engine: the engine, created once per gateway.
    :param database: the URL it was made from, for safe descriptions.
    """

    def __init__(self, engine: Engine, database: DatabaseUrl) -> None:
        self.engine = engine
        self.database = database
        self._writing_engine = engine.execution_options(
            **{SQLITE_BEGIN_IMMEDIATE: True}
        )
        self._local = threading.local()
        event.listen(engine, "invalidate", self._note_invalidated)

    @property
    def backend(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return self.database.backend

    def run(self, work: Callable[[Connection], T], *, writes: bool = False) -> T:
        """Run ``work`` in one transaction and commit it.

        ``work`` is called again, once, on a fresh connection when the
        first connection turned out dead; it must be safe to repeat.

        :param writes: take SQLite's write lock when the transaction
            begins (``BEGIN IMMEDIATE``), so work that reads, then writes
            what it read, sees no other writer in between. Transactions
            that write queue up there, within the busy timeout.

        :raises StorageUnavailable: the database cannot be reached, or
            failed for a reason other than the data itself.
        :raises sqlalchemy.exc.IntegrityError: the data broke a constraint.
        :raises sqlalchemy.exc.DataError: a value does not fit its column.
        """
        self._local.dropped = False
        try:
            engine = self._writing_engine if writes else self.engine
            try:
                result = self._attempt(engine, work)
            except _DroppedConnection as first:
                logger.bind(host=self.database.host).debug(
                    "storage: connection lost ({}), trying once more",
                    describe_error(first.error),
                )
                self._local.dropped = True
                result = self._attempt(engine, work)
        except _DroppedConnection as second:
            raise self._unavailable(second.error) from second.error
        except (IntegrityError, DataError):
            raise
        except SQLAlchemyError as error:
            raise self._unavailable(error) from error

        if self._local.dropped:
            logger.bind(host=self.database.host).warning(
                "storage: connection dropped, reconnected"
            )
        return result

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def _attempt(self, engine: Engine, work: Callable[[Connection], T]) -> T:
        try:
            connection = engine.connect()
        except DBAPIError as error:
            raise _DroppedConnection(error) from error

        with connection:
            try:
                with connection.begin():
                    return work(connection)
            except DBAPIError as error:
                if error.connection_invalidated:
                    raise _DroppedConnection(error) from error
                raise

    def _note_invalidated(self, *_args: Any) -> None:
        # Called in the thread whose connection died, pre-ping included.
        self._local.dropped = True

    def _unavailable(self, error: BaseException) -> StorageUnavailable:
        return StorageUnavailable(
            f"database {self.database.location} unavailable: {describe_error(error)}"
        )


def describe_error(error: BaseException) -> str:
    """Say what went wrong in one short line, without SQL or secrets."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    lines = str(cause).strip().splitlines()
    first_line = lines[0].strip() if lines else ""
    name = type(cause).__name__
    return mask(f"{name}: {first_line}" if first_line else name)

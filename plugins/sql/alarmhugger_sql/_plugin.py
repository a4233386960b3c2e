"""The storage plugin's hook implementations, wiring the modules together."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Mapping

from loguru import logger
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import OperationalError

from gateway.kit import Alarm
from gateway.kit import AlarmPage
from gateway.kit import AlarmQuery
from gateway.kit import CheckResult
from gateway.kit import Delivery
from gateway.kit import DeliveryOutcome
from gateway.kit import DeliveryQuery
from gateway.kit import NotifierBacklog
from gateway.kit import StorageUnavailable
from gateway.kit import StoreResult
from gateway.kit import hookimpl

from alarmhugger_sql import _query
from alarmhugger_sql._batch import PendingAlarm
from alarmhugger_sql._database import Database
from alarmhugger_sql._database import describe_error
from alarmhugger_sql._deliveries import DeliveryQueue
from alarmhugger_sql._deliveries import deliveries_of
from alarmhugger_sql._engine import create_storage_engine
from alarmhugger_sql._group import GroupCommitter
from alarmhugger_sql._health import CHECK_NAME
from alarmhugger_sql._health import check_database
from alarmhugger_sql._migrate import upgrade_database
from alarmhugger_sql._retention import prune_alarms
from alarmhugger_sql._settings import SqlSettings
from alarmhugger_sql._settings import read_settings
from alarmhugger_sql._store import AlarmWriter

if TYPE_CHECKING:
    from gateway.kit import GatewayConfig

# Seconds the health check adds to the connect timeout before giving up.
HEALTH_MARGIN_SECONDS = 1.0


class SqlStorage:
    """Stores alarms in PostgreSQL (Neon included) or a SQLite file.

    One instance serves one gateway; several may live in one process,
    each with its own engine.
    """

    def __init__(self) -> None:
        self.settings: SqlSettings | None = None
        self.database: Database | None = None
        self._writer: AlarmWriter | None = None
        self._committer: GroupCommitter[PendingAlarm, StoreResult] | None = None
        self._queue: DeliveryQueue | None = None
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------

    @hookimpl
    def gateway_configure(self, config: GatewayConfig) -> None:
        """Read and check ``[plugin:sql]``; connects to nothing."""
        self.settings = read_settings(config)
        logger.info("storage: {}", self.settings.database.describe())

    @hookimpl
    def gateway_startup(self, config: GatewayConfig) -> None:
        """Create the engine, migrate when ``auto_upgrade`` is on, start the writer.

        A database that cannot be reached does not stop the start: the
        gateway spools alarms meanwhile, and the upgrade is tried again
        before the first write that finds the database back.
        """
        settings = self._require_settings(config)
        self.database = self._open(settings)
        self._writer = AlarmWriter(self.database)
        self._queue = DeliveryQueue(self.database)
        self._schema_ready = not settings.auto_upgrade

        if settings.auto_upgrade:
            try:
                self._ensure_schema()
            except StorageUnavailable as error:
                # Unreachable is survivable; a broken migration is not.
                if not isinstance(error.__cause__, OperationalError):
                    raise
                logger.warning("storage: schema upgrade postponed: {}", error)

        self._committer = GroupCommitter(self._writer.store_many, name="sql-writer")
        self._committer.start()

    @hookimpl
    def gateway_shutdown(self) -> None:
        """Write what is queued, stop the writer, close every pooled connection.

        Alarms handed over after this began get ``StorageUnavailable``
        (the core spools them); those queued before are committed first.
        """
        if self._committer is not None:
            self._committer.stop()
            self._committer = None
        if self.database is not None:
            self.database.dispose()
            self.database = None
            self._writer = None
            self._queue = None

    # -- storage -----------------------------------------------------------

    @hookimpl
    def gateway_store_alarm(self, alarm: Alarm, notifiers: list[str]) -> StoreResult:
        """Commit one alarm and a pending delivery per notifier.

        Idempotent for an id already stored; a copy whose dedup key is
        live is counted on the original instead. Alarms stored by several
        threads at once are committed together in one transaction (group
        commit, see ``_group.py``); this returns once this alarm's
        transaction is committed.
        """
        writer = self._require_writer()
        committer = self._committer
        if committer is None:
            raise StorageUnavailable("SQL storage is not started")
        self._ensure_schema()
        return committer.submit(writer.prepare(alarm, notifiers))

    @hookimpl
    def gateway_query_alarms(self, query: AlarmQuery) -> AlarmPage:
        """Return one page of alarms matching ``query``, newest first.

        Each alarm comes with its deliveries (one more indexed query per
        page, in the same transaction).
        """
        database = self._require_database()
        self._ensure_schema()
        statement = _query.select_page(query)

        def fetch(connection: Connection) -> AlarmPage:
            page = _query.to_page(list(connection.execute(statement).all()), query)
            found = deliveries_of(connection, [alarm.id for alarm in page.alarms])
            for alarm in page.alarms:
                alarm.deliveries = found[alarm.id]
            return page

        return database.run(fetch)

    @hookimpl
    def gateway_get_alarm(self, alarm_id: str) -> Alarm | None:
        """Return the alarm stored under ``alarm_id`` with its deliveries.

        ``None`` when there is no such alarm. Deliveries are ordered by
        notifier and carry no ``alarm``.
        """
        database = self._require_database()
        self._ensure_schema()
        statement = _query.select_alarm(alarm_id)

        def fetch(connection: Connection) -> Alarm | None:
            row = connection.execute(statement).first()
            if row is None:
                return None
            alarm = _query.to_alarm(row._mapping)
            alarm.deliveries = deliveries_of(connection, [alarm.id])[alarm.id]
            return alarm

        return database.run(fetch)

    # -- deliveries --------------------------------------------------------

    @hookimpl
    def gateway_claim_deliveries(
        self, notifier: str, worker: str, limit: int, lease_s: float
    ) -> list[Delivery]:
        """Claim up to ``limit`` due deliveries of ``notifier``, with alarms."""
        queue = self._require_queue()
        self._ensure_schema()
        return queue.claim(notifier, worker, limit, lease_s)

    @hookimpl
    def gateway_finish_delivery(
        self, delivery: Delivery, outcome: DeliveryOutcome
    ) -> bool:
        """Record an attempt's outcome while the claim is still ours.

        ``False`` when another worker claimed the delivery meanwhile (its
        lease had run out) or the claim was released: nothing is written.
        """
        queue = self._require_queue()
        self._ensure_schema()
        return queue.finish(delivery, outcome)

    @hookimpl
    def gateway_release_deliveries(self, worker: str) -> int:
        """Release every claim ``worker`` holds; return how many."""
        queue = self._require_queue()
        self._ensure_schema()
        return queue.release(worker)

    @hookimpl
    def gateway_query_deliveries(self, query: DeliveryQuery) -> list[Delivery]:
        """List deliveries matching ``query``, newest first, without alarms."""
        queue = self._require_queue()
        self._ensure_schema()
        return queue.query(query)

    @hookimpl
    def gateway_requeue_deliveries(
        self, delivery_ids: list[str] | None, state: str
    ) -> int:
        """Make deliveries in ``state`` pending and due now; return how many."""
        queue = self._require_queue()
        self._ensure_schema()
        return queue.requeue(delivery_ids, state)

    @hookimpl
    def gateway_delivery_backlog(self) -> dict[str, NotifierBacklog]:
        """Count pending and dead deliveries per notifier, in one query."""
        queue = self._require_queue()
        self._ensure_schema()
        return queue.backlog()

    @hookimpl
    def gateway_prune_alarms(self, received_before: dt.datetime) -> int:
        """Delete alarms received before ``received_before``; return how many.

        Alarms with a pending delivery are kept; the deleted ones take
        their deliveries and dedup keys with them.
        """
        database = self._require_database()
        self._ensure_schema()
        return prune_alarms(database, received_before)

    @hookimpl
    def gateway_upgrade_storage(self) -> str:
        """Run pending migrations; say which revision the database is at.

        Works with or without :meth:`gateway_startup`: without it, an
        engine is opened for the upgrade and closed again.
        """
        if self.database is not None:
            summary = self._upgrade(self.database)
            self._schema_ready = True
            return summary

        settings = self._require_settings(None)
        database = self._open(settings)
        try:
            return self._upgrade(database)
        finally:
            database.dispose()

    # -- health ------------------------------------------------------------

    @hookimpl
    def gateway_check_health(self) -> Mapping[str, CheckResult]:
        """Report whether the database answers ``SELECT 1``, and how fast."""
        timeout = HEALTH_MARGIN_SECONDS
        if self.settings is not None:
            timeout += self.settings.connect_timeout

        result = check_database(self.database, timeout)
        if result.ok and not self._schema_ready:
            result = self._check_schema(result)
        return {CHECK_NAME: result}

    def _check_schema(self, reachable: CheckResult) -> CheckResult:
        # The database is back after a start without it: migrate now.
        try:
            self._ensure_schema()
        except StorageUnavailable as error:
            details = {**reachable.details, "error": str(error)}
            return CheckResult(False, details, critical=True)
        return reachable

    # -- helpers -----------------------------------------------------------

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        database = self._require_database()
        with self._schema_lock:
            if self._schema_ready:
                return
            self._upgrade(database)
            self._schema_ready = True

    def _upgrade(self, database: Database) -> str:
        try:
            return upgrade_database(database.engine)
        except DBAPIError as error:
            raise StorageUnavailable(
                f"database {database.database.location} could not be upgraded: "
                f"{describe_error(error)}"
            ) from error

    def _open(self, settings: SqlSettings) -> Database:
        if settings.database.backend == "sqlite":
            folder = Path(settings.database.location).parent
            folder.mkdir(parents=True, exist_ok=True)
        return Database(create_storage_engine(settings), settings.database)

    def _require_settings(self, config: GatewayConfig | None) -> SqlSettings:
        if self.settings is None:
            if config is None:
                raise StorageUnavailable("SQL storage is not configured")
            self.settings = read_settings(config)
        return self.settings

    def _require_database(self) -> Database:
        if self.database is None:
            raise StorageUnavailable("SQL storage is not started")
        return self.database

    def _require_writer(self) -> AlarmWriter:
        if self._writer is None:
            raise StorageUnavailable("SQL storage is not started")
        return self._writer

    def _require_queue(self) -> DeliveryQueue:
        if self._queue is None:
            raise StorageUnavailable("SQL storage is not started")
        return self._queue

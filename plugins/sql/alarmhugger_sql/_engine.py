"""Creating the one SQLAlchemy engine of a gateway, tuned per backend.

PostgreSQL: a ping before reusing a connection that sat idle, a connect
timeout, TCP keepalives and a statement timeout, so a dead or hung server
is noticed in seconds rather than minutes. SQLite: write-ahead logging, a
busy timeout and an explicit ``BEGIN`` so several threads and processes
can share one file, and foreign keys enforced (SQLite leaves them off
unless asked), so deleting an alarm deletes its deliveries there too.
"""

from __future__ import annotations

import time
from typing import Any

from loguru import logger
from sqlalchemy import URL
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.exc import InvalidatePoolError

from alarmhugger_sql._settings import SqlSettings
from alarmhugger_sql._sqltypes import dump_json
from alarmhugger_sql._sqltypes import load_json

#: Connection option asking for ``BEGIN IMMEDIATE`` on SQLite: the write
#: lock is taken at once, so what the transaction reads stays true until it
#: commits (migrations, and every unit of work that writes).
SQLITE_BEGIN_IMMEDIATE = "alarmhugger_sqlite_begin_immediate"

# How long to wait for a free pooled connection before giving up.
POOL_TIMEOUT_SECONDS = 10

SQLITE_BUSY_TIMEOUT_MS = 5000

#: A pooled PostgreSQL connection idle longer than this is pinged before
#: it is used again. Busy connections are not: a ping is a round trip,
#: and in a burst it would cost as much as the work itself. A connection
#: that dies within this window is caught by the retry on a fresh
#: connection instead (``Database.run``).
PING_AFTER_IDLE_SECONDS = 2.0

# Where a pooled connection's last check-in time is kept (its ``info``,
# which SQLAlchemy clears when it reconnects).
_IDLE_SINCE = "alarmhugger_idle_since"

# A dead peer is noticed after about 30 + 3 * 10 seconds of silence.
_KEEPALIVES = {
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}


def create_storage_engine(settings: SqlSettings) -> Engine:
    """Create the engine for ``settings``; connects to nothing yet."""
    options: dict[str, Any] = {
        "pool_size": settings.pool_size,
        "max_overflow": max(4, settings.pool_size // 2),
        "pool_timeout": POOL_TIMEOUT_SECONDS,
        "json_serializer": dump_json,
        "json_deserializer": load_json,
        "echo": settings.echo,
    }

    if settings.database.backend == "sqlite":
        return _sqlite_engine(settings, options)
    return _postgres_engine(settings, options)


def _postgres_engine(settings: SqlSettings, options: dict[str, Any]) -> Engine:
    url, connect_args = postgres_connect_args(settings)
    engine = create_engine(url, connect_args=connect_args, **options)
    ping_after_idle(engine)
    return engine


def ping_after_idle(engine: Engine, idle_seconds: float | None = None) -> None:
    """Ping a pooled connection at checkout only when it sat idle a while.

    Like ``pool_pre_ping``, a connection that fails the ping makes the
    pool reconnect it, and every connection older than it too (they most
    likely died with it: a server restart, a Neon compute suspended), and
    the "invalidate" event fires, so the drop is reported as usual. Unlike
    it, a connection checked in less than ``idle_seconds`` ago
    (default :data:`PING_AFTER_IDLE_SECONDS`) is trusted.
    """
    limit = PING_AFTER_IDLE_SECONDS if idle_seconds is None else idle_seconds
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def note_idle_since(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < limit:
            return  # just connected, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # Whatever the reason, a connection that cannot run SELECT 1
            # is no use: have the pool replace it.
            raise InvalidatePoolError(f"ping failed: {type(error).__name__}") from error


def postgres_connect_args(settings: SqlSettings) -> tuple[URL, dict[str, Any]]:
    """Return the URL and the extra libpq parameters to connect with.

    Parameters written in the URL win over our defaults; ``options`` from
    the URL is kept and the statement timeout appended to it.
    """
    url = settings.database.url
    query = dict(url.query)

    defaults: dict[str, Any] = {
        "connect_timeout": settings.connect_timeout,
        "application_name": "alarmhugger",
        **_KEEPALIVES,
    }
    connect_args = {k: v for k, v in defaults.items() if k not in query}

    server_options = [str(query.pop("options", "")).strip()]
    if settings.statement_timeout_ms and not settings.database.is_pooler:
        server_options.append(f"-c statement_timeout={settings.statement_timeout_ms}")
    elif settings.statement_timeout_ms:
        # PgBouncer in transaction mode does not pass startup options on.
        logger.debug(
            "storage: pooled host, statement timeout left to the server's settings"
        )

    joined = " ".join(option for option in server_options if option)
    if joined:
        connect_args["options"] = joined
    return url.set(query=query), connect_args


def _sqlite_engine(settings: SqlSettings, options: dict[str, Any]) -> Engine:
    engine = create_engine(
        settings.database.url,
        connect_args={
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
            "check_same_thread": False,
        },
        **options,
    )
    synchronous = settings.sqlite_synchronous.upper()

    @event.listens_for(engine, "connect")
    def prepare_connection(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where a
        # transaction begins (the module would commit before DDL).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin_transaction(connection: Any) -> None:
        if connection.get_execution_options().get(SQLITE_BEGIN_IMMEDIATE):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine

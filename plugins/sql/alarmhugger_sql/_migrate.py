"""Bringing the schema to the newest revision with Alembic, safely in parallel.

Migrations live in this package (``migrations/``) and run programmatically
on a connection we hand over; no ``alembic.ini`` is involved. Several
gateway processes may start at once against one database, so the whole
upgrade runs in one transaction that first takes a lock: a transaction
advisory lock on PostgreSQL (which also works through PgBouncer in
transaction mode), ``BEGIN IMMEDIATE`` on SQLite. The second process waits,
then finds the schema already at head and does nothing.

On SQLite foreign keys are switched off while migrating, as SQLite's own
guide to altering tables asks: a migration that copies a table (batch
mode) drops the old one, and with foreign keys on that drop would cascade
to the deliveries. They are checked before the commit instead.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from loguru import logger
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import text

from alarmhugger_sql._engine import SQLITE_BEGIN_IMMEDIATE
from alarmhugger_sql._schema import VERSION_TABLE

MIGRATIONS = Path(__file__).parent / "migrations"

# Any fixed 64-bit number; it only has to differ from other applications'.
ADVISORY_LOCK_KEY = 0x416C_6172_6D48_5351  # "AlarmHSQ"


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic configuration for this package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """Return the newest revision the migrations know."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return head or "none"


def current_revision(connection: Connection) -> str | None:
    """Return the revision the database is at, ``None`` when never migrated."""
    context = MigrationContext.configure(
        connection, opts={"version_table": VERSION_TABLE}
    )
    return context.get_current_revision()


def upgrade_database(engine: Engine) -> str:
    """Run every pending migration and say where the database now stands.

    :returns: e.g. ``database at revision 0001 (head)``, followed by
        ``; upgraded from none`` when something was done.
    """
    locked_engine = engine.execution_options(**{SQLITE_BEGIN_IMMEDIATE: True})
    with locked_engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        if is_sqlite:
            _set_sqlite_foreign_keys(connection, enforced=False)
        try:
            with connection.begin():
                _lock_for_migrations(connection)
                before = current_revision(connection)
                command.upgrade(alembic_config(connection), "head")
                after = current_revision(connection)
                if is_sqlite:
                    _check_sqlite_foreign_keys(connection)
        finally:
            if is_sqlite:
                _set_sqlite_foreign_keys(connection, enforced=True)

    head = head_revision()
    summary = f"database at revision {after}"
    if after == head:
        summary += " (head)"
    if before != after:
        summary += f"; upgraded from {before or 'none'}"
        logger.info("storage: {}", summary)
    return summary


def _lock_for_migrations(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already holds the write lock.

    # Migrations may take longer than requests are allowed to.
    connection.execute(text("SET LOCAL statement_timeout = 0"))
    connection.execute(
        text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
    )


def _set_sqlite_foreign_keys(connection: Connection, *, enforced: bool) -> None:
    # The pragma is ignored inside a transaction, so it goes to the driver
    # directly, outside the one SQLAlchemy would begin.
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        raise RuntimeError(
            f"migration left a row of {broken[0]} pointing at a missing row of "
            f"{broken[2]}; the upgrade was rolled back"
        )

"""Migrations: idempotent, safe in parallel, and matching the models."""

from __future__ import annotations

import threading

import datetime as dt

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy import insert

from gateway.kit import StoreResult

from alarmhugger_sql import SqlStorage
from alarmhugger_sql._migrate import alembic_config
from alarmhugger_sql._migrate import current_revision
from alarmhugger_sql._migrate import head_revision
from alarmhugger_sql._schema import ALARMS
from alarmhugger_sql._schema import DEDUP_KEYS
from alarmhugger_sql._schema import DELIVERIES
from alarmhugger_sql._schema import VERSION_TABLE
from alarmhugger_sql._schema import Base
from alarmhugger_sql._store import alarm_values

# Columns the first revision's alarms table had.
COLUMNS_0001 = frozenset(ALARMS.c.keys()) - {"dedup_key", "dedup_until", "last_seen_at"}


def migrate_to(storage, revision, step=command.upgrade):
    """Move the schema behind ``storage`` to ``revision`` (up or down)."""
    with storage.database.engine.begin() as connection:
        step(alembic_config(connection), revision)


def store_as_0001(storage, alarm):
    """Write ``alarm`` the way revision 0001 of the plugin did."""
    values = {
        name: value
        for name, value in alarm_values(alarm).items()
        if name in COLUMNS_0001
    }
    with storage.database.engine.begin() as connection:
        connection.execute(insert(ALARMS), values)


def test_upgrade_without_startup_opens_and_closes_its_own_engine(
    database_url, make_config
):
    storage = SqlStorage()
    storage.gateway_configure(make_config(database_url))

    first = storage.gateway_upgrade_storage()
    second = storage.gateway_upgrade_storage()

    assert first == "database at revision 0002 (head); upgraded from none"
    assert second == "database at revision 0002 (head)"
    assert storage.database is None


def test_upgrade_fresh_database_reports_head(database_url, start_storage):
    storage = start_storage(database_url, auto_upgrade="false")

    summary = storage.gateway_upgrade_storage()

    assert summary == "database at revision 0002 (head); upgraded from none"
    assert head_revision() == "0002"


def test_upgrade_twice_second_is_no_op(database_url, start_storage):
    storage = start_storage(database_url)

    first = storage.gateway_upgrade_storage()
    second = storage.gateway_upgrade_storage()

    assert first == second == "database at revision 0002 (head)"


def test_upgrade_two_engines_at_once_both_succeed(
    database_url, start_storage, make_alarm
):
    storages = [start_storage(database_url, auto_upgrade="false") for _ in range(2)]
    barrier = threading.Barrier(2)
    summaries, errors = [], []

    def upgrade(storage):
        barrier.wait()
        try:
            summaries.append(storage.gateway_upgrade_storage())
        except Exception as error:  # collected and asserted on
            errors.append(error)

    threads = [threading.Thread(target=upgrade, args=(s,)) for s in storages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(summaries) == [
        "database at revision 0002 (head)",
        "database at revision 0002 (head); upgraded from none",
    ]
    storages[1].gateway_store_alarm(alarm := make_alarm(), [])
    assert storages[0].gateway_get_alarm(alarm.id) == alarm


def test_upgrade_auto_upgrade_off_leaves_database_empty(database_url, start_storage):
    storage = start_storage(database_url, auto_upgrade="false")

    tables = inspect(storage.database.engine).get_table_names()

    assert "alarms" not in tables


# SQLite cannot reflect expression indexes; the next test checks their names.
@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_migrations_produce_the_models_schema(database_url, start_storage):
    storage = start_storage(database_url)

    with storage.database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE}
        )
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def index_names(storage):
    """Every index name in the database behind ``storage``, read directly."""
    engine = storage.database.engine
    if engine.dialect.name == "sqlite":
        listing = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        listing = "SELECT indexname FROM pg_indexes"
    with engine.connect() as connection:
        return {name for (name,) in connection.exec_driver_sql(listing)}


def test_migrations_create_every_index_of_the_models(database_url, start_storage):
    storage = start_storage(database_url)

    found = index_names(storage)

    expected = {index.name for index in ALARMS.indexes}
    assert expected == {
        "ix_alarms_received_at_id",
        "ix_alarms_ticker_received_at",
        "ix_alarms_exchange_received_at",
        "ix_alarms_action_received_at",
        "ix_alarms_source_received_at",
    }
    assert expected <= found


def test_migrations_create_the_delivery_and_dedup_indexes(database_url, start_storage):
    storage = start_storage(database_url)

    found = index_names(storage)

    expected = {index.name for index in DELIVERIES.indexes | DEDUP_KEYS.indexes}
    assert expected == {
        "ix_deliveries_notifier_state_next_attempt_at",
        "ix_deliveries_state_id",
        "ix_deliveries_alarm_id_notifier",
        "ix_dedup_keys_alarm_id",
    }
    assert expected <= found


def test_upgrade_from_0001_keeps_alarms_and_adds_deliveries(
    database_url, start_storage, make_alarm
):
    storage = start_storage(database_url, auto_upgrade="false")
    migrate_to(storage, "0001")
    old = [make_alarm(), make_alarm(duplicates=2)]
    for alarm in old:
        store_as_0001(storage, alarm)

    summary = storage.gateway_upgrade_storage()

    assert summary == "database at revision 0002 (head); upgraded from 0001"
    for alarm in old:
        stored = storage.gateway_get_alarm(alarm.id)
        assert stored == alarm
        assert stored.dedup_key is None and stored.deliveries == []
    until = old[0].received_at + dt.timedelta(seconds=10)
    new = make_alarm(dedup_key="hash:new", dedup_until=until)
    copy = make_alarm(dedup_key="hash:new", dedup_until=until)
    assert storage.gateway_store_alarm(new, ["chat"]) == StoreResult(new.id)
    assert storage.gateway_store_alarm(copy, ["chat"]).duplicate is True
    assert [d.notifier for d in storage.gateway_get_alarm(new.id).deliveries] == [
        "chat"
    ]


def test_downgrade_to_0001_and_back_keeps_alarms(
    database_url, start_storage, make_alarm
):
    storage = start_storage(database_url)
    storage.gateway_store_alarm(alarm := make_alarm(), ["chat"])

    migrate_to(storage, "0001", step=command.downgrade)
    with storage.database.engine.connect() as connection:
        assert current_revision(connection) == "0001"
        tables = set(inspect(connection).get_table_names())
    summary = storage.gateway_upgrade_storage()

    assert "deliveries" not in tables
    assert summary == "database at revision 0002 (head); upgraded from 0001"
    assert storage.gateway_get_alarm(alarm.id) == alarm
    # A table copy (SQLite batch mode) would have lost the lower() indexes.
    assert {index.name for index in ALARMS.indexes} <= index_names(storage)


def test_sqlite_foreign_keys_enforced_after_migrating(sqlite_url, start_storage):
    # Switched off while migrating; every connection must have them back.
    storage = start_storage(sqlite_url)
    storage.gateway_upgrade_storage()

    engine = storage.database.engine
    connections = [engine.connect() for _ in range(3)]
    try:
        pragmas = [
            c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in connections
        ]
    finally:
        for connection in connections:
            connection.close()

    assert pragmas == [1, 1, 1]


def test_migrations_version_table_is_our_own(database_url, start_storage):
    storage = start_storage(database_url)

    tables = set(inspect(storage.database.engine).get_table_names())

    assert {"alarms", "deliveries", "dedup_keys", VERSION_TABLE} <= tables
    assert "alembic_version" not in tables


def test_migrations_env_refuses_the_alembic_command_line():
    with pytest.raises(RuntimeError, match="gateway db upgrade"):
        command.upgrade(alembic_config(None), "head")

"""Migrations: idempotent, safe in parallel, and matching the models."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from alarmhugger_sql import SqlStorage
from alarmhugger_sql._migrate import head_revision
from alarmhugger_sql._schema import ALARMS
from alarmhugger_sql._schema import VERSION_TABLE
from alarmhugger_sql._schema import Base


def test_upgrade_without_startup_opens_and_closes_its_own_engine(
    database_url, make_config
):
    storage = SqlStorage()
    storage.gateway_configure(make_config(database_url))

    first = storage.gateway_upgrade_storage()
    second = storage.gateway_upgrade_storage()

    assert first == "database at revision 0001 (head); upgraded from none"
    assert second == "database at revision 0001 (head)"
    assert storage.database is None


def test_upgrade_fresh_database_reports_head(database_url, start_storage):
    storage = start_storage(database_url, auto_upgrade="false")

    summary = storage.gateway_upgrade_storage()

    assert summary == "database at revision 0001 (head); upgraded from none"
    assert head_revision() == "0001"


def test_upgrade_twice_second_is_no_op(database_url, start_storage):
    storage = start_storage(database_url)

    first = storage.gateway_upgrade_storage()
    second = storage.gateway_upgrade_storage()

    assert first == second == "database at revision 0001 (head)"


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
        "database at revision 0001 (head)",
        "database at revision 0001 (head); upgraded from none",
    ]
    storages[1].gateway_store_alarm(alarm := make_alarm())
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


def test_migrations_create_every_index_of_the_models(database_url, start_storage):
    storage = start_storage(database_url)
    engine = storage.database.engine
    if engine.dialect.name == "sqlite":
        listing = "SELECT name FROM sqlite_master WHERE tbl_name = 'alarms'"
    else:
        listing = "SELECT indexname FROM pg_indexes WHERE tablename = 'alarms'"

    with engine.connect() as connection:
        found = {name for (name,) in connection.exec_driver_sql(listing)}

    expected = {index.name for index in ALARMS.indexes}
    assert expected == {
        "ix_alarms_received_at_id",
        "ix_alarms_ticker_received_at",
        "ix_alarms_exchange_received_at",
        "ix_alarms_action_received_at",
        "ix_alarms_source_received_at",
    }
    assert expected <= found


def test_migrations_version_table_is_our_own(database_url, start_storage):
    storage = start_storage(database_url)

    tables = set(inspect(storage.database.engine).get_table_names())

    assert {"alarms", VERSION_TABLE} <= tables
    assert "alembic_version" not in tables


def test_migrations_env_refuses_the_alembic_command_line():
    from alembic import command

    from alarmhugger_sql._migrate import alembic_config

    with pytest.raises(RuntimeError, match="gateway db upgrade"):
        command.upgrade(alembic_config(None), "head")

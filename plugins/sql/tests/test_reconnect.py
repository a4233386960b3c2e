"""Dropped PostgreSQL connections: survived once, reported plainly, never doubled."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import psycopg2
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from gateway.kit import AlarmQuery
from gateway.kit import StorageUnavailable
from gateway.kit import StoreResult

PASSWORD = "Tr0ub4dor&3-pw"


def url_with_password(postgres_url):
    # Trust authentication ignores the password; it is there to be hidden.
    return postgres_url.replace("postgres@", "postgres:Tr0ub4dor%263-pw@", 1)


def terminate_backends(postgres_url, only_pid=None):
    """Kill server-side backends of the test database, as Neon's suspend does."""
    database = make_url(postgres_url).database
    admin = psycopg2.connect(postgres_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() "
                "AND (%s IS NULL OR pid = %s)",
                (database, only_pid, only_pid),
            )
            killed = cursor.rowcount
            for _ in range(100):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND (%s IS NULL OR pid = %s)",
                    (database, only_pid, only_pid),
                )
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.02)
    finally:
        admin.close()
    return killed


def messages(records):
    return [
        (record["level"].name, record["message"], record["extra"]) for record in records
    ]


def test_store_case_15_backend_killed_between_alarms_reconnects(
    postgres_url, start_storage, make_alarm, count_rows, log_records
):
    """Case 15-neon-dropped-connection-after-idle: the next alarm is stored."""
    storage = start_storage(url_with_password(postgres_url))
    storage.gateway_store_alarm(make_alarm(), [])
    assert terminate_backends(postgres_url) >= 1
    log_records.clear()

    result = storage.gateway_store_alarm(second := make_alarm(), [])

    assert result.alarm_id == second.id
    assert count_rows(storage) == 2
    warnings = [r for r in log_records if r["level"].name == "WARNING"]
    assert [r["message"] for r in warnings] == [
        "storage: connection dropped, reconnected"
    ]
    assert warnings[0]["extra"]["host"] == "127.0.0.1"
    assert not [r for r in log_records if r["level"].no >= 40]
    assert PASSWORD not in repr(messages(log_records))
    assert "Tr0ub4dor%263" not in repr(messages(log_records))


def test_store_case_15_connection_dies_mid_statement_retried_once(
    postgres_url, start_storage, make_alarm, count_rows, log_records
):
    """Case 15-neon-dropped-connection-after-idle: past the pre-ping, retried."""
    storage = start_storage(url_with_password(postgres_url))
    engine = storage.database.engine
    attempts = []

    # Kill our own backend after the pool checked the connection out and
    # pinged it, just before the INSERT goes out.
    @event.listens_for(engine, "before_cursor_execute")
    def kill_first_insert(connection, cursor, statement, parameters, context, many):
        if statement.startswith("INSERT"):
            attempts.append(statement)
            if len(attempts) == 1:
                pid = connection.connection.dbapi_connection.get_backend_pid()
                terminate_backends(postgres_url, only_pid=pid)

    alarm = make_alarm()
    result = storage.gateway_store_alarm(alarm, [])

    assert result.alarm_id == alarm.id
    assert len(attempts) == 2
    assert count_rows(storage) == 1
    assert storage.gateway_get_alarm(alarm.id) == alarm
    levels = [r["level"].name for r in log_records]
    assert "ERROR" not in levels
    assert "storage: connection dropped, reconnected" in [
        r["message"] for r in log_records if r["level"].name == "WARNING"
    ]
    assert PASSWORD not in repr(messages(log_records))


def test_store_commit_landed_before_connection_died_one_row(
    postgres_url, start_storage, make_alarm, count_rows
):
    """Case 15-neon-dropped-connection-after-idle: no duplicate from the retry."""
    storage = start_storage(postgres_url)
    engine = storage.database.engine
    alarm = make_alarm()
    attempts = []

    # The row gets committed, then the connection dies before we hear so:
    # the retry finds the id taken and must answer "stored", not fail.
    @event.listens_for(engine, "before_cursor_execute")
    def commit_elsewhere_then_die(
        connection, cursor, statement, parameters, context, many
    ):
        if statement.startswith("INSERT"):
            attempts.append(statement)
            if len(attempts) == 1:
                other = psycopg2.connect(postgres_url)
                try:
                    with other, other.cursor() as other_cursor:
                        other_cursor.execute(statement, parameters)
                finally:
                    other.close()
                pid = connection.connection.dbapi_connection.get_backend_pid()
                terminate_backends(postgres_url, only_pid=pid)

    result = storage.gateway_store_alarm(alarm, [])

    assert result.alarm_id == alarm.id
    assert len(attempts) == 2
    assert count_rows(storage) == 1
    assert storage.gateway_get_alarm(alarm.id) == alarm


def test_store_connection_dies_twice_storage_unavailable_chained(
    postgres_url, start_storage, make_alarm, count_rows
):
    storage = start_storage(url_with_password(postgres_url))
    engine = storage.database.engine

    @event.listens_for(engine, "before_cursor_execute")
    def kill_every_insert(connection, cursor, statement, parameters, context, many):
        if statement.startswith("INSERT"):
            pid = connection.connection.dbapi_connection.get_backend_pid()
            terminate_backends(postgres_url, only_pid=pid)

    with pytest.raises(StorageUnavailable) as caught:
        storage.gateway_store_alarm(make_alarm(), [])

    assert caught.value.__cause__ is not None
    assert PASSWORD not in str(caught.value)
    event.remove(engine, "before_cursor_execute", kill_every_insert)
    assert count_rows(storage) == 0


def test_store_unreachable_server_storage_unavailable(start_storage, make_alarm):
    storage = start_storage("postgresql://app:Hunter2-pw-X@127.0.0.1:1/alarms")

    with pytest.raises(StorageUnavailable) as caught:
        storage.gateway_store_alarm(make_alarm(), [])

    assert "127.0.0.1:1/alarms" in str(caught.value)
    assert "Hunter2-pw-X" not in str(caught.value)
    assert caught.value.__cause__ is not None


def test_startup_database_missing_postponed_then_migrated_when_back(
    postgres_url, start_storage, make_alarm, log_records
):
    """Case 15-neon-dropped-connection-after-idle: a start while it sleeps."""
    server = postgres_url.rsplit("/", 1)[0]
    name = f"alarmhugger_test_late_{uuid.uuid4().hex[:8]}"
    storage = start_storage(f"{server}/{name}")
    assert any(
        r["message"].startswith("storage: schema upgrade postponed")
        for r in log_records
    )

    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        alarm = make_alarm()

        storage.gateway_store_alarm(alarm, [])

        assert storage.gateway_get_alarm(alarm.id) == alarm
    finally:
        storage.gateway_shutdown()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_health_database_back_after_postponed_start_migrates(
    postgres_url, start_storage
):
    server = postgres_url.rsplit("/", 1)[0]
    name = f"alarmhugger_test_late_{uuid.uuid4().hex[:8]}"
    storage = start_storage(f"{server}/{name}")
    assert storage.gateway_check_health()["database"].ok is False

    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')

        check = storage.gateway_check_health()["database"]

        assert check.ok is True
        assert storage.gateway_query_alarms(AlarmQuery()).alarms == []
    finally:
        storage.gateway_shutdown()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_store_commit_with_key_and_deliveries_landed_retry_not_a_duplicate(
    postgres_url, start_storage, make_alarm, count_rows, delivery_rows
):
    """Case 15-neon-dropped-connection-after-idle with case 19's dedup key."""
    storage = start_storage(postgres_url)
    elsewhere = start_storage(postgres_url)
    alarm = make_alarm(
        dedup_key="id:tv-8841",
        dedup_until=make_alarm().received_at + dt.timedelta(seconds=10),
    )
    attempts = []

    # The whole unit of work commits (through another engine), then our
    # connection dies before we hear so; the retry finds the key held by
    # this very alarm.
    @event.listens_for(storage.database.engine, "before_cursor_execute")
    def commit_elsewhere_then_die(
        connection, cursor, statement, parameters, context, many
    ):
        if statement.startswith("INSERT INTO dedup_keys"):
            attempts.append(statement)
            if len(attempts) == 1:
                elsewhere.gateway_store_alarm(alarm, ["chat"])
                pid = connection.connection.dbapi_connection.get_backend_pid()
                terminate_backends(postgres_url, only_pid=pid)

    result = storage.gateway_store_alarm(alarm, ["chat"])

    assert result == StoreResult(alarm.id)
    assert len(attempts) == 2
    assert count_rows(storage) == 1
    assert storage.gateway_get_alarm(alarm.id).duplicates == 0
    assert len(delivery_rows(storage, alarm_id=alarm.id)) == 1

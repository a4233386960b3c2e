"""Bursts: many threads, and several engines, writing to one database at once."""

from __future__ import annotations

import threading

from gateway.kit import AlarmQuery

BURST = 50


def store_all_at_once(storages, alarms):
    """Store ``alarms`` from one thread each, released together; return errors."""
    barrier = threading.Barrier(len(alarms))
    errors = []

    def store(storage, alarm):
        barrier.wait()
        try:
            storage.gateway_store_alarm(alarm)
        except Exception as error:  # collected and asserted on
            errors.append(error)

    threads = [
        threading.Thread(target=store, args=(storages[index % len(storages)], alarm))
        for index, alarm in enumerate(alarms)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_store_case_18_burst_of_50_threads_all_stored(
    database_url, start_storage, make_alarm, count_rows, log_records
):
    """Case 18-sqlite-database-locked-burst: 50 at once, 50 rows, no error."""
    storage = start_storage(database_url)
    alarms = [make_alarm(ticker=f"T{index}") for index in range(BURST)]

    errors = store_all_at_once([storage], alarms)

    assert errors == []
    assert count_rows(storage) == BURST
    assert not [r for r in log_records if r["level"].no >= 30]


def test_store_case_18_two_engines_one_database_all_stored(
    database_url, start_storage, make_alarm, count_rows, log_records
):
    """Case 18-sqlite-database-locked-burst: two gateways sharing one file."""
    # Start both at the same moment: both migrate the same fresh database.
    storages = [None, None]
    barrier = threading.Barrier(2)

    def start(index):
        barrier.wait()
        storages[index] = start_storage(database_url)

    starters = [threading.Thread(target=start, args=(index,)) for index in range(2)]
    for thread in starters:
        thread.start()
    for thread in starters:
        thread.join(timeout=60)
    assert storages[0].database.engine is not storages[1].database.engine
    alarms = [make_alarm(ticker=f"T{index}") for index in range(BURST)]

    errors = store_all_at_once(storages, alarms)

    assert errors == []
    assert count_rows(storages[0]) == BURST
    page = storages[1].gateway_query_alarms(AlarmQuery(limit=BURST))
    assert {alarm.id for alarm in page.alarms} == {alarm.id for alarm in alarms}
    assert not [r for r in log_records if r["level"].no >= 30]


def test_sqlite_connection_wal_busy_timeout_full_sync(sqlite_url, start_storage):
    storage = start_storage(sqlite_url)

    with storage.database.engine.connect() as connection:
        journal_mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        busy_timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()

    assert journal_mode == "wal"
    assert busy_timeout == 5000
    assert synchronous == 2  # FULL


def test_sqlite_synchronous_normal_when_asked(sqlite_url, start_storage):
    storage = start_storage(sqlite_url, sqlite_synchronous="normal")

    with storage.database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1


def test_postgres_connection_statement_timeout_and_name(postgres_url, start_storage):
    storage = start_storage(postgres_url, statement_timeout_ms=1500)

    with storage.database.engine.connect() as connection:
        timeout = connection.exec_driver_sql("SHOW statement_timeout").scalar()
        name = connection.exec_driver_sql("SHOW application_name").scalar()

    assert timeout == "1500ms"
    assert name == "alarmhugger"


def test_startup_sqlite_creates_missing_data_folder(
    tmp_path, start_storage, make_alarm
):
    folder = tmp_path / "not" / "yet" / "there"
    storage = start_storage(f"sqlite:///{folder / 'alarms.db'}")

    storage.gateway_store_alarm(make_alarm())

    assert (folder / "alarms.db").is_file()

"""Bursts: many threads, and several engines, writing to one database at once."""

from __future__ import annotations

import collections
import datetime as dt
import threading

from gateway.kit import AlarmQuery
from gateway.kit import DeliveryOutcome
from gateway.kit import StoreResult

BURST = 50
DELIVERIES = 200
CLAIMERS_PER_ENGINE = 4
UTC = dt.timezone.utc


def start_two(start_storage, url, **settings):
    """Two storages on one database, as two gateway processes would be."""
    storages = [start_storage(url, **settings) for _ in range(2)]
    assert storages[0].database.engine is not storages[1].database.engine
    return storages


def run_together(target, arguments):
    """Run ``target`` once per argument tuple, released at once; return errors."""
    barrier = threading.Barrier(len(arguments))
    errors = []

    def run(*args):
        barrier.wait()
        try:
            target(*args)
        except Exception as error:  # collected and asserted on
            errors.append(error)

    threads = [threading.Thread(target=run, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def store_all_at_once(storages, alarms):
    """Store ``alarms`` from one thread each, released together; return errors."""
    barrier = threading.Barrier(len(alarms))
    errors = []

    def store(storage, alarm):
        barrier.wait()
        try:
            storage.gateway_store_alarm(alarm, [])
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

    storage.gateway_store_alarm(make_alarm(), [])

    assert (folder / "alarms.db").is_file()


def test_claim_two_engines_many_threads_each_delivery_claimed_once(
    database_url, start_storage, make_alarm, log_records
):
    """Issue 4: several processes sharing a database never double-deliver."""
    # FULL sync would spend seconds of fsyncs storing the 200 alarms.
    storages = start_two(start_storage, database_url, sqlite_synchronous="normal")
    for index in range(DELIVERIES):
        storages[index % 2].gateway_store_alarm(make_alarm(), ["chat"])
    claimed = collections.defaultdict(list)
    finished = []

    def claim_until_empty(storage, worker):
        while batch := storage.gateway_claim_deliveries(
            notifier="chat", worker=worker, limit=7, lease_s=60
        ):
            for delivery in batch:
                claimed[delivery.id].append(worker)
                outcome = DeliveryOutcome("delivered")
                finished.append(storage.gateway_finish_delivery(delivery, outcome))

    errors = run_together(
        claim_until_empty,
        [
            (storage, f"engine{number}-thread{thread}")
            for number, storage in enumerate(storages)
            for thread in range(CLAIMERS_PER_ENGINE)
        ],
    )

    assert errors == []
    assert len(claimed) == DELIVERIES
    assert [ids for ids in claimed.values() if len(ids) > 1] == []
    assert finished == [True] * DELIVERIES
    assert len({workers[0].split("-")[0] for workers in claimed.values()}) == 2
    backlog = storages[1].gateway_delivery_backlog()
    assert "chat" not in backlog
    assert not [r for r in log_records if r["level"].no >= 30]


def test_store_case_19_racing_copies_one_stored_rest_counted(
    database_url, start_storage, make_alarm, count_rows, delivery_rows
):
    """Case 19-duplicate-alerts-replayed: copies arriving at the same moment."""
    storages = start_two(start_storage, database_url)
    received_at = dt.datetime(2026, 12, 3, 14, 30, tzinfo=UTC)

    def store(storage, alarm, results):
        results.append(storage.gateway_store_alarm(alarm, ["chat"]))

    # Five races of two identical requests, then one of eight.
    for race, copies in enumerate([2, 2, 2, 2, 2, 8]):
        route = f"race-{race}"
        alarms = [
            make_alarm(
                source=route,
                received_at=received_at,
                dedup_key=f"hash:{route}",
                dedup_until=received_at + dt.timedelta(seconds=10),
            )
            for _ in range(copies)
        ]
        results = []

        errors = run_together(
            store, [(storages[i % 2], alarm, results) for i, alarm in enumerate(alarms)]
        )

        assert errors == []
        (original,) = [r.alarm_id for r in results if not r.duplicate]
        copied = [StoreResult(original, duplicate=True)] * (copies - 1)
        assert sorted(results, key=lambda r: r.duplicate) == [
            StoreResult(original),
            *copied,
        ]
        assert count_rows(storages[0], source=route) == 1
        assert storages[1].gateway_get_alarm(original).duplicates == copies - 1
        assert len(delivery_rows(storages[0], alarm_id=original)) == 1

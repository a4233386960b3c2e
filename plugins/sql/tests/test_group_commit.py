"""Group commit: many requests, one transaction, each caller its own answer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time

import psycopg2
import pytest
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from gateway.kit import StorageUnavailable
from gateway.kit import StoreResult

from alarmhugger_sql import _engine
from alarmhugger_sql._batch import _INSERT_NEW_ALARMS
from alarmhugger_sql._batch import _TAKE_NEW_KEYS
from alarmhugger_sql._group import GroupCommitter
from alarmhugger_sql._schema import DEDUP_KEYS

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 12, 3, 14, 30, tzinfo=UTC)
THREADS = 32


def at(seconds):
    return T0 + dt.timedelta(seconds=seconds)


def keyed(make_alarm, route, key, seconds, window=10, **overrides):
    """An alarm on ``route`` with dedup ``key``, ``seconds`` after T0."""
    return make_alarm(
        source=route,
        received_at=at(seconds),
        dedup_key=key,
        dedup_until=None if window is None else at(seconds + window),
        **overrides,
    )


def count_commits(storage):
    """Count the transactions that store alarms, from now on."""
    commits = []

    def note(connection):
        if connection.get_execution_options().get(_engine.SQLITE_BEGIN_IMMEDIATE):
            commits.append(threading.current_thread().name)

    event.listen(storage.database.engine, "commit", note)
    return commits


def store_many(storage, alarms, notifiers=()):
    """Write ``alarms`` as one batch; return the outcome of each."""
    writer = storage._writer
    return writer.store_many(
        [writer.prepare(alarm, list(notifiers)) for alarm in alarms]
    )


def run_threads(count, target):
    """Run ``target(index)`` on ``count`` threads released together."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(index):
        barrier.wait()
        try:
            outcomes[index] = target(index)
        except Exception as error:  # collected and asserted on
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def terminate_backends(postgres_url):
    """Kill every server-side backend of the test database (Neon's suspend)."""
    database = make_url(postgres_url).database
    admin = psycopg2.connect(postgres_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )
            for _ in range(100):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                    (database,),
                )
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.02)
    finally:
        admin.close()


def key_row(storage, key):
    statement = select(DEDUP_KEYS).where(DEDUP_KEYS.c.dedup_key == key)
    with storage.database.engine.connect() as connection:
        return connection.execute(statement).one()


# -- many threads --------------------------------------------------------------


def test_store_32_threads_each_own_id_committed_before_return(
    database_url, start_storage, make_alarm, count_rows, delivery_rows, log_records
):
    storage = start_storage(database_url)
    alarms = [make_alarm(ticker=f"T{index}") for index in range(THREADS)]
    commits = count_commits(storage)

    def store(index):
        result = storage.gateway_store_alarm(alarms[index], ["chat", "mail"])
        # Committed before the answer: another connection sees it at once.
        seen = storage.gateway_get_alarm(alarms[index].id)
        return result, seen

    outcomes = run_threads(THREADS, store)

    for alarm, (result, seen) in zip(alarms, outcomes):
        assert result == StoreResult(alarm.id)
        assert seen == dataclasses.replace(alarm, deliveries=seen.deliveries)
        assert [d.notifier for d in seen.deliveries] == ["chat", "mail"]
    assert count_rows(storage) == THREADS
    assert len(delivery_rows(storage)) == 2 * THREADS
    assert {row.alarm_id for row in delivery_rows(storage)} == {a.id for a in alarms}
    # Grouped: fewer transactions than alarms.
    assert len(commits) < THREADS
    assert not [r for r in log_records if r["level"].no >= 30]


def test_store_32_threads_with_keys_and_copies_one_stored_per_key(
    database_url, start_storage, make_alarm, count_rows, delivery_rows
):
    """Case 19-duplicate-alerts-replayed: copies in one burst, maybe one batch."""
    storage = start_storage(database_url)
    # Eight events, four copies of each, all at the same moment.
    alarms = [
        keyed(make_alarm, "burst", f"hash:event-{index % 8}", 0)
        for index in range(THREADS)
    ]

    results = run_threads(
        THREADS, lambda index: storage.gateway_store_alarm(alarms[index], ["chat"])
    )

    assert not [r for r in results if isinstance(r, Exception)]
    originals = {r.alarm_id for r in results if not r.duplicate}
    assert len(originals) == 8
    assert count_rows(storage, source="burst") == 8
    for original in originals:
        copies = [r for r in results if r.duplicate and r.alarm_id == original]
        assert len(copies) == 3
        assert storage.gateway_get_alarm(original).duplicates == 3
        assert len(delivery_rows(storage, alarm_id=original)) == 1


# -- one batch ------------------------------------------------------------------


def test_batch_copies_within_one_batch_counted_on_the_first(
    database_url, start_storage, make_alarm, count_rows, delivery_rows, alarm_row
):
    storage = start_storage(database_url)
    a = keyed(make_alarm, "one", "hash:a", 0)
    a_copy = keyed(make_alarm, "one", "hash:a", 1)
    b = keyed(make_alarm, "one", "hash:b", 0)
    keyless = make_alarm(source="one")
    a_late_copy = keyed(make_alarm, "one", "hash:a", 3)
    b_copy = keyed(make_alarm, "one", "hash:b", 2)
    commits = count_commits(storage)

    results = store_many(
        storage, [a, a_copy, b, keyless, a_late_copy, b_copy], ["chat"]
    )

    assert results == [
        StoreResult(a.id),
        StoreResult(a.id, duplicate=True),
        StoreResult(b.id),
        StoreResult(keyless.id),
        StoreResult(a.id, duplicate=True),
        StoreResult(b.id, duplicate=True),
    ]
    assert len(commits) == 1
    assert count_rows(storage, source="one") == 3
    assert alarm_row(storage, a.id).duplicates == 2
    assert alarm_row(storage, a.id).last_seen_at == at(3)
    assert alarm_row(storage, b.id).duplicates == 1
    assert alarm_row(storage, b.id).last_seen_at == at(2)
    assert alarm_row(storage, keyless.id).last_seen_at is None
    assert storage.gateway_get_alarm(a_copy.id) is None
    for alarm in (a, b, keyless):
        assert len(delivery_rows(storage, alarm_id=alarm.id)) == 1
    assert key_row(storage, "hash:a").alarm_id == a.id


def test_batch_key_runs_out_within_the_batch_next_alarm_takes_it(
    database_url, start_storage, make_alarm, count_rows, alarm_row
):
    storage = start_storage(database_url)
    first = keyed(make_alarm, "expiry", "hash:k", 0, window=10)
    copy = keyed(make_alarm, "expiry", "hash:k", 5)
    at_the_end = keyed(make_alarm, "expiry", "hash:k", 10, window=10)
    copy_of_that = keyed(make_alarm, "expiry", "hash:k", 12)

    results = store_many(storage, [first, copy, at_the_end, copy_of_that])

    assert results == [
        StoreResult(first.id),
        StoreResult(first.id, duplicate=True),
        StoreResult(at_the_end.id),
        StoreResult(at_the_end.id, duplicate=True),
    ]
    assert count_rows(storage, source="expiry") == 2
    assert alarm_row(storage, first.id).duplicates == 1
    assert alarm_row(storage, at_the_end.id).duplicates == 1
    row = key_row(storage, "hash:k")
    assert (row.alarm_id, row.expires_at) == (at_the_end.id, at(20))


def test_batch_keys_held_before_copies_counted_and_expired_taken(
    database_url, start_storage, make_alarm, count_rows, alarm_row
):
    storage = start_storage(database_url)
    live = keyed(make_alarm, "held", "hash:live", 0, window=60)
    stale = keyed(make_alarm, "held", "hash:stale", 0, window=5)
    forever = keyed(make_alarm, "held", "id:forever", 0, window=None)
    for alarm in (live, stale, forever):
        storage.gateway_store_alarm(alarm, [])

    live_copy = keyed(make_alarm, "held", "hash:live", 20)
    new_holder = keyed(make_alarm, "held", "hash:stale", 20)
    its_copy = keyed(make_alarm, "held", "hash:stale", 21)
    forever_copy = keyed(make_alarm, "held", "id:forever", 10**6)
    results = store_many(storage, [live_copy, new_holder, its_copy, forever_copy])

    assert results == [
        StoreResult(live.id, duplicate=True),
        StoreResult(new_holder.id),
        StoreResult(new_holder.id, duplicate=True),
        StoreResult(forever.id, duplicate=True),
    ]
    assert count_rows(storage, source="held") == 4
    assert alarm_row(storage, live.id).duplicates == 1
    assert alarm_row(storage, live.id).last_seen_at == at(20)
    assert alarm_row(storage, stale.id).duplicates == 0
    assert alarm_row(storage, new_holder.id).duplicates == 1
    assert alarm_row(storage, forever.id).duplicates == 1
    assert key_row(storage, "hash:stale").alarm_id == new_holder.id


def test_batch_ids_stored_before_or_twice_in_batch_one_row_each(
    database_url, start_storage, make_alarm, count_rows, delivery_rows, alarm_row
):
    """Case 15-neon-dropped-connection-after-idle: replays meet a live burst."""
    storage = start_storage(database_url)
    stored_keyless = make_alarm(source="replay")
    stored_keyed = keyed(make_alarm, "replay", "hash:r", 0)
    storage.gateway_store_alarm(stored_keyless, ["chat"])
    storage.gateway_store_alarm(stored_keyed, ["chat"])
    fresh = make_alarm(source="replay")
    copy = keyed(make_alarm, "replay", "hash:r", 1)

    results = store_many(
        storage, [stored_keyless, fresh, stored_keyed, fresh, copy], ["chat"]
    )

    assert results == [
        StoreResult(stored_keyless.id),
        StoreResult(fresh.id),
        StoreResult(stored_keyed.id),
        StoreResult(fresh.id),
        StoreResult(stored_keyed.id, duplicate=True),
    ]
    assert count_rows(storage, source="replay") == 3
    assert alarm_row(storage, stored_keyed.id).duplicates == 1
    for alarm in (stored_keyless, stored_keyed, fresh):
        assert len(delivery_rows(storage, alarm_id=alarm.id)) == 1


def test_batch_replay_after_key_moved_on_not_a_copy(
    database_url, start_storage, make_alarm, alarm_row
):
    storage = start_storage(database_url)
    old = keyed(make_alarm, "moved", "hash:m", 0)
    newer = keyed(make_alarm, "moved", "hash:m", 60)
    storage.gateway_store_alarm(old, [])
    storage.gateway_store_alarm(newer, [])

    results = store_many(storage, [old, keyed(make_alarm, "moved", "hash:m", 61)])

    assert results[0] == StoreResult(old.id)
    assert results[1] == StoreResult(newer.id, duplicate=True)
    assert alarm_row(storage, newer.id).duplicates == 1
    assert alarm_row(storage, old.id).duplicates == 0


# -- failures -------------------------------------------------------------------


def test_batch_bad_alarm_fails_alone_others_stored(
    database_url, start_storage, make_alarm, count_rows, delivery_rows, log_records
):
    storage = start_storage(database_url)
    good = [make_alarm(source="mixed") for _ in range(3)]
    missing_source = make_alarm(source=None)
    unserialisable = make_alarm(source="mixed", fields={"when": object()})
    batch = [good[0], missing_source, good[1], unserialisable, good[2]]

    results = store_many(storage, batch, ["chat"])

    assert results[0] == StoreResult(good[0].id)
    assert isinstance(results[1], IntegrityError)
    assert results[2] == StoreResult(good[1].id)
    assert isinstance(results[3], StorageUnavailable)
    assert results[4] == StoreResult(good[2].id)
    assert count_rows(storage, source="mixed") == 3
    assert len(delivery_rows(storage, notifier="chat")) == 3
    assert any("storing them one by one" in r["message"] for r in log_records)


def test_store_bad_alarm_among_concurrent_requests_fails_alone(
    database_url, start_storage, make_alarm, count_rows
):
    storage = start_storage(database_url)
    alarms = [make_alarm(source="crowd") for _ in range(THREADS)]
    alarms[THREADS // 2] = make_alarm(source=None)

    outcomes = run_threads(
        THREADS, lambda index: storage.gateway_store_alarm(alarms[index], [])
    )

    assert isinstance(outcomes[THREADS // 2], IntegrityError)
    others = outcomes[: THREADS // 2] + outcomes[THREADS // 2 + 1 :]
    expected = alarms[: THREADS // 2] + alarms[THREADS // 2 + 1 :]
    assert others == [StoreResult(alarm.id) for alarm in expected]
    assert count_rows(storage, source="crowd") == THREADS - 1


def test_store_unreachable_every_waiter_storage_unavailable(start_storage, make_alarm):
    storage = start_storage("postgresql://app:Hunter2-pw-X@127.0.0.1:1/alarms")
    alarms = [make_alarm() for _ in range(8)]

    outcomes = run_threads(
        8, lambda index: storage.gateway_store_alarm(alarms[index], [])
    )

    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes)
    assert len({id(outcome) for outcome in outcomes}) == 8
    assert all("Hunter2-pw-X" not in str(outcome) for outcome in outcomes)


def test_batch_connection_killed_twice_every_alarm_unavailable_none_stored(
    postgres_url, start_storage, make_alarm, count_rows
):
    storage = start_storage(postgres_url)
    engine = storage.database.engine

    @event.listens_for(engine, "before_cursor_execute")
    def kill_every_insert(connection, cursor, statement, parameters, context, many):
        if statement.startswith("INSERT"):
            # Our own backend, from the outside, as a server restart would.
            pid = connection.connection.dbapi_connection.get_backend_pid()
            admin = psycopg2.connect(postgres_url)
            admin.autocommit = True
            try:
                with admin.cursor() as other:
                    other.execute("SELECT pg_terminate_backend(%s)", (pid,))
            finally:
                admin.close()

    alarms = [make_alarm(), keyed(make_alarm, "default", "hash:x", 0), make_alarm()]
    results = store_many(storage, alarms, ["chat"])

    assert all(isinstance(result, StorageUnavailable) for result in results)
    assert all(result.__cause__ is not None for result in results)
    event.remove(engine, "before_cursor_execute", kill_every_insert)
    assert count_rows(storage) == 0


def test_batch_sqlite_locked_every_alarm_unavailable_at_once(
    sqlite_url, start_storage, make_alarm, monkeypatch
):
    """Case 18-sqlite-database-locked-burst: no alarm-by-alarm retry of a lock."""
    monkeypatch.setattr(_engine, "SQLITE_BUSY_TIMEOUT_MS", 300)
    storage = start_storage(sqlite_url)
    other = storage.database.engine.raw_connection()
    try:
        other.driver_connection.execute("BEGIN IMMEDIATE")
        started = time.monotonic()

        results = store_many(storage, [make_alarm() for _ in range(5)])

        elapsed = time.monotonic() - started
        other.driver_connection.execute("ROLLBACK")
    finally:
        other.close()
    assert all(isinstance(result, StorageUnavailable) for result in results)
    assert "locked" in str(results[0])
    # One wait for the lock, not one per alarm.
    assert elapsed < 5 * 0.3


# -- the writer thread ------------------------------------------------------------


def test_store_after_shutdown_storage_unavailable(
    database_url, start_storage, make_alarm
):
    storage = start_storage(database_url)
    storage.gateway_shutdown()

    with pytest.raises(StorageUnavailable):
        storage.gateway_store_alarm(make_alarm(), [])


def test_shutdown_while_requests_wait_queued_written_then_writer_stops(
    database_url, start_storage, make_alarm, count_rows
):
    storage = start_storage(database_url)
    committer = storage._committer
    engine = storage.database.engine
    in_first_batch = threading.Event()
    release = threading.Event()

    @event.listens_for(engine, "before_cursor_execute")
    def hold_first_insert(connection, cursor, statement, parameters, context, many):
        if statement.startswith("INSERT INTO alarms") and not in_first_batch.is_set():
            in_first_batch.set()
            assert release.wait(30)

    first = make_alarm(source="shutdown")
    waiting = [make_alarm(source="shutdown") for _ in range(6)]
    outcomes = {}

    def store(alarm):
        try:
            outcomes[alarm.id] = storage.gateway_store_alarm(alarm, ["chat"])
        except Exception as error:  # asserted on
            outcomes[alarm.id] = error

    threads = [threading.Thread(target=store, args=(first,))]
    threads[0].start()
    assert in_first_batch.wait(10)
    for alarm in waiting:
        threads.append(threading.Thread(target=store, args=(alarm,)))
        threads[-1].start()
    deadline = time.monotonic() + 10
    while len(committer._queue) < len(waiting) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(committer._queue) == len(waiting)

    stopper = threading.Thread(target=storage.gateway_shutdown)
    stopper.start()
    deadline = time.monotonic() + 10
    while not committer._is_closing and time.monotonic() < deadline:
        time.sleep(0.01)
    late = make_alarm(source="shutdown")
    with pytest.raises(StorageUnavailable, match="stopping"):
        committer.submit(storage._writer.prepare(late, []))
    release.set()
    stopper.join(30)
    for thread in threads:
        thread.join(30)

    assert not stopper.is_alive()
    assert not committer.is_running
    expected = {alarm.id: StoreResult(alarm.id) for alarm in [first, *waiting]}
    assert outcomes == expected


def test_committer_batches_what_queued_while_writing():
    started = threading.Event()
    release = threading.Event()
    batches = []

    def write_many(items):
        batches.append(list(items))
        if len(batches) == 1:
            started.set()
            assert release.wait(10)
        return [item * 10 for item in items]

    committer = GroupCommitter(write_many, name="test-writer", max_batch=3)
    committer.start()
    try:
        results = {}
        first = threading.Thread(
            target=lambda: results.update({1: committer.submit(1)})
        )
        first.start()
        assert started.wait(10)
        others = [
            threading.Thread(
                target=lambda n=n: results.update({n: committer.submit(n)})
            )
            for n in range(2, 7)
        ]
        for thread in others:
            thread.start()
        deadline = time.monotonic() + 10
        while len(committer._queue) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        release.set()
        for thread in [first, *others]:
            thread.join(10)
    finally:
        committer.stop()

    assert results == {n: n * 10 for n in range(1, 7)}
    assert [len(batch) for batch in batches] == [1, 3, 2]
    assert sorted(n for batch in batches for n in batch) == list(range(1, 7))


def test_committer_lone_item_written_at_once():
    committer = GroupCommitter(lambda items: list(items), name="test-writer")
    committer.start()
    try:
        started = time.monotonic()
        assert committer.submit("x") == "x"
        assert time.monotonic() - started < 0.5
    finally:
        committer.stop()


def test_committer_item_error_raised_to_its_caller_only():
    def write_many(items):
        return [ValueError(item) if item == "bad" else item for item in items]

    committer = GroupCommitter(write_many, name="test-writer")
    committer.start()
    try:
        with pytest.raises(ValueError, match="bad"):
            committer.submit("bad")
        assert committer.submit("good") == "good"
    finally:
        committer.stop()


def test_committer_writer_failure_answers_everyone_and_keeps_serving():
    calls = []

    def write_many(items):
        calls.append(items)
        if len(calls) == 1:
            raise RuntimeError("bug")
        if len(calls) == 2:
            return []  # wrong length: a bug too
        return list(items)

    committer = GroupCommitter(write_many, name="test-writer")
    committer.start()
    try:
        with pytest.raises(StorageUnavailable) as caught:
            committer.submit("a")
        assert isinstance(caught.value.__cause__, RuntimeError)
        with pytest.raises(StorageUnavailable):
            committer.submit("b")
        assert committer.submit("c") == "c"
    finally:
        committer.stop()


def test_committer_wait_limit_storage_unavailable():
    release = threading.Event()

    def write_many(items):
        release.wait(10)
        return list(items)

    committer = GroupCommitter(write_many, name="test-writer", wait_limit=0.2)
    committer.start()
    try:
        with pytest.raises(StorageUnavailable, match="did not answer"):
            committer.submit("slow")
    finally:
        release.set()
        committer.stop()


def test_committer_stop_with_writer_stuck_answers_queued():
    release = threading.Event()
    started = threading.Event()

    def write_many(items):
        started.set()
        release.wait(10)
        return list(items)

    committer = GroupCommitter(write_many, name="test-writer")
    committer.start()
    outcomes = []

    def submit(item):
        try:
            outcomes.append(committer.submit(item))
        except StorageUnavailable as error:
            outcomes.append(error)

    first = threading.Thread(target=submit, args=("first",))
    first.start()
    assert started.wait(10)
    queued = threading.Thread(target=submit, args=("queued",))
    queued.start()
    deadline = time.monotonic() + 10
    while not committer._queue and time.monotonic() < deadline:
        time.sleep(0.01)

    committer.stop(timeout=0.2)
    queued.join(10)
    release.set()
    first.join(10)

    assert isinstance(outcomes[0], StorageUnavailable)
    assert "stopped" in str(outcomes[0])
    assert outcomes[1] == "first"


# -- statements and connections ------------------------------------------------------


@pytest.mark.parametrize("dialect", [postgresql.dialect(), sqlite.dialect()])
def test_batch_inserts_cacheable_and_spelled_for_both_backends(dialect):
    for statement, column in (
        (_TAKE_NEW_KEYS, "dedup_key"),
        (_INSERT_NEW_ALARMS, "id"),
    ):
        # SQLAlchemy compiles a statement once only when it has a cache key.
        assert statement._generate_cache_key() is not None
        sql = str(statement.compile(dialect=dialect))
        assert f"ON CONFLICT ({column}) DO NOTHING RETURNING" in sql


def test_pool_no_ping_when_busy_ping_after_idle(
    postgres_url, start_storage, make_alarm, monkeypatch, log_records, count_rows
):
    """Case 15-neon-dropped-connection-after-idle: the idle connection is checked."""
    monkeypatch.setattr(_engine, "PING_AFTER_IDLE_SECONDS", 0.5)
    storage = start_storage(postgres_url)
    dialect = storage.database.engine.dialect
    pings = []
    real_ping = dialect.do_ping

    def counting_ping(dbapi_connection):
        pings.append(1)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counting_ping)
    inserts = []
    event.listen(
        storage.database.engine,
        "before_cursor_execute",
        lambda conn, cur, statement, *args: (
            inserts.append(statement) if statement.startswith("INSERT") else None
        ),
    )
    storage.gateway_store_alarm(make_alarm(), [])
    pings.clear()  # the connection the migration used may have idled
    for _ in range(5):
        storage.gateway_store_alarm(make_alarm(), [])
    assert pings == []

    terminate_backends(postgres_url)
    time.sleep(0.6)
    inserts.clear()
    log_records.clear()

    storage.gateway_store_alarm(make_alarm(), [])

    assert len(pings) == 1
    assert len(inserts) == 1  # the ping caught it: no retry was needed
    assert count_rows(storage) == 7
    warnings = [r["message"] for r in log_records if r["level"].name == "WARNING"]
    assert warnings == ["storage: connection dropped, reconnected"]


def test_engine_has_no_pool_pre_ping(database_url, start_storage):
    # PostgreSQL pings after an idle spell only; SQLite never drops a file.
    storage = start_storage(database_url)

    assert storage.database.engine.pool._pre_ping is False

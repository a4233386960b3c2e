"""Re-sent alerts: one alarm per event, copies counted on the original."""

from __future__ import annotations

import datetime as dt

from gateway.kit import StoreResult

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 12, 3, 14, 30, tzinfo=UTC)
WINDOW = dt.timedelta(seconds=10)

CASE_19_BODY = (
    '{"id":"tv-8841","ticker":"BTCUSDT","action":"sell","time":"2026-12-03T14:30:00Z"}'
)


def copy_at(make_alarm, source, key, seconds, window=WINDOW, **overrides):
    """An alarm on ``source`` with dedup ``key``, ``seconds`` after T0."""
    received_at = T0 + dt.timedelta(seconds=seconds)
    return make_alarm(
        source=source,
        received_at=received_at,
        dedup_key=key,
        dedup_until=None if window is None else received_at + window,
        **overrides,
    )


def test_store_case_19_same_id_twice_one_alarm_one_duplicate(
    shared_storage, make_alarm, unique_name, count_rows, delivery_rows, alarm_row
):
    """Case 19-duplicate-alerts-replayed: the sender's id, two seconds apart."""
    storage = shared_storage
    route = unique_name("route")
    first = copy_at(make_alarm, route, f"id:tv-8841-{route}", 0, raw=CASE_19_BODY)
    second = copy_at(make_alarm, route, f"id:tv-8841-{route}", 2, raw=CASE_19_BODY)

    stored = storage.gateway_store_alarm(first, ["chat"])
    copied = storage.gateway_store_alarm(second, ["chat"])

    assert stored == StoreResult(first.id)
    assert copied == StoreResult(first.id, duplicate=True)
    assert count_rows(storage, source=route) == 1
    assert storage.gateway_get_alarm(second.id) is None
    original = storage.gateway_get_alarm(first.id)
    assert original.duplicates == 1
    assert original.dedup_key == first.dedup_key
    assert original.dedup_until == first.dedup_until
    # The copy is not notified again: still one delivery.
    assert len(delivery_rows(storage, alarm_id=first.id)) == 1
    assert alarm_row(storage, first.id).last_seen_at == second.received_at


def test_store_case_19_same_body_four_times_one_alarm_three_duplicates(
    shared_storage, make_alarm, unique_name, count_rows, delivery_rows
):
    """Case 19-duplicate-alerts-replayed: a body without id, hashed, four times."""
    storage = shared_storage
    route = unique_name("route")
    key = f"hash:{route}"
    copies = [
        copy_at(make_alarm, route, key, seconds, raw="BTCUSDT SELL 14:30")
        for seconds in (0, 0.5, 1, 2)
    ]

    results = [storage.gateway_store_alarm(alarm, ["chat", "mail"]) for alarm in copies]

    original = copies[0].id
    assert (
        results == [StoreResult(original)] + [StoreResult(original, duplicate=True)] * 3
    )
    assert count_rows(storage, source=route) == 1
    assert storage.gateway_get_alarm(original).duplicates == 3
    assert len(delivery_rows(storage, alarm_id=original)) == 2


def test_store_case_19_same_id_after_window_a_new_alarm(
    shared_storage, make_alarm, unique_name, count_rows
):
    """Case 19-duplicate-alerts-replayed: the same id an hour later is new."""
    storage = shared_storage
    route = unique_name("route")
    key = f"id:tv-8841-{route}"
    first = copy_at(make_alarm, route, key, 0)
    later = copy_at(make_alarm, route, key, 3600)
    copy_of_later = copy_at(make_alarm, route, key, 3601)

    storage.gateway_store_alarm(first, ["chat"])
    result = storage.gateway_store_alarm(later, ["chat"])
    copied = storage.gateway_store_alarm(copy_of_later, ["chat"])

    assert result == StoreResult(later.id)
    assert copied == StoreResult(later.id, duplicate=True)
    assert count_rows(storage, source=route) == 2
    assert storage.gateway_get_alarm(first.id).duplicates == 0
    assert storage.gateway_get_alarm(later.id).duplicates == 1
    assert [d.notifier for d in storage.gateway_get_alarm(later.id).deliveries] == [
        "chat"
    ]


def test_store_dedup_window_end_is_exclusive(shared_storage, make_alarm, unique_name):
    storage = shared_storage
    route = unique_name("route")
    first = copy_at(make_alarm, route, f"hash:{route}", 0)
    at_the_end = copy_at(make_alarm, route, f"hash:{route}", WINDOW.total_seconds())

    storage.gateway_store_alarm(first, [])
    result = storage.gateway_store_alarm(at_the_end, [])

    assert result == StoreResult(at_the_end.id)


def test_store_dedup_without_until_never_expires(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    route = unique_name("route")
    first = copy_at(make_alarm, route, f"id:{route}", 0, window=None)
    a_year_later = copy_at(make_alarm, route, f"id:{route}", 365 * 86400)

    storage.gateway_store_alarm(first, [])
    result = storage.gateway_store_alarm(a_year_later, [])

    assert result == StoreResult(first.id, duplicate=True)


def test_store_dedup_same_alarm_replayed_not_counted(
    shared_storage, make_alarm, unique_name, delivery_rows
):
    """Case 15-neon-dropped-connection-after-idle: a spool drained twice."""
    storage = shared_storage
    route = unique_name("route")
    alarm = copy_at(make_alarm, route, f"hash:{route}", 0)

    first = storage.gateway_store_alarm(alarm, ["chat"])
    again = storage.gateway_store_alarm(alarm, ["chat"])

    assert first == again == StoreResult(alarm.id)
    assert storage.gateway_get_alarm(alarm.id).duplicates == 0
    assert len(delivery_rows(storage, alarm_id=alarm.id)) == 1


def test_store_dedup_replay_after_key_moved_on_still_idempotent(
    shared_storage, make_alarm, unique_name, count_rows
):
    # An old spooled alarm drained again after a newer alarm took its
    # expired key: it is the same alarm, not a copy of the newer one.
    storage = shared_storage
    route = unique_name("route")
    old = copy_at(make_alarm, route, f"hash:{route}", 0)
    newer = copy_at(make_alarm, route, f"hash:{route}", 60)
    storage.gateway_store_alarm(old, [])
    storage.gateway_store_alarm(newer, [])

    result = storage.gateway_store_alarm(old, [])

    assert result == StoreResult(old.id)
    assert storage.gateway_get_alarm(newer.id).duplicates == 0
    assert count_rows(storage, source=route) == 2


def test_store_dedup_late_copy_keeps_latest_last_seen_at(
    shared_storage, make_alarm, unique_name, alarm_row
):
    # Spooled copies may drain after newer ones: last_seen_at never goes back.
    storage = shared_storage
    route = unique_name("route")
    key = f"hash:{route}"
    first = copy_at(make_alarm, route, key, 0)
    storage.gateway_store_alarm(first, [])

    storage.gateway_store_alarm(copy_at(make_alarm, route, key, 3), [])
    storage.gateway_store_alarm(copy_at(make_alarm, route, key, 2), [])

    row = alarm_row(storage, first.id)
    assert row.duplicates == 2
    assert row.last_seen_at == T0 + dt.timedelta(seconds=3)


def test_store_dedup_keys_are_independent(shared_storage, make_alarm, unique_name):
    storage = shared_storage
    route = unique_name("route")

    first = storage.gateway_store_alarm(
        copy_at(make_alarm, route, f"hash:a-{route}", 0), []
    )
    second = storage.gateway_store_alarm(
        copy_at(make_alarm, route, f"hash:b-{route}", 0), []
    )
    no_key = storage.gateway_store_alarm(copy_at(make_alarm, route, None, 0), [])

    assert not (first.duplicate or second.duplicate or no_key.duplicate)
    assert len({first.alarm_id, second.alarm_id, no_key.alarm_id}) == 3

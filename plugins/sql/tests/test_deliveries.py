"""Deliveries: written with the alarm, claimed under a lease, finished once."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from sqlalchemy import delete
from sqlalchemy import update

from gateway.kit import AlarmQuery
from gateway.kit import Delivery
from gateway.kit import DeliveryOutcome
from gateway.kit import DeliveryQuery
from gateway.kit import NotifierBacklog
from gateway.kit import StoreResult

from alarmhugger_sql._deliveries import MAX_NOTE_CHARS
from alarmhugger_sql._schema import ALARMS
from alarmhugger_sql._schema import DELIVERIES

UTC = dt.timezone.utc
LEASE_S = 60.0
# Long enough for a claim to be seen expired, short enough to keep tests quick.
SHORT_LEASE_S = 0.05

DELIVERED = DeliveryOutcome("delivered")


def now():
    return dt.datetime.now(UTC)


def claim(storage, notifier, worker="worker-1", limit=10, lease_s=LEASE_S):
    return storage.gateway_claim_deliveries(
        notifier=notifier, worker=worker, limit=limit, lease_s=lease_s
    )


def retry_at(when, error="HTTP 502", counts_as_attempt=True, detail=None):
    return DeliveryOutcome(
        "pending",
        next_attempt_at=when,
        counts_as_attempt=counts_as_attempt,
        error=error,
        detail=detail,
    )


def make_dead(storage, make_alarm, notifier, error="HTTP 400: chat not found"):
    """Store an alarm for ``notifier`` and let its one delivery die."""
    storage.gateway_store_alarm(alarm := make_alarm(), [notifier])
    claimed = claim(storage, notifier, worker="make-dead", limit=100)
    (delivery,) = [d for d in claimed if d.alarm_id == alarm.id]
    storage.gateway_finish_delivery(delivery, DeliveryOutcome("dead", error=error))
    storage.gateway_release_deliveries("make-dead")
    return alarm, delivery


# -- writing --------------------------------------------------------------


def test_store_one_pending_delivery_per_notifier_due_now(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    chat, mail = unique_name("b-chat"), unique_name("a-mail")
    before = now()

    storage.gateway_store_alarm(alarm := make_alarm(), [chat, mail, chat])

    deliveries = storage.gateway_get_alarm(alarm.id).deliveries
    assert [d.notifier for d in deliveries] == [mail, chat]
    for delivery in deliveries:
        assert type(delivery) is Delivery
        assert uuid.UUID(delivery.id).version == 7
        assert delivery.alarm_id == alarm.id
        assert delivery.state == "pending"
        assert delivery.attempts == 0
        assert delivery.last_error is None
        assert delivery.detail is None
        assert delivery.alarm is None
        assert before <= delivery.next_attempt_at <= now()
        assert delivery.created_at == delivery.updated_at == delivery.next_attempt_at


def test_store_no_notifiers_no_deliveries(shared_storage, make_alarm, delivery_rows):
    storage = shared_storage

    storage.gateway_store_alarm(alarm := make_alarm(), [])

    assert storage.gateway_get_alarm(alarm.id).deliveries == []
    assert delivery_rows(storage, alarm_id=alarm.id) == []


def test_store_same_id_twice_deliveries_written_once(
    shared_storage, make_alarm, unique_name, delivery_rows
):
    """Case 15-neon-dropped-connection-after-idle: a replay adds no delivery."""
    storage = shared_storage
    alarm = make_alarm()

    first = storage.gateway_store_alarm(alarm, [unique_name()])
    second = storage.gateway_store_alarm(alarm, [unique_name()])

    assert first == second == StoreResult(alarm.id)
    assert len(delivery_rows(storage, alarm_id=alarm.id)) == 1


def test_query_alarms_page_carries_deliveries(shared_storage, make_alarm, unique_name):
    storage = shared_storage
    route, chat = unique_name("route"), unique_name()
    with_one = make_alarm(source=route)
    without = make_alarm(source=route)
    storage.gateway_store_alarm(with_one, [chat])
    storage.gateway_store_alarm(without, [])

    page = storage.gateway_query_alarms(AlarmQuery(source=route))

    by_id = {alarm.id: alarm for alarm in page.alarms}
    assert [d.notifier for d in by_id[with_one.id].deliveries] == [chat]
    assert by_id[without.id].deliveries == []


# -- claiming -------------------------------------------------------------


def test_claim_due_delivery_with_its_alarm_and_lease(
    shared_storage, make_alarm, unique_name, delivery_rows
):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(alarm := make_alarm(), [chat])
    before = now()

    (delivery,) = claim(storage, chat, worker="host:42:ab", lease_s=30)

    assert delivery.notifier == chat
    assert delivery.state == "pending"
    assert delivery.attempts == 0
    assert delivery.alarm == alarm
    (row,) = delivery_rows(storage, alarm_id=alarm.id)
    assert row.claimed_by == "host:42:ab"
    lease = (row.claimed_until - before).total_seconds()
    assert 30 <= lease <= 31


def test_claim_oldest_alarm_first_then_id(shared_storage, make_alarm, unique_name):
    storage = shared_storage
    chat = unique_name()
    t0 = dt.datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    alarms = {
        "later": make_alarm(received_at=t0 + dt.timedelta(seconds=2)),
        "tie_b": make_alarm(id=f"b-{uuid.uuid4()}"[:36], received_at=t0),
        "earliest": make_alarm(received_at=t0 - dt.timedelta(seconds=1)),
        "tie_a": make_alarm(id=f"a-{uuid.uuid4()}"[:36], received_at=t0),
    }
    for alarm in alarms.values():
        storage.gateway_store_alarm(alarm, [chat])

    claimed = claim(storage, chat)

    by_id = {alarm.id: name for name, alarm in alarms.items()}
    assert [by_id[d.alarm_id] for d in claimed] == [
        "earliest",
        "tie_a",
        "tie_b",
        "later",
    ]


def test_claim_limit_respected_rest_left_for_others(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    chat = unique_name()
    for _ in range(5):
        storage.gateway_store_alarm(make_alarm(), [chat])

    first = claim(storage, chat, worker="one", limit=2)
    second = claim(storage, chat, worker="two", limit=2)
    third = claim(storage, chat, worker="three", limit=2)
    fourth = claim(storage, chat, worker="four", limit=2)

    assert [len(batch) for batch in (first, second, third, fourth)] == [2, 2, 1, 0]
    ids = [d.id for batch in (first, second, third) for d in batch]
    assert len(set(ids)) == 5


def test_claim_only_the_named_notifier(shared_storage, make_alarm, unique_name):
    storage = shared_storage
    chat, mail = unique_name(), unique_name()
    storage.gateway_store_alarm(make_alarm(), [chat, mail])

    claimed = claim(storage, chat)

    assert [d.notifier for d in claimed] == [chat]
    assert [d.notifier for d in claim(storage, mail)] == [mail]


def test_claim_held_until_lease_expires_then_claimable(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(make_alarm(), [chat])
    (first,) = claim(storage, chat, worker="dies", lease_s=SHORT_LEASE_S)

    assert claim(storage, chat, worker="other") == []
    time.sleep(SHORT_LEASE_S * 2)
    (again,) = claim(storage, chat, worker="other")

    assert again.id == first.id


def test_claim_retry_not_due_yet_skipped_until_due(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(make_alarm(), [chat])
    (delivery,) = claim(storage, chat)
    storage.gateway_finish_delivery(delivery, retry_at(now() + dt.timedelta(hours=1)))

    assert claim(storage, chat) == []
    storage.gateway_requeue_deliveries([delivery.id], "pending")
    (again,) = claim(storage, chat)

    assert again.id == delivery.id


def test_claim_delivered_and_dead_never_claimed(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    chat = unique_name()
    make_dead(storage, make_alarm, chat)
    storage.gateway_store_alarm(make_alarm(), [chat])
    (delivery,) = claim(storage, chat)
    storage.gateway_finish_delivery(delivery, DELIVERED)

    assert claim(storage, chat) == []


def test_claim_limit_zero_claims_nothing(shared_storage, make_alarm, unique_name):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(make_alarm(), [chat])

    assert claim(storage, chat, limit=0) == []
    assert len(claim(storage, chat)) == 1


# -- finishing ------------------------------------------------------------


def test_finish_failure_then_delivered_counts_clears_error_releases(
    shared_storage, make_alarm, unique_name, delivery_rows
):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(alarm := make_alarm(), [chat])
    (delivery,) = claim(storage, chat)
    retry = now()

    failed = storage.gateway_finish_delivery(delivery, retry_at(retry))
    (row,) = delivery_rows(storage, alarm_id=alarm.id)
    assert failed is True
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "HTTP 502")
    assert row.next_attempt_at == retry
    assert row.claimed_by is None and row.claimed_until is None

    (delivery,) = claim(storage, chat)
    assert delivery.attempts == 1
    done = storage.gateway_finish_delivery(
        delivery, DeliveryOutcome("delivered", detail="sent_plain_fallback")
    )

    (stored,) = storage.gateway_get_alarm(alarm.id).deliveries
    (row,) = delivery_rows(storage, alarm_id=alarm.id)
    assert done is True
    assert stored.state == "delivered"
    assert stored.attempts == 2
    assert stored.last_error is None
    assert stored.detail == "sent_plain_fallback"
    assert stored.next_attempt_at is None
    assert stored.updated_at > stored.created_at
    assert row.claimed_by is None and row.claimed_until is None


def test_finish_case_26_rate_limited_not_counted_error_replaced_detail_kept(
    shared_storage, make_alarm, unique_name
):
    """Case 26-telegram-429-retry-after: a 429 costs no attempt."""
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(alarm := make_alarm(), [chat])
    (delivery,) = claim(storage, chat)
    storage.gateway_finish_delivery(delivery, retry_at(now(), detail="first try"))
    (delivery,) = claim(storage, chat)
    later = now() + dt.timedelta(seconds=31)

    storage.gateway_finish_delivery(
        delivery,
        retry_at(later, error="HTTP 429: retry after 31", counts_as_attempt=False),
    )

    (stored,) = storage.gateway_get_alarm(alarm.id).deliveries
    assert stored.attempts == 1
    assert stored.last_error == "HTTP 429: retry after 31"
    assert stored.detail == "first try"
    assert stored.next_attempt_at == later


def test_finish_pending_without_time_due_now(shared_storage, make_alarm, unique_name):
    # The dispatcher's put-back of an unsent batch may name no time.
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(make_alarm(), [chat])
    (delivery,) = claim(storage, chat)

    storage.gateway_finish_delivery(
        delivery, DeliveryOutcome("pending", counts_as_attempt=False)
    )

    (again,) = claim(storage, chat)
    assert again.attempts == 0


def test_finish_long_error_cut_and_made_storable(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(alarm := make_alarm(), [chat])
    (delivery,) = claim(storage, chat)

    storage.gateway_finish_delivery(
        delivery, DeliveryOutcome("dead", error="bad\x00 " + "e" * 5000)
    )

    (stored,) = storage.gateway_get_alarm(alarm.id).deliveries
    assert stored.state == "dead"
    assert len(stored.last_error) == MAX_NOTE_CHARS
    assert stored.last_error.startswith("bad\ufffd ")
    assert stored.last_error.endswith("…")


def test_finish_lease_expired_and_reclaimed_late_outcome_dropped(
    shared_storage, make_alarm, unique_name, delivery_rows, log_records
):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(alarm := make_alarm(), [chat])
    (slow,) = claim(storage, chat, worker="slow", lease_s=SHORT_LEASE_S)
    time.sleep(SHORT_LEASE_S * 2)
    (fast,) = claim(storage, chat, worker="fast")

    late = storage.gateway_finish_delivery(slow, DeliveryOutcome("dead", error="x"))

    (row,) = delivery_rows(storage, alarm_id=alarm.id)
    assert late is False
    assert (row.state, row.attempts, row.claimed_by) == ("pending", 0, "fast")
    assert [r["message"] for r in log_records if r["level"].name == "WARNING"] == [
        f"storage: delivery {slow.id} is no longer claimed by slow; "
        "outcome dead not recorded"
    ]
    assert storage.gateway_finish_delivery(fast, DELIVERED) is True
    assert storage.gateway_get_alarm(alarm.id).deliveries[0].state == "delivered"


def test_finish_lease_expired_not_reclaimed_still_recorded(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(alarm := make_alarm(), [chat])
    (delivery,) = claim(storage, chat, lease_s=SHORT_LEASE_S)
    time.sleep(SHORT_LEASE_S * 2)

    assert storage.gateway_finish_delivery(delivery, DELIVERED) is True
    assert storage.gateway_get_alarm(alarm.id).deliveries[0].state == "delivered"


def test_finish_after_release_not_recorded(shared_storage, make_alarm, unique_name):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(alarm := make_alarm(), [chat])
    (delivery,) = claim(storage, chat, worker="stopping")
    storage.gateway_release_deliveries("stopping")

    assert storage.gateway_finish_delivery(delivery, DELIVERED) is False
    assert storage.gateway_get_alarm(alarm.id).deliveries[0].state == "pending"


def test_finish_delivery_not_from_a_claim_only_while_nobody_holds_it(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(alarm := make_alarm(), [chat])
    (listed,) = storage.gateway_query_deliveries(DeliveryQuery(alarm_id=alarm.id))
    claim(storage, chat, worker="holder")

    while_held = storage.gateway_finish_delivery(listed, DELIVERED)
    storage.gateway_release_deliveries("holder")
    once_free = storage.gateway_finish_delivery(listed, DELIVERED)

    assert (while_held, once_free) == (False, True)


def test_finish_unknown_state_refused(shared_storage, make_alarm, unique_name):
    storage = shared_storage
    chat = unique_name()
    storage.gateway_store_alarm(make_alarm(), [chat])
    (delivery,) = claim(storage, chat)

    with pytest.raises(ValueError, match="'sent' is not one of"):
        storage.gateway_finish_delivery(delivery, DeliveryOutcome("sent"))


# -- releasing ------------------------------------------------------------


def test_release_frees_only_that_workers_claims(
    shared_storage, make_alarm, unique_name, delivery_rows
):
    storage = shared_storage
    chat, mail = unique_name(), unique_name()
    for _ in range(2):
        storage.gateway_store_alarm(make_alarm(), [chat, mail])
    claim(storage, chat, worker="stopping")
    claim(storage, mail, worker="staying")

    released = storage.gateway_release_deliveries("stopping")

    assert released == 2
    assert {row.claimed_by for row in delivery_rows(storage, notifier=chat)} == {None}
    assert {row.claimed_by for row in delivery_rows(storage, notifier=mail)} == {
        "staying"
    }
    assert len(claim(storage, chat, worker="next")) == 2
    assert storage.gateway_release_deliveries("stopping") == 0


# -- listing and re-queueing ----------------------------------------------


def test_query_deliveries_filters_newest_first_without_alarms(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    chat, mail = unique_name(), unique_name()
    alarms = [make_alarm() for _ in range(3)]
    for alarm in alarms:
        storage.gateway_store_alarm(alarm, [chat, mail])
    make_dead(storage, make_alarm, chat)

    by_notifier = storage.gateway_query_deliveries(DeliveryQuery(notifier=chat))
    dead = storage.gateway_query_deliveries(DeliveryQuery(notifier=chat, state="dead"))
    of_alarm = storage.gateway_query_deliveries(DeliveryQuery(alarm_id=alarms[1].id))
    limited = storage.gateway_query_deliveries(DeliveryQuery(notifier=mail, limit=2))
    (one,) = storage.gateway_query_deliveries(DeliveryQuery(delivery_id=of_alarm[0].id))

    assert len(by_notifier) == 4
    assert [d.id for d in by_notifier] == sorted(
        (d.id for d in by_notifier), reverse=True
    )
    assert [d.state for d in by_notifier] == ["dead", "pending", "pending", "pending"]
    assert [d.alarm_id for d in by_notifier[1:]] == [a.id for a in reversed(alarms)]
    assert [d.state for d in dead] == ["dead"]
    assert sorted(d.notifier for d in of_alarm) == sorted([chat, mail])
    assert [d.alarm_id for d in limited] == [alarms[2].id, alarms[1].id]
    assert one == of_alarm[0]
    assert all(d.alarm is None for d in by_notifier + of_alarm)


def test_requeue_by_ids_only_those_in_state(shared_storage, make_alarm, unique_name):
    storage = shared_storage
    chat = unique_name()
    alarm, dead = make_dead(storage, make_alarm, chat)
    storage.gateway_store_alarm(make_alarm(), [chat])
    (delivered,) = claim(storage, chat)
    storage.gateway_finish_delivery(delivered, DELIVERED)
    before = now()

    count = storage.gateway_requeue_deliveries([dead.id, delivered.id], "dead")

    assert count == 1
    (requeued,) = storage.gateway_get_alarm(alarm.id).deliveries
    assert requeued.state == "pending"
    assert requeued.attempts == 0
    assert before <= requeued.next_attempt_at <= now()
    assert requeued.last_error == "HTTP 400: chat not found"
    (again,) = claim(storage, chat)
    assert again.id == dead.id
    (untouched,) = storage.gateway_query_deliveries(
        DeliveryQuery(delivery_id=delivered.id)
    )
    assert untouched.state == "delivered"


def test_requeue_every_dead_one(database_url, start_storage, make_alarm):
    storage = start_storage(database_url)
    for notifier in ("chat", "chat", "mail"):
        make_dead(storage, make_alarm, notifier)
    storage.gateway_store_alarm(make_alarm(), ["chat"])

    count = storage.gateway_requeue_deliveries(None, "dead")

    assert count == 3
    assert storage.gateway_query_deliveries(DeliveryQuery(state="dead")) == []
    assert len(claim(storage, "chat")) == 3
    assert len(claim(storage, "mail")) == 1


def test_requeue_empty_list_nothing(shared_storage):
    assert shared_storage.gateway_requeue_deliveries([], "dead") == 0


def test_requeue_unknown_state_refused(shared_storage):
    with pytest.raises(ValueError, match="state 'gone'"):
        shared_storage.gateway_requeue_deliveries(None, "gone")


# -- backlog --------------------------------------------------------------


def test_backlog_pending_dead_and_oldest_age_per_notifier(
    shared_storage, make_alarm, unique_name
):
    storage = shared_storage
    chat, quiet = unique_name(), unique_name()
    storage.gateway_store_alarm(make_alarm(), [chat])
    storage.gateway_store_alarm(oldest := make_alarm(), [chat])
    make_dead(storage, make_alarm, chat)
    storage.gateway_store_alarm(make_alarm(), [quiet])
    (done,) = claim(storage, quiet)
    storage.gateway_finish_delivery(done, DELIVERED)
    with storage.database.engine.begin() as connection:
        connection.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.alarm_id == oldest.id)
            .values(created_at=now() - dt.timedelta(minutes=5))
        )

    backlog = storage.gateway_delivery_backlog()

    assert quiet not in backlog
    found = backlog[chat]
    assert (found.pending, found.dead) == (2, 1)
    assert 300 <= found.oldest_pending_age_s < 330


def test_backlog_only_dead_has_no_pending_age(shared_storage, make_alarm, unique_name):
    storage = shared_storage
    chat = unique_name()
    make_dead(storage, make_alarm, chat)

    assert storage.gateway_delivery_backlog()[chat] == NotifierBacklog(
        pending=0, dead=1, oldest_pending_age_s=None
    )


# -- deleting -------------------------------------------------------------


def test_delete_alarm_cascades_to_deliveries_and_dedup_key(
    shared_storage, make_alarm, unique_name, delivery_rows
):
    # Retention (issue 5) deletes alarms; nothing may be left pointing at them.
    storage = shared_storage
    key = f"hash:{unique_name()}"
    until = now() + dt.timedelta(hours=1)
    alarm = make_alarm(dedup_key=key, dedup_until=until)
    storage.gateway_store_alarm(alarm, [unique_name()])

    with storage.database.engine.begin() as connection:
        connection.execute(delete(ALARMS).where(ALARMS.c.id == alarm.id))

    assert delivery_rows(storage, alarm_id=alarm.id) == []
    copy = make_alarm(dedup_key=key, dedup_until=until)
    assert storage.gateway_store_alarm(copy, []) == StoreResult(copy.id)

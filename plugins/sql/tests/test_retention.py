"""Retention: old alarms deleted with what hangs off them, in-flight ones kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlalchemy import select

from gateway.kit import DeliveryOutcome
from gateway.kit import StoreResult

from alarmhugger_sql import _retention
from alarmhugger_sql._schema import DEDUP_KEYS

UTC = dt.timezone.utc
CUTOFF = dt.datetime(2026, 6, 1, tzinfo=UTC)
OLD = CUTOFF - dt.timedelta(days=30)
NEW = CUTOFF + dt.timedelta(seconds=1)


def finish_all(storage, notifier, state):
    for delivery in storage.gateway_claim_deliveries(
        notifier=notifier, worker="retention-test", limit=100, lease_s=60
    ):
        storage.gateway_finish_delivery(delivery, DeliveryOutcome(state))


def count_dedup_keys(storage):
    with storage.database.engine.connect() as connection:
        statement = select(func.count()).select_from(DEDUP_KEYS)
        return connection.execute(statement).scalar_one()


def test_prune_old_alarms_deleted_with_deliveries_and_keys(
    database_url, start_storage, make_alarm, count_rows, delivery_rows
):
    """Issue 5: ``gateway alarms prune --older-than`` on the SQL storage."""
    storage = start_storage(database_url)
    delivered = make_alarm(received_at=OLD, dedup_key="hash:a", dedup_until=NEW)
    dead = make_alarm(received_at=OLD)
    storage.gateway_store_alarm(delivered, ["chat"])
    storage.gateway_store_alarm(dead, ["mail"])
    finish_all(storage, "chat", "delivered")
    finish_all(storage, "mail", "dead")
    without_notifiers = make_alarm(received_at=OLD)
    storage.gateway_store_alarm(without_notifiers, [])
    storage.gateway_store_alarm(recent := make_alarm(received_at=NEW), ["chat"])
    finish_all(storage, "chat", "delivered")

    deleted = storage.gateway_prune_alarms(received_before=CUTOFF)

    assert deleted == 3
    assert count_rows(storage) == 1
    assert storage.gateway_get_alarm(recent.id) is not None
    assert [row.alarm_id for row in delivery_rows(storage)] == [recent.id]
    assert count_dedup_keys(storage) == 0
    # The key went with its alarm: a late copy is a new alarm.
    copy = make_alarm(received_at=OLD, dedup_key="hash:a", dedup_until=NEW)
    assert storage.gateway_store_alarm(copy, []) == StoreResult(copy.id)


def test_prune_alarm_with_pending_delivery_kept(
    database_url, start_storage, make_alarm
):
    storage = start_storage(database_url)
    storage.gateway_store_alarm(waiting := make_alarm(received_at=OLD), ["chat"])
    storage.gateway_store_alarm(make_alarm(received_at=OLD), [])

    deleted = storage.gateway_prune_alarms(received_before=CUTOFF)

    assert deleted == 1
    assert storage.gateway_get_alarm(waiting.id).deliveries[0].state == "pending"


def test_prune_more_than_a_batch_all_deleted(
    database_url, start_storage, make_alarm, count_rows, monkeypatch
):
    monkeypatch.setattr(_retention, "BATCH_SIZE", 3)
    storage = start_storage(database_url)
    for minutes in range(7):
        received_at = OLD + dt.timedelta(minutes=minutes)
        storage.gateway_store_alarm(make_alarm(received_at=received_at), [])

    deleted = storage.gateway_prune_alarms(received_before=CUTOFF)

    assert deleted == 7
    assert count_rows(storage) == 0
    assert storage.gateway_prune_alarms(received_before=CUTOFF) == 0

"""In-memory test doubles for plugin tests: a storage and a recording notifier."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from gateway.kit import Alarm
from gateway.kit import AlarmPage
from gateway.kit import AlarmQuery
from gateway.kit import CheckResult
from gateway.kit import StorageUnavailable
from gateway.kit import StoreResult
from gateway.kit import hookimpl
from gateway._types import Delivery
from gateway._types import DeliveryOutcome
from gateway._types import DeliveryQuery
from gateway._types import NotifierBacklog
from gateway.notify import Notifier
from gateway.notify import SendResult


class MemoryStorage:
    """Keeps alarms in memory; ``is_down`` makes every call fail as unreachable."""

    def __init__(self) -> None:
        self.alarms: list[Alarm] = []
        self.deliveries: dict[str, Delivery] = {}
        self.is_down = False
        self._lock = threading.Lock()
        # When each claimed delivery's lease ends, by delivery id.
        self._claimed_until: dict[str, dt.datetime] = {}

    @hookimpl
    def gateway_store_alarm(self, alarm: Alarm, notifiers: list[str]) -> StoreResult:
        if self.is_down:
            raise StorageUnavailable("memory storage is down")
        with self._lock:
            if any(stored.id == alarm.id for stored in self.alarms):
                return StoreResult(alarm.id)
            original = self._live_original(alarm)
            if original is not None:
                original.duplicates += 1
                return StoreResult(original.id, duplicate=True)
            self.alarms.append(alarm)
            now = _now()
            for notifier in notifiers:
                delivery_id = str(uuid.uuid4())
                self.deliveries[delivery_id] = Delivery(
                    delivery_id, alarm.id, notifier, "pending", 0, now, created_at=now
                )
        return StoreResult(alarm.id)

    @hookimpl
    def gateway_claim_deliveries(
        self, notifier: str, worker: str, limit: int, lease_s: float
    ) -> list[Delivery]:
        if self.is_down:
            raise StorageUnavailable("memory storage is down")
        now = _now()
        with self._lock:
            due = [
                d
                for d in self.deliveries.values()
                if d.notifier == notifier
                and d.state == "pending"
                and (d.next_attempt_at is None or d.next_attempt_at <= now)
                and self._claimed_until.get(d.id, now) <= now
            ]
            due.sort(key=lambda d: (self._alarm(d.alarm_id).received_at, d.alarm_id))
            claimed = due[:limit]
            for delivery in claimed:
                self._claimed_until[delivery.id] = now + dt.timedelta(seconds=lease_s)
                delivery.alarm = self._alarm(delivery.alarm_id)
            return list(claimed)

    @hookimpl
    def gateway_finish_delivery(
        self, delivery: Delivery, outcome: DeliveryOutcome
    ) -> bool:
        with self._lock:
            stored = self.deliveries[delivery.id]
            stored.state = outcome.state
            stored.next_attempt_at = outcome.next_attempt_at
            stored.attempts += 1 if outcome.counts_as_attempt else 0
            if outcome.state == "delivered":
                stored.last_error = None
            elif outcome.error is not None:
                stored.last_error = outcome.error
            if outcome.detail is not None:
                stored.detail = outcome.detail
            stored.updated_at = _now()
            self._claimed_until.pop(delivery.id, None)
        return True

    @hookimpl
    def gateway_release_deliveries(self, worker: str) -> int:
        with self._lock:
            released = len(self._claimed_until)
            self._claimed_until.clear()
        return released

    @hookimpl
    def gateway_query_deliveries(self, query: DeliveryQuery) -> list[Delivery]:
        found = [
            d
            for d in self.deliveries.values()
            if (query.state is None or d.state == query.state)
            and (query.notifier is None or d.notifier == query.notifier)
            and (query.alarm_id is None or d.alarm_id == query.alarm_id)
            and (query.delivery_id is None or d.id == query.delivery_id)
        ]
        # Newest first, as the hook's contract says.
        found.sort(key=lambda d: d.created_at or _now(), reverse=True)
        return found[: query.limit]

    @hookimpl
    def gateway_requeue_deliveries(
        self, delivery_ids: list[str] | None, state: str
    ) -> int:
        count = 0
        with self._lock:
            for delivery in self.deliveries.values():
                if delivery.state != state:
                    continue
                if delivery_ids is not None and delivery.id not in delivery_ids:
                    continue
                delivery.state, delivery.attempts, delivery.next_attempt_at = (
                    "pending",
                    0,
                    _now(),
                )
                count += 1
        return count

    @hookimpl
    def gateway_delivery_backlog(self) -> dict[str, NotifierBacklog]:
        backlog: dict[str, NotifierBacklog] = {}
        for name in {d.notifier for d in self.deliveries.values()}:
            mine = [d for d in self.deliveries.values() if d.notifier == name]
            backlog[name] = NotifierBacklog(
                pending=sum(d.state == "pending" for d in mine),
                dead=sum(d.state == "dead" for d in mine),
            )
        return backlog

    def _alarm(self, alarm_id: str) -> Alarm:
        return next(alarm for alarm in self.alarms if alarm.id == alarm_id)

    def _live_original(self, alarm: Alarm) -> Alarm | None:
        if alarm.dedup_key is None:
            return None
        for stored in self.alarms:
            if (
                stored.dedup_key == alarm.dedup_key
                and stored.dedup_until is not None
                and stored.dedup_until > alarm.received_at
            ):
                return stored
        return None

    @hookimpl
    def gateway_get_alarm(self, alarm_id: str) -> Alarm | None:
        alarm = next((alarm for alarm in self.alarms if alarm.id == alarm_id), None)
        if alarm is not None:
            alarm.deliveries = [
                d for d in self.deliveries.values() if d.alarm_id == alarm_id
            ]
        return alarm

    @hookimpl
    def gateway_query_alarms(self, query: AlarmQuery) -> AlarmPage:
        found = sorted(self.alarms, key=lambda a: (a.received_at, a.id), reverse=True)
        if query.ticker:
            found = [alarm for alarm in found if alarm.ticker == query.ticker]
        if query.after:
            found = [a for a in found if (a.received_at, a.id) < query.after]
        return AlarmPage(found[: query.limit], len(found) > query.limit)

    @hookimpl
    def gateway_check_health(self):
        return {
            "database": CheckResult(ok=not self.is_down, details={"backend": "memory"})
        }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class RecordingNotifier(Notifier):
    """A notifier that keeps every alarm it is sent; can be told to fail."""

    name = "recorder"

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Alarm] = []
        self.results: list[SendResult] = []
        self.arrived = threading.Condition()

    def send(self, alarm: Alarm) -> SendResult:
        result = self.results.pop(0) if self.results else SendResult(ok=True)
        with self.arrived:
            if result.ok:
                self.sent.append(alarm)
            self.arrived.notify_all()
        return result

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Alarm]:
        """Block until ``count`` alarms were delivered (or fail after ``timeout``)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.sent) >= count, timeout):
                raise AssertionError(
                    f"expected {count} deliveries, got {len(self.sent)}"
                )
            return list(self.sent)


class RecordingNotifierPlugin:
    """A plugin contributing one :class:`RecordingNotifier` named ``recorder``."""

    def __init__(self) -> None:
        self.notifier = RecordingNotifier()

    @hookimpl
    def gateway_register_notifiers(self) -> list[Notifier]:
        return [self.notifier]

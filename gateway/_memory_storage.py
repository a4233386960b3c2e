"""In-memory test doubles for plugin tests: a storage and a recording notifier."""

from __future__ import annotations

import threading

from gateway.kit import Alarm
from gateway.kit import AlarmPage
from gateway.kit import AlarmQuery
from gateway.kit import CheckResult
from gateway.kit import StorageUnavailable
from gateway.kit import StoreResult
from gateway.kit import hookimpl
from gateway.notify import Notifier
from gateway.notify import SendResult


class MemoryStorage:
    """Keeps alarms in memory; ``is_down`` makes every call fail as unreachable."""

    def __init__(self) -> None:
        self.alarms: list[Alarm] = []
        self.is_down = False
        self._lock = threading.Lock()

    @hookimpl
    def gateway_store_alarm(self, alarm: Alarm) -> StoreResult:
        if self.is_down:
            raise StorageUnavailable("memory storage is down")
        with self._lock:
            self.alarms.append(alarm)
        return StoreResult(alarm.id)

    @hookimpl
    def gateway_get_alarm(self, alarm_id: str) -> Alarm | None:
        return next((alarm for alarm in self.alarms if alarm.id == alarm_id), None)

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
        return {"database": CheckResult(ok=not self.is_down, details={"backend": "memory"})}


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
                raise AssertionError(f"expected {count} deliveries, got {len(self.sent)}")
            return list(self.sent)


class RecordingNotifierPlugin:
    """A plugin contributing one :class:`RecordingNotifier` named ``recorder``."""

    def __init__(self) -> None:
        self.notifier = RecordingNotifier()

    @hookimpl
    def gateway_register_notifiers(self) -> list[Notifier]:
        return [self.notifier]

"""The path of one webhook: screen, parse, enrich, store, answer.

Views hand an :class:`InboundRequest` to :meth:`Ingest.handle` and send
back the :class:`Outcome`. Nothing slow happens here: notifiers run later,
in the delivery dispatcher.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any
from typing import Mapping

import uuid6
from loguru import logger

from gateway._types import Alarm
from gateway._types import InboundRequest
from gateway._types import ParsedAlarm
from gateway._types import Rejection
from gateway._types import StoreResult
from gateway.dedup import DedupSettings
from gateway.dedup import assign_dedup_key
from gateway.delivery import Dispatcher
from gateway.errors import StorageRejected
from gateway.errors import StorageUnavailable
from gateway.plugins import PluginCallError
from gateway.plugins import PluginHost
from gateway.spool import Spool


@dataclass(frozen=True)
class Outcome:
    """The answer to one webhook request."""

    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


class Ingest:
    """Runs the webhook pipeline through the plugins of one gateway."""

    def __init__(
        self,
        plugins: PluginHost,
        dispatcher: Dispatcher,
        dedup: DedupSettings | None = None,
        spool: Spool | None = None,
    ) -> None:
        self.plugins = plugins
        self.dispatcher = dispatcher
        self.dedup = dedup or DedupSettings()
        self.spool = spool
        self.counters: Counter[str] = Counter()
        self._counter_lock = threading.Lock()

    def count(self, name: str) -> None:
        """Add one to a named counter (shown by the health endpoint)."""
        with self._counter_lock:
            self.counters[name] += 1

    def handle(self, request: InboundRequest) -> Outcome:
        """Run one request through screens, parsers and storage."""
        rejection = self._screen(request)
        if rejection is not None:
            self.count(f"rejected_{rejection.status}")
            return Outcome(
                rejection.status,
                _error_body(rejection.status, rejection.error, rejection.reason),
                rejection.headers,
            )

        alarm = Alarm.from_parsed(self._parse(request), request, str(uuid6.uuid7()))
        assign_dedup_key(alarm, request, self.dedup)
        self._enrich(alarm, request)
        targets = self.dispatcher.targets_for(alarm)

        try:
            result = self.store(alarm, targets)
        except (StorageUnavailable, StorageRejected) as error:
            return self._spool(alarm, targets, error)

        self.announce(alarm, targets, result)
        body: dict[str, Any] = {"id": result.alarm_id}
        if result.duplicate:
            body["duplicate"] = True
        return Outcome(200, body)

    def _spool(self, alarm: Alarm, targets: list[str], error: Exception) -> Outcome:
        # Storage refusing even the raw alarm is treated like an outage:
        # the spool keeps it (and sets it aside if storage keeps refusing).
        self.count("storage_unavailable")
        if self.spool is not None:
            try:
                self.spool.append(alarm, targets)
            except OSError:
                logger.opt(exception=True).error(
                    "alarm {} could not be spooled", alarm.id
                )
            else:
                self.count("spooled")
                logger.warning(
                    "alarm {} spooled: storage unavailable ({})", alarm.id, error
                )
                return Outcome(202, {"id": alarm.id, "spooled": True})

        logger.error("alarm {} not stored: {}", alarm.id, error)
        return Outcome(
            503,
            _error_body(
                503,
                "storage_unavailable",
                "the alarm could not be stored; send it again",
            ),
            {"Retry-After": "5"},
        )

    def _screen(self, request: InboundRequest) -> Rejection | None:
        try:
            answer = self.plugins.call_first("gateway_screen_request", request=request)
        except PluginCallError as failure:
            logger.opt(exception=failure.error).error(
                "screen plugin {} failed; request refused", failure.plugin
            )
            return Rejection(
                503, "screen_failed", f"screen plugin {failure.plugin!r} failed"
            )

        if answer is None:
            return None
        plugin, rejection = answer
        logger.warning(
            "rejected by {}: {} {} (client {}, peer {})",
            plugin,
            rejection.status,
            rejection.reason,
            request.client_ip,
            request.peer_ip,
        )
        return rejection

    def _parse(self, request: InboundRequest) -> ParsedAlarm:
        for implementation in self.plugins.implementations("gateway_parse_alarm"):
            try:
                answer = self.plugins.call_impl(
                    implementation, "gateway_parse_alarm", {"request": request}
                )
            except PluginCallError as failure:
                logger.opt(exception=failure.error).error(
                    "parser plugin {} failed on request {}; asking the next parser",
                    failure.plugin,
                    request.request_id,
                )
                continue
            if answer is not None:
                return answer

        # Unreachable while the raw parser is registered; kept as a guard.
        return ParsedAlarm(parser="raw", format="raw", message=request.text)

    def _enrich(self, alarm: Alarm, request: InboundRequest) -> None:
        for implementation in self.plugins.implementations("gateway_enrich_alarm"):
            try:
                self.plugins.call_impl(
                    implementation,
                    "gateway_enrich_alarm",
                    {"alarm": alarm, "request": request},
                )
            except PluginCallError as failure:
                logger.opt(exception=failure.error).error(
                    "enrich plugin {} failed on alarm {}", failure.plugin, alarm.id
                )

    def store(self, alarm: Alarm, notifiers: list[str]) -> StoreResult:
        """Write one alarm through the storage plugin.

        Values no database column can hold are dropped first (with a
        warning). When storage still refuses the alarm, it is stored again
        without its parsed values, as a raw alarm, so it is not lost.

        :raises StorageUnavailable: when storage cannot be reached; the
            caller spools the alarm.
        :raises StorageRejected: when storage refuses even the raw alarm.
        """
        make_storable(alarm)
        try:
            return self._store_once(alarm, notifiers)
        except StorageRejected as refusal:
            logger.error(
                "alarm {}: storage refused its parsed values: {}", alarm.id, refusal
            )
            return self._store_once(strip_parsed_values(alarm, str(refusal)), notifiers)

    def _store_once(self, alarm: Alarm, notifiers: list[str]) -> StoreResult:
        try:
            answer = self.plugins.call_first(
                "gateway_store_alarm", alarm=alarm, notifiers=notifiers
            )
        except PluginCallError as failure:
            if isinstance(failure.error, StorageUnavailable):
                raise failure.error from None
            logger.opt(exception=failure.error).debug(
                "storage plugin {} refused alarm {}", failure.plugin, alarm.id
            )
            raise StorageRejected(
                f"{type(failure.error).__name__}: {_first_line(failure.error)}"
            ) from failure

        if answer is None:
            raise StorageUnavailable("no storage plugin is enabled")
        return answer[1]

    def announce(self, alarm: Alarm, targets: list[str], result: StoreResult) -> None:
        """Log and count a stored alarm, run the stored hooks, wake its lanes."""
        if result.duplicate:
            self.count("duplicates")
            logger.info(
                "duplicate of alarm {} (key={})",
                result.alarm_id,
                _shown_key(alarm.dedup_key),
            )
            return

        self.count("stored")
        logger.info(
            "alarm {} stored (parser={}, format={}, ticker={}, {} bytes)",
            alarm.id,
            alarm.parser,
            alarm.format,
            alarm.ticker,
            len(alarm.raw),
        )
        for warning in alarm.warnings:
            logger.warning("alarm {} on route {}: {}", alarm.id, alarm.source, warning)

        for implementation in self.plugins.implementations("gateway_alarm_stored"):
            try:
                self.plugins.call_impl(
                    implementation,
                    "gateway_alarm_stored",
                    {"alarm": alarm, "result": result},
                )
            except PluginCallError as failure:
                logger.opt(exception=failure.error).error(
                    "plugin {} failed in gateway_alarm_stored for alarm {}",
                    failure.plugin,
                    alarm.id,
                )
        self.dispatcher.wake(targets)


# Beyond these powers of ten a number is no price or quantity, and
# PostgreSQL's NUMERIC and JSONB refuse it.
_LARGEST_EXPONENT = 1000


def _is_storable_number(value: Decimal) -> bool:
    return value.is_finite() and abs(value.adjusted()) <= _LARGEST_EXPONENT


def _storable_value(value: Any) -> Any:
    if isinstance(value, Decimal) and not _is_storable_number(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _storable_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable_value(item) for item in value]
    return value


def make_storable(alarm: Alarm) -> None:
    """Replace numbers no database can hold: named ones by ``None``, others by text."""
    for name in ("price", "quantity"):
        value = getattr(alarm, name)
        if value is not None and not _is_storable_number(value):
            setattr(alarm, name, None)
            alarm.warnings.append(
                f"{name} {str(value)[:40]} is out of range; not stored as a number"
            )
    alarm.fields = _storable_value(alarm.fields)


def strip_parsed_values(alarm: Alarm, reason: str) -> Alarm:
    """A copy of ``alarm`` keeping the body but none of the parsed values."""
    return dataclasses.replace(
        alarm,
        ticker=None,
        exchange=None,
        interval=None,
        action=None,
        price=None,
        quantity=None,
        event_time=None,
        fields={},
        format="raw",
        warnings=[
            *alarm.warnings,
            f"storage refused the parsed values ({reason[:200]}); kept raw",
        ],
    )


def _error_body(status: int, error: str, reason: str) -> dict[str, Any]:
    # The API's error shape; "reason" kept for senders that read it.
    return {"error": error, "message": reason, "reason": reason, "status": status}


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [""])[0][:200]


def _shown_key(key: str | None) -> str:
    if key is None:
        return "-"
    kind, _, value = key.partition(":")
    return value.split(":", 1)[-1] if kind == "id" else f"hash {value[:12]}"

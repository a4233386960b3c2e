"""The path of one webhook: screen, parse, enrich, store, answer.

Views hand an :class:`InboundRequest` to :meth:`Ingest.handle` and send
back the :class:`Outcome`. Nothing slow happens here: notifiers run later,
in the delivery dispatcher.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
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
                {"error": rejection.error, "reason": rejection.reason},
                rejection.headers,
            )

        alarm = Alarm.from_parsed(self._parse(request), request, str(uuid6.uuid7()))
        assign_dedup_key(alarm, request, self.dedup)
        self._enrich(alarm, request)
        targets = self.dispatcher.targets_for(alarm)

        try:
            result = self.store(alarm, targets)
        except StorageUnavailable as error:
            return self._spool(alarm, targets, error)

        self.announce(alarm, targets, result)
        body: dict[str, Any] = {"id": result.alarm_id}
        if result.duplicate:
            body["duplicate"] = True
        return Outcome(200, body)

    def _spool(self, alarm: Alarm, targets: list[str], error: Exception) -> Outcome:
        self.count("storage_unavailable")
        if self.spool is not None:
            try:
                self.spool.append(alarm, targets)
            except OSError:
                logger.opt(exception=True).error("alarm {} could not be spooled", alarm.id)
            else:
                self.count("spooled")
                logger.warning("alarm {} spooled: storage unavailable ({})", alarm.id, error)
                return Outcome(202, {"id": alarm.id, "spooled": True})

        logger.error("alarm {} not stored: {}", alarm.id, error)
        return Outcome(
            503,
            {
                "error": "storage_unavailable",
                "reason": "the alarm could not be stored; send it again",
            },
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

        :raises StorageUnavailable: for any storage failure, so the caller
            can spool the alarm instead of losing it.
        """
        try:
            answer = self.plugins.call_first(
                "gateway_store_alarm", alarm=alarm, notifiers=notifiers
            )
        except PluginCallError as failure:
            if isinstance(failure.error, StorageUnavailable):
                raise failure.error from None
            logger.opt(exception=failure.error).error(
                "storage plugin {} failed on alarm {}", failure.plugin, alarm.id
            )
            raise StorageUnavailable(f"storage plugin {failure.plugin!r} failed") from failure

        if answer is None:
            raise StorageUnavailable("no storage plugin is enabled")
        return answer[1]

    def announce(self, alarm: Alarm, targets: list[str], result: StoreResult) -> None:
        """Log and count a stored alarm, run the stored hooks, wake its lanes."""
        if result.duplicate:
            self.count("duplicates")
            logger.info(
                "duplicate of alarm {} (key={})", result.alarm_id, _shown_key(alarm.dedup_key)
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


def _shown_key(key: str | None) -> str:
    if key is None:
        return "-"
    kind, _, value = key.partition(":")
    return value.split(":", 1)[-1] if kind == "id" else f"hash {value[:12]}"

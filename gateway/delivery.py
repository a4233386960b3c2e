"""The delivery dispatcher: passes stored alarms on to every notifier.

Each notifier gets its own lane, a thread that claims that notifier's due
deliveries from storage (oldest alarm first), sends them one at a time,
and records the outcome: delivered, retry later with backoff (or when the
service said), or dead after the last attempt. A slow or failing notifier
only holds up its own lane; webhook answers never wait for any of them.

Several gateway processes may run dispatchers on one database: storage
hands each due delivery to one claimer only, under a lease that expires if
the claimer dies.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Iterable

from loguru import logger

from gateway._logging import mask
from gateway._types import Delivery
from gateway._types import DeliveryOutcome
from gateway.errors import StorageUnavailable
from gateway.notify import Notifier
from gateway.notify import SendResult
from gateway.plugins import PluginCallError
from gateway.plugins import PluginHost

if TYPE_CHECKING:
    from gateway.config import GatewayConfig

SECTION = "delivery"


@dataclass(frozen=True)
class DeliverySettings:
    """The ``[delivery]`` section: how hard and how often to try."""

    is_enabled: bool = True
    max_attempts: int = 5
    retry_base_s: float = 2.0
    retry_max_s: float = 600.0
    poll_interval_s: float = 1.0
    lease_s: float = 120.0
    batch_size: int = 20

    @classmethod
    def from_config(cls, config: GatewayConfig) -> DeliverySettings:
        """Read and check ``[delivery]``."""
        return cls(
            is_enabled=config.get_bool(SECTION, "enabled", True),
            max_attempts=config.get_int(
                SECTION, "max_attempts", 5, minimum=1, maximum=100
            ),
            retry_base_s=_seconds(config, "retry_base", 2.0),
            retry_max_s=_seconds(config, "retry_max", 600.0),
            poll_interval_s=_seconds(config, "poll_interval", 1.0),
            lease_s=_seconds(config, "lease", 120.0),
            batch_size=config.get_int(
                SECTION, "batch_size", 20, minimum=1, maximum=1000
            ),
        )


def _seconds(config: GatewayConfig, key: str, default: float) -> float:
    from gateway.errors import ConfigError

    raw = config.get(SECTION, key)
    if raw is None:
        return default
    try:
        value = float(raw.removesuffix("s"))
    except ValueError:
        raise ConfigError(
            SECTION, key, raw, "a number of seconds, e.g. 2 or 0.5"
        ) from None
    if value <= 0:
        raise ConfigError(SECTION, key, raw, "a number of seconds above 0")
    return value


def backoff_delay(attempts: int, settings: DeliverySettings) -> float:
    """Seconds to wait after ``attempts`` failed attempts: exponential, with jitter."""
    ceiling = min(
        settings.retry_max_s, settings.retry_base_s * 2 ** max(attempts - 1, 0)
    )
    # Jitter spreads the retries of a burst that failed together.
    return ceiling * random.uniform(0.8, 1.0)


def decide_outcome(
    delivery: Delivery,
    result: SendResult,
    settings: DeliverySettings,
    max_attempts: int,
    now: dt.datetime,
) -> DeliveryOutcome:
    """Turn one send's result into the delivery's next state."""
    if result.ok:
        return DeliveryOutcome(
            "delivered", detail=result.state or result.detail or None
        )

    error = mask(result.detail or "failed")
    if result.is_rate_limited:
        wait = (
            result.retry_after
            if result.retry_after is not None
            else settings.retry_base_s
        )
        return DeliveryOutcome(
            "pending",
            next_attempt_at=now + dt.timedelta(seconds=wait),
            counts_as_attempt=False,
            error=error,
        )

    attempts = delivery.attempts + 1
    if result.is_permanent or attempts >= max_attempts:
        return DeliveryOutcome("dead", error=error)

    wait = backoff_delay(attempts, settings)
    if result.retry_after is not None:
        wait = max(wait, result.retry_after)
    return DeliveryOutcome(
        "pending", next_attempt_at=now + dt.timedelta(seconds=wait), error=error
    )


class _Lane:
    """The thread delivering to one notifier."""

    def __init__(
        self, dispatcher: Dispatcher, notifier: Notifier, max_attempts: int
    ) -> None:
        self.dispatcher = dispatcher
        self.notifier = notifier
        self.max_attempts = max_attempts
        self.wake_event = threading.Event()
        self.paused_until = 0.0
        self.last_sent = 0.0
        self.thread = threading.Thread(
            target=self._run, name=f"delivery-{notifier.name}", daemon=True
        )

    @property
    def is_alive(self) -> bool:
        return self.thread.is_alive()

    def _run(self) -> None:
        stop = self.dispatcher.stop_event
        with logger.contextualize(notifier=self.notifier.name):
            while not stop.is_set():
                try:
                    worked = self._work_once()
                except Exception:
                    logger.opt(exception=True).error(
                        "delivery lane {} failed; retrying", self.notifier.name
                    )
                    worked = False
                if not worked:
                    self.wake_event.wait(self.dispatcher.settings.poll_interval_s)
                    self.wake_event.clear()

    def _work_once(self) -> bool:
        pause = self.paused_until - time.monotonic()
        if pause > 0:
            self.dispatcher.stop_event.wait(pause)
            return True

        deliveries = self.dispatcher.claim(self.notifier.name)
        if not deliveries:
            return False

        for index, delivery in enumerate(deliveries):
            if self.dispatcher.stop_event.is_set():
                self.dispatcher.put_back(deliveries[index:], None)
                break
            if self.paused_until > time.monotonic():
                resume = dt.datetime.now(dt.timezone.utc) + dt.timedelta(
                    seconds=self.paused_until - time.monotonic()
                )
                self.dispatcher.put_back(deliveries[index:], resume)
                break
            self._pace()
            self._attempt(delivery)
        return True

    def _pace(self) -> None:
        wait = self.last_sent + self.notifier.min_interval - time.monotonic()
        if wait > 0:
            self.dispatcher.stop_event.wait(wait)

    def _attempt(self, delivery: Delivery) -> None:
        started = time.perf_counter()
        try:
            assert delivery.alarm is not None, "claimed deliveries carry their alarm"
            result = self.notifier.send(delivery.alarm)
        except Exception as error:
            result = SendResult(ok=False, detail=f"{type(error).__name__}: {error}")
        self.last_sent = time.monotonic()
        duration_ms = (time.perf_counter() - started) * 1000

        if result.pause_notifier_for:
            self.paused_until = time.monotonic() + result.pause_notifier_for

        now = dt.datetime.now(dt.timezone.utc)
        outcome = decide_outcome(
            delivery, result, self.dispatcher.settings, self.max_attempts, now
        )
        self.dispatcher.finish(delivery, outcome)
        self._log(delivery, result, outcome, duration_ms)

    def _log(
        self,
        delivery: Delivery,
        result: SendResult,
        outcome: DeliveryOutcome,
        duration_ms: float,
    ) -> None:
        name = self.notifier.name
        if outcome.state == "delivered":
            logger.info(
                "delivery {} of alarm {} to {}: delivered{} in {:.0f}ms",
                delivery.id,
                delivery.alarm_id,
                name,
                f" ({outcome.detail})" if outcome.detail else "",
                duration_ms,
            )
        elif outcome.state == "dead":
            logger.error(
                "delivery {} of alarm {} to {}: dead after {} attempts: {}",
                delivery.id,
                delivery.alarm_id,
                name,
                delivery.attempts + 1,
                outcome.error,
            )
        else:
            wait = (
                outcome.next_attempt_at - dt.datetime.now(dt.timezone.utc)
            ).total_seconds()
            reason = "rate limited" if result.is_rate_limited else "failed"
            logger.warning(
                "delivery {} of alarm {} to {}: {} ({}), retry in {:.1f}s, took {:.0f}ms",
                delivery.id,
                delivery.alarm_id,
                name,
                reason,
                outcome.error,
                max(wait, 0.0),
                duration_ms,
            )


class Dispatcher:
    """Runs one lane per notifier and talks to storage for them."""

    def __init__(
        self,
        plugins: PluginHost,
        notifiers: Iterable[Notifier],
        settings: DeliverySettings,
        config: GatewayConfig | None = None,
    ) -> None:
        self.plugins = plugins
        self.settings = settings
        self.notifiers = {notifier.name: notifier for notifier in notifiers}
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stop_event = threading.Event()
        self.lanes = {
            name: _Lane(self, notifier, self._max_attempts(config, notifier))
            for name, notifier in self.notifiers.items()
        }
        self.is_started = False

    def _max_attempts(self, config: GatewayConfig | None, notifier: Notifier) -> int:
        default = self.settings.max_attempts
        if config is None:
            return default
        return config.get_int(
            f"plugin:{notifier.name}", "max_attempts", default, minimum=1, maximum=100
        )

    def targets_for(self, alarm) -> list[str]:  # type: ignore[no-untyped-def]
        """Names of the notifiers whose routing accepts ``alarm``."""
        names = []
        for name, notifier in self.notifiers.items():
            try:
                if notifier.accepts(alarm):
                    names.append(name)
            except Exception:
                logger.opt(exception=True).error(
                    "notifier {} failed to route alarm {}; delivering anyway",
                    name,
                    alarm.id,
                )
                names.append(name)
        return names

    def start(self) -> None:
        """Start every lane's thread."""
        if self.is_started:
            return
        for lane in self.lanes.values():
            lane.thread.start()
        self.is_started = True
        if self.lanes:
            logger.info(
                "delivery dispatcher {} started: {}",
                self.worker,
                ", ".join(n.describe() for n in self.notifiers.values()),
            )

    def wake(self, names: Iterable[str]) -> None:
        """Tell the lanes of ``names`` that new deliveries are due now."""
        for name in names:
            lane = self.lanes.get(name)
            if lane is not None:
                lane.wake_event.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the lanes, wait for attempts in flight, release claims."""
        self.stop_event.set()
        for lane in self.lanes.values():
            lane.wake_event.set()
        deadline = time.monotonic() + timeout
        for lane in self.lanes.values():
            if lane.thread.is_alive():
                lane.thread.join(max(deadline - time.monotonic(), 0.1))
        if self.is_started and self.lanes:
            try:
                self.plugins.call_first(
                    "gateway_release_deliveries", worker=self.worker
                )
            except PluginCallError:
                logger.opt(exception=True).warning("could not release delivery claims")
        for notifier in self.notifiers.values():
            try:
                notifier.close()
            except Exception:
                logger.opt(exception=True).warning(
                    "notifier {} failed to close", notifier.name
                )

    def claim(self, notifier: str) -> list[Delivery]:
        """Claim due deliveries of one notifier; empty when storage is away."""
        try:
            answer = self.plugins.call_first(
                "gateway_claim_deliveries",
                notifier=notifier,
                worker=self.worker,
                limit=self.settings.batch_size,
                lease_s=self.settings.lease_s,
            )
        except PluginCallError as failure:
            if not isinstance(failure.error, StorageUnavailable):
                logger.opt(exception=failure.error).error(
                    "claiming deliveries for {} failed", notifier
                )
            return []
        return answer[1] if answer else []

    def finish(self, delivery: Delivery, outcome: DeliveryOutcome) -> None:
        """Record an outcome; a storage failure leaves the lease to expire."""
        try:
            answer = self.plugins.call_first(
                "gateway_finish_delivery", delivery=delivery, outcome=outcome
            )
            if answer is not None and answer[1] is False:
                logger.warning(
                    "delivery {} was claimed by another worker meanwhile; "
                    "its outcome ({}) was not recorded",
                    delivery.id,
                    outcome.state,
                )
        except PluginCallError as failure:
            logger.opt(exception=failure.error).error(
                "could not record delivery {} as {}; it will be retried after its lease",
                delivery.id,
                outcome.state,
            )

    def put_back(self, deliveries: list[Delivery], due: dt.datetime | None) -> None:
        """Return claimed deliveries unsent, due at ``due`` (now when ``None``)."""
        due = due or dt.datetime.now(dt.timezone.utc)
        for delivery in deliveries:
            self.finish(
                delivery,
                DeliveryOutcome(
                    "pending", next_attempt_at=due, counts_as_attempt=False
                ),
            )

    def lane_states(self) -> dict[str, bool]:
        """Whether each lane's thread is running."""
        return {name: lane.is_alive for name, lane in self.lanes.items()}

"""The short hook implementations the hook reference shows, one per hook.

``docs/build_hook_reference.py`` copies each block between ``# example:
<hook>`` and ``# end`` into ``docs/plugins.md``, and ``tests/test_hooks.py``
runs these plugins in real gateways, so every example shown is a tested
one. Like any plugin, they import from the core only through ``gateway.kit``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from decimal import Decimal
from decimal import InvalidOperation
from pathlib import Path
from typing import Any
from typing import Mapping

import click
from flask import Blueprint
from flask import Flask
from flask import Response
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from gateway.kit import Alarm
from gateway.kit import AlarmPage
from gateway.kit import AlarmQuery
from gateway.kit import CheckResult
from gateway.kit import CommaList
from gateway.kit import ConfigError
from gateway.kit import Delivery
from gateway.kit import DeliveryOutcome
from gateway.kit import DeliveryQuery
from gateway.kit import GatewayConfig
from gateway.kit import InboundRequest
from gateway.kit import Notifier
from gateway.kit import NotifierBacklog
from gateway.kit import ParsedAlarm
from gateway.kit import Rejection
from gateway.kit import SendResult
from gateway.kit import StoreResult
from gateway.kit import alarm_to_json
from gateway.kit import hookimpl
from gateway.kit import receive_webhook

# --------------------------------------------------------------------------
# Settings and lifecycle
# --------------------------------------------------------------------------


# example: gateway_settings_schema
class PingSettings(Schema):
    """The keys of ``[plugin:ping]``."""

    url = fields.URL(required=True)
    token = fields.String(load_default=None, metadata={"secret": True})
    timeout = fields.Float(load_default=5.0, validate=validate.Range(min=0.1, max=60))
    tickers = CommaList(load_default=list)


class Ping:
    hook_api_versions = (1,)

    @hookimpl
    def gateway_settings_schema(self) -> type[Schema]:
        return PingSettings

    @hookimpl
    def gateway_configure(self, settings: dict[str, Any]) -> None:
        # Loaded by PingSettings: typed, checked, defaults filled in.
        self.url = settings["url"]
        self.timeout = settings["timeout"]
        self.tickers = set(settings["tickers"])


# end


class MinimumPrice:
    """Keeps only alarms at or above a price, read by hand from its section."""

    minimum = Decimal(0)

    # example: gateway_configure
    @hookimpl
    def gateway_configure(
        self, config: GatewayConfig, settings: dict[str, str]
    ) -> None:
        # Without a settings schema, ``settings`` holds the strings as written.
        raw = settings.get("minimum", "0")
        try:
            self.minimum = Decimal(raw)
        except InvalidOperation:
            raise ConfigError(
                "plugin:minprice", "minimum", raw, "a number such as 0.5"
            ) from None

    # end


class Heartbeat:
    """Counts seconds in a thread of its own while the gateway runs."""

    def __init__(self) -> None:
        self.beats = 0
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()

    def _beat(self) -> None:
        while not self.stopping.wait(1.0):
            self.beats += 1

    # example: gateway_startup
    @hookimpl
    def gateway_startup(self, config: GatewayConfig) -> None:
        self.stopping.clear()
        self.thread = threading.Thread(target=self._beat, daemon=True)
        self.thread.start()

    # end

    # example: gateway_shutdown
    @hookimpl
    def gateway_shutdown(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    # end


# --------------------------------------------------------------------------
# Screening, parsing, enriching
# --------------------------------------------------------------------------


class OpenRoutes:
    """Refuses webhooks on routes other than the listed ones."""

    routes = frozenset({"default", "tv"})

    # example: gateway_screen_request
    @hookimpl
    def gateway_screen_request(self, request: InboundRequest) -> Rejection | None:
        if request.route in self.routes:
            return None  # let it pass
        return Rejection(403, "route_closed", f"route {request.route!r} is not open")

    # end


class ServiceStateParser:
    """Reads ``{"service": "db", "state": "down"}`` bodies."""

    # example: gateway_parse_alarm
    # tryfirst: asked before the bundled TradingView parser, which would
    # claim this body too (it claims any JSON object).
    @hookimpl(tryfirst=True)
    def gateway_parse_alarm(self, request: InboundRequest) -> ParsedAlarm | None:
        try:
            body = json.loads(request.text or "", parse_float=Decimal)
        except ValueError:
            return None
        if not isinstance(body, dict) or set(body) != {"service", "state"}:
            return None  # not ours: the next parser is asked

        return ParsedAlarm(
            parser="service_state",
            format="json",
            ticker=str(body["service"]),
            action=str(body["state"]),
            message=f"{body['service']} is {body['state']}",
            fields=body,
        )

    # end


class DeskTagger:
    """Adds the webhook route and a desk to each alarm's fields."""

    # example: gateway_enrich_alarm
    @hookimpl
    def gateway_enrich_alarm(self, alarm: Alarm, request: InboundRequest) -> None:
        alarm.fields["route"] = request.route
        is_crypto = (alarm.ticker or "").endswith("USDT")
        alarm.fields.setdefault("desk", "crypto" if is_crypto else "other")

    # end


# --------------------------------------------------------------------------
# Storage
# --------------------------------------------------------------------------


class ListStorage:
    """A whole storage plugin in memory: alarms, deliveries, pruning.

    Real storage writes to a database in one transaction per alarm; see
    the ``sql`` plugin. This one shows what each storage hook is asked.
    """

    SCHEMA_VERSION = 1

    def __init__(self) -> None:
        self.alarms: dict[str, Alarm] = {}
        self.deliveries: dict[str, Delivery] = {}
        self.claims: dict[str, tuple[str, dt.datetime]] = {}
        self.schema_version = 0
        self.lock = threading.Lock()

    # example: gateway_store_alarm
    @hookimpl
    def gateway_store_alarm(self, alarm: Alarm, notifiers: list[str]) -> StoreResult:
        with self.lock:  # one "transaction": the alarm and its deliveries
            if alarm.id in self.alarms:  # a spooled alarm written again
                return StoreResult(alarm.id)
            original = self._live_original(alarm)
            if original is not None:
                original.duplicates += 1
                return StoreResult(original.id, duplicate=True)

            self.alarms[alarm.id] = alarm
            now = _now()
            for name in notifiers:
                delivery_id = f"{alarm.id}:{name}"
                self.deliveries[delivery_id] = Delivery(
                    delivery_id, alarm.id, name, "pending", 0, now, created_at=now
                )
        return StoreResult(alarm.id)

    # end

    def _live_original(self, alarm: Alarm) -> Alarm | None:
        for stored in self.alarms.values():
            if (
                alarm.dedup_key is not None
                and stored.dedup_key == alarm.dedup_key
                and stored.dedup_until is not None
                and stored.dedup_until > alarm.received_at
            ):
                return stored
        return None

    # example: gateway_query_alarms
    @hookimpl
    def gateway_query_alarms(self, query: AlarmQuery) -> AlarmPage:
        found = sorted(
            (a for a in self.alarms.values() if query.ticker in (None, a.ticker)),
            key=lambda a: (a.received_at, a.id),
            reverse=True,
        )
        if query.after is not None:  # the keyset cursor of the previous page
            found = [a for a in found if (a.received_at, a.id) < query.after]
        return AlarmPage(found[: query.limit], has_more=len(found) > query.limit)

    # end

    # example: gateway_get_alarm
    @hookimpl
    def gateway_get_alarm(self, alarm_id: str) -> Alarm | None:
        alarm = self.alarms.get(alarm_id)
        if alarm is not None:
            alarm.deliveries = [
                d for d in self.deliveries.values() if d.alarm_id == alarm_id
            ]
        return alarm  # None: the API answers 404

    # end

    # example: gateway_claim_deliveries
    @hookimpl
    def gateway_claim_deliveries(
        self, notifier: str, worker: str, limit: int, lease_s: float
    ) -> list[Delivery]:
        now = _now()
        with self.lock:
            due = [
                d
                for d in self.deliveries.values()
                if d.notifier == notifier
                and d.state == "pending"
                and (d.next_attempt_at is None or d.next_attempt_at <= now)
                and (d.id not in self.claims or self.claims[d.id][1] <= now)
            ]
            due.sort(key=lambda d: (self.alarms[d.alarm_id].received_at, d.alarm_id))
            for delivery in due[:limit]:
                self.claims[delivery.id] = (worker, now + dt.timedelta(seconds=lease_s))
                delivery.claimed_by = worker
                delivery.alarm = self.alarms[delivery.alarm_id]
            return due[:limit]

    # end

    # example: gateway_finish_delivery
    @hookimpl
    def gateway_finish_delivery(
        self, delivery: Delivery, outcome: DeliveryOutcome
    ) -> bool:
        with self.lock:
            holder = self.claims.get(delivery.id, (None, None))[0]
            if holder != delivery.claimed_by:
                return False  # someone else claimed it after our lease ran out
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
            del self.claims[delivery.id]
        return True

    # end

    # example: gateway_release_deliveries
    @hookimpl
    def gateway_release_deliveries(self, worker: str) -> int:
        with self.lock:
            mine = [i for i, (holder, _) in self.claims.items() if holder == worker]
            for delivery_id in mine:
                del self.claims[delivery_id]
        return len(mine)

    # end

    # example: gateway_query_deliveries
    @hookimpl
    def gateway_query_deliveries(self, query: DeliveryQuery) -> list[Delivery]:
        wanted = {
            "state": query.state,
            "notifier": query.notifier,
            "alarm_id": query.alarm_id,
            "id": query.delivery_id,
        }
        found = [
            d
            for d in self.deliveries.values()
            if all(v is None or getattr(d, k) == v for k, v in wanted.items())
        ]
        found.sort(key=lambda d: d.created_at or _now(), reverse=True)
        return found[: query.limit]

    # end

    # example: gateway_requeue_deliveries
    @hookimpl
    def gateway_requeue_deliveries(
        self, delivery_ids: list[str] | None, state: str
    ) -> int:
        count = 0
        with self.lock:
            for delivery in self.deliveries.values():
                if delivery.state != state:
                    continue
                if delivery_ids is not None and delivery.id not in delivery_ids:
                    continue
                delivery.state, delivery.attempts = "pending", 0
                delivery.next_attempt_at = _now()
                count += 1
        return count

    # end

    # example: gateway_delivery_backlog
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

    # end

    # example: gateway_prune_alarms
    @hookimpl
    def gateway_prune_alarms(self, received_before: dt.datetime) -> int:
        with self.lock:
            pending = {
                d.alarm_id for d in self.deliveries.values() if d.state == "pending"
            }
            old = [
                alarm_id
                for alarm_id, alarm in self.alarms.items()
                if alarm.received_at < received_before and alarm_id not in pending
            ]
            for alarm_id in old:
                del self.alarms[alarm_id]
            self.deliveries = {
                key: d for key, d in self.deliveries.items() if d.alarm_id not in old
            }
        return len(old)

    # end

    # example: gateway_upgrade_storage
    @hookimpl
    def gateway_upgrade_storage(self) -> str:
        if self.schema_version == self.SCHEMA_VERSION:
            return f"schema already at version {self.SCHEMA_VERSION}"
        self.schema_version = self.SCHEMA_VERSION  # run the migrations here
        return f"schema upgraded to version {self.SCHEMA_VERSION}"

    # end


class StoredCounter:
    """Counts the alarms stored since the start."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    # example: gateway_alarm_stored
    @hookimpl
    def gateway_alarm_stored(self, alarm: Alarm, result: StoreResult) -> None:
        # In the request thread, before the answer: keep it this quick.
        with self.lock:
            self.count += 1

    # end


# --------------------------------------------------------------------------
# Notification and health
# --------------------------------------------------------------------------


class FileNotifier(Notifier):
    """Appends each alarm to a file as one line of JSON."""

    name = "file"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def send(self, alarm: Alarm) -> SendResult:
        with self.path.open("a", encoding="utf-8") as file:
            file.write(alarm_to_json(alarm) + "\n")
        return SendResult(ok=True)


class FilePlugin:
    """Contributes one :class:`FileNotifier`, at ``[plugin:file] path``."""

    # example: gateway_register_notifiers
    @hookimpl
    def gateway_register_notifiers(self, config: GatewayConfig) -> list[Notifier]:
        path = config.get_path("plugin:file", "path", "alarms.jsonl")
        return [FileNotifier(path)]  # the core sends, retries and records

    # end


class DiskSpace:
    """Reports the free space of the data folder."""

    folder = Path(".")

    # example: gateway_check_health
    @hookimpl
    def gateway_check_health(self) -> Mapping[str, CheckResult]:
        free = shutil.disk_usage(self.folder).free
        return {
            "disk": CheckResult(
                ok=free > 100 * 2**20,
                details={"free_mb": free // 2**20},
                critical=False,  # a full disk warns; it does not fail health
            )
        }

    # end


# --------------------------------------------------------------------------
# Web and command line
# --------------------------------------------------------------------------


class SenderRoute:
    """Gives one sender a webhook path of its own: ``/senders/acme``."""

    # example: gateway_register_routes
    @hookimpl
    def gateway_register_routes(self, app: Flask) -> None:
        bp = Blueprint("acme_sender", __name__, url_prefix="/senders")

        @bp.post("/acme")
        def acme_webhook() -> Response:
            # The same screens, parsers and storage as /alarms/webhook/acme.
            return receive_webhook(route="acme")

        app.register_blueprint(bp)

    # end


class HelloCommand:
    """Adds ``gateway hello NAME``."""

    greeting = "hello"

    # example: gateway_register_commands
    @hookimpl
    def gateway_register_commands(self, cli: click.Group) -> None:
        @cli.command("hello")
        @click.argument("name")
        def hello(name: str) -> None:
            """Greet NAME (an example plugin command)."""
            click.echo(f"{self.greeting} {name}")  # configured plugin state

    # end


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)

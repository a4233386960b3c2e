"""The ``uptime`` parser plugin: Uptime Kuma's webhook bodies become alarms."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

from gateway.kit import CommaList
from gateway.kit import InboundRequest
from gateway.kit import ParsedAlarm
from gateway.kit import hookimpl

from alarmhugger_uptime._read import read_notification


class UptimeSettings(Schema):
    """The keys of ``[plugin:uptime]``."""

    routes = CommaList(
        load_default=list,
        metadata={"expected": "webhook route names, e.g. uptime, default"},
    )


class UptimeKumaParser:
    """Claims Uptime Kuma's webhook bodies, and only those.

    Registered with ``tryfirst=True``: the bundled TradingView parser claims
    any JSON body, so this parser must be asked before it, wherever
    ``uptime`` is listed in ``[gateway] plugins``.
    """

    # Written for version 1 of the gateway's hook API.
    hook_api_versions = (1,)

    def __init__(self) -> None:
        self.routes: frozenset[str] = frozenset()

    @hookimpl
    def gateway_settings_schema(self) -> type[Schema]:
        """Declare the keys of ``[plugin:uptime]``."""
        return UptimeSettings

    @hookimpl
    def gateway_configure(self, settings: dict[str, Any]) -> None:
        """Keep the routes to read (empty: every route)."""
        self.routes = frozenset(settings["routes"])

    @hookimpl(tryfirst=True)
    def gateway_parse_alarm(self, request: InboundRequest) -> ParsedAlarm | None:
        """Claim an Uptime Kuma notification; leave any other body alone."""
        if self.routes and request.route not in self.routes:
            return None
        return read_notification(request.text)

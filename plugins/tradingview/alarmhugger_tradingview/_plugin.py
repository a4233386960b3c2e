"""The plugin object the core registers: configuration and the parse hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from loguru import logger

from gateway.kit import hookimpl

from alarmhugger_tradingview._parse import parse_body
from alarmhugger_tradingview._settings import Settings
from alarmhugger_tradingview._settings import read_settings

if TYPE_CHECKING:
    from gateway.kit import GatewayConfig
    from gateway.kit import InboundRequest
    from gateway.kit import ParsedAlarm


class TradingViewParser:
    """Reads TradingView alert bodies: JSON, key=value text and free text.

    Works with its defaults until :meth:`gateway_configure` is called.
    """

    def __init__(self) -> None:
        self.settings = Settings()

    @hookimpl
    def gateway_configure(self, config: GatewayConfig) -> None:
        """Read ``[plugin:tradingview]``: ``max_depth`` and ``<field>_keys``.

        :raises gateway.kit.ConfigError: for an unknown setting or a bad value.
        """
        self.settings = read_settings(config.plugin_settings("tradingview"))

    @hookimpl
    def gateway_parse_alarm(self, request: InboundRequest) -> ParsedAlarm | None:
        """Read the body; ``None`` when it is not UTF-8 or is blank.

        Every other body is claimed: what cannot be read comes back with
        format ``raw`` and a warning, never as an exception.
        """
        if request.text is None:
            return None

        alarm = parse_body(request.text, self.settings)
        if alarm is not None and alarm.format == "json":
            _note_sniffed_json(request.content_type)
        return alarm


def _note_sniffed_json(content_type: str) -> None:
    # Case 03: valid JSON often arrives as text/plain or form-encoded.
    if "json" not in content_type.lower():
        logger.debug(
            "body read as JSON despite its declared type",
            content_type=content_type or "(none)",
        )

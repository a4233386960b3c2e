"""The plugin object the core registers: configuration and the notifier."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.kit import hookimpl

from alarmhugger_webhook._notifier import WebhookNotifier
from alarmhugger_webhook._settings import read_settings

if TYPE_CHECKING:
    from gateway.kit import GatewayConfig
    from gateway.kit import Notifier

    from alarmhugger_webhook._settings import WebhookSettings


class WebhookPlugin:
    """Forwards every routed alarm to one HTTP endpoint (``[plugin:webhook]``)."""

    def __init__(self) -> None:
        self.settings: WebhookSettings | None = None
        self.notifiers: list[WebhookNotifier] = []

    @hookimpl
    def gateway_configure(self, config: GatewayConfig) -> None:
        """Read and check ``[plugin:webhook]``; registers its secrets for masking.

        :raises gateway.kit.ConfigError: for a missing ``url``, an unknown
            key or a bad value.
        """
        self.settings = read_settings(config)

    @hookimpl
    def gateway_register_notifiers(self, config: GatewayConfig) -> list[Notifier]:
        """Return the one ``webhook`` notifier."""
        if self.settings is None:
            self.settings = read_settings(config)
        self.notifiers = [WebhookNotifier(self.settings)]
        return list(self.notifiers)

    @hookimpl
    def gateway_shutdown(self) -> None:
        """Close the notifier's pooled connections."""
        for notifier in self.notifiers:
            notifier.close()

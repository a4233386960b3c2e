"""The plugin object the core registers: configuration and the notifier."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.kit import hookimpl

from alarmhugger_apprise._notifier import AppriseNotifier
from alarmhugger_apprise._settings import read_settings

if TYPE_CHECKING:
    from gateway.kit import GatewayConfig
    from gateway.kit import Notifier

    from alarmhugger_apprise._settings import AppriseSettings


class ApprisePlugin:
    """Sends every routed alarm through Apprise (``[plugin:apprise]``)."""

    def __init__(self) -> None:
        self.settings: AppriseSettings | None = None

    @hookimpl
    def gateway_configure(self, config: GatewayConfig) -> None:
        """Read and check ``[plugin:apprise]``; registers every URL for masking.

        :raises gateway.kit.ConfigError: for missing or unusable URLs, an
            unknown key or a bad value.
        """
        self.settings = read_settings(config)

    @hookimpl
    def gateway_register_notifiers(self, config: GatewayConfig) -> list[Notifier]:
        """Return the one ``apprise`` notifier."""
        if self.settings is None:
            self.settings = read_settings(config)
        return [AppriseNotifier(self.settings)]

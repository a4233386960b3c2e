"""The plugin object the core registers: configuration, notifier, shutdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.kit import hookimpl

from alarmhugger_mqtt._notifier import MqttNotifier
from alarmhugger_mqtt._settings import read_settings

if TYPE_CHECKING:
    from gateway.kit import GatewayConfig
    from gateway.kit import Notifier

    from alarmhugger_mqtt._settings import MqttSettings


class MqttPlugin:
    """Publishes every routed alarm to an MQTT broker (``[plugin:mqtt]``)."""

    def __init__(self) -> None:
        self.settings: MqttSettings | None = None
        self.notifiers: list[MqttNotifier] = []

    @hookimpl
    def gateway_configure(self, config: GatewayConfig) -> None:
        """Read and check ``[plugin:mqtt]``; no connection is made here.

        :raises gateway.kit.ConfigError: for an unknown key or a bad value.
        """
        self.settings = read_settings(config)

    @hookimpl
    def gateway_register_notifiers(self, config: GatewayConfig) -> list[Notifier]:
        """Return the one ``mqtt`` notifier; it connects on its first send."""
        if self.settings is None:
            self.settings = read_settings(config)
        self.notifiers = [MqttNotifier(self.settings)]
        return list(self.notifiers)

    @hookimpl
    def gateway_shutdown(self) -> None:
        """Disconnect from the broker."""
        for notifier in self.notifiers:
            notifier.close()

"""The plugin object the core registers: configuration and the notifier."""

from __future__ import annotations

from typing import TYPE_CHECKING

from loguru import logger

from gateway.kit import hookimpl

from alarmhugger_email._notifier import EmailNotifier
from alarmhugger_email._settings import NAME
from alarmhugger_email._settings import read_settings

if TYPE_CHECKING:
    from gateway.kit import GatewayConfig
    from gateway.kit import Notifier

    from alarmhugger_email._settings import EmailSettings

log = logger.bind(plugin=NAME)


class EmailPlugin:
    """Mails every routed alarm through one SMTP server (``[plugin:email]``)."""

    def __init__(self) -> None:
        self.settings: EmailSettings | None = None

    @hookimpl
    def gateway_configure(self, config: GatewayConfig) -> None:
        """Read and check ``[plugin:email]``; registers the password for masking.

        :raises gateway.kit.ConfigError: for a missing ``host``, ``from`` or
            ``to``, an unknown key or a bad value.
        """
        self.settings = read_settings(config)
        if self.settings.username and self.settings.security == "none":
            log.warning(
                "SMTP password sent unencrypted: set security = starttls or ssl",
                host=self.settings.host,
            )

    @hookimpl
    def gateway_register_notifiers(self, config: GatewayConfig) -> list[Notifier]:
        """Return the one ``email`` notifier."""
        if self.settings is None:
            self.settings = read_settings(config)
        return [EmailNotifier(self.settings)]

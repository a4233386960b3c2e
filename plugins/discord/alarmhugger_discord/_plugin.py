"""The plugin object the core registers: settings and the notifier it offers."""

from __future__ import annotations

from typing import Mapping

from gateway.kit import ChatPlugin

from alarmhugger_discord._notifier import DiscordNotifier
from alarmhugger_discord._settings import NAME
from alarmhugger_discord._settings import Settings
from alarmhugger_discord._settings import read_settings


class DiscordPlugin(ChatPlugin[Settings]):
    """Delivers alarms to a Discord channel through an incoming webhook.

    Reads ``[plugin:discord]`` (a missing or malformed ``webhook_url``, a
    bad value or an unknown key stops the start) and offers one notifier
    named ``discord``.
    """

    name = NAME

    def read_settings(self, raw: Mapping[str, str]) -> Settings:
        """Check ``[plugin:discord]``; the webhook token becomes a secret first."""
        return read_settings(raw)

    def make_notifier(self, settings: Settings) -> DiscordNotifier:
        """Build the notifier posting to the configured webhook."""
        return DiscordNotifier(settings)

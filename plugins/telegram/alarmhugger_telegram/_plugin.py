"""The plugin object the core registers: settings and the notifier it offers."""

from __future__ import annotations

from typing import Mapping

from gateway.kit import ChatPlugin

from alarmhugger_telegram._notifier import TelegramNotifier
from alarmhugger_telegram._settings import NAME
from alarmhugger_telegram._settings import Settings
from alarmhugger_telegram._settings import read_settings


class TelegramPlugin(ChatPlugin[Settings]):
    """Delivers alarms to a Telegram chat, group or channel through a bot.

    Reads ``[plugin:telegram]`` (a missing ``bot_token`` or ``chat_id``, a
    malformed value or an unknown key stops the start) and offers one
    notifier named ``telegram``.
    """

    name = NAME

    def read_settings(self, raw: Mapping[str, str]) -> Settings:
        """Check ``[plugin:telegram]``; the bot token becomes a secret first."""
        return read_settings(raw)

    def make_notifier(self, settings: Settings) -> TelegramNotifier:
        """Build the notifier posting to the configured chat."""
        return TelegramNotifier(settings)

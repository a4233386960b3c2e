"""The plugin object the core registers: settings and the notifier it offers."""

from __future__ import annotations

from typing import Mapping

from gateway.kit import ChatPlugin

from alarmhugger_slack._notifier import SlackNotifier
from alarmhugger_slack._settings import NAME
from alarmhugger_slack._settings import Settings
from alarmhugger_slack._settings import read_settings


class SlackPlugin(ChatPlugin[Settings]):
    """Delivers alarms to a Slack channel through an incoming webhook.

    Reads ``[plugin:slack]`` (a missing or malformed ``webhook_url``, a bad
    value or an unknown key stops the start) and offers one notifier named
    ``slack``.
    """

    name = NAME

    def read_settings(self, raw: Mapping[str, str]) -> Settings:
        """Check ``[plugin:slack]``; the webhook's secret segment is masked first."""
        return read_settings(raw)

    def make_notifier(self, settings: Settings) -> SlackNotifier:
        """Build the notifier posting to the configured webhook."""
        return SlackNotifier(settings)

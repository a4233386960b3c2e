"""The bundled Discord notifier plugin for AlarmHugger.

The core finds :class:`DiscordPlugin` through the ``alarmhugger.plugins``
entry point ``discord``. Settings and behaviour are in this plugin's
README.
"""

from __future__ import annotations

from alarmhugger_discord._notifier import DiscordNotifier
from alarmhugger_discord._plugin import DiscordPlugin

__all__ = ["DiscordNotifier", "DiscordPlugin"]

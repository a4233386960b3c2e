"""The bundled Telegram notifier plugin for AlarmHugger.

The core finds :class:`TelegramPlugin` through the ``alarmhugger.plugins``
entry point ``telegram``. Settings and behaviour are in this plugin's
README.
"""

from __future__ import annotations

from alarmhugger_telegram._notifier import TelegramNotifier
from alarmhugger_telegram._plugin import TelegramPlugin

__all__ = ["TelegramNotifier", "TelegramPlugin"]

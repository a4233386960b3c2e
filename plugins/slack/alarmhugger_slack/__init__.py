"""The bundled Slack notifier plugin for AlarmHugger.

The core finds :class:`SlackPlugin` through the ``alarmhugger.plugins``
entry point ``slack``. Settings and behaviour are in this plugin's
README.
"""

from __future__ import annotations

from alarmhugger_slack._notifier import SlackNotifier
from alarmhugger_slack._plugin import SlackPlugin

__all__ = ["SlackNotifier", "SlackPlugin"]

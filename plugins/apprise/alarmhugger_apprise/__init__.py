"""The bundled Apprise notifier for AlarmHugger: any service Apprise can reach.

The core finds :class:`ApprisePlugin` through the ``alarmhugger.plugins``
entry point ``apprise``. Settings and how failures are retried are in this
plugin's README.
"""

from __future__ import annotations

from alarmhugger_apprise._notifier import AppriseNotifier
from alarmhugger_apprise._plugin import ApprisePlugin
from alarmhugger_apprise._settings import AppriseSettings
from alarmhugger_apprise._urls import split_urls

__all__ = [
    "AppriseNotifier",
    "ApprisePlugin",
    "AppriseSettings",
    "split_urls",
]

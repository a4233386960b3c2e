"""The bundled e-mail notifier for AlarmHugger: one message per alarm over SMTP.

The core finds :class:`EmailPlugin` through the ``alarmhugger.plugins``
entry point ``email``. Settings and how failures are retried are in this
plugin's README.
"""

from __future__ import annotations

from alarmhugger_email._message import build_message
from alarmhugger_email._notifier import EmailNotifier
from alarmhugger_email._plugin import EmailPlugin
from alarmhugger_email._settings import EmailSettings

__all__ = [
    "EmailNotifier",
    "EmailPlugin",
    "EmailSettings",
    "build_message",
]

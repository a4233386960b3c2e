"""An AlarmHugger parser for Uptime Kuma's webhook notifications.

A third-party plugin, kept outside ``plugins/`` on purpose: it is built
only on what a plugin author gets (``gateway.kit`` and the pytest plugin).
The gateway finds :class:`UptimeKumaParser` through the
``alarmhugger.plugins`` entry point ``uptime``.
"""

from __future__ import annotations

from alarmhugger_uptime._plugin import UptimeKumaParser
from alarmhugger_uptime._read import STATUS_WORDS
from alarmhugger_uptime._read import read_notification

__all__ = ["STATUS_WORDS", "UptimeKumaParser", "read_notification"]

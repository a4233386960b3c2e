"""AlarmHugger's bundled storage: alarms in PostgreSQL (Neon too) or SQLite.

Enable it with ``sql`` in ``[gateway] plugins`` and configure it in
``[plugin:sql]``; see the README beside this package for the settings.
"""

from __future__ import annotations

from alarmhugger_sql._plugin import SqlStorage

__all__ = ["SqlStorage"]

"""The bundled TradingView parser plugin for AlarmHugger.

The core finds :class:`TradingViewParser` through the ``alarmhugger.plugins``
entry point ``tradingview``. What it reads and how is in this plugin's
README.
"""

from __future__ import annotations

from alarmhugger_tradingview._plugin import TradingViewParser

__all__ = ["TradingViewParser"]

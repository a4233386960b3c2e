"""The tradingview distribution keeps the rules of a plugin package."""

from __future__ import annotations

import alarmhugger_tradingview
from gateway.testing import find_package_problems


def test_package_entry_point_exports_and_imports_keep_the_rules():
    problems = find_package_problems(
        alarmhugger_tradingview, "tradingview", "TradingViewParser"
    )

    assert problems == []
    assert alarmhugger_tradingview.__all__ == ["TradingViewParser"]

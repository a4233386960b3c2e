"""The token distribution keeps the rules of a plugin package."""

from __future__ import annotations

import alarmhugger_token
from gateway.testing import find_package_problems


def test_package_entry_point_exports_and_imports_keep_the_rules():
    assert find_package_problems(alarmhugger_token, "token", "WebhookToken") == []

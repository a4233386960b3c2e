"""The e-mail distribution: entry point, public names, dependency rule."""

from __future__ import annotations

import re
from pathlib import Path

import alarmhugger_email
from gateway.plugins import find_installed_plugins

PACKAGE = Path(alarmhugger_email.__file__).parent


def test_package_entry_point_names_the_plugin_class():
    installed = find_installed_plugins()["email"]

    assert installed.distribution == "alarmhugger-email"
    assert installed.target == "alarmhugger_email:EmailPlugin"


def test_package_exports_are_complete():
    public = {
        name
        for name in vars(alarmhugger_email)
        if not name.startswith("_") and name != "annotations"
    }

    assert set(alarmhugger_email.__all__) == public


def test_package_imports_from_core_only_through_kit():
    core_imports = re.compile(
        r"^\s*(?:from|import)\s+gateway(?:\.(\w+))?", re.MULTILINE
    )

    for module in PACKAGE.glob("*.py"):
        for match in core_imports.finditer(module.read_text(encoding="utf-8")):
            assert match.group(1) == "kit", f"{module.name} imports {match.group(0)}"

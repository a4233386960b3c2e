"""The token distribution: entry point, public names, dependency rule."""

from __future__ import annotations

import re
from pathlib import Path

import alarmhugger_token
from gateway.plugins import find_installed_plugins

PACKAGE = Path(alarmhugger_token.__file__).parent


def test_package_entry_point_names_the_plugin_class():
    installed = find_installed_plugins()["token"]

    assert installed.distribution == "alarmhugger-token"
    assert installed.target == "alarmhugger_token:WebhookToken"


def test_package_exports_are_complete_and_sorted():
    public = {
        name
        for name in vars(alarmhugger_token)
        if not name.startswith("_") and name not in {"annotations"}
    }

    assert set(alarmhugger_token.__all__) == public
    assert alarmhugger_token.__all__ == sorted(
        alarmhugger_token.__all__, key=_export_order
    )


def test_package_imports_from_core_only_through_kit():
    core_imports = re.compile(
        r"^\s*(?:from|import)\s+gateway(?:\.(\w+))?", re.MULTILINE
    )

    for module in PACKAGE.glob("*.py"):
        for match in core_imports.finditer(module.read_text(encoding="utf-8")):
            assert match.group(1) == "kit", (
                f"{module.name} imports {match.group(0).strip()}"
            )


def _export_order(name: str) -> tuple[int, str]:
    # Constants first, then classes, then functions, as ruff sorts __all__.
    if name.isupper():
        return (0, name)
    return (1 if name[0].isupper() else 2, name)

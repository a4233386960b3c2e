"""Fixtures for the core's tests.

The general ones (``make_app``, ``memory_storage``, ``recording_notifier``,
``log_records``, ``start_gateway``) come from the core's pytest plugin,
``gateway.pytest_plugin``. Here:

- ``app`` / ``client``: an app with the TradingView parser on the in-memory
  storage, for tests that need no database.
- ``hook_examples``: the hook reference's examples (``docs/hook_examples.py``).
- ``install_plugins``: entry points for plugins that are not installed.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest


@pytest.fixture
def app(make_app, memory_storage):
    return make_app(
        {"gateway": {"plugins": "tradingview, memory"}},
        plugins={"memory": memory_storage},
    )


@pytest.fixture
def client(app):
    return app.test_client()


DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture
def hook_examples(monkeypatch):
    """``docs/hook_examples.py``, the reference's examples, as a module."""
    monkeypatch.syspath_prepend(str(DOCS))
    import hook_examples

    return hook_examples


@pytest.fixture
def install_plugins(monkeypatch, hook_examples):
    """Make plugins look installed under our entry-point group for one test.

    ``install_plugins(hello="hook_examples:HelloCommand")`` adds an entry
    point ``hello`` naming that target, so code that discovers plugins the
    way operators install them (the CLI, ``gateway plugins``) finds it.
    ``docs/`` and ``tests/plugins/`` are on the path, so targets may name
    the hook examples and the sample plugins.
    """
    import gateway.plugins

    monkeypatch.syspath_prepend(str(Path(__file__).parent / "plugins"))

    discover = gateway.plugins._entry_points
    added: list[EntryPoint] = []

    def install(**targets: str) -> None:
        for name, target in targets.items():
            added.append(EntryPoint(name, target, gateway.plugins.ENTRY_POINT_GROUP))

    monkeypatch.setattr(gateway.plugins, "_entry_points", lambda: discover() + added)
    return install

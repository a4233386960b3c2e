"""Fixtures for the core's tests.

The general ones (``make_app``, ``memory_storage``, ``recording_notifier``,
``log_records``, ``start_gateway``) come from the core's pytest plugin,
``gateway.pytest_plugin``. Here:

- ``app`` / ``client``: an app with the TradingView parser on the in-memory
  storage, for tests that need no database.
"""

from __future__ import annotations

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

"""Fixtures for this plugin's tests (the general ones come from gateway.pytest_plugin).

- ``make_app``: an in-process gateway app from section overrides and plugin
  objects (the core's middleware resolves the client from ``REMOTE_ADDR``).
- ``memory_storage``: the in-memory storage plugin of the core's tests.
- ``log_records``: every loguru record emitted during a test, masked.
- ``start_gateway``: a real ``gateway serve`` subprocess on a free port.
- every test runs in its own folder, without the developer's ``gateway.ini``
  or the legacy variables (``ALLOWED_IPS``, ``SECRETKEY``...) leaking in.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_config(isolated_gateway):
    """Keep ./gateway.ini and the legacy variables out of every test."""

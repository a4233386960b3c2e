"""Fixtures for the ipfilter plugin's tests; the general ones are the core's.

Every test runs in ``isolated_gateway``, so no ``gateway.ini`` or legacy
variable (``ALLOWED_IPS``, ``SECRETKEY``...) of the developer leaks in.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_config(isolated_gateway):
    """Keep ./gateway.ini and the legacy variables out of every test."""

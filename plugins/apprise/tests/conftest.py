"""Fixtures for the Apprise notifier's tests.

The core's pytest plugin gives ``make_alarm``, ``log_records``,
``closed_url`` and the ``stub_server`` standing in for a service Apprise
posts JSON to (``json://`` URLs).

- ``json_url``: a ``json://`` URL for a path on that server.
- ``make_notifier``: a notifier configured from ``[plugin:apprise]`` keys.
"""

from __future__ import annotations

import warnings

import apprise
import pytest

from alarmhugger_apprise import ApprisePlugin


@pytest.fixture(scope="session", autouse=True)
def _apprise_plugins_loaded():
    """Load Apprise's service plugins once, quietly.

    Loading imports ``imghdr`` (through PGPy), which Python 3.11 flags as
    deprecated; that is Apprise's concern, not a failure of ours.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        apprise.Apprise.instantiate("json://localhost")


@pytest.fixture
def json_url(stub_server):
    """Return ``json://127.0.0.1:<port><path>`` for the stub server."""

    def build(path: str = "/notify") -> str:
        return stub_server.url.replace("http://", "json://", 1) + path

    return build


@pytest.fixture
def make_notifier(configure_notifier):
    """Configure the plugin with ``[plugin:apprise]`` keys; return its notifier."""

    def make(**settings):
        return configure_notifier(ApprisePlugin(), "apprise", **settings)

    return make

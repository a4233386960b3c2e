"""Fixtures for the webhook notifier's tests.

The core's pytest plugin gives ``make_alarm``, ``log_records``,
``closed_url`` and the ``stub_server`` the notifiers post to.

- ``make_notifier``: the ``webhook`` notifier built the way the core does
  (configure, then register) from ``[plugin:webhook]`` keys; closed after
  the test.
"""

from __future__ import annotations

import pytest

from alarmhugger_webhook import WebhookPlugin


@pytest.fixture
def make_notifier(configure_notifier):
    """Configure the plugin with ``[plugin:webhook]`` keys; return its notifier."""

    def make(**settings):
        return configure_notifier(WebhookPlugin(), "webhook", **settings)

    return make

"""Fixtures for the Slack notifier's tests.

The core's pytest plugin gives ``make_alarm``, ``log_lines``,
``closed_url``, ``silent_url`` and the ``stub_server`` these build on.

- ``slack_api``: a real HTTP server on 127.0.0.1 answering like a Slack
  incoming webhook; ``answers`` scripts answers per request.
- ``answer``: Slack's plain-text answer (``ok``, ``no_service``...).
- ``make_notifier``: a configured notifier pointed at that server.
- ``webhook_secret``: the made-up secret in its URL, to look for in logs.
"""

from __future__ import annotations

import pytest

from alarmhugger_slack import SlackPlugin
from gateway.testing import StubResponse

WEBHOOK_SECRET = "madeupmadeupmadeup"


def slack_answer(status: int, text: str, headers: dict | None = None) -> StubResponse:
    """Slack's answer in its own shape: plain text (``ok`` or an error code)."""
    return StubResponse(
        status,
        body=text.encode(),
        headers={"Content-Type": "text/html", **(headers or {})},
    )


@pytest.fixture
def answer():
    """Build Slack's plain-text answer: ``answer(404, "no_service")``."""
    return slack_answer


def accept(request, count: int) -> StubResponse:
    """Slack's answer to a message it posted: ``ok``."""
    return slack_answer(200, "ok")


@pytest.fixture
def slack_api(stub_server):
    """A running stand-in for a Slack incoming webhook that accepts every message."""
    stub_server.respond = accept
    return stub_server


@pytest.fixture
def answers(slack_api):
    """Scripted answers by request number (0-based) or ``"*"``; others are ``ok``.

    A value may be a :class:`StubResponse` or a function of the request and
    its number returning one (or ``None`` to accept it).
    """
    return slack_api.script


@pytest.fixture
def webhook_secret():
    """The made-up secret segment of the webhook URL every notifier here uses."""
    return WEBHOOK_SECRET


@pytest.fixture
def webhook_url(slack_api):
    """The stand-in's webhook URL, shaped like Slack's."""
    return f"{slack_api.url}/services/T00000000/B00000000/{WEBHOOK_SECRET}"


@pytest.fixture
def make_notifier(configure_notifier, webhook_url):
    """Configure the plugin with ``[plugin:slack]`` keys; return its notifier."""

    def make(**settings):
        section = {"webhook_url": webhook_url, **settings}
        return configure_notifier(SlackPlugin(), "slack", **section)

    return make

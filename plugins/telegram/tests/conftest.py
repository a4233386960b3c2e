"""Fixtures for the Telegram notifier's tests.

The core's pytest plugin gives ``make_alarm``, ``log_lines``,
``closed_url``, ``silent_url`` and the ``stub_server`` these build on.

- ``telegram_api``: a real HTTP server on 127.0.0.1 answering like the Bot
  API's ``sendMessage``; ``answers`` scripts a refusal per request.
- ``make_notifier``: a configured notifier pointed at that server
  (``make_notifier(api_url=...)`` points it elsewhere).
- ``refusal``: Telegram's JSON answer to a refused request.
- ``bot_token``: the token the notifiers use, to look for in logs.
"""

from __future__ import annotations

import pytest

from alarmhugger_telegram import TelegramPlugin
from gateway.testing import StubResponse

BOT_TOKEN = "123456:ABC-made-up-token"
GROUP_CHAT = "-1001234567890"


def sent_message(request, count: int) -> StubResponse:
    """Telegram's answer to a ``sendMessage`` it accepted."""
    payload = request.json()
    return StubResponse(
        200,
        {
            "ok": True,
            "result": {
                "message_id": count + 1,
                "chat": {"id": payload["chat_id"], "type": "supergroup"},
                "date": 1777636800,
                "text": payload["text"],
            },
        },
    )


def telegram_refusal(status: int, description: str, **parameters) -> StubResponse:
    """Telegram's answer to a refused request, in the Bot API's own shape."""
    body = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return StubResponse(status, body)


@pytest.fixture
def refusal():
    """Build Telegram's refusal: ``refusal(429, "...", retry_after=3)``."""
    return telegram_refusal


@pytest.fixture
def bot_token():
    """The made-up bot token every notifier in these tests is configured with."""
    return BOT_TOKEN


@pytest.fixture
def telegram_api(stub_server):
    """A running stand-in for ``api.telegram.org`` that accepts every message."""
    stub_server.respond = sent_message
    return stub_server


@pytest.fixture
def answers(telegram_api):
    """Scripted answers by request number (0-based) or ``"*"``; others succeed.

    A value may be a :class:`StubResponse` or a function of the request and
    its number returning one (or ``None`` to accept it).
    """
    return telegram_api.script


@pytest.fixture
def make_notifier(configure_notifier, telegram_api):
    """Configure the plugin with ``[plugin:telegram]`` keys; return its notifier."""

    def make(**settings):
        section = {
            "bot_token": BOT_TOKEN,
            "chat_id": GROUP_CHAT,
            "api_url": telegram_api.url,
            **settings,
        }
        return configure_notifier(TelegramPlugin(), "telegram", **section)

    return make

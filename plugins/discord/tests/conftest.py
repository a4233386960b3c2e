"""Fixtures for the Discord notifier's tests.

The core's pytest plugin gives ``make_alarm``, ``log_lines``,
``closed_url``, ``silent_url`` and the ``stub_server`` these build on.

- ``discord_api``: a real HTTP server on 127.0.0.1 answering like a
  Discord webhook (``?wait=true``); ``answers`` scripts answers per request.
- ``accepted`` / ``rate_limited``: Discord's 200 and 429 answers, with
  their rate-limit headers.
- ``make_notifier``: a configured notifier pointed at that server.
- ``webhook_token``: the made-up token in its URL, to look for in logs.
"""

from __future__ import annotations

import pytest

from alarmhugger_discord import DiscordPlugin
from gateway.testing import StubResponse

WEBHOOK_ID = "111111111111111111"
WEBHOOK_TOKEN = "made-up-token-Xk2_9fQ"


def created_message(request, count: int, remaining: int = 4) -> StubResponse:
    """Discord's answer to an accepted ``?wait=true`` post: the message object."""
    payload = request.json()
    return StubResponse(
        200,
        {
            "id": str(1250000000000000000 + count),
            "type": 0,
            "content": payload["content"],
            "channel_id": "222222222222222222",
            "webhook_id": WEBHOOK_ID,
            "author": {"id": WEBHOOK_ID, "username": payload.get("username", "Hook")},
        },
        headers={
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": "1777636802.5",
            "X-RateLimit-Reset-After": "2.000",
            "X-RateLimit-Bucket": "4f1b1f2c7a9e",
        },
    )


def discord_rate_limited(
    retry_after: float = 1.75, *, is_global: bool = False, header: str = "2"
) -> StubResponse:
    """Discord's 429: JSON body with fractional ``retry_after`` plus headers."""
    headers = {"Retry-After": header, "X-RateLimit-Scope": "user"}
    if not is_global:
        headers.update(
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "1.750"}
        )
    else:
        headers["X-RateLimit-Global"] = "true"
    return StubResponse(
        429,
        {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": is_global,
        },
        headers=headers,
    )


@pytest.fixture
def accepted():
    """Build Discord's 200 answer: ``accepted(request, count, remaining=0)``."""
    return created_message


@pytest.fixture
def rate_limited():
    """Build Discord's 429 answer: ``rate_limited(1.75, is_global=True)``."""
    return discord_rate_limited


@pytest.fixture
def discord_api(stub_server):
    """A running stand-in for a Discord webhook that accepts every message."""
    stub_server.respond = created_message
    return stub_server


@pytest.fixture
def answers(discord_api):
    """Scripted answers by request number (0-based) or ``"*"``; others succeed.

    A value may be a :class:`StubResponse` or a function of the request and
    its number returning one (or ``None`` to accept it).
    """
    return discord_api.script


@pytest.fixture
def webhook_token():
    """The made-up token of the webhook URL every notifier here uses."""
    return WEBHOOK_TOKEN


@pytest.fixture
def webhook_url(discord_api):
    """The stand-in's webhook URL, shaped like Discord's."""
    return f"{discord_api.url}/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"


@pytest.fixture
def make_notifier(configure_notifier, webhook_url):
    """Configure the plugin with ``[plugin:discord]`` keys; return its notifier."""

    def make(**settings):
        section = {"webhook_url": webhook_url, **settings}
        return configure_notifier(DiscordPlugin(), "discord", **section)

    return make

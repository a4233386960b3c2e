"""The shared cases this plugin answers for (slugs in each docstring)."""

from __future__ import annotations

import pytest

from alarmhugger_discord import DiscordPlugin
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig
from gateway.testing import StubResponse


def test_send_emoji_alert_arrives_intact(make_notifier, make_alarm, discord_api):
    """23-emoji-in-alert-breaks-log-sink: the channel gets the emoji unchanged."""
    notifier = make_notifier(template="{{ message }}")

    result = notifier.send(make_alarm(message="🚀 BTCUSDT breakout ✅ target 70k 🎯"))

    [request] = discord_api.requests
    assert result.ok
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json()["content"] == "🚀 BTCUSDT breakout ✅ target 70k 🎯"


def test_send_429_waits_the_fractional_retry_after(
    make_notifier, make_alarm, answers, rate_limited
):
    """30-discord-429-burst: body retry_after 1.75 wins over Retry-After: 2."""
    answers[0] = rate_limited(1.75)
    notifier = make_notifier()

    result = notifier.send(make_alarm(message="breakout"))

    assert not result.ok
    assert result.is_rate_limited
    assert not result.is_permanent
    assert result.retry_after == 1.75
    assert result.pause_notifier_for == 1.75
    assert result.detail == "HTTP 429: You are being rate limited."


def test_send_burst_of_fifteen_reads_the_bucket_then_backs_off(
    make_notifier, make_alarm, answers, accepted, rate_limited
):
    """30-discord-429-burst: the 5th answer empties the bucket; then 429 with waits."""

    def bucket_of_five(request, count):
        if count < 5:
            return accepted(request, count, remaining=4 - count)
        return rate_limited(1.75)

    answers["*"] = bucket_of_five
    notifier = make_notifier()

    results = [notifier.send(make_alarm(message=f"alert {n}")) for n in range(15)]

    assert all(result.ok for result in results[:5])
    assert [result.pause_notifier_for for result in results[:5]] == [
        None,
        None,
        None,
        None,
        2.0,
    ]
    assert all(result.is_rate_limited for result in results[5:])
    assert {result.retry_after for result in results[5:]} == {1.75}


def test_send_global_429_pauses_the_notifier(
    make_notifier, make_alarm, answers, rate_limited
):
    """30-discord-429-burst: a "global": true limit pauses every Discord delivery."""
    answers[0] = rate_limited(0.5, is_global=True, header="1")
    notifier = make_notifier()

    result = notifier.send(make_alarm(message="x"))

    assert result.is_rate_limited
    assert result.retry_after == 0.5
    assert result.pause_notifier_for == 0.5
    assert result.detail == "HTTP 429: You are being rate limited. (global)"


def test_send_success_with_empty_bucket_pauses_for_reset_after(
    make_notifier, make_alarm, answers, accepted
):
    """30-discord-429-burst: X-RateLimit-Remaining: 0 paces the next send."""
    answers[0] = lambda request, count: accepted(request, count, remaining=0)
    notifier = make_notifier()

    result = notifier.send(make_alarm(message="x"))

    assert result.ok
    assert result.pause_notifier_for == 2.0


def test_send_failures_never_show_the_webhook_token(
    make_notifier, make_alarm, answers, webhook_token, log_lines
):
    """34-notifier-webhook-url-logged: 401, 404, 500 and 429 are reported masked."""
    answers.update(
        {
            0: StubResponse(401, {"message": "401: Unauthorized", "code": 0}),
            1: StubResponse(404, {"message": "Unknown Webhook", "code": 10015}),
            2: StubResponse(500, body=b"internal error"),
            3: StubResponse(
                400,
                {"message": f"Invalid Webhook Token {webhook_token}", "code": 50027},
            ),
        }
    )
    notifier = make_notifier()

    results = [notifier.send(make_alarm(message=f"alert {n}")) for n in range(4)]

    assert not any(result.ok for result in results)
    assert results[1].detail == "HTTP 404: Unknown Webhook (code 10015)"
    assert results[3].detail == "HTTP 400: Invalid Webhook Token *** (code 50027)"
    shown = [result.detail for result in results] + log_lines + [notifier.describe()]
    assert not [text for text in shown if webhook_token in text]
    assert any("/api/webhooks/111…/***" in line for line in log_lines)


def test_send_unreachable_webhook_never_shows_the_token(
    make_notifier, make_alarm, closed_url, webhook_token, log_lines
):
    """34-notifier-webhook-url-logged: a refused connection is reported masked."""
    notifier = make_notifier(
        webhook_url=f"{closed_url}/api/webhooks/111111111111111111/{webhook_token}",
        connect_timeout=0.5,
    )

    result = notifier.send(make_alarm(message="x"))

    host = closed_url.removeprefix("http://")
    assert not result.ok
    assert not result.is_permanent
    assert result.detail == (
        f"connection failed (ConnectionError) at {host}/api/webhooks/111…/***"
    )
    assert not [line for line in log_lines if webhook_token in line]


def test_describe_shows_the_webhook_masked(make_notifier, discord_api, webhook_token):
    """34-notifier-webhook-url-logged: discord.com/api/webhooks/111…/*** form."""
    notifier = make_notifier()

    host = discord_api.url.removeprefix("http://")
    assert notifier.describe() == f"discord: {host}/api/webhooks/111…/***"
    assert webhook_token not in repr(notifier)
    assert webhook_token not in repr(notifier.settings)


def test_configure_malformed_webhook_url_error_hides_the_token():
    """34-notifier-webhook-url-logged: check-config output never shows the token."""
    url = "https://discord.com/api/webhook/111111111111111111/made-up-token"
    config = GatewayConfig({"plugin:discord": {"webhook_url": url}})

    with pytest.raises(ConfigError) as caught:
        DiscordPlugin().gateway_configure(config=config)

    assert caught.value.value == "https://discord.com/api/***/111…/***"
    assert "made-up-token" not in str(caught.value)

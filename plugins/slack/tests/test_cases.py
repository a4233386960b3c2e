"""The shared cases this plugin answers for (slugs in each docstring)."""

from __future__ import annotations

import pytest

from alarmhugger_slack import SlackPlugin
from gateway.kit import ConfigError
from gateway.kit import GatewayConfig


def test_send_emoji_alert_arrives_intact(make_notifier, make_alarm, slack_api):
    """23-emoji-in-alert-breaks-log-sink: the channel gets the emoji unchanged."""
    notifier = make_notifier(template="{{ message }}")

    result = notifier.send(make_alarm(message="🚀 BTCUSDT breakout ✅ target 70k 🎯"))

    [request] = slack_api.requests
    assert result.ok
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json() == {"text": "🚀 BTCUSDT breakout ✅ target 70k 🎯"}


def test_send_429_returns_rate_limited_with_retry_after(
    make_notifier, make_alarm, answers, answer
):
    """32-slack-rate-limit-lost-messages: Retry-After: 1 is the wait and a pause."""
    answers[0] = answer(429, "rate_limited", {"Retry-After": "1"})
    notifier = make_notifier()

    result = notifier.send(make_alarm(message="x"))

    assert not result.ok
    assert result.is_rate_limited
    assert not result.is_permanent
    assert result.retry_after == 1.0
    assert result.pause_notifier_for == 1.0
    assert result.detail == "HTTP 429: rate_limited"


def test_send_five_in_one_second_none_lost(
    make_notifier, make_alarm, slack_api, answers, answer
):
    """32-slack-rate-limit-lost-messages: 2nd-4th refused, then all arrive."""
    limited = answer(429, "", {"Retry-After": "1"})
    answers.update({1: limited, 2: limited, 3: limited})
    notifier = make_notifier(template="{{ message }}")
    alarms = [make_alarm(message=f"alert {n}") for n in range(1, 6)]

    first_round = [notifier.send(alarm) for alarm in alarms]
    refused = [
        alarm
        for alarm, result in zip(alarms, first_round, strict=True)
        if not result.ok
    ]
    retried = [notifier.send(alarm) for alarm in refused]

    assert notifier.min_interval == 1.0
    assert [result.ok for result in first_round] == [True, False, False, False, True]
    assert all(result.retry_after == 1.0 for result in first_round[1:4])
    assert all(result.is_rate_limited for result in first_round[1:4])
    assert all(result.ok for result in retried)
    texts = [request.json()["text"] for request in slack_api.requests]
    delivered = [text for number, text in enumerate(texts) if number not in {1, 2, 3}]
    assert sorted(delivered) == [f"alert {n}" for n in range(1, 6)]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, "invalid_payload"),
        (403, "action_prohibited"),
        (404, "no_service"),
        (410, "channel_is_archived"),
    ],
    ids=["invalid-payload", "forbidden", "no-service", "archived"],
)
def test_send_permanent_errors_carry_slack_text_masked(
    make_notifier, make_alarm, answers, answer, webhook_secret, log_lines, status, error
):
    """34-notifier-webhook-url-logged: Slack's error shown, the secret not."""
    answers[0] = answer(status, error)
    notifier = make_notifier()

    result = notifier.send(make_alarm(message="x"))

    assert result.is_permanent
    assert result.detail.startswith(f"HTTP {status}: {error}")
    shown = [result.detail, notifier.describe(), *log_lines]
    assert not [text for text in shown if webhook_secret in text]
    assert any("/services/T00000000/B00000000/***" in line for line in log_lines)


def test_send_server_error_and_echoed_url_stay_masked(
    make_notifier, make_alarm, answers, answer, webhook_url, webhook_secret
):
    """34-notifier-webhook-url-logged: even a body quoting the URL is masked."""
    answers[0] = answer(500, f"rollup_error posting to {webhook_url}")

    result = make_notifier().send(make_alarm(message="x"))

    assert not result.ok
    assert not result.is_permanent
    assert webhook_secret not in result.detail
    assert result.detail.endswith("/services/T00000000/B00000000/***")


def test_send_unreachable_webhook_never_shows_the_secret(
    make_notifier, make_alarm, closed_url, webhook_secret, log_lines
):
    """34-notifier-webhook-url-logged: a refused connection is reported masked."""
    notifier = make_notifier(
        webhook_url=f"{closed_url}/services/T00000000/B00000000/{webhook_secret}",
        connect_timeout=0.5,
    )

    result = notifier.send(make_alarm(message="x"))

    shown = closed_url.removeprefix("http://") + "/services/T00000000/B00000000/***"
    assert result.detail == f"connection failed (ConnectionError) at {shown}"
    assert not [line for line in log_lines if webhook_secret in line]


def test_describe_shows_the_webhook_masked(make_notifier, slack_api, webhook_secret):
    """34-notifier-webhook-url-logged: hooks.slack.com/services/T…/B…/*** form."""
    notifier = make_notifier()

    host = slack_api.url.removeprefix("http://")
    assert notifier.describe() == f"slack: {host}/services/T00000000/B00000000/***"
    assert webhook_secret not in repr(notifier)
    assert webhook_secret not in repr(notifier.settings)


def test_configure_malformed_webhook_url_error_hides_the_secret():
    """34-notifier-webhook-url-logged: check-config output never shows the secret."""
    url = "https://hooks.slack.com/service/T00000000/B00000000/madeupmadeupmadeup"
    config = GatewayConfig({"plugin:slack": {"webhook_url": url}})

    with pytest.raises(ConfigError) as caught:
        SlackPlugin().gateway_configure(config=config)

    assert caught.value.value == "https://hooks.slack.com/***/***/***/***"
    assert "madeupmadeupmadeup" not in str(caught.value)

"""What arrives at the target: method, headers, body and signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal

import pytest

from alarmhugger_webhook import verify_signature
from gateway.kit import alarm_to_json

# A TradingView alarm with an emoji-laden message.
BREAKOUT = {
    "ticker": "BTCUSDT",
    "action": "buy",
    "price": 64250.5,
    "message": "🚀 breakout ✅ target 70k 🎯",
}


def test_send_default_payload_posts_alarm_json(stub_server, make_notifier, make_alarm):
    alarm = make_alarm()
    notifier = make_notifier(url=f"{stub_server.url}/hooks/tv?source=gw")

    result = notifier.send(alarm)

    (request,) = stub_server.wait_for(1)
    assert result.ok
    assert result.detail == "HTTP 200 OK"
    assert request.method == "POST"
    assert request.path == "/hooks/tv?source=gw"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-alarmhugger-alarm-id"] == alarm.id
    assert request.body == alarm_to_json(alarm).encode("utf-8")


def test_send_default_payload_keeps_decimals_and_emoji(
    stub_server, make_notifier, make_alarm
):
    alarm = make_alarm(
        price=Decimal("0.000012345678901234567890"),
        message="🚀 breakout ✅ target 70k 🎯",
        received_at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc),
    )
    make_notifier(url=stub_server.url).send(alarm)

    (request,) = stub_server.wait_for(1)
    sent = json.loads(request.body, parse_float=Decimal)
    assert sent["price"] == Decimal("0.000012345678901234567890")
    assert sent["message"] == "🚀 breakout ✅ target 70k 🎯"
    assert sent["received_at"] == "2024-05-01T12:00:00Z"
    assert "raw_bytes" not in sent


def test_send_template_payload_posts_rendered_text(
    stub_server, make_notifier, make_alarm
):
    notifier = make_notifier(
        url=stub_server.url,
        template="{{ ticker }} {{ action }} @ {{ price }} {{ message }}",
    )

    result = notifier.send(make_alarm(**BREAKOUT))

    (request,) = stub_server.wait_for(1)
    assert result.ok
    assert request.headers["content-type"] == "text/plain; charset=utf-8"
    assert request.body.decode("utf-8") == (
        "BTCUSDT buy @ 64250.5 🚀 breakout ✅ target 70k 🎯"
    )


def test_send_template_payload_without_template_uses_default(
    stub_server, make_notifier, make_alarm
):
    make_notifier(url=stub_server.url, payload="template").send(make_alarm(**BREAKOUT))

    (request,) = stub_server.wait_for(1)
    assert request.body.decode("utf-8") == (
        "BTCUSDT buy @ 64250.5\n🚀 breakout ✅ target 70k 🎯"
    )


def test_send_json_template_with_tojson_is_valid_json(
    stub_server, make_notifier, make_alarm
):
    notifier = make_notifier(
        url=stub_server.url,
        template='{"text": {{ message | tojson }}, "id": "{{ id }}"}',
        headers="Content-Type: application/json",
    )

    notifier.send(make_alarm(id="01J9ZK3V7Q8Y2W4E6R8T0Y2U4I", message='say "hi"\n🚀'))

    (request,) = stub_server.wait_for(1)
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "text": 'say "hi"\n🚀',
        "id": "01J9ZK3V7Q8Y2W4E6R8T0Y2U4I",
    }


def test_send_put_method_sends_put(stub_server, make_notifier, make_alarm):
    result = make_notifier(url=stub_server.url, method="put").send(make_alarm())

    (request,) = stub_server.wait_for(1)
    assert result.ok
    assert request.method == "PUT"


def test_send_extra_headers_arrive_and_may_replace_content_type(
    stub_server, make_notifier, make_alarm
):
    notifier = make_notifier(
        url=stub_server.url,
        template='{"text": "{{ ticker }}"}',
        headers="Authorization: Bearer s3cr3t-api-token-123\n"
        "Content-Type: application/json\n\nX-Team: ops",
    )

    notifier.send(make_alarm(ticker="BTCUSDT"))

    (request,) = stub_server.wait_for(1)
    assert request.headers["authorization"] == "Bearer s3cr3t-api-token-123"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-team"] == "ops"
    assert request.json() == {"text": "BTCUSDT"}


def test_send_hmac_secret_signature_verifies_at_receiver(
    stub_server, make_notifier, make_alarm
):
    secret = "whsec-7c1f9e2a4b6d8f0a"
    make_notifier(url=stub_server.url, hmac_secret=secret).send(make_alarm())

    (request,) = stub_server.wait_for(1)
    timestamp = request.headers["x-alarmhugger-timestamp"]
    signature = request.headers["x-alarmhugger-signature"]

    # What a receiver does, written out without our helper.
    signed = timestamp.encode() + b"." + request.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    assert verify_signature(secret, timestamp, request.body, signature)


def test_send_hmac_secret_tampered_body_fails_verification(
    stub_server, make_notifier, make_alarm
):
    secret = "whsec-7c1f9e2a4b6d8f0a"
    make_notifier(url=stub_server.url, hmac_secret=secret).send(
        make_alarm(action="buy")
    )

    (request,) = stub_server.wait_for(1)
    timestamp = request.headers["x-alarmhugger-timestamp"]
    signature = request.headers["x-alarmhugger-signature"]
    tampered = request.body.replace(b'"buy"', b'"sell"')

    assert not verify_signature(secret, timestamp, tampered, signature)
    assert not verify_signature(
        "another-secret-value", timestamp, request.body, signature
    )


def test_send_without_hmac_secret_sends_no_signature(
    stub_server, make_notifier, make_alarm
):
    make_notifier(url=stub_server.url).send(make_alarm())

    (request,) = stub_server.wait_for(1)
    assert "x-alarmhugger-signature" not in request.headers
    assert "x-alarmhugger-timestamp" not in request.headers


def test_send_broken_template_value_fails_permanently(
    stub_server, make_notifier, make_alarm
):
    notifier = make_notifier(url=stub_server.url, template="{{ price + 'x' }}")

    result = notifier.send(make_alarm(price=64250.5))

    assert not result.ok
    assert result.is_permanent
    assert result.detail.startswith("template could not be rendered: TypeError")
    assert stub_server.requests == []


@pytest.mark.parametrize(
    ("routing", "ticker", "is_accepted"),
    [
        pytest.param({}, "ETHUSDT", True, id="no-filter"),
        pytest.param({"tickers": "btcusdt, solusdt"}, "BTCUSDT", True, id="listed"),
        pytest.param({"tickers": "btcusdt"}, "ETHUSDT", False, id="unlisted"),
        pytest.param({"where": "strategy=rsi"}, "BTCUSDT", False, id="field-missing"),
    ],
)
def test_accepts_routing_keys_filter_alarms(
    make_notifier, make_alarm, routing, ticker, is_accepted
):
    notifier = make_notifier(url="http://127.0.0.1:9/hook", **routing)

    assert notifier.accepts(make_alarm(ticker=ticker)) is is_accepted

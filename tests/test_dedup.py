"""Re-sent alerts are recognised: answered with the original id, stored once."""

from __future__ import annotations

import datetime as dt

import pytest

from gateway.dedup import DedupSettings
from gateway.dedup import assign_dedup_key
from gateway.dedup import parse_duration
from gateway._types import Alarm
from gateway._types import ParsedAlarm
from gateway.testing import make_request


def alarm_for(request, fields=None):
    parsed = ParsedAlarm(parser="tradingview", format="json", fields=fields or {})
    return Alarm.from_parsed(parsed, request, "id-1")


def test_dedup_same_body_four_times_is_one_alarm_with_three_duplicates(
    client, memory_storage
):
    """Case 19-duplicate-alerts-replayed: TradingView's three re-sends."""
    body = '{"ticker":"BTCUSDT","action":"sell","time":"2026-12-03T14:30:00Z"}'

    answers = [
        client.post("/alarms/webhook", data=body, content_type="application/json")
        for _ in range(4)
    ]

    assert [answer.status_code for answer in answers] == [200] * 4
    original = answers[0].json["id"]
    assert all(
        answer.json == {"id": original, "duplicate": True} for answer in answers[1:]
    )
    assert len(memory_storage.alarms) == 1
    assert memory_storage.alarms[0].duplicates == 3


def test_dedup_sender_id_wins_over_body(client, memory_storage, log_records):
    """Case 19-duplicate-alerts-replayed: the sender's id identifies the event."""
    first = client.post(
        "/alarms/webhook",
        data='{"id":"tv-8841","ticker":"BTCUSDT","action":"sell"}',
        content_type="application/json",
    )
    again = client.post(
        "/alarms/webhook",
        data='{"id":"tv-8841","ticker":"BTCUSDT","action":"sell","note":"replayed"}',
        content_type="application/json",
    )

    assert again.json == {"id": first.json["id"], "duplicate": True}
    assert any("(key=tv-8841)" in r["message"] for r in log_records)


def test_dedup_text_body_twice_is_one_alarm(client, memory_storage):
    """Case 19-duplicate-alerts-replayed: a body without id, twice within seconds."""
    for _ in range(2):
        client.post(
            "/alarms/webhook", data="BTCUSDT SELL 14:30", content_type="text/plain"
        )

    assert len(memory_storage.alarms) == 1


def test_dedup_same_body_on_another_route_is_a_new_alarm(client, memory_storage):
    client.post("/alarms/webhook/one", data="BUY", content_type="text/plain")
    client.post("/alarms/webhook/two", data="BUY", content_type="text/plain")

    assert len(memory_storage.alarms) == 2


def test_dedup_key_hash_window_expires_for_next_bar():
    request = make_request("BTCUSDT SELL")
    alarm = alarm_for(request)

    assign_dedup_key(alarm, request, DedupSettings())

    assert alarm.dedup_key.startswith("hash:")
    assert alarm.dedup_until - alarm.received_at == dt.timedelta(seconds=30)


def test_dedup_key_from_id_field_lasts_a_day():
    request = make_request('{"alert_id": "A-1"}')
    alarm = alarm_for(request, {"Alert_ID": "A-1"})

    assign_dedup_key(alarm, request, DedupSettings())

    assert alarm.dedup_key == "id:default:A-1"
    assert alarm.dedup_until - alarm.received_at == dt.timedelta(hours=24)


def test_dedup_key_ignores_unresolved_placeholder_id():
    request = make_request('{"id": "{{strategy.order.id}}"}')
    alarm = alarm_for(request, {"id": "{{strategy.order.id}}"})

    assign_dedup_key(alarm, request, DedupSettings())

    assert alarm.dedup_key.startswith("hash:")


def test_dedup_switched_off_sets_no_key():
    request = make_request("x")
    alarm = alarm_for(request)

    assign_dedup_key(alarm, request, DedupSettings(is_enabled=False))

    assert alarm.dedup_key is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("10m", 600), ("24h", 86400), ("7d", 604800), ("45", 45)],
)
def test_parse_duration_units(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


def test_dedup_reused_order_id_with_new_time_is_a_new_alarm(client, memory_storage):
    """Case 19-duplicate-alerts-replayed: {{strategy.order.id}} repeats per trade."""
    first = (
        '{"id":"Long Entry","action":"buy","price":67000,"time":"2026-12-03T11:00:00Z"}'
    )
    later = (
        '{"id":"Long Entry","action":"buy","price":66000,"time":"2026-12-03T12:00:00Z"}'
    )

    answers = [
        client.post("/alarms/webhook", data=body, content_type="application/json")
        for body in (first, later, first)
    ]

    assert "duplicate" not in answers[1].json
    assert answers[2].json == {"id": answers[0].json["id"], "duplicate": True}
    assert len(memory_storage.alarms) == 2

"""The Uptime Kuma parser, with nothing but AlarmHugger's pytest plugin.

Bodies are shaped as Uptime Kuma's webhook notification sends them
(server/notification-providers/webhook.js): {heartbeat, monitor, msg}.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from gateway.kit import ConfigError

from alarmhugger_uptime import UptimeKumaParser

DOWN = {
    "heartbeat": {
        "monitorID": 7,
        "status": 0,
        "time": "2026-05-01 12:00:05.120",
        "msg": "Request failed with status code 503",
        "ping": None,
        "important": True,
        "duration": 60,
        "timezone": "Europe/Berlin",
        "timezoneOffset": "+02:00",
        "localDateTime": "2026-05-01 14:00:05",
    },
    "monitor": {
        "id": 7,
        "name": "shop",
        "type": "http",
        "url": "https://shop.example.org/health",
        "hostname": None,
        "port": None,
        "interval": 60,
        "active": True,
    },
    "msg": "[shop] [🔴 Down] Request failed with status code 503",
}

UP = {
    "heartbeat": {**DOWN["heartbeat"], "status": 1, "msg": "200 - OK", "ping": 48.5},
    "monitor": DOWN["monitor"],
    "msg": "[shop] [✅ Up] 200 - OK",
}

TEST_BUTTON = {"heartbeat": None, "monitor": None, "msg": "Uptime Kuma Webhook Testing"}

TRADINGVIEW = {"ticker": "BTCUSDT", "exchange": "BINANCE", "close": 67432.5}


@pytest.fixture
def gateway_app(make_app, memory_storage):
    return make_app(
        {"gateway": {"plugins": "tradingview, uptime, memory"}},
        plugins={"uptime": UptimeKumaParser(), "memory": memory_storage},
    )


def post(app, body, path="/alarms/webhook"):
    return app.test_client().post(
        path, data=json.dumps(body), content_type="application/json"
    )


def test_parse_alarm_down_notification(gateway_app, memory_storage):
    response = post(gateway_app, DOWN)

    assert response.status_code == 200
    [alarm] = memory_storage.alarms
    assert (alarm.parser, alarm.ticker, alarm.action) == ("uptime", "shop", "down")
    assert alarm.message == "[shop] [🔴 Down] Request failed with status code 503"
    assert alarm.event_time == dt.datetime(
        2026, 5, 1, 12, 0, 5, 120000, dt.timezone.utc
    )
    assert alarm.fields["monitor_url"] == "https://shop.example.org/health"
    assert alarm.fields["heartbeat_msg"] == "Request failed with status code 503"
    assert "interval" not in alarm.fields
    assert alarm.raw == json.dumps(DOWN)


def test_parse_alarm_up_notification_keeps_ping_exact(gateway_app, memory_storage):
    post(gateway_app, UP)

    [alarm] = memory_storage.alarms
    assert alarm.action == "up"
    assert alarm.fields["ping_ms"] == Decimal("48.5")


def test_parse_alarm_test_button(gateway_app, memory_storage):
    post(gateway_app, TEST_BUTTON)

    [alarm] = memory_storage.alarms
    assert (alarm.parser, alarm.action, alarm.ticker) == ("uptime", "test", None)
    assert alarm.message == "Uptime Kuma Webhook Testing"


def test_parse_alarm_wins_over_tradingview_listed_before_it(
    gateway_app, memory_storage
):
    post(gateway_app, DOWN)
    post(gateway_app, TRADINGVIEW)

    assert [alarm.parser for alarm in memory_storage.alarms] == [
        "uptime",
        "tradingview",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"heartbeat": None, "monitor": None},
        {**TEST_BUTTON, "extra": 1},
        {"heartbeat": [], "monitor": None, "msg": "x"},
        ["heartbeat", "monitor", "msg"],
    ],
    ids=["missing-msg", "extra-key", "heartbeat-not-object", "list"],
)
def test_parse_alarm_lookalike_is_left_to_other_parsers(
    gateway_app, memory_storage, body
):
    post(gateway_app, body)

    assert memory_storage.alarms[0].parser == "tradingview"


def test_parse_alarm_unknown_status_is_kept_with_a_warning(gateway_app, memory_storage):
    post(gateway_app, {**DOWN, "heartbeat": {**DOWN["heartbeat"], "status": 9}})

    [alarm] = memory_storage.alarms
    assert alarm.action == "unknown"
    assert alarm.warnings == ["unknown heartbeat status 9"]


def test_settings_routes_limit_what_is_read(make_app, memory_storage):
    app = make_app(
        {
            "gateway": {"plugins": "tradingview, uptime, memory"},
            "plugin:uptime": {"routes": "uptime"},
        },
        plugins={"uptime": UptimeKumaParser(), "memory": memory_storage},
    )

    post(app, DOWN, "/alarms/webhook/uptime")
    post(app, DOWN, "/alarms/webhook/other")

    assert [alarm.parser for alarm in memory_storage.alarms] == [
        "uptime",
        "tradingview",
    ]


def test_settings_unknown_key_stops_the_start(make_app, memory_storage):
    with pytest.raises(ConfigError) as caught:
        make_app(
            {
                "gateway": {"plugins": "uptime, memory"},
                "plugin:uptime": {"route": "uptime"},
            },
            plugins={"uptime": UptimeKumaParser(), "memory": memory_storage},
        )

    assert str(caught.value) == (
        "[plugin:uptime] route = 'uptime' is not valid: expected one of the keys routes"
    )


def test_start_gateway_real_server_routes_each_body_to_its_parser(start_gateway):
    gateway = start_gateway({"gateway": {"plugins": "tradingview, uptime, sql"}})

    kuma = gateway.post(json=DOWN)
    tradingview = gateway.post(json=TRADINGVIEW)

    assert kuma.status_code == tradingview.status_code == 200
    stored = gateway.get(f"/alarms/{kuma.json()['id']}").json()
    assert (stored["parser"], stored["ticker"], stored["action"]) == (
        "uptime",
        "shop",
        "down",
    )
    assert (
        gateway.get(f"/alarms/{tradingview.json()['id']}").json()["parser"]
        == "tradingview"
    )

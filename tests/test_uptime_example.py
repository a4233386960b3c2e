"""The example third-party parser, installed and enabled like any outside plugin.

``examples/alarmhugger-uptime`` is installed by requirements-dev.txt (so
``./dev test`` installs it) and enabled here in a real ``gateway.ini``
after the bundled TradingView parser; being ``tryfirst`` it still wins for
Uptime Kuma's bodies, and TradingView's still go to ``tradingview``.
"""

from __future__ import annotations

import pytest

from gateway.plugins import find_installed_plugins
from gateway.testing import find_package_problems

KUMA_DOWN = {
    "heartbeat": {
        "monitorID": 3,
        "status": 0,
        "time": "2026-05-01 12:00:05.120",
        "msg": "connect ECONNREFUSED 10.0.0.5:5432",
        "ping": None,
        "important": True,
        "duration": 60,
    },
    "monitor": {
        "id": 3,
        "name": "database",
        "type": "port",
        "hostname": "10.0.0.5",
        "port": 5432,
    },
    "msg": "[database] [🔴 Down] connect ECONNREFUSED 10.0.0.5:5432",
}

TRADINGVIEW = {
    "ticker": "ETHUSDT",
    "exchange": "BINANCE",
    "close": 3150.25,
    "signal": "rsi",
}


@pytest.fixture(scope="module")
def uptime_package():
    installed = find_installed_plugins().get("uptime")
    if installed is None:
        pytest.fail(
            "examples/alarmhugger-uptime is not installed: run ./dev test, or "
            "pip install -e examples/alarmhugger-uptime",
            pytrace=False,
        )
    import alarmhugger_uptime

    return alarmhugger_uptime


def test_uptime_example_installed_as_a_third_party_plugin(uptime_package):
    installed = find_installed_plugins()["uptime"]

    assert (installed.distribution, installed.target) == (
        "alarmhugger-uptime",
        "alarmhugger_uptime:UptimeKumaParser",
    )
    assert "examples" in uptime_package.__file__
    assert find_package_problems(uptime_package, "uptime", "UptimeKumaParser") == []


def test_uptime_example_enabled_in_gateway_ini_wins_for_its_bodies(
    uptime_package, start_gateway
):
    gateway = start_gateway(
        {
            "gateway": {"plugins": "tradingview, uptime, sql"},
            "plugin:uptime": {"routes": "default, uptime"},
        }
    )

    kuma = gateway.post("/alarms/webhook/uptime", json=KUMA_DOWN)
    tradingview = gateway.post(json=TRADINGVIEW)
    kuma_lookalike = gateway.post(json={**KUMA_DOWN, "extra": True})

    assert [r.status_code for r in (kuma, tradingview, kuma_lookalike)] == [200] * 3
    stored = [
        gateway.get(f"/alarms/{response.json()['id']}").json()
        for response in (kuma, tradingview, kuma_lookalike)
    ]
    assert [(a["parser"], a["ticker"]) for a in stored] == [
        ("uptime", "database"),
        ("tradingview", "ETHUSDT"),
        ("tradingview", None),
    ]
    assert (stored[0]["action"], stored[0]["source"]) == ("down", "uptime")
    assert stored[0]["fields"]["monitor_port"] == 5432
    assert "gateway_parse_alarm: uptime > tradingview > raw" in gateway.log_text()


def test_uptime_example_route_setting_leaves_other_routes_to_tradingview(
    uptime_package, start_gateway
):
    gateway = start_gateway(
        {
            "gateway": {"plugins": "tradingview, uptime, sql"},
            "plugin:uptime": {"routes": "uptime"},
        }
    )

    other_route = gateway.post("/alarms/webhook/ops", json=KUMA_DOWN)

    alarm = gateway.get(f"/alarms/{other_route.json()['id']}").json()
    assert alarm["parser"] == "tradingview"

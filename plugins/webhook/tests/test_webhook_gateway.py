"""The webhook notifier inside a gateway: alarm in, signed request out, logs masked."""

from __future__ import annotations

import json

from loguru import logger

from alarmhugger_webhook import verify_signature

URL_TOKEN = "tok-5f4e3d2c1b0a"
HMAC_SECRET = "whsec-a1b2c3d4e5f6"


def test_gateway_alarm_reaches_webhook_signed_with_secrets_masked(
    stub_server, make_app, isolated_gateway, tmp_path
):
    app = make_app(
        {
            "gateway": {"plugins": "tradingview, sql, webhook"},
            "logging": {"level": "DEBUG"},
            "plugin:sql": {"url": f"sqlite:///{tmp_path / 'alarms.db'}"},
            "plugin:webhook": {
                "url": f"{stub_server.url}/hook/{URL_TOKEN}",
                "hmac_secret": HMAC_SECRET,
            },
        }
    )

    answer = app.test_client().post(
        "/alarms/webhook",
        data=json.dumps({"ticker": "BTCUSDT", "action": "buy", "message": "🚀"}),
        content_type="application/json",
    )

    (request,) = stub_server.wait_for(1)
    logger.complete()
    sent = request.json()
    assert answer.status_code == 200
    assert sent["id"] == answer.get_json()["id"]
    assert sent["message"] == "🚀"
    assert verify_signature(
        HMAC_SECRET,
        request.headers["x-alarmhugger-timestamp"],
        request.body,
        request.headers["x-alarmhugger-signature"],
    )
    log = (tmp_path / "logs" / "gateway.log").read_text(encoding="utf-8")
    assert "webhook POST http://127.0.0.1:" in log
    assert URL_TOKEN not in log
    assert HMAC_SECRET not in log

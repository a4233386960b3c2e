"""The token screen in a real ``gateway serve`` (waitress, real port, SQLite)."""

from __future__ import annotations


SECRET = "tv-hook-7f3a"


def test_end_to_end_token_in_url_and_body_never_stored_or_logged(
    start_gateway, tmp_path
):
    database = tmp_path / "alarms.db"
    gateway = start_gateway(
        {
            "gateway": {"plugins": "token, tradingview, sql"},
            "plugin:token": {"secret": SECRET},
            "plugin:sql": {"url": f"sqlite:///{database}"},
        }
    )
    json_type = {"Content-Type": "application/json"}

    accepted = [
        gateway.post(
            f"/alarms/webhook?token={SECRET}",
            data='{"ticker":"AAPL"}',
            headers=json_type,
        ),
        gateway.post(
            f"/alarms/webhook/tv/{SECRET}", data='{"ticker":"MSFT"}', headers=json_type
        ),
        gateway.post(
            "/alarms/webhook",
            data=f'{{"passphrase":"{SECRET}","ticker":"NVDA","action":"buy"}}',
            headers=json_type,
        ),
        gateway.post(
            "/alarms/webhook",
            data=f"ticker=TSLA; action=sell; token={SECRET}",
            headers={"Content-Type": "text/plain"},
        ),
    ]
    missing = gateway.post(
        "/alarms/webhook", data='{"ticker":"AMZN"}', headers=json_type
    )
    wrong = gateway.post(
        "/alarms/webhook?token=tv-hook-0000", data="{}", headers=json_type
    )

    assert [response.status_code for response in accepted] == [200] * 4
    assert missing.status_code == 401
    assert missing.json()["reason"].startswith("missing webhook token")
    assert wrong.status_code == 401
    assert wrong.json() == {
        "error": "unauthorized",
        "reason": "wrong webhook token (checked ?token=)",
        "message": "wrong webhook token (checked ?token=)",
        "status": 401,
    }

    stored = [gateway.get(f"/alarms/{r.json()['id']}").json() for r in accepted]
    assert [alarm["ticker"] for alarm in stored] == ["AAPL", "MSFT", "NVDA", "TSLA"]
    assert stored[2]["raw"] == '{"passphrase":"***","ticker":"NVDA","action":"buy"}'
    for alarm in stored:
        assert SECRET not in str(alarm)
    listed = gateway.get("/alarms").text
    assert SECRET not in listed

    for path in tmp_path.glob("alarms.db*"):
        assert SECRET.encode() not in path.read_bytes()

    log = gateway.wait_for_log("wrong webhook token")
    assert "wrong webhook token" in log
    assert "missing webhook token" in log
    assert SECRET not in log

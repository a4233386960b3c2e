"""The ratelimit screen in a real ``gateway serve`` (waitress, real port, SQLite)."""

from __future__ import annotations


def test_end_to_end_client_over_limit_gets_429_and_nothing_stored(
    start_gateway, tmp_path
):
    gateway = start_gateway(
        {
            "gateway": {"plugins": "ratelimit, tradingview, sql"},
            "plugin:ratelimit": {"per_client": "2/minute"},
            "plugin:sql": {"url": f"sqlite:///{tmp_path / 'alarms.db'}"},
        }
    )

    responses = [
        gateway.post(
            "/alarms/webhook",
            data=f'{{"ticker":"BTCUSDT","n":{number}}}',
            headers={"Content-Type": "application/json"},
        )
        for number in range(3)
    ]

    assert [response.status_code for response in responses] == [200, 200, 429]
    refused = responses[2]
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"] == "rate_limited"
    assert "at most 2 per minute" in refused.json()["reason"]
    assert len(gateway.get("/alarms").json()["alarms"]) == 2
    assert "rejected by ratelimit: 429" in gateway.wait_for_log("rejected by ratelimit")

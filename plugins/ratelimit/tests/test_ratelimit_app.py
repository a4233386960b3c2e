"""The ratelimit screen inside a gateway app: 429 answers and recovery."""

from __future__ import annotations

import itertools

import pytest

from alarmhugger_ratelimit import RateLimit

SECRET = "tv-hook-7f3a"


@pytest.fixture
def limited_app(make_app, memory_storage, clock):
    def build(plugins: str = "ratelimit, tradingview, memory", **settings: str):
        return make_app(
            {
                "gateway": {"plugins": plugins},
                "plugin:ratelimit": settings,
                "plugin:token": {"secret": SECRET},
            },
            plugins={"ratelimit": RateLimit(clock=clock), "memory": memory_storage},
        )

    return build


_alert_numbers = itertools.count()


def post_from(app, remote_addr: str, path: str = "/alarms/webhook"):
    # Each alert distinct, so none is taken for a re-send of the one before.
    return app.test_client().post(
        path,
        data=f'{{"ticker":"BTCUSDT","action":"buy","n":{next(_alert_numbers)}}}',
        content_type="application/json",
        environ_base={"REMOTE_ADDR": remote_addr},
    )


def test_webhook_over_client_limit_is_429_json_with_retry_after(
    limited_app, memory_storage, clock, log_records
):
    app = limited_app(per_client="2/minute")

    statuses = [post_from(app, "198.51.100.7").status_code for _ in range(2)]
    refused = post_from(app, "198.51.100.7")

    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert refused.json["error"] == "rate_limited"
    assert "at most 2 per minute" in refused.json["reason"]
    assert len(memory_storage.alarms) == 2
    warnings = [r["message"] for r in log_records if r["level"].name == "WARNING"]
    assert any("rejected by ratelimit: 429" in message for message in warnings)


def test_webhook_client_limit_recovers_after_window(limited_app, memory_storage, clock):
    app = limited_app(per_client="2/minute")
    post_from(app, "198.51.100.7")
    post_from(app, "198.51.100.7")
    retry_after = int(post_from(app, "198.51.100.7").headers["Retry-After"])

    clock.advance(retry_after)

    assert post_from(app, "198.51.100.7").status_code == 200
    assert len(memory_storage.alarms) == 3


def test_webhook_tradingview_sender_not_limited_per_client(limited_app, memory_storage):
    app = limited_app(per_client="1/minute")

    statuses = {post_from(app, "52.89.214.238").status_code for _ in range(20)}

    assert statuses == {200}


def test_webhook_route_limit_is_429_on_that_route_only(limited_app):
    app = limited_app(per_client="off", per_route="1/minute")

    assert post_from(app, "198.51.100.7", "/alarms/webhook/btc").status_code == 200
    refused = post_from(app, "198.51.100.8", "/alarms/webhook/btc")
    assert refused.status_code == 429
    assert "route 'btc'" in refused.json["reason"]
    assert post_from(app, "198.51.100.8", "/alarms/webhook/eth").status_code == 200


def test_webhook_refused_by_token_does_not_use_route_allowance(limited_app):
    app = limited_app(
        plugins="ratelimit, token, tradingview, memory",
        per_client="off",
        per_route="2/minute",
    )

    wrong = [
        post_from(app, "203.0.113.9", "/alarms/webhook?token=guess-0000").status_code
        for _ in range(10)
    ]
    right = [
        post_from(app, "52.89.214.238", f"/alarms/webhook?token={SECRET}").status_code
        for _ in range(2)
    ]

    assert wrong == [401] * 10
    assert right == [200, 200]


def test_webhook_token_guessing_is_limited_per_client(limited_app):
    app = limited_app(
        plugins="ratelimit, token, tradingview, memory", per_client="3/minute"
    )

    statuses = [
        post_from(app, "203.0.113.9", f"/alarms/webhook?token=guess-{n:04}").status_code
        for n in range(5)
    ]

    assert statuses == [401, 401, 401, 429, 429]

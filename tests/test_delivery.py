"""The delivery dispatcher: every stored alarm reaches every notifier."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from gateway.app import gateway_of
from gateway.delivery import DeliverySettings
from gateway.delivery import decide_outcome
from gateway.notify import AlarmFilter
from gateway.notify import SendResult
from gateway._types import Delivery

FAST = {
    "retry_base": "0.05",
    "retry_max": "0.2",
    "poll_interval": "0.05",
    "max_attempts": "3",
}


@pytest.fixture
def delivering_app(make_app, memory_storage, recording_notifier):
    def build(delivery=None):
        return make_app(
            {
                "gateway": {"plugins": "tradingview, memory, recorder"},
                "delivery": {**FAST, **(delivery or {})},
            },
            plugins={"memory": memory_storage, "recorder": recording_notifier},
        )

    return build


def post(app, body):
    return app.test_client().post(
        "/alarms/webhook", data=body, content_type="text/plain"
    )


def test_delivery_stored_alarm_reaches_notifier(delivering_app, recording_notifier):
    app = delivering_app()

    alarm_id = post(app, "BUY BTCUSDT").json["id"]

    sent = recording_notifier.notifier.wait_for(1)
    assert sent[0].id == alarm_id
    deliveries = app.test_client().get(f"/alarms/{alarm_id}").json["deliveries"]
    assert [(d["notifier"], d["state"]) for d in deliveries] == [
        ("recorder", "delivered")
    ]


def test_delivery_failing_three_times_then_recovering_is_delivered(
    delivering_app, recording_notifier, memory_storage
):
    app = delivering_app({"max_attempts": "5"})
    recording_notifier.notifier.results = [SendResult(ok=False, detail="HTTP 500")] * 3

    alarm_id = post(app, "SELL ETHUSDT").json["id"]

    assert recording_notifier.notifier.wait_for(1)[0].id == alarm_id
    delivery = next(iter(memory_storage.deliveries.values()))
    assert (delivery.state, delivery.attempts, delivery.last_error) == (
        "delivered",
        4,
        None,
    )


def test_delivery_never_recovering_ends_dead_and_can_be_retried(
    delivering_app, recording_notifier, memory_storage
):
    app = delivering_app()
    recording_notifier.notifier.results = [SendResult(ok=False, detail="HTTP 502")] * 3
    alarm_id = post(app, "x").json["id"]
    client = app.test_client()

    deadline = time.monotonic() + 5
    while not client.get("/deliveries?state=dead").json["deliveries"]:
        assert time.monotonic() < deadline, "the delivery never went dead"
        time.sleep(0.02)

    dead = client.get("/deliveries?state=dead").json["deliveries"][0]
    assert (dead["alarm_id"], dead["attempts"], dead["last_error"]) == (
        alarm_id,
        3,
        "HTTP 502",
    )
    assert recording_notifier.notifier.sent == []

    retried = client.post(f"/deliveries/{dead['id']}/retry")

    assert retried.json == {"requeued": 1}
    assert recording_notifier.notifier.wait_for(1)[0].id == alarm_id
    assert client.post(f"/deliveries/{dead['id']}/retry").status_code == 409


def test_delivery_rate_limit_does_not_use_up_attempts(
    delivering_app, recording_notifier, memory_storage
):
    app = delivering_app({"max_attempts": "2"})
    limited = SendResult(
        ok=False, is_rate_limited=True, retry_after=0.05, detail="HTTP 429"
    )
    recording_notifier.notifier.results = [limited] * 4

    post(app, "x")

    recording_notifier.notifier.wait_for(1)
    delivery = next(iter(memory_storage.deliveries.values()))
    assert (delivery.state, delivery.attempts) == ("delivered", 1)


def test_delivery_keeps_receive_order(delivering_app, recording_notifier):
    app = delivering_app()

    ids = [post(app, f"alert {n}").json["id"] for n in range(10)]

    assert [alarm.id for alarm in recording_notifier.notifier.wait_for(10)] == ids


def test_delivery_routing_filter_skips_other_tickers(
    delivering_app, recording_notifier, memory_storage
):
    recording_notifier.notifier.alarm_filter = AlarmFilter(
        tickers=frozenset({"btcusdt"})
    )
    app = delivering_app()

    post(app, '{"ticker": "ETHUSDT"}')
    wanted = post(app, '{"ticker": "BTCUSDT"}').json["id"]

    assert [a.id for a in recording_notifier.notifier.wait_for(1)] == [wanted]
    assert len(memory_storage.deliveries) == 1


def test_delivery_slow_notifier_never_delays_the_webhook(
    delivering_app, recording_notifier
):
    """Case 21-slow-notifier-exhausts-threads: sending happens off the request."""
    notifier = recording_notifier.notifier
    original_send = notifier.send
    notifier.send = lambda alarm: (time.sleep(1.0), original_send(alarm))[1]
    app = delivering_app()

    started = time.perf_counter()
    answers = [post(app, f"alert {n}") for n in range(5)]
    elapsed = time.perf_counter() - started

    assert [a.status_code for a in answers] == [200] * 5
    assert elapsed < 1.0
    health = app.test_client().get("/server/status-server").json
    assert health["notifiers"]["recorder"]["dispatcher_running"] is True
    assert health["notifiers"]["recorder"]["pending"] >= 4


def test_delivery_lanes_stop_with_the_app(delivering_app):
    app = delivering_app()
    gateway = gateway_of(app)

    gateway.close()

    assert gateway.dispatcher.lane_states() == {"recorder": False}


def delivery(attempts=0):
    return Delivery("d1", "a1", "telegram", "pending", attempts)


NOW = dt.datetime(2026, 12, 3, 14, 30, tzinfo=dt.timezone.utc)
SETTINGS = DeliverySettings(retry_base_s=2.0, retry_max_s=60.0)


@pytest.mark.parametrize(
    ("result", "attempts", "state", "counts", "wait_range"),
    [
        (SendResult(ok=True, state="sent_plain_fallback"), 0, "delivered", True, None),
        (SendResult(ok=False, detail="HTTP 500"), 0, "pending", True, (1.6, 2.0)),
        (SendResult(ok=False, detail="HTTP 500"), 3, "pending", True, (12.8, 16.0)),
        (SendResult(ok=False, detail="HTTP 500"), 4, "dead", True, None),
        (
            SendResult(ok=False, is_permanent=True, detail="HTTP 400"),
            0,
            "dead",
            True,
            None,
        ),
        (
            SendResult(ok=False, is_rate_limited=True, retry_after=34),
            4,
            "pending",
            False,
            (34, 34),
        ),
        (SendResult(ok=False, retry_after=30), 0, "pending", True, (30, 30)),
    ],
    ids=[
        "success",
        "first-failure",
        "fourth-failure-backs-off",
        "last-attempt-dead",
        "permanent-dead-at-once",
        "telegram-429-retry-after-34",
        "retry-after-longer-than-backoff",
    ],
)
def test_decide_outcome_table(result, attempts, state, counts, wait_range):
    """Case 26-telegram-429-retry-after: 429 waits retry_after, costs no attempt."""
    outcome = decide_outcome(delivery(attempts), result, SETTINGS, 5, NOW)

    assert outcome.state == state
    assert outcome.counts_as_attempt is counts
    if wait_range is not None:
        wait = (outcome.next_attempt_at - NOW).total_seconds()
        assert wait_range[0] <= wait <= wait_range[1]

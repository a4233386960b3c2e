"""Notifiers on real ``gateway serve`` processes, real PostgreSQL, real HTTP stubs.

The done-when of the notifier issue: a webhook answers fast while a
notifier hangs; a notifier failing three times then recovering gets the
alarm; one that never recovers ends dead and is re-sent by the retry
command; two processes sharing one database never double-deliver.
"""

from __future__ import annotations

import collections
import concurrent.futures
import subprocess
import sys
import time

import pytest

from gateway.testing import StubHTTPServer
from gateway.testing import StubResponse

pytestmark = pytest.mark.postgres

FAST_DELIVERY = {"retry_base": "0.1", "retry_max": "0.5", "poll_interval": "0.1"}


def sections(postgres_url, stub_url, **delivery):
    return {
        "gateway": {"plugins": "tradingview, sql, webhook", "threads": "4"},
        "plugin:sql": {"url": postgres_url},
        "plugin:webhook": {"url": f"{stub_url}/hook", "read_timeout": "30"},
        "delivery": {**FAST_DELIVERY, **delivery},
    }


def post(gateway, number):
    return gateway.post(
        data=f'{{"ticker":"T{number}","action":"buy","n":{number}}}',
        headers={"Content-Type": "application/json"},
    )


def test_notify_webhook_answers_fast_while_notifier_hangs(start_gateway, postgres_url):
    """Case 21-slow-notifier-exhausts-threads: 20 alerts, a target that takes 10 s."""
    with StubHTTPServer(
        lambda request, count: StubResponse(200, {"ok": True}, delay=10)
    ) as stub:
        gateway = start_gateway(sections(postgres_url, stub.url))

        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            started = time.perf_counter()
            answers = list(pool.map(lambda n: post(gateway, n), range(20)))
            elapsed = time.perf_counter() - started

        assert [a.status_code for a in answers] == [200] * 20
        assert max(a.elapsed.total_seconds() for a in answers) < 1.0
        assert elapsed < 3.0
        stub.wait_for(1)
        health = gateway.get("/server/status-server").json()
        assert health["notifiers"]["webhook"]["pending"] >= 19
        gateway.process.terminate()


def test_notify_three_failures_then_recovery_delivers_once(start_gateway, postgres_url):
    def answer(request, count):
        return (
            StubResponse(500, {"error": "busy"}) if count < 3 else StubResponse(200, {})
        )

    with StubHTTPServer(answer) as stub:
        gateway = start_gateway(sections(postgres_url, stub.url))

        alarm_id = post(gateway, 1).json()["id"]

        requests_seen = stub.wait_for(4)
        assert [r.headers["x-alarmhugger-alarm-id"] for r in requests_seen] == [
            alarm_id
        ] * 4
        delivery = wait_for_state(gateway, alarm_id, "delivered")
        assert delivery["attempts"] == 4
        assert delivery["last_error"] is None


def test_notify_dead_delivery_is_resent_by_retry_command(start_gateway, postgres_url):
    is_down = {"value": True}

    def answer(request, count):
        return StubResponse(503, {}) if is_down["value"] else StubResponse(200, {})

    with StubHTTPServer(answer) as stub:
        gateway = start_gateway(sections(postgres_url, stub.url, max_attempts="3"))
        alarm_id = post(gateway, 1).json()["id"]

        dead = wait_for_state(gateway, alarm_id, "dead")
        assert dead["attempts"] == 3
        assert "503" in dead["last_error"]
        listed = gateway.get("/deliveries", params={"state": "dead"}).json()[
            "deliveries"
        ]
        assert [d["id"] for d in listed] == [dead["id"]]

        is_down["value"] = False
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "deliveries",
                "retry",
                "--dead",
                "--config",
                str(gateway.config_path),
            ],
            cwd=gateway.config_path.parent,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "1 deliveries re-queued" in result.stdout

        delivered = wait_for_state(gateway, alarm_id, "delivered")
        assert delivered["attempts"] == 1
        assert len(stub.wait_for(4)) == 4


def test_notify_two_processes_deliver_500_alarms_exactly_once(
    start_gateway, postgres_url
):
    with StubHTTPServer() as stub:
        config = sections(postgres_url, stub.url, batch_size="10")
        first = start_gateway(config, name="first")
        second = start_gateway(config, name="second")

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(
                pool.map(lambda n: post(first if n % 2 else second, n), range(500))
            )
        ids = {answer.json()["id"] for answer in answers}
        assert len(ids) == 500

        received = stub.wait_for(500, timeout=120)
        time.sleep(0.5)  # let any stray duplicate arrive before counting

        counts = collections.Counter(
            r.headers["x-alarmhugger-alarm-id"] for r in stub.requests
        )
        assert set(counts) == ids
        assert max(counts.values()) == 1
        assert len(received) == 500


def wait_for_state(gateway, alarm_id, state, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        deliveries = gateway.get(f"/alarms/{alarm_id}").json()["deliveries"]
        if deliveries and deliveries[0]["state"] == state:
            return deliveries[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery never became {state}: {deliveries}")
        time.sleep(0.1)


def test_notify_worker_process_delivers_for_a_server_without_dispatcher(
    start_gateway, postgres_url, tmp_path
):
    with StubHTTPServer() as stub:
        config = sections(postgres_url, stub.url)
        config["delivery"]["enabled"] = "false"
        gateway = start_gateway(config)
        alarm_id = post(gateway, 7).json()["id"]
        assert wait_for_state(gateway, alarm_id, "pending")

        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "worker",
                "--config",
                str(gateway.config_path),
            ],
            cwd=gateway.config_path.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            request = stub.wait_for(1, timeout=30)[0]
            assert request.headers["x-alarmhugger-alarm-id"] == alarm_id
            assert wait_for_state(gateway, alarm_id, "delivered")
        finally:
            worker.terminate()
            assert worker.wait(15) == 0

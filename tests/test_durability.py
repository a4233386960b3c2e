"""A 2xx is a promise: real ``gateway serve`` processes on real PostgreSQL.

Three scenarios from the durability issue: kill -9 during a burst, the
database refusing connections during load, and TradingView's re-sends.
"""

from __future__ import annotations

import concurrent.futures
import signal
import threading
import time

import psycopg2
import pytest
import requests

pytestmark = pytest.mark.postgres

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def stored_ids(url: str) -> set[str]:
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT id FROM alarms")
        return {row[0] for row in cursor.fetchall()}


def set_connections_allowed(database: str, is_allowed: bool) -> None:
    admin = psycopg2.connect(ADMIN_DSN)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(is_allowed).lower()}'
            )
            if not is_allowed:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (database,),
                )
    finally:
        admin.close()


def wait_for_empty_spool(gateway, timeout: float = 30) -> None:
    # Over HTTP there is no event to wait on: poll the health endpoint.
    deadline = time.monotonic() + timeout
    while gateway.get("/server/status-server").json().get("spool", {}).get("pending"):
        if time.monotonic() > deadline:
            raise AssertionError("the spool did not drain")
        time.sleep(0.2)


def post_alert(url: str, number: int) -> requests.Response | None:
    try:
        return requests.post(
            f"{url}/alarms/webhook",
            data=f'{{"ticker":"T{number}","action":"buy","n":{number}}}',
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
    except requests.RequestException:
        return None


def test_durability_kill_9_during_burst_loses_no_acknowledged_alarm(
    start_gateway, postgres_url
):
    gateway = start_gateway(
        {"plugin:sql": {"url": postgres_url}, "gateway": {"threads": "8"}}
    )
    acknowledged: list[str] = []
    lock = threading.Lock()
    kill_after = threading.Event()

    def send(number: int) -> None:
        response = post_alert(gateway.url, number)
        if response is not None and response.status_code in (200, 202):
            with lock:
                acknowledged.append(response.json()["id"])
                if len(acknowledged) == 150:
                    kill_after.set()

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(send, number) for number in range(400)]
        assert kill_after.wait(30), "the burst never reached 150 answers"
        gateway.process.send_signal(signal.SIGKILL)
        concurrent.futures.wait(futures, timeout=60)

    gateway.process.wait(10)
    assert len(acknowledged) >= 150
    # Alarms spooled before the kill are drained by the next process, which
    # starts in the same folder.
    restarted = start_gateway({"plugin:sql": {"url": postgres_url}})
    wait_for_empty_spool(restarted)
    missing = set(acknowledged) - stored_ids(postgres_url)
    assert missing == set(), f"{len(missing)} acknowledged alarms were lost"
    assert restarted.get("/server/status-server").status_code == 200


def test_durability_database_refusing_gets_202_then_drains_all(
    start_gateway, postgres_url
):
    """Case 15-neon-dropped-connection-after-idle and 20: outage, spool, drain."""
    gateway = start_gateway(
        {"plugin:sql": {"url": postgres_url, "connect_timeout": "1"}}
    )
    before = [post_alert(gateway.url, number) for number in range(5)]
    assert [response.status_code for response in before] == [200] * 5

    set_connections_allowed(database_name(postgres_url), False)
    try:
        during = [post_alert(gateway.url, number) for number in range(5, 25)]
        assert [response.status_code for response in during] == [202] * 20
        assert all(response.json()["spooled"] for response in during)
        health = gateway.get("/server/status-server")
        assert health.status_code == 503
        assert health.json()["spool"]["pending"] == 20
    finally:
        set_connections_allowed(database_name(postgres_url), True)

    wait_for_empty_spool(gateway)

    expected = {r.json()["id"] for r in before + during}
    assert stored_ids(postgres_url) == expected
    assert gateway.get("/server/status-server").status_code == 200
    assert "spool: 20 alarms moved into storage" in gateway.wait_for_log(
        "moved into storage"
    )


def test_durability_same_body_four_times_stores_one_with_three_duplicates(
    start_gateway, postgres_url
):
    """Case 19-duplicate-alerts-replayed, on a real server and PostgreSQL."""
    gateway = start_gateway({"plugin:sql": {"url": postgres_url}})
    body = '{"ticker":"BTCUSDT","action":"sell","time":"2026-12-03T14:30:00Z"}'

    answers = [
        gateway.post(data=body, headers={"Content-Type": "application/json"})
        for _ in range(4)
    ]

    original = answers[0].json()["id"]
    assert [a.json() for a in answers[1:]] == [{"id": original, "duplicate": True}] * 3
    assert stored_ids(postgres_url) == {original}
    assert gateway.get(f"/alarms/{original}").json()["duplicates"] == 3


def test_durability_sigterm_stops_cleanly_and_flushes_logs(start_gateway, postgres_url):
    gateway = start_gateway({"plugin:sql": {"url": postgres_url}})
    alarm_id = post_alert(gateway.url, 1).json()["id"]

    gateway.process.send_signal(signal.SIGTERM)

    assert gateway.process.wait(15) == 0
    log = gateway.log_text()
    assert f"alarm {alarm_id} stored" in log
    assert log.rstrip().endswith("AlarmHugger stopped")
    assert alarm_id in stored_ids(postgres_url)

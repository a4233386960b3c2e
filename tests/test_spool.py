"""The spool: alarms storage cannot take are kept on disk and drained later."""

from __future__ import annotations

import json

import pytest

from gateway.app import gateway_of
from gateway.spool import Spool


@pytest.fixture
def gateway_app(make_app, memory_storage):
    return make_app(
        {"gateway": {"plugins": "tradingview, memory"}},
        plugins={"memory": memory_storage},
    )


def spool_of(app) -> Spool:
    return gateway_of(app).spool


def test_spool_storage_down_answers_202_and_keeps_alarm(
    gateway_app, memory_storage, tmp_path
):
    memory_storage.is_down = True

    response = gateway_app.test_client().post(
        "/alarms/webhook",
        data='{"ticker":"BTCUSDT","action":"buy"}',
        content_type="application/json",
    )

    assert response.status_code == 202
    assert response.json["spooled"] is True
    assert spool_of(gateway_app).pending == 1
    journal = list((tmp_path / "data" / "spool").glob("spool-*.jsonl"))
    record = json.loads(journal[0].read_text().splitlines()[0])
    assert record["alarm"]["id"] == response.json["id"]
    assert record["alarm"]["ticker"] == "BTCUSDT"


def test_spool_drains_in_order_once_storage_is_back(gateway_app, memory_storage):
    memory_storage.is_down = True
    client = gateway_app.test_client()
    ids = [
        client.post(
            "/alarms/webhook", data=f"alert {n}", content_type="text/plain"
        ).json["id"]
        for n in range(5)
    ]

    memory_storage.is_down = False
    spool_of(gateway_app).wake()

    assert spool_of(gateway_app).wait_until_empty(5)
    assert [alarm.id for alarm in memory_storage.alarms] == ids
    assert [alarm.message for alarm in memory_storage.alarms] == [
        f"alert {n}" for n in range(5)
    ]
    assert spool_of(gateway_app).pending == 0


def test_spool_drain_stops_while_storage_is_still_down(gateway_app, memory_storage):
    memory_storage.is_down = True
    gateway_app.test_client().post(
        "/alarms/webhook", data="x", content_type="text/plain"
    )
    spool_of(gateway_app).wake()

    assert not spool_of(gateway_app).wait_until_empty(0.3)
    assert spool_of(gateway_app).pending == 1


def test_spool_health_is_503_with_pending_count_while_storage_down(
    gateway_app, memory_storage
):
    """Case 20-health-ok-while-database-down: 503 for readiness, 200 for liveness."""
    memory_storage.is_down = True
    client = gateway_app.test_client()
    client.post("/alarms/webhook", data="x", content_type="text/plain")

    health = client.get("/server/status-server")
    live = client.get("/server/status-server?probe=live")

    assert health.status_code == 503
    assert health.json["database"]["ok"] is False
    assert health.json["spool"]["pending"] == 1
    assert live.status_code == 200


def test_spool_left_by_a_dead_process_is_drained_by_the_next(tmp_path, memory_storage):
    """Crash safety: a journal whose owner died is taken over, nothing twice."""
    from gateway.testing import make_request
    from gateway._types import Alarm, ParsedAlarm

    folder = tmp_path / "spool"
    first = Spool(folder, lambda alarm, notifiers: None)
    alarms = [
        Alarm.from_parsed(
            ParsedAlarm(parser="raw", format="raw"), make_request(f"a{n}"), f"id-{n}"
        )
        for n in range(3)
    ]
    for alarm in alarms:
        first.append(alarm, ["telegram"])
    first._file.close()  # the process dies: its lock goes with it
    first._file = None
    # The first alarm had been stored before the crash: storage is idempotent.
    memory_storage.gateway_store_alarm(alarms[0], [])

    stored_with = []

    def store(alarm, notifiers):
        stored_with.append(notifiers)
        return memory_storage.gateway_store_alarm(alarm, notifiers)

    second = Spool(folder, store)
    second.start()
    try:
        assert second.pending == 3
        assert second.wait_until_empty(5)
    finally:
        second.stop()

    assert [alarm.id for alarm in memory_storage.alarms] == ["id-0", "id-1", "id-2"]
    assert stored_with == [["telegram"]] * 3
    assert list(folder.glob("spool-*.jsonl")) == []


def test_spool_torn_last_line_is_ignored(tmp_path, memory_storage):
    from gateway.testing import make_request
    from gateway._types import Alarm, ParsedAlarm

    folder = tmp_path / "spool"
    writer = Spool(folder, lambda alarm, notifiers: None)
    alarm = Alarm.from_parsed(
        ParsedAlarm(parser="raw", format="raw"), make_request("ok"), "id-ok"
    )
    writer.append(alarm, [])
    writer._file.write(b'{"alarm": {"id": "torn"')
    writer._file.close()
    writer._file = None

    reader = Spool(
        folder,
        lambda alarm, notifiers: memory_storage.gateway_store_alarm(alarm, notifiers),
    )
    assert reader.drain() == 1
    assert [a.id for a in memory_storage.alarms] == ["id-ok"]


def test_spool_round_trips_every_alarm_field(tmp_path):
    from decimal import Decimal

    from gateway.spool import alarm_from_dict
    from gateway.notify import alarm_to_dict
    from gateway.testing import make_request
    from gateway._types import Alarm, ParsedAlarm
    import simplejson

    parsed = ParsedAlarm(
        parser="tradingview",
        format="json",
        ticker="BTC",
        price=Decimal("0.000000123"),
        fields={"rsi": Decimal("28.41"), "nested": {"a": [1, None]}},
        unresolved=["close"],
    )
    alarm = Alarm.from_parsed(parsed, make_request(b"\xff\x00 bytes"), "id-x")

    alarm.dedup_key = "hash:abc"
    again = alarm_from_dict(
        simplejson.loads(
            simplejson.dumps(
                alarm_to_dict(alarm, internal=True), use_decimal=True, default=str
            ),
            use_decimal=True,
        )
    )

    assert again.price == Decimal("0.000000123")
    assert again.raw_bytes == b"\xff\x00 bytes"
    assert again.received_at == alarm.received_at
    assert again.fields == alarm.fields
    assert again.dedup_key == "hash:abc"
    assert "dedup_key" not in alarm_to_dict(alarm)


def test_spool_health_change_is_logged_once_each_way(
    gateway_app, memory_storage, log_records
):
    """Case 20-health-ok-while-database-down: healthy -> degraded -> healthy, once."""
    client = gateway_app.test_client()
    client.get("/server/status-server")
    memory_storage.is_down = True
    for _ in range(3):
        client.get("/server/status-server")
    memory_storage.is_down = False
    for _ in range(3):
        client.get("/server/status-server")

    changes = [
        r["message"] for r in log_records if "gateway health changed" in r["message"]
    ]
    assert changes == [
        "gateway health changed: ok -> degraded",
        "gateway health changed: degraded -> ok",
    ]


def test_spool_refused_alarm_is_set_aside_and_does_not_block_the_rest(
    tmp_path, memory_storage
):
    from gateway.errors import StorageRejected
    from gateway.testing import make_request
    from gateway._types import Alarm, ParsedAlarm

    folder = tmp_path / "spool"
    writer = Spool(folder, lambda alarm, notifiers: None)
    for name in ("poison", "fine-1", "fine-2"):
        alarm = Alarm.from_parsed(
            ParsedAlarm(parser="raw", format="raw"), make_request(name), name
        )
        writer.append(alarm, [])
    writer._file.close()
    writer._file = None

    def store(alarm, notifiers):
        if alarm.id == "poison":
            raise StorageRejected("DataError: value overflows numeric format")
        return memory_storage.gateway_store_alarm(alarm, notifiers)

    reader = Spool(folder, store)
    assert reader.drain() == 3

    assert [a.id for a in memory_storage.alarms] == ["fine-1", "fine-2"]
    aside = json.loads((folder / "rejected.jsonl").read_text())
    assert aside["alarm"]["id"] == "poison"
    assert "overflows" in aside["reason"]

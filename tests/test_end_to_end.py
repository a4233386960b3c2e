"""A real ``gateway serve`` (waitress, real port) on SQLite and PostgreSQL.

What a trader and a program reading alarms see: an alert goes in over HTTP,
lands in the database and comes back over the REST API.
"""

from __future__ import annotations

import datetime as dt
import json

import psycopg2
import pytest

TRADINGVIEW_JSON = (
    '{"ticker":"BTCUSDT","exchange":"BINANCE","interval":"15","close":67432.5,'
    '"volume":1234.567,"time":"2025-01-15T14:30:00Z","timenow":"2025-01-15T14:30:05Z",'
    '"signal":"RSI_OVERSOLD","rsi":28.41}'
)


@pytest.fixture
def gateway(start_gateway, database_url):
    return start_gateway({"plugin:sql": {"url": database_url}})


def post_text(
    gateway, body, content_type="text/plain; charset=utf-8", path="/alarms/webhook"
):
    return gateway.post(
        path,
        data=body.encode() if isinstance(body, str) else body,
        headers={"Content-Type": content_type},
    )


def test_end_to_end_tradingview_alert_round_trip(gateway):
    response = post_text(gateway, TRADINGVIEW_JSON, "application/json")
    assert response.status_code == 200
    alarm_id = response.json()["id"]

    listed = gateway.get("/alarms").json()
    assert [alarm["id"] for alarm in listed["alarms"]] == [alarm_id]
    assert listed["next_cursor"] is None

    alarm = gateway.get(f"/alarms/{alarm_id}").json()
    assert alarm["ticker"] == "BTCUSDT"
    assert alarm["exchange"] == "BINANCE"
    assert alarm["interval"] == "15"
    assert alarm["price"] == 67432.5
    assert alarm["fields"]["rsi"] == 28.41
    assert alarm["raw"] == TRADINGVIEW_JSON
    assert alarm["content_type"] == "application/json"
    assert alarm["client_ip"] == "127.0.0.1"
    assert alarm["source"] == "default"
    assert alarm["parser"] == "tradingview"

    latest = gateway.get("/alarms/latest", params={"ticker": "BTCUSDT"})
    assert latest.json()["id"] == alarm_id


def test_end_to_end_decimal_price_is_exact_in_json(gateway):
    body = '{"ticker":"PEPEUSDT","price":"0.000001234567890123"}'
    alarm_id = post_text(gateway, body, "application/json").json()["id"]

    text = gateway.get(f"/alarms/{alarm_id}").text

    assert (
        '"price": 0.000001234567890123' in text
        or '"price":0.000001234567890123' in text
    )


def test_end_to_end_filters_and_keyset_pages(gateway):
    ids = []
    for ticker, action in [
        ("BTCUSDT", "buy"),
        ("ETHUSDT", "sell"),
        ("BTCUSDT", "sell"),
    ]:
        body = json.dumps(
            {"ticker": ticker, "action": action, "message": f"{ticker} {action}"}
        )
        ids.append(post_text(gateway, body, "application/json").json()["id"])

    by_ticker = gateway.get("/alarms", params={"ticker": "BTCUSDT"}).json()["alarms"]
    assert [a["id"] for a in by_ticker] == [ids[2], ids[0]]

    by_action = gateway.get("/alarms", params={"action": "sell"}).json()["alarms"]
    assert [a["id"] for a in by_action] == [ids[2], ids[1]]

    by_text = gateway.get("/alarms", params={"q": "ethusdt"}).json()["alarms"]
    assert [a["id"] for a in by_text] == [ids[1]]

    future = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).isoformat()
    assert gateway.get("/alarms", params={"since": future}).json()["alarms"] == []
    assert len(gateway.get("/alarms", params={"until": future}).json()["alarms"]) == 3

    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = gateway.get("/alarms", params=params).json()
        seen += [alarm["id"] for alarm in page["alarms"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"tickr": "BTCUSDT"}, "tickr"),
    ],
    ids=["limit-zero", "limit-too-big", "bad-date", "bad-cursor", "misspelt-filter"],
)
def test_end_to_end_bad_query_argument_is_400_naming_field(gateway, params, field):
    response = gateway.get("/alarms", params=params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_end_to_end_unknown_alarm_is_404_json(gateway):
    response = gateway.get("/alarms/0190f1e2-0000-7000-8000-000000000000")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert gateway.get("/alarms/latest").status_code == 404


HOSTILE_BODIES = {
    "deep-nesting": ("[" * 30000 + "]" * 30000, "application/json"),
    "invalid-utf8": (b"\xff\xfe\xfd BUY", "text/plain"),
    "nul-bytes": (b"BUY\x00BTC", "text/plain"),
    "emoji": ("🚀 BTCUSDT breakout ✅ target 70k 🎯", "text/plain; charset=utf-8"),
    "python-code": ("__import__('os').system('id')", "text/plain"),
    "nan-json": ('{"ticker":"BTCUSD","rsi":NaN,"atr":Infinity}', "text/plain"),
    "form-declared": ('{"ticker":"ETHUSD"}', "application/x-www-form-urlencoded"),
    "json-array": ('[{"ticker":"A"},{"ticker":"B"}]', "application/json"),
    "broken-json": ('{"ticker": "BTCUSDT" "msg": Long"}', "text/plain"),
    "bare-number": ("42", "application/json"),
    "null": ("null", "application/json"),
}


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_end_to_end_any_body_is_stored_never_500(gateway, name):
    """Cases 01-body-evaluated-as-python-literal, 07-deeply-nested-json,
    23-emoji-in-alert-breaks-log-sink: every body is kept and read back."""
    body, content_type = HOSTILE_BODIES[name]
    raw = body.encode() if isinstance(body, str) else body

    response = post_text(gateway, raw, content_type)

    assert response.status_code == 200, response.text
    alarm = gateway.get(f"/alarms/{response.json()['id']}").json()
    if alarm.get("raw_base64"):
        import base64

        assert base64.b64decode(alarm["raw_base64"]) == raw
    else:
        assert alarm["raw"] == raw.decode("utf-8")
    assert gateway.get("/server/status-server").status_code == 200


def test_end_to_end_oversized_body_is_413_json(gateway):
    response = post_text(gateway, "A" * 70000)

    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 65536
    assert gateway.get("/alarms").json()["alarms"] == []


def test_end_to_end_health_reports_database(gateway):
    response = gateway.get("/server/status-server")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["latency_ms"] >= 0
    assert [plugin["name"] for plugin in body["plugins"]] == ["tradingview", "sql"]


def test_end_to_end_logs_one_line_per_request_and_alarm(gateway):
    alarm_id = post_text(gateway, TRADINGVIEW_JSON, "application/json").json()["id"]
    gateway.get("/alarms")

    log = gateway.wait_for_log("GET /alarms 200")
    assert f"alarm {alarm_id} stored (parser=tradingview" in log
    assert "POST /alarms/webhook 200" in log


@pytest.mark.postgres
def test_end_to_end_health_is_503_while_database_refuses(start_gateway, postgres_url):
    """Case 20-health-ok-while-database-down: a failing database is a 503."""
    gateway = start_gateway({"plugin:sql": {"url": postgres_url}})
    assert gateway.get("/server/status-server").status_code == 200
    database = postgres_url.rsplit("/", 1)[1]

    admin = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (database,),
        )
    try:
        response = gateway.get("/server/status-server")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "degraded"
        assert body["database"]["ok"] is False
        assert "postgres@" not in response.text
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        admin.close()

    assert gateway.get("/server/status-server").status_code == 200


def test_end_to_end_emoji_with_cp1252_console_is_logged_not_fatal(
    start_gateway, sqlite_url
):
    """Case 23-emoji-in-alert-breaks-log-sink: a console that cannot encode emoji."""
    gateway = start_gateway(
        {"plugin:sql": {"url": sqlite_url}, "logging": {"console": "true"}},
        env={"PYTHONIOENCODING": "cp1252", "LANG": "C", "LC_ALL": "C"},
    )
    body = '{"ticker":"🚀BTCUSDT","msg":"breakout ✅ target 70k 🎯"}'

    response = gateway.post(
        data=body.encode(), headers={"Content-Type": "text/plain; charset=utf-8"}
    )

    assert response.status_code == 200
    alarm = gateway.get(f"/alarms/{response.json()['id']}").json()
    assert alarm["raw"] == body
    assert "ticker=🚀BTCUSDT" in gateway.wait_for_log("🚀BTCUSDT")
    stderr = (gateway.config_path.parent / "stderr.txt").read_bytes()
    assert b"UnicodeEncodeError" not in stderr
    assert b"\\U0001f680BTCUSDT" in stderr


@pytest.mark.parametrize(
    "body",
    [
        '{"ticker":"PR2","price":1E+200000}',
        "ticker=X; price=1e300000",
        '{"ticker":"F","x":1e99999}',
    ],
    ids=["json-price", "keyvalue-price", "field"],
)
def test_end_to_end_number_no_database_can_hold_is_kept_not_spooled(gateway, body):
    response = post_text(gateway, body)

    assert response.status_code == 200
    alarm = gateway.get(f"/alarms/{response.json()['id']}").json()
    assert alarm["price"] is None
    assert alarm["raw"] == body
    assert gateway.get("/server/status-server").json()["spool"]["pending"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00"},
        {"ticker": "\x00"},
        {"since": "0001-01-01T00:00:00+14:00"},
        {"until": "9999-12-31T23:59:59-14:00"},
        {"since": "2026-12-03T17:00:00 01:00"},
    ],
    ids=[
        "nul-in-q",
        "nul-in-ticker",
        "since-underflow",
        "until-overflow",
        "unencoded-plus",
    ],
)
def test_end_to_end_hostile_filter_is_400_not_500(gateway, params):
    response = gateway.get("/alarms", params=params)

    assert response.status_code == 400, response.text
    assert list(response.json()["errors"]) == list(params)


def test_end_to_end_body_of_exactly_the_limit_is_accepted(gateway):
    assert post_text(gateway, "A" * 65536).status_code == 200
    assert post_text(gateway, "A" * 65537).status_code == 413


@pytest.mark.postgres
def test_end_to_end_read_api_is_503_while_database_refuses(start_gateway, postgres_url):
    gateway = start_gateway(
        {"plugin:sql": {"url": postgres_url, "connect_timeout": "1"}}
    )
    database = postgres_url.rsplit("/", 1)[1]
    admin = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (database,),
        )
    try:
        for path in ("/alarms", "/alarms/latest", "/deliveries", "/alarms/abc"):
            response = gateway.get(path)
            assert response.status_code == 503, (path, response.text)
            assert response.json()["error"] == "service_unavailable"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        admin.close()

"""What keeps strangers out and secrets in, on a real ``gateway serve``."""

from __future__ import annotations

import socket

import pytest

SECRET = "tv-hook-7f3a-0c1d"
API_KEY = "read-key-9f8e7d6c"
OLD_API_KEY = "read-key-old-5a4b"
DB_PASSWORD = "Xy7pass-never-log"


def raw_http(port: int, request: bytes, read_timeout: float = 10) -> bytes:
    """Send raw bytes, return everything the server answers before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def gateway(start_gateway, sqlite_url):
    return start_gateway({"plugin:sql": {"url": sqlite_url}})


def port_of(gateway) -> int:
    return int(gateway.url.rsplit(":", 1)[1])


def test_security_declared_huge_body_is_413_json_without_reading_it(gateway):
    """Case 14-huge-request-body: a 50 MB Content-Length is refused at once."""
    head = (
        b"POST /alarms/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        b"Content-Length: 50000000\r\n\r\n"
    )

    answer = raw_http(port_of(gateway), head + b"A" * 1000)

    assert answer.startswith(b"HTTP/1.1 413")
    body = answer.split(b"\r\n\r\n", 1)[1]
    assert b'"limit_bytes": 65536' in body
    assert b'"error": "request_entity_too_large"' in body
    assert (
        gateway.post(
            data="BUY BTCUSDT", headers={"Content-Type": "text/plain"}
        ).status_code
        == 200
    )
    assert "body too large" in gateway.wait_for_log("body too large")


def test_security_chunked_body_over_limit_is_413_json(gateway):
    """Case 14-huge-request-body: a chunked body is cut off once it passes the cap."""
    chunk = b"A" * 16384
    request = b"POST /alarms/webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    request += (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 8 + b"0\r\n\r\n"

    answer = raw_http(port_of(gateway), request)

    assert answer.startswith(b"HTTP/1.1 413")
    assert gateway.get("/alarms").json()["alarms"] == []


def test_security_lying_content_length_is_never_500(gateway):
    """Case 14-huge-request-body: a short Content-Length does not break the server."""
    request = (
        b"POST /alarms/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        b"Content-Length: 100\r\n\r\n" + b"B" * 5000
    )

    answer = raw_http(port_of(gateway), request)

    assert b" 500 " not in answer
    assert (
        gateway.post(
            data="SELL ETHUSDT", headers={"Content-Type": "text/plain"}
        ).status_code
        == 200
    )


@pytest.fixture
def keyed_gateway(start_gateway, sqlite_url):
    return start_gateway(
        {"plugin:sql": {"url": sqlite_url}},
        env={"APIKEY": f"{API_KEY},{OLD_API_KEY}"},
    )


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"X-API-Key": "wrong-key-123456"}, 401),
        ({"X-API-Key": API_KEY}, 200),
        ({"Authorization": f"Bearer {API_KEY}"}, 200),
        ({"X-API-Key": OLD_API_KEY}, 200),
    ],
    ids=["missing", "wrong", "header", "bearer", "second-key-for-rotation"],
)
def test_security_read_api_requires_key_when_set(keyed_gateway, headers, status):
    response = keyed_gateway.get("/alarms", headers=headers)

    assert response.status_code == status
    if status == 401:
        assert response.json()["error"] == "unauthorized"
        assert "X-API-Key" in response.json()["message"]


def test_security_webhook_needs_no_api_key(keyed_gateway):
    response = keyed_gateway.post(data="BUY", headers={"Content-Type": "text/plain"})

    assert response.status_code == 200


def test_security_health_shows_details_only_with_key(keyed_gateway):
    anonymous = keyed_gateway.get("/server/status-server")
    with_key = keyed_gateway.get(
        "/server/status-server", headers={"X-API-Key": API_KEY}
    )

    assert anonymous.status_code == 200
    assert anonymous.json() == {"status": "ok"}
    assert with_key.json()["database"]["ok"] is True


@pytest.mark.postgres
def test_security_no_secret_reaches_logs_or_storage(start_gateway, postgres_url):
    """Case 34-notifier-webhook-url-logged: tokens, keys and passwords are masked."""
    url_with_password = postgres_url.replace("postgres@", f"postgres:{DB_PASSWORD}@")
    gateway = start_gateway(
        {"gateway": {"plugins": "token, tradingview, sql"}},
        env={"SECRETKEY": SECRET, "APIKEY": API_KEY, "DATABASE_URL": url_with_password},
    )

    accepted = gateway.post(
        f"/alarms/webhook?token={SECRET}",
        data=f'{{"ticker":"BTCUSDT","passphrase":"{SECRET}"}}',
        headers={"Content-Type": "application/json"},
    )
    gateway.post("/alarms/webhook/tv/wrong-token-abcdef", data="x")
    gateway.post(f"/alarms/webhook/tv/{SECRET}", data="BUY BTCUSDT")
    listed = gateway.get("/alarms", headers={"X-API-Key": API_KEY})
    gateway.get("/alarms", headers={"X-API-Key": "not-the-key-xyz"})

    assert accepted.status_code == 200
    log = gateway.wait_for_log("GET /alarms 401")
    stderr = (gateway.config_path.parent / "stderr.txt").read_text()
    for secret in (SECRET, API_KEY, DB_PASSWORD, "wrong-token-abcdef"):
        assert secret not in log
        assert secret not in stderr
        assert secret not in listed.text
    assert "/alarms/webhook/tv/***" in log

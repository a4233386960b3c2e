"""The webhook endpoint as a sender sees it (in-process, in-memory storage)."""

from __future__ import annotations

import pytest

from gateway.kit import ParsedAlarm
from gateway.kit import hookimpl


@pytest.fixture
def raw_only_client(make_app, memory_storage):
    app = make_app(
        {"gateway": {"plugins": "memory"}}, plugins={"memory": memory_storage}
    )
    return app.test_client()


def test_webhook_text_body_is_stored_and_answered_with_its_id(client, memory_storage):
    response = client.post("/alarms/webhook", data="hello", content_type="text/plain")

    assert response.status_code == 200
    assert response.json == {"id": memory_storage.alarms[0].id}
    assert memory_storage.alarms[0].raw == "hello"


def test_webhook_without_parser_stores_raw_alarm(
    raw_only_client, memory_storage, log_records
):
    """Case 25-no-parser-claims-body: no parser enabled, the body is kept raw."""
    response = raw_only_client.post(
        "/alarms/webhook", data="hello from a custom script", content_type="text/plain"
    )

    assert response.status_code == 200
    alarm = memory_storage.alarms[0]
    assert (alarm.parser, alarm.format) == ("raw", "raw")
    assert alarm.message == "hello from a custom script"
    assert any("no parser claimed body" in r["message"] for r in log_records)


def test_webhook_without_parser_warns_at_start(make_app, memory_storage, log_records):
    """Case 25-no-parser-claims-body: start-up warns that nothing parses bodies."""
    make_app({"gateway": {"plugins": "memory"}}, plugins={"memory": memory_storage})

    warnings = [r["message"] for r in log_records if r["level"].name == "WARNING"]
    assert any("no parser plugin is enabled" in message for message in warnings)


@pytest.mark.parametrize("body", [b"", b"   \r\n "], ids=["empty", "whitespace"])
def test_webhook_empty_body_is_400_json(client, memory_storage, body):
    """Case 25-no-parser-claims-body: an empty body is refused, never a 500."""
    response = client.post("/alarms/webhook", data=body, content_type="text/plain")

    assert response.status_code == 400
    assert response.json["error"] == "empty_body"
    assert memory_storage.alarms == []


def test_webhook_invalid_utf8_is_kept_byte_exact(raw_only_client, memory_storage):
    body = b"price \xff\xfe 42 \x00 end"

    response = raw_only_client.post(
        "/alarms/webhook", data=body, content_type="text/plain"
    )

    assert response.status_code == 200
    alarm = memory_storage.alarms[0]
    assert alarm.raw_bytes == body
    assert "\x00" not in alarm.raw
    assert alarm.warnings == ["body is not valid UTF-8; undecodable bytes replaced"]


def test_webhook_body_over_limit_is_413_json(make_app, memory_storage):
    app = make_app(
        {"gateway": {"plugins": "memory", "max_body_bytes": "2048"}},
        plugins={"memory": memory_storage},
    )

    response = app.test_client().post(
        "/alarms/webhook", data=b"A" * 5000, content_type="text/plain"
    )

    assert response.status_code == 413
    assert response.json["error"] == "request_entity_too_large"
    assert response.json["limit_bytes"] == 2048
    assert memory_storage.alarms == []


@pytest.mark.parametrize("path", ["/alarms/webhook", "/alarms/webhook/btc"])
def test_webhook_get_is_405_json(client, path):
    response = client.get(path)

    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_webhook_route_is_stored_as_source(client, memory_storage):
    response = client.post(
        "/alarms/webhook/btc-15m", data="x", content_type="text/plain"
    )

    assert response.status_code == 200
    assert memory_storage.alarms[0].source == "btc-15m"


def test_webhook_storage_down_without_spool_is_503_so_sender_retries(
    make_app, memory_storage
):
    app = make_app(
        {"gateway": {"plugins": "memory", "spool": "false"}},
        plugins={"memory": memory_storage},
    )
    memory_storage.is_down = True

    response = app.test_client().post(
        "/alarms/webhook", data="x", content_type="text/plain"
    )

    assert response.status_code == 503
    assert response.json["error"] == "storage_unavailable"
    assert response.headers["Retry-After"] == "5"


class _BrokenParser:
    @hookimpl
    def gateway_parse_alarm(self, request):
        raise RuntimeError("parser bug")


class _ShoutingParser:
    @hookimpl
    def gateway_parse_alarm(self, request):
        return ParsedAlarm(parser="shout", format="text", message=request.text.upper())


def test_webhook_broken_parser_is_skipped_and_named(
    make_app, memory_storage, log_records
):
    app = make_app(
        {"gateway": {"plugins": "broken, memory"}},
        plugins={"broken": _BrokenParser(), "memory": memory_storage},
    )

    response = app.test_client().post(
        "/alarms/webhook", data="x", content_type="text/plain"
    )

    assert response.status_code == 200
    assert memory_storage.alarms[0].parser == "raw"
    errors = [r for r in log_records if r["level"].name == "ERROR"]
    assert "parser plugin broken failed" in errors[0]["message"]


def test_webhook_parsers_are_asked_in_configured_order(make_app, memory_storage):
    app = make_app(
        {"gateway": {"plugins": "shout, tradingview, memory"}},
        plugins={"shout": _ShoutingParser(), "memory": memory_storage},
    )

    app.test_client().post(
        "/alarms/webhook", data='{"a": 1}', content_type="text/plain"
    )

    assert memory_storage.alarms[0].parser == "shout"
    assert memory_storage.alarms[0].message == '{"A": 1}'


def test_webhook_route_names_ignore_case(client, memory_storage):
    client.post("/alarms/webhook/BiNaNcE", data="one", content_type="text/plain")
    client.post("/alarms/webhook/binance", data="two", content_type="text/plain")

    assert [alarm.source for alarm in memory_storage.alarms] == ["binance", "binance"]


def test_webhook_rejection_has_the_api_error_shape(make_app, memory_storage):
    from gateway.kit import Rejection, hookimpl

    class Refuser:
        @hookimpl
        def gateway_screen_request(self, request):
            return Rejection(403, "forbidden", "client address not allowed")

    app = make_app(
        {"gateway": {"plugins": "refuser, memory"}},
        plugins={"refuser": Refuser(), "memory": memory_storage},
    )

    response = app.test_client().post(
        "/alarms/webhook", data="x", content_type="text/plain"
    )

    assert response.status_code == 403
    assert response.json == {
        "error": "forbidden",
        "message": "client address not allowed",
        "reason": "client address not allowed",
        "status": 403,
    }

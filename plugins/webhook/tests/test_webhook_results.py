"""How answers and network failures become a SendResult."""

from __future__ import annotations

import datetime as dt
import email.utils

import pytest

from alarmhugger_webhook._response import result_from_response
from gateway.testing import StubHTTPServer
from gateway.testing import StubResponse


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_send_2xx_answer_is_ok(stub_server, make_notifier, make_alarm, status):
    stub_server.respond = lambda request, count: StubResponse(status)

    result = make_notifier(url=stub_server.url).send(make_alarm())

    assert result.ok
    assert result.detail.startswith(f"HTTP {status} ")


def test_send_429_with_retry_after_seconds_is_rate_limited(
    stub_server, make_notifier, make_alarm
):
    stub_server.respond = lambda request, count: StubResponse(
        429, {"error": "slow down"}, headers={"Retry-After": "17"}
    )

    result = make_notifier(url=stub_server.url).send(make_alarm())

    assert not result.ok
    assert result.is_rate_limited
    assert not result.is_permanent
    assert result.retry_after == 17.0
    assert result.detail == 'HTTP 429 Too Many Requests: {"error": "slow down"}'


def test_send_429_with_retry_after_date_waits_until_then(
    stub_server, make_notifier, make_alarm
):
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=120)
    stub_server.respond = lambda request, count: StubResponse(
        429, headers={"Retry-After": email.utils.format_datetime(later, usegmt=True)}
    )

    result = make_notifier(url=stub_server.url).send(make_alarm())

    assert result.is_rate_limited
    assert 110 <= result.retry_after <= 120


def test_send_503_with_retry_after_is_plain_failure_with_delay(
    stub_server, make_notifier, make_alarm
):
    stub_server.respond = lambda request, count: StubResponse(
        503, headers={"Retry-After": "30"}
    )

    result = make_notifier(url=stub_server.url).send(make_alarm())

    assert not result.ok
    assert not result.is_rate_limited
    assert not result.is_permanent
    assert result.retry_after == 30.0


@pytest.mark.parametrize("status", [408, 425, 500, 502, 503, 504])
def test_send_transient_status_is_plain_failure(
    stub_server, make_notifier, make_alarm, status
):
    stub_server.respond = lambda request, count: StubResponse(status, body=b"try later")

    result = make_notifier(url=stub_server.url).send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert not result.is_rate_limited
    assert result.retry_after is None
    assert result.detail.endswith(": try later")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 413, 422])
def test_send_client_error_status_is_permanent(
    stub_server, make_notifier, make_alarm, status
):
    stub_server.respond = lambda request, count: StubResponse(status, {"error": "no"})

    result = make_notifier(url=stub_server.url).send(make_alarm())

    assert not result.ok
    assert result.is_permanent
    assert result.detail.startswith(f"HTTP {status} ")


def test_send_redirect_is_not_followed_and_permanent(
    stub_server, make_notifier, make_alarm
):
    stub_server.respond = lambda request, count: StubResponse(
        302, headers={"Location": f"{stub_server.url}/elsewhere"}
    )

    result = make_notifier(url=f"{stub_server.url}/hook").send(make_alarm())

    assert not result.ok
    assert result.is_permanent
    assert "redirects are not followed" in result.detail
    assert [request.path for request in stub_server.wait_for(1)] == ["/hook"]


def test_send_long_error_body_is_shortened_in_detail(
    stub_server, make_notifier, make_alarm
):
    stub_server.respond = lambda request, count: StubResponse(500, body=b"x" * 3000)

    result = make_notifier(url=stub_server.url).send(make_alarm())

    assert len(result.detail) < 200
    assert result.detail.endswith("x…")


def test_send_refused_connection_is_plain_failure(
    make_notifier, make_alarm, closed_url
):
    notifier = make_notifier(url=f"{closed_url}/hook")

    result = notifier.send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert result.detail == "connection failed: connection refused"


def test_send_unresolvable_host_is_plain_failure(make_notifier, make_alarm):
    notifier = make_notifier(url="http://alarmhugger-test.invalid/hook")

    result = notifier.send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert result.detail == "connection failed: host name could not be resolved"


def test_send_slow_answer_times_out_as_plain_failure(make_notifier, make_alarm):
    # Its own server: stopping it lets the late answer finish inside the test.
    with StubHTTPServer(lambda request, count: StubResponse(200, delay=0.3)) as slow:
        result = make_notifier(url=slow.url, read_timeout="0.1").send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert result.detail == "no answer within 0.1 s"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        pytest.param("120", 120.0, id="seconds"),
        pytest.param(" 1.5 ", 1.5, id="fraction"),
        pytest.param("0", 0.0, id="zero"),
        pytest.param("-3", None, id="negative"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("", None, id="blank"),
        pytest.param(None, None, id="absent"),
        pytest.param("Wed, 01 May 2024 12:01:00 GMT", 60.0, id="http-date"),
        pytest.param("Wed, 01 May 2024 11:00:00 GMT", 0.0, id="date-in-past"),
    ],
)
def test_result_from_response_retry_after_values_give_seconds(value, seconds):
    now = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
    headers = {} if value is None else {"Retry-After": value}

    assert result_from_response(429, headers, now=now).retry_after == seconds


def test_result_from_response_unknown_status_is_named_by_number():
    result = result_from_response(599, {}, "")

    assert result.detail == "HTTP 599"
    assert not result.is_permanent

"""What a service receives through Apprise, and how failures are reported."""

from __future__ import annotations

import time

import pytest

from gateway.testing import StubHTTPServer
from gateway.testing import StubResponse

# A TradingView alarm whose message holds markup to escape.
BREAKOUT = {
    "ticker": "BTCUSDT",
    "action": "buy",
    "price": 64250.5,
    "message": "🚀 breakout <b>now</b> & *fast*",
}


def test_send_json_url_delivers_title_and_body(
    stub_server, json_url, make_notifier, make_alarm
):
    notifier = make_notifier(urls=json_url("/hooks/alerts"))

    result = notifier.send(make_alarm(**BREAKOUT))

    (request,) = stub_server.wait_for(1)
    sent = request.json()
    assert result.ok
    assert result.detail == "sent to 1 service"
    assert request.method == "POST"
    assert request.path == "/hooks/alerts"
    assert sent["title"] == "BTCUSDT buy"
    assert sent["message"] == "BTCUSDT buy @ 64250.5\n🚀 breakout <b>now</b> & *fast*"
    assert sent["type"] == "info"


def test_send_templates_render_alarm_fields(
    stub_server, json_url, make_notifier, make_alarm
):
    notifier = make_notifier(
        urls=json_url(),
        title="{{ action | upper }} {{ ticker }}",
        body="{{ ticker }} at {{ price }}: {{ fields.reason }}",
    )

    notifier.send(make_alarm(**BREAKOUT, reason="RSI > 70"))

    (request,) = stub_server.wait_for(1)
    assert request.json()["title"] == "BUY BTCUSDT"
    assert request.json()["message"] == "BTCUSDT at 64250.5: RSI > 70"


@pytest.mark.parametrize(
    ("body_format", "message"),
    [
        pytest.param(
            "html", "🚀 breakout &lt;b&gt;now&lt;/b&gt; &amp; *fast*", id="html-escaped"
        ),
        pytest.param(
            "markdown", r"🚀 breakout \<b\>now\</b\> & \*fast\*", id="markdown-escaped"
        ),
        pytest.param("text", "🚀 breakout <b>now</b> & *fast*", id="text-as-is"),
    ],
)
def test_send_body_format_escapes_inserted_values(
    stub_server, json_url, make_notifier, make_alarm, body_format, message
):
    notifier = make_notifier(
        urls=json_url(), body="{{ message }}", body_format=body_format
    )

    notifier.send(make_alarm(**BREAKOUT))

    (request,) = stub_server.wait_for(1)
    assert request.json()["message"] == message


def test_send_several_urls_each_receive(
    stub_server, json_url, make_notifier, make_alarm
):
    notifier = make_notifier(
        urls=f"{json_url('/a')}, {json_url('/b')}\n{json_url('/c')}"
    )

    result = notifier.send(make_alarm())

    requests = stub_server.wait_for(3)
    assert result.detail == "sent to 3 services"
    assert sorted(request.path for request in requests) == ["/a", "/b", "/c"]


def test_send_failing_service_is_plain_failure_with_reason(
    stub_server, json_url, make_notifier, make_alarm
):
    stub_server.respond = lambda request, count: StubResponse(500, body=b"boom")
    notifier = make_notifier(urls=json_url())

    result = notifier.send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert result.detail == (
        "1 of 1 failed: JSON: Failed to send JSON POST notification: "
        "Internal server error., error=500."
    )


def test_send_one_of_two_failing_fails_naming_it(
    stub_server, json_url, make_notifier, make_alarm
):
    stub_server.respond = lambda request, count: StubResponse(
        404 if request.path == "/gone" else 200
    )
    notifier = make_notifier(urls=f"{json_url('/ok')}, {json_url('/gone')}")

    result = notifier.send(make_alarm())

    assert not result.ok
    assert result.detail.startswith("1 of 2 failed: JSON: ")
    assert "error=404" in result.detail
    assert len(stub_server.wait_for(2)) == 2


def test_send_refused_connection_is_plain_failure(
    make_notifier, make_alarm, closed_url
):
    notifier = make_notifier(urls=closed_url.replace("http://", "json://") + "/notify")

    result = notifier.send(make_alarm())

    assert not result.ok
    assert not result.is_permanent
    assert result.detail == (
        "1 of 1 failed: JSON: A Connection error occurred sending JSON "
        "notification to 127.0.0.1."
    )


def test_send_slow_service_times_out_by_read_timeout(make_notifier, make_alarm):
    # Its own server: stopping it lets the late answer finish inside the test.
    with StubHTTPServer(lambda request, count: StubResponse(200, delay=0.4)) as slow:
        notifier = make_notifier(
            urls=slow.url.replace("http://", "json://") + "/slow", read_timeout="0.1"
        )
        started = time.monotonic()
        result = notifier.send(make_alarm())
        elapsed = time.monotonic() - started

    assert elapsed < 0.4
    assert not result.ok
    assert not result.is_permanent
    assert "Connection error" in result.detail


def test_send_broken_template_value_fails_permanently(
    stub_server, json_url, make_notifier, make_alarm
):
    notifier = make_notifier(urls=json_url(), body="{{ price / 0 }}")

    result = notifier.send(make_alarm(**BREAKOUT))

    assert not result.ok
    assert result.is_permanent
    assert stub_server.requests == []

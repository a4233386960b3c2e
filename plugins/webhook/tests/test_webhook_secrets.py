"""Case 34: the target URL, header values and the HMAC secret stay out of sight."""

from __future__ import annotations

import pytest

from alarmhugger_webhook._url import redact_url
from gateway.kit import mask
from gateway.testing import StubResponse

PASSWORD = "pw-9f8e7d6c5b"
QUERY_TOKEN = "qt-1a2b3c4d5e6f"
PATH_TOKEN = "B07XYZ123abcDEF456"
HEADER_TOKEN = "hdr-7766554433"
HMAC_SECRET = "whsec-0a1b2c3d4e5f"
SECRETS = (PASSWORD, QUERY_TOKEN, PATH_TOKEN, HEADER_TOKEN, HMAC_SECRET)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        pytest.param(
            "https://example.com/alerts", "https://example.com/alerts", id="plain"
        ),
        pytest.param(
            "https://bob:secret1@example.com:8443/a/b?token=t0k3n&x=1",
            "https://***@example.com:8443/a/***?token=***&x=***",
            id="everything",
        ),
        pytest.param(
            "https://hooks.example.com/B07XYZ123abcDEF456",
            "https://hooks.example.com/***",
            id="token-first-level",
        ),
        pytest.param("http://[::1]:8080/", "http://[::1]:8080/", id="ipv6"),
    ],
)
def test_redact_url_credentials_are_masked(url, shown):
    assert redact_url(url) == shown


def test_describe_url_with_credentials_shows_only_safe_parts(make_notifier):
    notifier = make_notifier(
        url=f"https://bot:{PASSWORD}@example.com/hooks/{PATH_TOKEN}?key={QUERY_TOKEN}",
        hmac_secret=HMAC_SECRET,
    )

    assert notifier.describe() == (
        "webhook POST https://***@example.com/hooks/***?key=***"
    )
    assert not [secret for secret in SECRETS if secret in repr(notifier.settings)]


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(StubResponse(404, body=b"no_service"), id="404"),
        pytest.param(StubResponse(500, body=b"boom"), id="500"),
        pytest.param(StubResponse(429, headers={"Retry-After": "1"}), id="429"),
    ],
)
def test_send_failure_logs_and_details_hold_no_secret(
    stub_server, make_notifier, make_alarm, log_records, answer
):
    stub_server.respond = lambda request, count: answer
    notifier = make_notifier(
        url=f"{stub_server.url.replace('://', f'://bot:{PASSWORD}@')}/h/{PATH_TOKEN}"
        f"?key={QUERY_TOKEN}",
        headers=f"Authorization: Bearer {HEADER_TOKEN}",
        hmac_secret=HMAC_SECRET,
    )

    result = notifier.send(make_alarm())

    seen = " ".join([repr(log_records), result.detail, notifier.describe()])
    assert not result.ok
    assert not [secret for secret in SECRETS if secret in seen]


def test_send_refused_connection_detail_holds_no_url(
    make_notifier, make_alarm, log_records, closed_url
):
    notifier = make_notifier(
        url=f"{closed_url.replace('://', f'://bot:{PASSWORD}@')}/h/{PATH_TOKEN}"
        f"?key={QUERY_TOKEN}"
    )

    result = notifier.send(make_alarm())

    seen = repr(log_records) + result.detail
    assert "127.0.0.1" not in result.detail
    assert not [secret for secret in SECRETS if secret in seen]


def test_send_answer_echoing_the_token_is_masked_in_detail(
    stub_server, make_notifier, make_alarm
):
    stub_server.respond = lambda request, count: StubResponse(
        400, body=f"unknown key {QUERY_TOKEN} for {PATH_TOKEN}".encode()
    )
    notifier = make_notifier(url=f"{stub_server.url}/h/{PATH_TOKEN}?key={QUERY_TOKEN}")

    result = notifier.send(make_alarm())

    assert result.detail == "HTTP 400 Bad Request: unknown key *** for ***"


def test_configure_plain_header_values_stay_readable_in_logs(make_notifier):
    make_notifier(
        url="https://example.com/hook",
        headers="Content-Type: text/csv; charset=x-plain-9\nX-Api-Key: key-31415926",
    )

    assert mask("sent as text/csv; charset=x-plain-9") == (
        "sent as text/csv; charset=x-plain-9"
    )
    assert mask("key key-31415926") == "key ***"

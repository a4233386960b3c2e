"""The notifier helpers of gateway.notify: shared settings, reading answers."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from gateway.errors import ConfigError
from gateway.notify import DEFAULT_TEMPLATE
from gateway.notify import Notifier
from gateway.notify import failure_from_exception
from gateway.notify import failure_from_template_error
from gateway.notify import first_line
from gateway.notify import json_or_empty
from gateway.notify import masked_url
from gateway.notify import read_notifier_settings
from gateway.notify import result_from_status
from gateway.notify import retry_after_seconds

NOW = dt.datetime(2026, 10, 21, 7, 28, 0, tzinfo=dt.timezone.utc)
SECTION = "plugin:relay"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (34, 34.0),
        (1.75, 1.75),
        ("2", 2.0),
        (" 0.5 ", 0.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        (True, None),
        ("nan", None),
        ("inf", None),
        (float("inf"), None),
    ],
    ids=[
        "int",
        "float",
        "header",
        "spaces",
        "negative",
        "http-date",
        "past-date",
        "word",
        "empty",
        "none",
        "bool",
        "nan",
        "inf-text",
        "inf-number",
    ],
)
def test_retry_after_seconds_reads_numbers_and_dates(value, seconds):
    assert retry_after_seconds(value, now=NOW) == seconds


@pytest.mark.parametrize(
    ("status", "ok", "is_rate_limited", "is_permanent"),
    [
        (200, True, False, False),
        (204, True, False, False),
        (429, False, True, False),
        (408, False, False, False),
        (425, False, False, False),
        (500, False, False, False),
        (503, False, False, False),
        (400, False, False, True),
        (401, False, False, True),
        (404, False, False, True),
        (413, False, False, True),
        (302, False, False, False),
    ],
    ids=[
        "200-sent",
        "204-sent",
        "429-rate-limited",
        "408-retry",
        "425-retry",
        "500-retry",
        "503-retry",
        "400-permanent",
        "401-permanent",
        "404-permanent",
        "413-permanent",
        "302-retry",
    ],
)
def test_result_from_status_maps_each_class(status, ok, is_rate_limited, is_permanent):
    result = result_from_status(status, f"HTTP {status}")

    assert (result.ok, result.is_rate_limited, result.is_permanent) == (
        ok,
        is_rate_limited,
        is_permanent,
    )
    assert result.detail == f"HTTP {status}"


def test_result_from_status_passes_waits_where_they_apply():
    limited = result_from_status(429, "HTTP 429", retry_after=3.5, pause=3.5)
    failed = result_from_status(503, "HTTP 503", retry_after=20, pause=20)
    refused = result_from_status(400, "HTTP 400", retry_after=20, pause=20)
    sent = result_from_status(200, "sent", pause=1.5)

    assert (limited.retry_after, limited.pause_notifier_for) == (3.5, 3.5)
    assert (failed.retry_after, failed.pause_notifier_for) == (20, None)
    assert (refused.retry_after, refused.pause_notifier_for) == (None, None)
    assert (sent.retry_after, sent.pause_notifier_for) == (None, 1.5)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (requests.ConnectTimeout, "connect timed out"),
        (requests.ReadTimeout, "read timed out"),
        (requests.exceptions.SSLError, "TLS handshake failed"),
        (requests.ConnectionError, "connection failed"),
        (requests.TooManyRedirects, "request failed"),
    ],
    ids=["connect-timeout", "read-timeout", "tls", "connection", "other"],
)
def test_failure_from_exception_names_the_kind_never_the_url(error, reason):
    url = "https://hooks.example/services/T0/B0/s3cr3t-part"
    raised = error(f"HTTPSConnectionPool: Max retries exceeded with url: {url}")

    result = failure_from_exception(raised, "hooks.example/services/T0/B0/***")

    assert not result.ok and not result.is_permanent
    assert result.detail.startswith(reason)
    assert result.detail.endswith("at hooks.example/services/T0/B0/***")
    assert "s3cr3t" not in result.detail


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://discord.com/api/webhooks/123456789/tok-en",
            "https://discord.com/api/webhooks/123…/***",
        ),
        (
            "https://hooks.slack.com/services/T0/B0/XyZ?x=1",
            "https://hooks.slack.com/services/***/***/***",
        ),
        (
            "https://user:pw@host.example:8443/v2/hook",
            "https://host.example:8443/v2/***",
        ),
        ("http://host.example:99999/a", "http://host.example/***"),
        ("not a url", "***"),
        ("", ""),
    ],
    ids=["discord", "slack-query", "userinfo-port", "bad-port", "words", "empty"],
)
def test_masked_url_keeps_only_plain_words(url, shown):
    assert masked_url(url) == shown


def test_first_line_takes_one_line_and_cuts_it():
    assert first_line("  Bad Request\nmore  ") == "Bad Request"
    assert first_line("x" * 300, limit=10) == "x" * 9 + "…"


def test_json_or_empty_reads_only_json_objects():
    def answer(body: bytes) -> requests.Response:
        response = requests.Response()
        response._content = body
        return response

    assert json_or_empty(answer(b'{"ok": false}')) == {"ok": False}
    assert json_or_empty(answer(b"[1, 2]")) == {}
    assert json_or_empty(answer(b"<html>502</html>")) == {}


# --------------------------------------------------------------------------
# The keys every notifier section shares
# --------------------------------------------------------------------------


def read(**raw: str):
    return read_notifier_settings(
        SECTION,
        raw,
        own_keys=("url", "password"),
        templates={"subject": "[{{ ticker }}]", "body": None},
        timeouts={"connect_timeout": (5.0, 120.0), "read_timeout": (10.0, 300.0)},
    )


def test_read_notifier_settings_empty_section_uses_defaults(make_alarm):
    shared = read()

    assert (shared.min_interval, shared.max_attempts) == (0.0, None)
    assert shared.timeouts == {"connect_timeout": 5.0, "read_timeout": 10.0}
    assert shared.templates["subject"].source == "[{{ ticker }}]"
    assert shared.templates["body"].source == DEFAULT_TEMPLATE
    assert shared.alarm_filter.accepts(make_alarm(ticker="BTCUSDT"))


def test_read_notifier_settings_reads_every_shared_key(make_alarm):
    shared = read(
        sources="binance",
        tickers="ETHUSDT",
        actions="buy",
        where="signal=rsi",
        min_interval="0.25",
        max_attempts="9",
        subject="{{ action }}",
        body="{{ message }}",
        connect_timeout="1.5",
        read_timeout="30",
    )

    alarm = make_alarm(ticker="ETHUSDT", action="buy", message="up", signal="rsi")
    assert (shared.min_interval, shared.max_attempts) == (0.25, 9)
    assert shared.timeouts == {"connect_timeout": 1.5, "read_timeout": 30.0}
    assert shared.templates["subject"].render(alarm) == "buy"
    assert shared.templates["body"].render(alarm) == "up"
    assert not shared.alarm_filter.accepts(alarm)
    assert shared.alarm_filter.accepts(make_alarm(source="binance", **alarm.fields))


def test_read_notifier_settings_blank_values_count_as_unset():
    shared = read(subject="  ", min_interval=" ", max_attempts="", read_timeout=" ")

    assert shared.templates["subject"].source == "[{{ ticker }}]"
    assert (shared.min_interval, shared.max_attempts) == (0.0, None)
    assert shared.timeouts["read_timeout"] == 10.0


def test_read_notifier_settings_escape_applies_to_every_template(make_alarm):
    shared = read_notifier_settings(
        SECTION,
        {"subject": "*{{ ticker }}*"},
        own_keys=(),
        templates={"subject": None, "body": "{{ message }}"},
        timeouts={},
        escape=str.upper,
    )

    alarm = make_alarm(ticker="btc", message="hi")
    assert shared.templates["subject"].render(alarm) == "*BTC*"
    assert shared.templates["body"].render(alarm) == "HI"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("min_interval", "-1", "a number of seconds from 0 to 300"),
        ("min_interval", "301", "a number of seconds from 0 to 300"),
        ("max_attempts", "0", "a whole number from 1 to 100"),
        ("connect_timeout", "121", "a number of seconds from 0.1 to 120"),
        ("read_timeout", "soon", "a number of seconds from 0.1 to 300"),
        ("subject", "{{ ticker", "a valid Jinja2 template"),
        ("body", "{% if %}", "a valid Jinja2 template"),
        ("where", "signal", "field=value pairs"),
    ],
    ids=[
        "interval-negative",
        "interval-too-long",
        "attempts",
        "connect-timeout",
        "read-timeout",
        "subject",
        "body",
        "where",
    ],
)
def test_read_notifier_settings_bad_value_names_the_key(key, value, expected):
    with pytest.raises(ConfigError) as caught:
        read(**{key: value})

    assert (caught.value.section, caught.value.key) == (SECTION, key)
    assert expected in caught.value.expected


def test_read_notifier_settings_interval_sets_default_and_maximum():
    def interval(**raw: str) -> float:
        return read_notifier_settings(
            SECTION, raw, own_keys=(), templates={}, timeouts={}, interval=(2.0, 600.0)
        ).min_interval

    assert interval() == 2.0
    assert interval(min_interval="600") == 600.0
    with pytest.raises(ConfigError):
        interval(min_interval="601")


def test_read_notifier_settings_unknown_key_is_refused_without_its_value():
    with pytest.raises(ConfigError) as caught:
        read(colour="blue", url="https://example.com/hook")

    assert caught.value.key == "colour"
    assert caught.value.value == "***"
    assert "blue" not in str(caught.value)
    for known in ("url", "password", "subject", "read_timeout", "where"):
        assert known in caught.value.expected


def test_read_notifier_settings_echo_values_shows_only_plain_looking_keys():
    def refusal(**raw: str) -> ConfigError:
        with pytest.raises(ConfigError) as caught:
            read_notifier_settings(
                SECTION, raw, own_keys=(), templates={}, timeouts={}, echo_values=True
            )
        return caught.value

    assert refusal(colour="blue").value == "blue"
    assert refusal(passwd="hunter2-typo").value == "***"
    assert refusal(webhok_url="https://hooks.example/s3cr3t").value == "***"


def test_failure_from_template_error_is_permanent_naming_the_error():
    result = failure_from_template_error(ZeroDivisionError("division by zero"))

    assert not result.ok and result.is_permanent
    assert result.detail == (
        "template could not be rendered: ZeroDivisionError: division by zero"
    )


def test_notifier_settings_given_replace_class_defaults():
    default = Notifier()
    paced = Notifier(min_interval=1.5, max_attempts=8)
    unset = Notifier(min_interval=None, max_attempts=None)

    assert (default.min_interval, default.max_attempts) == (0.0, 5)
    assert (paced.min_interval, paced.max_attempts) == (1.5, 8)
    assert (unset.min_interval, unset.max_attempts) == (0.0, 5)

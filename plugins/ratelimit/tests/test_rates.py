"""Reading rates as operators write them."""

from __future__ import annotations

import pytest

from gateway.kit import ConfigError

from alarmhugger_ratelimit import Rate
from alarmhugger_ratelimit import parse_rate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60/minute", Rate(60, 60, 60)),
        (" 600 / min ", Rate(600, 60, 600)),
        ("10/second", Rate(10, 1, 10)),
        ("5/10s", Rate(5, 10, 5)),
        ("1000/hour", Rate(1000, 3600, 1000)),
        ("100 per day", Rate(100, 86400, 100)),
        ("30/Minutes", Rate(30, 60, 30)),
    ],
    ids=[
        "per-minute",
        "spaces-min",
        "per-second",
        "per-10s",
        "per-hour",
        "per-day",
        "plural-case",
    ],
)
def test_parse_rate_accepts_written_forms(text, expected):
    assert parse_rate("plugin:ratelimit", "per_client", text) == expected


@pytest.mark.parametrize("text", ["off", "OFF", "0", "none", "unlimited"])
def test_parse_rate_off_words_disable(text):
    assert parse_rate("plugin:ratelimit", "per_route", text) is None


@pytest.mark.parametrize(
    "text",
    ["60", "60/fortnight", "-5/minute", "0/minute", "5/0s", "lots"],
    ids=["no-period", "unknown-unit", "negative", "zero-count", "zero-period", "word"],
)
def test_parse_rate_bad_value_names_key_and_form(text):
    with pytest.raises(ConfigError) as caught:
        parse_rate("plugin:ratelimit", "per_client", text)

    assert caught.value.key == "per_client"
    assert "60/minute" in caught.value.expected


def test_parse_rate_explicit_burst_sets_bucket_size():
    rate = parse_rate("plugin:ratelimit", "per_client", "60/minute", burst=10)

    assert (rate.burst, rate.per_second) == (10, 1.0)
    assert rate.describe() == "60 per minute (burst 10)"


def test_rate_describe_odd_period_in_seconds():
    assert Rate(5, 10, 5).describe() == "5 per 10 seconds (burst 5)"

"""The real-world parsing failures from the shared cases folder.

Each test names its case file's slug in its docstring, so searching for the
slug finds the test.
"""

from __future__ import annotations

import ast
import builtins
import datetime as dt
import os
import time
from decimal import Decimal

import pytest

from gateway.kit import ParsedAlarm
from gateway.testing import make_request

UTC = dt.timezone.utc


# --------------------------------------------------------------------------
# 01-body-evaluated-as-python-literal
# --------------------------------------------------------------------------


@pytest.fixture
def nothing_evaluated(monkeypatch):
    """Fail the test if anything evaluates code or runs a shell command."""

    def refuse(*args, **kwargs):
        raise AssertionError("the body was evaluated")

    for target, name in [
        (builtins, "eval"),
        (builtins, "exec"),
        (builtins, "compile"),
        (ast, "literal_eval"),
        (os, "system"),
    ]:
        monkeypatch.setattr(target, name, refuse)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("BUY BTCUSDT @ 64250.5 (RSI cross, tf=15)", id="sentence"),
        pytest.param("__import__('os').system('id')", id="code-looking"),
    ],
)
def test_parse_alarm_plain_text_body_kept_as_inert_text(parse, nothing_evaluated, body):
    """01-body-evaluated-as-python-literal: text is stored, never evaluated."""
    alarm = parse(body)

    assert alarm.format == "text"
    assert alarm.message == body
    assert alarm.fields == {}
    assert alarm.warnings == []


def test_parse_alarm_sentence_with_direction_word_gives_action_only(parse):
    """01-body-evaluated-as-python-literal: only the unambiguous word is taken."""
    alarm = parse("BUY BTCUSDT @ 64250.5 (RSI cross, tf=15)")

    assert alarm.action == "buy"
    assert (alarm.ticker, alarm.price, alarm.interval) == (None, None, None)


def test_parse_alarm_python_dict_literal_kept_raw_not_evaluated(
    parse, nothing_evaluated
):
    """01-body-evaluated-as-python-literal: a dict literal is not JSON either."""
    body = "{'ticker': 'BTCUSDT', 'action': 'buy'}"

    alarm = parse(body)

    assert alarm.format == "raw"
    assert alarm.message == body
    assert alarm.warnings == [
        "looks like JSON but is invalid: Expecting property name enclosed "
        "in double quotes at line 1 column 2"
    ]


# --------------------------------------------------------------------------
# 02-json-template-missing-comma
# --------------------------------------------------------------------------


def test_parse_alarm_json_missing_comma_kept_raw_with_position(parse):
    """02-json-template-missing-comma: raw alarm, line/column, no half fields."""
    body = '{"ticker": "BTCUSDT" "msg": Long #BTCUSDT at 64250.5"}'

    alarm = parse(body)

    assert alarm == ParsedAlarm(
        parser="tradingview",
        format="raw",
        message=body,
        warnings=[
            "looks like JSON but is invalid: Expecting ',' delimiter "
            "at line 1 column 22"
        ],
    )


def test_parse_alarm_invalid_json_position_counts_from_body_start(parse):
    """02-json-template-missing-comma: line numbers match the sent template."""
    body = '\n{\n  "ticker": "BTCUSDT"\n  "msg": "x"\n}\n'

    alarm = parse(body)

    assert alarm.format == "raw"
    assert alarm.message == body.strip()
    assert alarm.warnings == [
        "looks like JSON but is invalid: Expecting ',' delimiter at line 4 column 3"
    ]


def test_parse_alarm_json_with_unquoted_placeholder_lists_it(parse):
    """02-json-template-missing-comma: an unquoted {{close}} breaks JSON too."""
    alarm = parse('{"ticker":"AAPL","price":{{close}}}')

    assert alarm.format == "raw"
    assert alarm.unresolved == ["close"]
    assert alarm.warnings[0].startswith("looks like JSON but is invalid:")


# --------------------------------------------------------------------------
# 03-json-sent-as-text-plain
# --------------------------------------------------------------------------

CASE_03_BODY = (
    '{"ticker":"ETHUSD","action":"sell","price":3120.4,"time":"2026-12-03T14:30:00Z"}'
)


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("text/plain; charset=utf-8", id="text-plain"),
        pytest.param("application/x-www-form-urlencoded", id="form-encoded"),
        pytest.param("", id="no-content-type"),
        pytest.param("application/json", id="application-json"),
    ],
)
def test_parse_alarm_json_under_any_content_type_read_as_json(parse, content_type):
    """03-json-sent-as-text-plain: the declared type never decides."""
    alarm = parse(CASE_03_BODY, content_type)

    assert alarm.format == "json"
    assert alarm.ticker == "ETHUSD"
    assert alarm.action == "sell"
    assert alarm.price == Decimal("3120.4")
    assert alarm.event_time == dt.datetime(2026, 12, 3, 14, 30, tzinfo=UTC)


def test_parse_alarm_json_sniffed_from_text_plain_logs_debug(parse, log_records):
    """03-json-sent-as-text-plain: a DEBUG line notes the declared type."""
    parse(CASE_03_BODY, "text/plain; charset=utf-8")

    notes = [r for r in log_records if r["message"].startswith("body read as JSON")]
    assert len(notes) == 1
    assert notes[0]["level"].name == "DEBUG"
    assert notes[0]["extra"]["content_type"] == "text/plain; charset=utf-8"


def test_parse_alarm_json_declared_as_json_logs_nothing(parse, log_records):
    """03-json-sent-as-text-plain: no note when the type was right."""
    parse(CASE_03_BODY, "application/json")

    assert log_records == []


# --------------------------------------------------------------------------
# 05-nan-infinity-in-json
# --------------------------------------------------------------------------


def test_parse_alarm_nan_and_infinity_stored_as_null(parse):
    """05-nan-infinity-in-json: null values, named once, finite ones kept."""
    alarm = parse('{"ticker":"BTCUSD","rsi":NaN,"atr":Infinity,"close":64000.5}')

    assert alarm.format == "json"
    assert alarm.fields == {
        "ticker": "BTCUSD",
        "rsi": None,
        "atr": None,
        "close": Decimal("64000.5"),
    }
    assert alarm.non_finite_fields == ["rsi", "atr"]
    assert alarm.warnings == ["non-finite numbers stored as null: rsi, atr"]
    assert alarm.price == Decimal("64000.5")


def test_parse_alarm_nested_negative_infinity_recorded_by_dotted_path(parse):
    """05-nan-infinity-in-json: nested keys and array items get dotted paths."""
    alarm = parse('{"plots":{"macd":-Infinity,"bands":[1.5,NaN]},"ticker":"X"}')

    assert alarm.fields["plots"] == {"macd": None, "bands": [Decimal("1.5"), None]}
    assert alarm.non_finite_fields == ["plots.macd", "plots.bands.1"]
    assert len(alarm.warnings) == 1


def test_parse_alarm_nan_inside_string_left_alone(parse):
    """05-nan-infinity-in-json: the word NaN in text is not a number."""
    alarm = parse('{"msg":"RSI is NaN on Infinity Pool"}')

    assert alarm.fields == {"msg": "RSI is NaN on Infinity Pool"}
    assert alarm.non_finite_fields == []
    assert alarm.warnings == []


def test_parse_alarm_nan_as_keyvalue_value_stored_as_null(parse):
    """05-nan-infinity-in-json: Pine prints na as NaN in text alerts too."""
    alarm = parse("ticker=BTCUSD; rsi=NaN; close=64000.5")

    assert alarm.format == "keyvalue"
    assert alarm.fields == {
        "ticker": "BTCUSD",
        "rsi": None,
        "close": Decimal("64000.5"),
    }
    assert alarm.non_finite_fields == ["rsi"]
    assert alarm.warnings == ["non-finite numbers stored as null: rsi"]


# --------------------------------------------------------------------------
# 07-deeply-nested-json
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="balanced-arrays"),
        pytest.param("[" * 100_000, id="unclosed-arrays"),
        pytest.param('{"a":' * 100_000 + "1" + "}" * 100_000, id="objects"),
    ],
)
def test_parse_alarm_100000_deep_body_kept_raw_quickly(parse, body):
    """07-deeply-nested-json: no RecursionError, no crash, well under a second."""
    started = time.perf_counter()
    alarm = parse(body, "application/json")
    elapsed = time.perf_counter() - started

    assert alarm.format == "raw"
    assert alarm.warnings == ["nesting deeper than 64"]
    assert alarm.message == body
    assert alarm.fields == {}
    assert elapsed < 1.0


def test_parse_alarm_after_deep_body_next_alert_reads_normally(parse):
    """07-deeply-nested-json: the parser stays usable after a hostile body."""
    parse("[" * 100_000 + "]" * 100_000)

    alarm = parse('{"ticker":"BTCUSDT","close":64250.5}', "application/json")

    assert alarm.format == "json"
    assert alarm.price == Decimal("64250.5")


def test_parse_alarm_nesting_at_limit_is_json_one_deeper_is_raw(parse):
    """07-deeply-nested-json: 64 levels are fine, 65 are refused."""
    at_limit = parse("[" * 64 + "]" * 64)
    too_deep = parse("[" * 65 + "]" * 65)

    assert at_limit.format == "json"
    assert too_deep.format == "raw"
    assert too_deep.warnings == ["nesting deeper than 64"]


def test_parse_alarm_brackets_inside_strings_do_not_count_as_nesting(parse):
    """07-deeply-nested-json: only real nesting counts toward the limit."""
    alarm = parse('{"msg":"' + "[" * 200 + '"}')

    assert alarm.format == "json"
    assert alarm.message == "[" * 200


def test_parse_alarm_configured_max_depth_applies(make_parser):
    """07-deeply-nested-json: the limit follows [plugin:tradingview] max_depth."""
    parser = make_parser(max_depth="2")

    shallow = parser.gateway_parse_alarm(request=make_request('{"a":{"b":1}}'))
    deep = parser.gateway_parse_alarm(request=make_request('{"a":{"b":{"c":1}}}'))

    assert shallow.format == "json"
    assert deep.format == "raw"
    assert deep.warnings == ["nesting deeper than 2"]


# --------------------------------------------------------------------------
# 25-no-parser-claims-body
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b" \r\n\t ", id="whitespace"),
        pytest.param("\ufeff\n".encode(), id="bom-only"),
        pytest.param(b"\xff\xfe{\x00", id="not-utf-8"),
    ],
)
def test_parse_alarm_empty_or_undecodable_body_returns_none(parse, body):
    """25-no-parser-claims-body: None leaves the body to the core's raw parser."""
    assert parse(body) is None


def test_parse_alarm_custom_script_text_claimed_as_text(parse):
    """25-no-parser-claims-body: ordinary text is claimed, not left over."""
    alarm = parse("hello from a custom script")

    assert alarm == ParsedAlarm(
        parser="tradingview", format="text", message="hello from a custom script"
    )

"""Taking the token out of an alarm before it is stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gateway.kit import Alarm

from alarmhugger_token import redact_alarm

SECRET = "tv-hook-7f3a"


def alarm_with(**values) -> Alarm:
    defaults = {
        "id": "0190c0de-0000-7000-8000-000000000001",
        "received_at": dt.datetime(2025, 1, 15, 14, 30, tzinfo=dt.timezone.utc),
        "source": "default",
        "client_ip": "52.89.214.238",
        "content_type": "application/json",
        "raw": "",
        "parser": "tradingview",
        "format": "json",
    }
    return Alarm(**{**defaults, **values})


def is_token_field(name: str) -> bool:
    return name.lower() in {"passphrase", "token", "key", "secret"}


def test_redact_alarm_deletes_token_fields_and_masks_raw():
    alarm = alarm_with(
        raw=f'{{"passphrase":"{SECRET}","ticker":"BTCUSDT","price":1.5}}',
        fields={"Passphrase": SECRET, "ticker": "BTCUSDT", "price": Decimal("1.5")},
        ticker="BTCUSDT",
    )

    redact_alarm(alarm, [SECRET], is_token_field)

    assert alarm.fields == {"ticker": "BTCUSDT", "price": Decimal("1.5")}
    assert alarm.raw == '{"passphrase":"***","ticker":"BTCUSDT","price":1.5}'
    assert SECRET not in repr(alarm)


def test_redact_alarm_masks_message_warnings_and_nested_values():
    alarm = alarm_with(
        raw=f"long BTC token={SECRET}",
        format="text",
        message=f"long BTC token={SECRET}",
        warnings=[f"could not read 'token={SECRET}'"],
        fields={"note": {"deep": [f"x{SECRET}y"], SECRET: 1}},
    )

    redact_alarm(alarm, [SECRET], is_token_field)

    assert alarm.message == "long BTC token=***"
    assert alarm.warnings == ["could not read 'token=***'"]
    assert alarm.fields == {"note": {"deep": ["x***y"], "***": 1}}
    assert SECRET not in repr(alarm)


def test_redact_alarm_masks_raw_bytes():
    body = f"token={SECRET} \x00 end".encode() + b"\xff"
    alarm = alarm_with(
        raw=body.decode("utf-8", errors="replace").replace("\x00", "\ufffd"),
        raw_bytes=body,
        format="raw",
    )

    redact_alarm(alarm, [SECRET], is_token_field)

    assert alarm.raw_bytes == b"token=*** \x00 end\xff"
    assert SECRET.encode() not in alarm.raw_bytes
    assert SECRET not in alarm.raw


def test_redact_alarm_short_values_are_not_masked_in_text():
    alarm = alarm_with(raw='{"key":"abc","action":"abc buy"}', fields={"key": "abc"})

    redact_alarm(alarm, ["abc"], is_token_field)

    assert alarm.raw == '{"key":"abc","action":"abc buy"}'
    assert alarm.fields == {}


def test_redact_alarm_without_secret_leaves_values_as_they_are():
    fields = {"ticker": "BTCUSDT", "tags": ["a", "b"]}
    alarm = alarm_with(raw='{"ticker":"BTCUSDT"}', fields=fields)

    redact_alarm(alarm, [SECRET], is_token_field)

    assert alarm.fields is fields
    assert alarm.raw == '{"ticker":"BTCUSDT"}'

"""Deciding what kind of body arrived and reading it accordingly.

The first non-blank character decides: a JSON object or array is read as
JSON (and kept raw with a warning when it is broken); anything else is
read as key=value text when it is entirely that, otherwise as free text.
"""

from __future__ import annotations

from gateway.kit import ParsedAlarm

from alarmhugger_tradingview._freetext import read_free_text
from alarmhugger_tradingview._json import BodyNotReadable
from alarmhugger_tradingview._json import looks_like_json
from alarmhugger_tradingview._json import read_json
from alarmhugger_tradingview._keyvalue import read_keyvalue
from alarmhugger_tradingview._normalise import normalise
from alarmhugger_tradingview._placeholders import collect_placeholders
from alarmhugger_tradingview._settings import Settings

PARSER_NAME = "tradingview"


def parse_body(text: str, settings: Settings) -> ParsedAlarm | None:
    """Read one decoded body; ``None`` when it is empty after stripping.

    A leading byte-order mark and surrounding whitespace are ignored.
    """
    body = text.lstrip("\ufeff")
    stripped = body.strip()
    if not stripped:
        return None

    if looks_like_json(stripped):
        return _parse_json(body, stripped, settings)
    return _parse_plain(stripped, settings)


def _parse_json(body: str, stripped: str, settings: Settings) -> ParsedAlarm:
    try:
        decoded = read_json(body, settings.max_depth)
    except BodyNotReadable as error:
        return _keep_raw(stripped, str(error))

    alarm = ParsedAlarm(
        parser=PARSER_NAME,
        format="json",
        fields=decoded.fields,
        unresolved=decoded.unresolved,
        warnings=decoded.warnings,
        non_finite_fields=decoded.non_finite,
    )
    _note_non_finite(alarm)

    if decoded.record is not None:
        normalise(alarm, decoded.record, settings.aliases)
    return alarm


def _parse_plain(stripped: str, settings: Settings) -> ParsedAlarm:
    unresolved: list[str] = []
    collect_placeholders(stripped, unresolved)

    pairs = read_keyvalue(stripped)
    if pairs is None:
        found = read_free_text(stripped)
        return ParsedAlarm(
            parser=PARSER_NAME,
            format="text",
            exchange=found.exchange,
            ticker=found.ticker,
            action=found.action,
            message=stripped,
            unresolved=unresolved,
        )

    alarm = ParsedAlarm(
        parser=PARSER_NAME,
        format="keyvalue",
        fields=pairs.fields,
        unresolved=unresolved,
        warnings=list(pairs.warnings),
        non_finite_fields=pairs.non_finite,
    )
    _note_non_finite(alarm)
    normalise(alarm, pairs.fields, settings.aliases, keys_lowered=True)

    # A bare NASDAQ:AAPL part fills in what no key named.
    if pairs.symbol is not None:
        exchange, ticker = pairs.symbol
        if alarm.ticker is None:
            alarm.ticker = ticker
        if alarm.exchange is None and alarm.ticker == ticker:
            alarm.exchange = exchange
    return alarm


def _keep_raw(stripped: str, warning: str) -> ParsedAlarm:
    unresolved: list[str] = []
    collect_placeholders(stripped, unresolved)
    return ParsedAlarm(
        parser=PARSER_NAME,
        format="raw",
        message=stripped,
        unresolved=unresolved,
        warnings=[warning],
    )


def _note_non_finite(alarm: ParsedAlarm) -> None:
    if alarm.non_finite_fields:
        names = ", ".join(alarm.non_finite_fields)
        alarm.warnings.append(f"non-finite numbers stored as null: {names}")

"""Reading alarms back: one by id, or a filtered page, newest first.

Matching rules: ``ticker``, ``exchange`` and ``action`` match exactly but
ignore case (``btcusdt`` finds ``BTCUSDT``, ``BUY`` finds ``buy``), because
people type them by hand and TradingView's own spelling varies. ``source``
is the webhook route and matches exactly, case included. ``q`` is a
case-insensitive substring of ``message`` or ``raw`` in which ``%`` and
``_`` are ordinary characters. Case folding is the database's ``lower()``:
ASCII only on SQLite, full Unicode on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy import RowMapping
from sqlalchemy import Select
from sqlalchemy import String
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy.sql.elements import ColumnElement

from gateway.kit import Alarm
from gateway.kit import AlarmPage
from gateway.kit import AlarmQuery

from alarmhugger_sql._schema import ALARM_COLUMNS
from alarmhugger_sql._schema import ALARMS
from alarmhugger_sql._sqltypes import UtcDateTime

_COLUMNS = ALARMS.c

#: The columns read back into an :class:`Alarm` (not ``last_seen_at``).
ALARM_SELECTION = tuple(_COLUMNS[name] for name in ALARM_COLUMNS)


def select_alarm(alarm_id: str) -> Select[Any]:
    """Build the statement fetching one alarm by id."""
    return select(*ALARM_SELECTION).where(_COLUMNS.id == alarm_id)


def select_page(query: AlarmQuery) -> Select[Any]:
    """Build the statement for one page of ``query``, one row past the limit.

    The extra row only tells whether another page follows.
    """
    statement = select(*ALARM_SELECTION).where(*conditions(query))
    statement = statement.order_by(_COLUMNS.received_at.desc(), _COLUMNS.id.desc())
    return statement.limit(page_size(query) + 1)


def conditions(query: AlarmQuery) -> list[ColumnElement[bool]]:
    """Translate the filters of ``query`` into SQL conditions."""
    found: list[ColumnElement[bool]] = []

    for name in ("ticker", "exchange", "action"):
        value = getattr(query, name)
        if value is not None:
            column = _COLUMNS[name]
            found.append(func.lower(column) == func.lower(literal(value, String())))

    if query.source is not None:
        found.append(_COLUMNS.source == query.source)
    if query.since is not None:
        found.append(_COLUMNS.received_at >= query.since)
    if query.until is not None:
        found.append(_COLUMNS.received_at < query.until)

    if query.q:
        found.append(
            or_(
                _COLUMNS.message.icontains(query.q, autoescape=True),
                _COLUMNS.raw.icontains(query.q, autoescape=True),
            )
        )

    if query.after is not None:
        after_time, after_id = query.after
        found.append(
            tuple_(_COLUMNS.received_at, _COLUMNS.id)
            < tuple_(literal(after_time, UtcDateTime()), literal(after_id, String()))
        )
    return found


def page_size(query: AlarmQuery) -> int:
    """The number of alarms a page holds (at least one)."""
    return max(1, query.limit)


def to_page(rows: list[Row[Any]], query: AlarmQuery) -> AlarmPage:
    """Turn the rows of :func:`select_page` into a page."""
    size = page_size(query)
    return AlarmPage(
        alarms=[to_alarm(row._mapping) for row in rows[:size]],
        has_more=len(rows) > size,
    )


def to_alarm(mapping: RowMapping) -> Alarm:
    """Turn one row of the ``alarms`` table into an :class:`Alarm`.

    Its ``deliveries`` are left empty; the caller adds them when wanted.
    """
    return Alarm(**{name: mapping[name] for name in ALARM_COLUMNS})

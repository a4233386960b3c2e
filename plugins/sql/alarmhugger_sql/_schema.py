"""The tables the SQL storage keeps, as typed declarative models.

The models describe the schema for Alembic and for readers; the write and
read paths use the Core table (:data:`ALARMS`) directly, so no ORM object
is built per alarm. Migrations in ``migrations/versions`` must produce
exactly this schema (a test compares them).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import func
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from alarmhugger_sql._sqltypes import ExactDecimal
from alarmhugger_sql._sqltypes import JsonDocument
from alarmhugger_sql._sqltypes import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Where Alembic records the revision; our own name, so a database shared
#: with another Alembic-managed application keeps both histories apart.
VERSION_TABLE = "alarmhugger_sql_version"


class Base(DeclarativeBase):
    """The declarative base of every table of this plugin."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AlarmRecord(Base):
    """One stored alarm; its columns are the fields of ``gateway.kit.Alarm``."""

    __tablename__ = "alarms"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    source: Mapped[str] = mapped_column(Text)
    client_ip: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    raw_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    parser: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(Text)
    ticker: Mapped[str | None] = mapped_column(Text)
    exchange: Mapped[str | None] = mapped_column(Text)
    interval: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    quantity: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    message: Mapped[str | None] = mapped_column(Text)
    event_time: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    fields: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    unresolved: Mapped[list[str]] = mapped_column(JsonDocument)
    warnings: Mapped[list[str]] = mapped_column(JsonDocument)
    non_finite_fields: Mapped[list[str]] = mapped_column(JsonDocument)
    duplicates: Mapped[int] = mapped_column(Integer, server_default="0")


ALARMS: Table = AlarmRecord.__table__  # type: ignore[assignment]

# Newest first, with the id breaking ties: the listing and its keyset.
Index("ix_alarms_received_at_id", ALARMS.c.received_at, ALARMS.c.id)

# Ticker, exchange and action match case-insensitively, so their indexes
# hold the lower-cased value; the route (source) matches exactly.
Index(
    "ix_alarms_ticker_received_at",
    func.lower(ALARMS.c.ticker),
    ALARMS.c.received_at,
)
Index(
    "ix_alarms_exchange_received_at",
    func.lower(ALARMS.c.exchange),
    ALARMS.c.received_at,
)
Index(
    "ix_alarms_action_received_at",
    func.lower(ALARMS.c.action),
    ALARMS.c.received_at,
)
Index("ix_alarms_source_received_at", ALARMS.c.source, ALARMS.c.received_at)

#: The column names, which are also the names of the ``Alarm`` fields.
ALARM_COLUMNS: tuple[str, ...] = tuple(ALARMS.c.keys())

"""The tables the SQL storage keeps, as typed declarative models.

The models describe the schema for Alembic and for readers; the write and
read paths use the Core tables (:data:`ALARMS`, :data:`DELIVERIES`,
:data:`DEDUP_KEYS`) directly, so no ORM object is built per alarm.
Migrations in ``migrations/versions`` must produce exactly this schema (a
test compares them).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
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

from gateway.kit import DELIVERY_STATES

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
    dedup_key: Mapped[str | None] = mapped_column(Text)
    dedup_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # When the last duplicate arrived; kept here only, not in ``Alarm``.
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class DeliveryRecord(Base):
    """One alarm on its way to one notifier, with the claim of its sender.

    ``claimed_by`` and ``claimed_until`` are the lease: a pending delivery
    whose lease has run out may be claimed again by any worker.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint(
            "state IN ({})".format(", ".join(f"'{s}'" for s in DELIVERY_STATES)),
            name="state",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    alarm_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("alarms.id", ondelete="CASCADE")
    )
    notifier: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    claimed_by: Mapped[str | None] = mapped_column(Text)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DedupKeyRecord(Base):
    """Which alarm holds a dedup key, and until when.

    One row per key, so two copies of one alert racing each other meet on
    the primary key instead of both being stored. The foreign key is
    checked at commit, because the key is written before its alarm.
    """

    __tablename__ = "dedup_keys"

    dedup_key: Mapped[str] = mapped_column(Text, primary_key=True)
    alarm_id: Mapped[str] = mapped_column(
        String(36),
        ForeignKey(
            "alarms.id",
            ondelete="CASCADE",
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    # ``NULL``: the key never expires.
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


ALARMS: Table = AlarmRecord.__table__  # type: ignore[assignment]
DELIVERIES: Table = DeliveryRecord.__table__  # type: ignore[assignment]
DEDUP_KEYS: Table = DedupKeyRecord.__table__  # type: ignore[assignment]

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

# The claim: one notifier's pending deliveries that are due.
Index(
    "ix_deliveries_notifier_state_next_attempt_at",
    DELIVERIES.c.notifier,
    DELIVERIES.c.state,
    DELIVERIES.c.next_attempt_at,
)
# Listing by state newest first (ids are UUIDv7, so they sort by time),
# the backlog, and releasing a worker's claims (all pending).
Index("ix_deliveries_state_id", DELIVERIES.c.state, DELIVERIES.c.id)
# An alarm's deliveries, one per notifier; also serves the cascade.
Index(
    "ix_deliveries_alarm_id_notifier",
    DELIVERIES.c.alarm_id,
    DELIVERIES.c.notifier,
    unique=True,
)
# Deleting an alarm finds its key without a scan.
Index("ix_dedup_keys_alarm_id", DEDUP_KEYS.c.alarm_id)

#: Columns of ``alarms`` that are not fields of ``Alarm``.
TABLE_ONLY_COLUMNS = frozenset({"last_seen_at"})

#: The column names that are also the names of ``Alarm`` fields.
ALARM_COLUMNS: tuple[str, ...] = tuple(
    name for name in ALARMS.c.keys() if name not in TABLE_ONLY_COLUMNS
)

#: The columns of ``deliveries`` that are fields of ``Delivery``.
DELIVERY_COLUMNS: tuple[str, ...] = (
    "id",
    "alarm_id",
    "notifier",
    "state",
    "attempts",
    "next_attempt_at",
    "last_error",
    "detail",
    "created_at",
    "updated_at",
)

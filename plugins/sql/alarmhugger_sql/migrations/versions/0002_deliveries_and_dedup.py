"""Deliveries, dedup keys, and the alarm columns deduplication needs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Types are spelled out here, not imported from the package, so this file
# keeps meaning what it meant when it was written.
MOMENT = sa.DateTime(timezone=True)
STATES = "state IN ('pending', 'delivered', 'dead')"


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: SQLite needs no table copy for it.
    with op.batch_alter_table("alarms") as batch:
        batch.add_column(sa.Column("dedup_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("dedup_until", MOMENT, nullable=True))
        batch.add_column(sa.Column("last_seen_at", MOMENT, nullable=True))

    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("alarm_id", sa.String(36), nullable=False),
        sa.Column("notifier", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", MOMENT, nullable=True),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("claimed_until", MOMENT, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["alarm_id"],
            ["alarms.id"],
            name="fk_deliveries_alarm_id_alarms",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(STATES, name="ck_deliveries_state"),
    )
    op.create_index(
        "ix_deliveries_notifier_state_next_attempt_at",
        "deliveries",
        ["notifier", "state", "next_attempt_at"],
    )
    op.create_index("ix_deliveries_state_id", "deliveries", ["state", "id"])
    op.create_index(
        "ix_deliveries_alarm_id_notifier",
        "deliveries",
        ["alarm_id", "notifier"],
        unique=True,
    )

    op.create_table(
        "dedup_keys",
        sa.Column("dedup_key", sa.Text(), nullable=False),
        sa.Column("alarm_id", sa.String(36), nullable=False),
        sa.Column("expires_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("dedup_key", name="pk_dedup_keys"),
        # Checked at commit: the key is written before its alarm.
        sa.ForeignKeyConstraint(
            ["alarm_id"],
            ["alarms.id"],
            name="fk_dedup_keys_alarm_id_alarms",
            ondelete="CASCADE",
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    op.create_index("ix_dedup_keys_alarm_id", "dedup_keys", ["alarm_id"])


def downgrade() -> None:
    op.drop_table("dedup_keys")
    op.drop_table("deliveries")
    # Not batch mode: on SQLite it would copy the table, and the copy loses
    # the lower(...) indexes, which SQLite cannot reflect. These columns are
    # in no index or constraint, so SQLite (3.35+) drops them in place.
    for column in ("last_seen_at", "dedup_until", "dedup_key"):
        op.drop_column("alarms", column)

"""The alarms table and the indexes its listings use.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Types are spelled out here, not imported from the package, so this file
# keeps meaning what it meant when it was written.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
EXACT_DECIMAL = sa.Numeric().with_variant(sa.Text(), "sqlite")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alarms",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("received_at", MOMENT, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("client_ip", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("raw_bytes", sa.LargeBinary(), nullable=True),
        sa.Column("parser", sa.Text(), nullable=False),
        sa.Column("format", sa.Text(), nullable=False),
        sa.Column("ticker", sa.Text(), nullable=True),
        sa.Column("exchange", sa.Text(), nullable=True),
        sa.Column("interval", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=True),
        sa.Column("price", EXACT_DECIMAL, nullable=True),
        sa.Column("quantity", EXACT_DECIMAL, nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("event_time", MOMENT, nullable=True),
        sa.Column("fields", JSON_DOCUMENT, nullable=False),
        sa.Column("unresolved", JSON_DOCUMENT, nullable=False),
        sa.Column("warnings", JSON_DOCUMENT, nullable=False),
        sa.Column("non_finite_fields", JSON_DOCUMENT, nullable=False),
        sa.Column("duplicates", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alarms"),
    )

    op.create_index("ix_alarms_received_at_id", "alarms", ["received_at", "id"])
    for column in ("ticker", "exchange", "action"):
        op.create_index(
            f"ix_alarms_{column}_received_at",
            "alarms",
            [sa.text(f"lower({column})"), "received_at"],
        )
    op.create_index("ix_alarms_source_received_at", "alarms", ["source", "received_at"])


def downgrade() -> None:
    op.drop_table("alarms")

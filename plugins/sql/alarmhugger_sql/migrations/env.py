"""Alembic's entry point for the SQL storage's migrations.

Runs only online, on the connection the plugin passes in
``config.attributes["connection"]`` (see ``alarmhugger_sql._migrate``);
that connection is already inside the transaction that holds the
migration lock, so Alembic opens no transaction of its own.
"""

from __future__ import annotations

from alembic import context

from alarmhugger_sql._schema import VERSION_TABLE
from alarmhugger_sql._schema import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "alarmhugger-sql migrations run through `gateway db upgrade` (or at "
        "start-up with auto_upgrade = true), not with the alembic command"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    # SQLite alters tables by copying them; write new migrations that way.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()

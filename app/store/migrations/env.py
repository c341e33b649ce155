"""Alembic environment: always run on a connection handed in by app.store.migrate (one transaction)."""

from __future__ import annotations

from alembic import context

from app.models import Base
from app.store.migrate import include_name

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only app.store.migrate runs migrations
    raise RuntimeError("run migrations through app.store.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    transaction_per_migration=False,
    compare_type=True,
    include_name=include_name,  # the FTS5 search index has no model
)
with context.begin_transaction():
    context.run_migrations()

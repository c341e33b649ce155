"""audit anchor in each print record

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

Each final print records where the audit chain stood when it was printed (the last record's id and
hash), so `spdesk audit verify` can show that the trail still extends every print's anchor. Plain
ADD COLUMN (nullable): prints made before this revision carry none. A batch (copy-and-rename)
would rewrite the table's stored SQL differently from a new database's, which the exact schema
check at restore and in `spdesk check` compares.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('print_records', sa.Column('audit_last_id', sa.Integer(), nullable=True))
    op.add_column('print_records', sa.Column('audit_head', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('print_records', schema=None) as batch_op:
        batch_op.drop_column('audit_head')
        batch_op.drop_column('audit_last_id')

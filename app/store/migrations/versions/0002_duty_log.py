"""duty log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Separation of duties (成都规程第十七条): who drafted, approved, compiled, re-checked, signed and
accepted each record, so a service can refuse the second half of a pair to the same person.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duty_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('duty', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_log'))
    )
    with op.batch_alter_table('duty_log', schema=None) as batch_op:
        batch_op.create_index('ix_duty_log_record', ['entity', 'entity_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('duty_log', schema=None) as batch_op:
        batch_op.drop_index('ix_duty_log_record')

    op.drop_table('duty_log')

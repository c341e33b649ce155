"""frozen documents

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

The text that goes for signature, frozen as a version (content and verification code) when an
agreement is approved for signing and when a supplementary agreement is recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('frozen_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('amendment_seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('template_version_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.Column('frozen_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_frozen_documents_agreement_id_agreements'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['template_version_id'], ['template_versions.id'], name=op.f('fk_frozen_documents_template_version_id_template_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_frozen_documents')),
    sa.UniqueConstraint('agreement_id', 'kind', 'amendment_seq', name='uq_frozen_documents_doc')
    )
    with op.batch_alter_table('frozen_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_frozen_documents_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_frozen_documents_code'), ['code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('frozen_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_frozen_documents_code'))
        batch_op.drop_index(batch_op.f('ix_frozen_documents_agreement_id'))
    op.drop_table('frozen_documents')

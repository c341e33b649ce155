"""templates printing

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Document templates with immutable versions, and print records (template version, verification code,
content hash) for contract printing and verification.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_templates'))
    )
    with op.batch_alter_table('document_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_templates_kind'), ['kind'], unique=False)

    op.create_table('template_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('clauses', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['document_templates.id'], name=op.f('fk_template_versions_template_id_document_templates'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_versions')),
    sa.UniqueConstraint('template_id', 'version', name='uq_template_versions_template_version')
    )
    op.create_table('print_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('amendment_seq', sa.Integer(), nullable=True),
    sa.Column('template_version_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('draft', sa.Boolean(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('printed_at', sa.DateTime(), nullable=False),
    sa.Column('printed_by', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_print_records_agreement_id_agreements'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['template_version_id'], ['template_versions.id'], name=op.f('fk_print_records_template_version_id_template_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_records'))
    )
    with op.batch_alter_table('print_records', schema=None) as batch_op:
        batch_op.create_index('ix_print_records_agreement', ['agreement_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_records_code'), ['code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('print_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_records_code'))
        batch_op.drop_index('ix_print_records_agreement')

    op.drop_table('print_records')
    op.drop_table('template_versions')
    with op.batch_alter_table('document_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_templates_kind'))

    op.drop_table('document_templates')

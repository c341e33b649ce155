"""projects agreements calendar

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Purchase projects, consortia, yearly service agreements with instalments and amendments, the
holiday calendar and the catalogue of purchasable services.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('catalogue_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('category', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_items')),
    sa.UniqueConstraint('name', name=op.f('uq_catalogue_items_name'))
    )
    op.create_table('consortia',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('model_label', sa.String(length=32), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consortia')),
    sa.UniqueConstraint('name', name=op.f('uq_consortia_name'))
    )
    op.create_table('holiday_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_holiday_days'))
    )
    op.create_table('consortium_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consortium_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['consortium_id'], ['consortia.id'], name=op.f('fk_consortium_members_consortium_id_consortia'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_consortium_members_org_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consortium_members')),
    sa.UniqueConstraint('consortium_id', 'org_id', name='uq_consortium_members_org')
    )
    with op.batch_alter_table('consortium_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consortium_members_consortium_id'), ['consortium_id'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('purchaser_department', sa.String(length=100), nullable=False),
    sa.Column('service_category', sa.Integer(), nullable=False),
    sa.Column('catalogue_item_id', sa.Integer(), nullable=True),
    sa.Column('domain_id', sa.Integer(), nullable=True),
    sa.Column('budget_year', sa.Integer(), nullable=False),
    sa.Column('budget_amount', sa.Integer(), nullable=False),
    sa.Column('funding_source', sa.String(length=32), nullable=False),
    sa.Column('procurement_method', sa.String(length=32), nullable=False),
    sa.Column('method_reason', sa.Text(), nullable=False),
    sa.Column('evaluation_method', sa.String(length=32), nullable=False),
    sa.Column('voucher_scheme', sa.Boolean(), nullable=False),
    sa.Column('plan_years', sa.Integer(), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('req_goals', sa.Text(), nullable=False),
    sa.Column('req_standards', sa.Text(), nullable=False),
    sa.Column('req_quantity_scope', sa.Text(), nullable=False),
    sa.Column('req_period', sa.Text(), nullable=False),
    sa.Column('req_target_group', sa.Text(), nullable=False),
    sa.Column('req_content', sa.Text(), nullable=False),
    sa.Column('req_quality', sa.Text(), nullable=False),
    sa.Column('req_team', sa.Text(), nullable=False),
    sa.Column('req_assessment_type', sa.String(length=32), nullable=False),
    sa.Column('req_assessment_standard', sa.Text(), nullable=False),
    sa.Column('req_time_place', sa.Text(), nullable=False),
    sa.Column('req_handover', sa.Text(), nullable=False),
    sa.Column('req_contingencies', sa.Text(), nullable=False),
    sa.Column('req_settlement', sa.Text(), nullable=False),
    sa.Column('req_drafted_by', sa.Integer(), nullable=True),
    sa.Column('req_reviewed_by', sa.Integer(), nullable=True),
    sa.Column('docs_compiled_by', sa.Integer(), nullable=True),
    sa.Column('docs_checked_by', sa.Integer(), nullable=True),
    sa.Column('award_org_id', sa.Integer(), nullable=True),
    sa.Column('award_consortium_id', sa.Integer(), nullable=True),
    sa.Column('award_notice_date', sa.Date(), nullable=True),
    sa.Column('award_price', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=False),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['award_consortium_id'], ['consortia.id'], name=op.f('fk_projects_award_consortium_id_consortia'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['award_org_id'], ['organizations.id'], name=op.f('fk_projects_award_org_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['catalogue_item_id'], ['catalogue_items.id'], name=op.f('fk_projects_catalogue_item_id_catalogue_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['domain_id'], ['service_domains.id'], name=op.f('fk_projects_domain_id_service_domains'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_budget_year', ['budget_year'], unique=False)
        batch_op.create_index('ix_projects_state', ['state'], unique=False)

    op.create_table('steering_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consortium_id', sa.Integer(), nullable=False),
    sa.Column('person', sa.String(length=50), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['consortium_id'], ['consortia.id'], name=op.f('fk_steering_members_consortium_id_consortia'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_steering_members_org_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_members'))
    )
    with op.batch_alter_table('steering_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steering_members_consortium_id'), ['consortium_id'], unique=False)

    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year_index', sa.Integer(), nullable=False),
    sa.Column('undertaker_id', sa.Integer(), nullable=False),
    sa.Column('purchaser_name', sa.String(length=200), nullable=False),
    sa.Column('parties_reversed', sa.Boolean(), nullable=False),
    sa.Column('service_content', sa.Text(), nullable=False),
    sa.Column('target_group', sa.Text(), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('free_of_charge', sa.Boolean(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('acceptance_standard', sa.Text(), nullable=False),
    sa.Column('rights_obligations', sa.Text(), nullable=False),
    sa.Column('breach_liability', sa.Text(), nullable=False),
    sa.Column('dispute_resolution', sa.String(length=16), nullable=False),
    sa.Column('no_subcontracting', sa.Boolean(), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('signatory_a', sa.String(length=50), nullable=False),
    sa.Column('signatory_b', sa.String(length=50), nullable=False),
    sa.Column('signed_on_a', sa.Date(), nullable=True),
    sa.Column('signed_on_b', sa.Date(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('announced_on', sa.Date(), nullable=True),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=False),
    sa.Column('amendment_count', sa.Integer(), nullable=False),
    sa.Column('final_assessment_passed', sa.Boolean(), nullable=True),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_agreements_project_id_projects'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['undertaker_id'], ['organizations.id'], name=op.f('fk_agreements_undertaker_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('number', name=op.f('uq_agreements_number'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index('ix_agreements_project_id', ['project_id'], unique=False)
        batch_op.create_index('ix_agreements_state', ['state'], unique=False)

    op.create_table('amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_amendments_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendments')),
    sa.UniqueConstraint('agreement_id', 'seq', name='uq_amendments_agreement_seq')
    )
    op.create_table('instalments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=True),
    sa.Column('condition', sa.String(length=32), nullable=False),
    sa.Column('milestone', sa.String(length=100), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_instalments_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instalments')),
    sa.UniqueConstraint('agreement_id', 'seq', name='uq_instalments_agreement_seq')
    )


def downgrade() -> None:
    op.drop_table('instalments')
    op.drop_table('amendments')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_agreements_state')
        batch_op.drop_index('ix_agreements_project_id')

    op.drop_table('agreements')
    with op.batch_alter_table('steering_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steering_members_consortium_id'))

    op.drop_table('steering_members')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_state')
        batch_op.drop_index('ix_projects_budget_year')

    op.drop_table('projects')
    with op.batch_alter_table('consortium_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consortium_members_consortium_id'))

    op.drop_table('consortium_members')
    op.drop_table('holiday_days')
    op.drop_table('consortia')
    op.drop_table('catalogue_items')
    op.drop_table('calendar_years')

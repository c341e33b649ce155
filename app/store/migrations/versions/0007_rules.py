"""rules enforced where they bind

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

Issue 15: recorded reasons for late signing, a service period starting before signing, late
announcement and filing; the award price basis (per year or whole plan); the requirement's
not-purchasable checklist, public consultation and threshold reason; procurement method thresholds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Defaults drawn from the seeds (Shanghai survey 2012, Jing'an district: under 100,000 directed,
# 100,000-500,000 negotiation, 500,000 and over open tender). Amounts in fen. Only upper limits by
# default: a more competitive method than the budget needs is always allowed.
_SOURCE = "上海市政府向社会组织购买服务调研报告（静安区，2012年，地方做法）；成都规程第四十一条"
_DEFAULTS = [
    ("direct_commission", None, 10_000_000),
    ("request_for_quotation", None, 50_000_000),
    ("competitive_negotiation", None, 50_000_000),
    ("competitive_consultation", None, 50_000_000),
    ("invited_tender", None, None),
    ("open_tender", None, None),
]


def upgrade() -> None:
    # Plain ADD COLUMN with constant defaults (no batch): SQLite keeps the table as it is, so an upgraded
    # database and a new one have the same table definition (the restore check compares them exactly).
    for name in ('excl_admin_powers', 'excl_labour_dispatch', 'excl_disguised_employment'):
        op.add_column('projects', sa.Column(name, sa.Boolean(), nullable=False, server_default='0'))
    op.add_column('projects', sa.Column('consultation_on', sa.Date(), nullable=True))
    for name in ('consultation_method', 'consultation_result', 'threshold_reason'):
        op.add_column('projects', sa.Column(name, sa.Text(), nullable=False, server_default=''))
    op.add_column('projects', sa.Column('award_price_basis', sa.String(length=16), nullable=False,
                                        server_default='whole_plan'))
    # Multi-year awards recorded before this version priced each year (renewals were signed at the award
    # price); a one-year plan is the same either way.
    op.execute("UPDATE projects SET award_price_basis = 'per_year' WHERE award_price IS NOT NULL AND plan_years > 1")
    for name in ('late_signing_reason', 'early_start_reason', 'late_announcement_reason', 'late_filing_reason'):
        op.add_column('agreements', sa.Column(name, sa.Text(), nullable=False, server_default=''))
    table = op.create_table('procurement_thresholds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=50), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('min_amount', sa.Integer(), nullable=True),
    sa.Column('max_amount', sa.Integer(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procurement_thresholds')),
    sa.UniqueConstraint('region', 'method', name='uq_procurement_thresholds_region_method')
    )
    op.bulk_insert(table, [{"region": "default", "method": m, "min_amount": lo, "max_amount": hi, "source": _SOURCE}
                           for m, lo, hi in _DEFAULTS])


def downgrade() -> None:
    op.drop_table('procurement_thresholds')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        for name in ('late_filing_reason', 'late_announcement_reason', 'early_start_reason', 'late_signing_reason'):
            batch_op.drop_column(name)
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name in ('award_price_basis', 'threshold_reason', 'consultation_result', 'consultation_method',
                     'consultation_on', 'excl_disguised_employment', 'excl_labour_dispatch', 'excl_admin_powers'):
            batch_op.drop_column(name)

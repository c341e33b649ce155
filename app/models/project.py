"""Purchase projects (购买服务项目), consortia (组团) and yearly service agreements (服务协议)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, Tracked, utcnow
from app.models.org import Organization


class Consortium(Tracked, Base):
    """组团 ("16+1+N"): a named group of organizations; not a legal entity and has no credit code."""

    __tablename__ = "consortia"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    model_label: Mapped[str] = mapped_column(String(32), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    members: Mapped[list[ConsortiumMember]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                           order_by="ConsortiumMember.id")
    steering: Mapped[list[SteeringMember]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                          order_by="SteeringMember.id")


class ConsortiumMember(Base):
    __tablename__ = "consortium_members"
    __table_args__ = (UniqueConstraint("consortium_id", "org_id", name="uq_consortium_members_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(32))  # operator | support_org | partner_enterprise | ...
    organization: Mapped[Organization] = relationship(lazy="joined")


class SteeringMember(Base):
    """项目专家指导小组 member."""

    __tablename__ = "steering_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id", ondelete="CASCADE"), index=True)
    person: Mapped[str] = mapped_column(String(50))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(32), default="gov")  # gov | elected_member | support_org | expert


class Project(Tracked, Base):
    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_state", "state"), Index("ix_projects_budget_year", "budget_year"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    purchaser_department: Mapped[str] = mapped_column(String(100), default="")
    service_category: Mapped[int] = mapped_column(Integer, default=3)
    catalogue_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_items.id", ondelete="SET NULL"))
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("service_domains.id", ondelete="SET NULL"))
    budget_year: Mapped[int] = mapped_column(Integer)
    budget_amount: Mapped[Decimal] = mapped_column(Money)
    funding_source: Mapped[str] = mapped_column(String(32), default="dept_public_funds")
    procurement_method: Mapped[str] = mapped_column(String(32), default="open_tender")
    method_reason: Mapped[str] = mapped_column(Text, default="")
    evaluation_method: Mapped[str] = mapped_column(String(32), default="comprehensive_scoring")
    voucher_scheme: Mapped[bool] = mapped_column(Boolean, default=False)
    plan_years: Mapped[int] = mapped_column(Integer, default=1)  # 1..3 (成都规程第二十三条)
    start_year: Mapped[int] = mapped_column(Integer)
    # The requirement (成都规程第十三条).
    req_goals: Mapped[str] = mapped_column(Text, default="")
    req_standards: Mapped[str] = mapped_column(Text, default="")
    req_quantity_scope: Mapped[str] = mapped_column(Text, default="")
    req_period: Mapped[str] = mapped_column(Text, default="")
    req_target_group: Mapped[str] = mapped_column(Text, default="")
    req_content: Mapped[str] = mapped_column(Text, default="")
    req_quality: Mapped[str] = mapped_column(Text, default="")
    req_team: Mapped[str] = mapped_column(Text, default="")
    req_assessment_type: Mapped[str] = mapped_column(String(32), default="periodic_assessment")
    req_assessment_standard: Mapped[str] = mapped_column(Text, default="")
    req_time_place: Mapped[str] = mapped_column(Text, default="")
    req_handover: Mapped[str] = mapped_column(Text, default="")
    req_contingencies: Mapped[str] = mapped_column(Text, default="")
    req_settlement: Mapped[str] = mapped_column(Text, default="")
    # What may not be purchased (广东 四; 102号令 第十、十八条), confirmed by the drafter.
    excl_admin_powers: Mapped[bool] = mapped_column(Boolean, default=False)
    excl_labour_dispatch: Mapped[bool] = mapped_column(Boolean, default=False)
    excl_disguised_employment: Mapped[bool] = mapped_column(Boolean, default=False)
    # Public consultation for third-category services (成都规程第十五条).
    consultation_on: Mapped[date | None] = mapped_column(Date)
    consultation_method: Mapped[str] = mapped_column(Text, default="")
    consultation_result: Mapped[str] = mapped_column(Text, default="")
    # Why the budget lies outside the procurement method's threshold range (printed in the requirement).
    threshold_reason: Mapped[str] = mapped_column(Text, default="")
    req_drafted_by: Mapped[int | None] = mapped_column(Integer)
    req_reviewed_by: Mapped[int | None] = mapped_column(Integer)
    # Purchase documents (成都规程第二十条): compiled and re-checked by different people (第十七条).
    docs_compiled_by: Mapped[int | None] = mapped_column(Integer)
    docs_checked_by: Mapped[int | None] = mapped_column(Integer)
    # The award.
    award_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    award_consortium_id: Mapped[int | None] = mapped_column(ForeignKey("consortia.id", ondelete="RESTRICT"))
    award_notice_date: Mapped[date | None] = mapped_column(Date)
    award_price: Mapped[Decimal | None] = mapped_column(Money)
    # Whether the award price is for each year of the plan or for the whole plan.
    award_price_basis: Mapped[str] = mapped_column(String(16), default="whole_plan")
    state: Mapped[str] = mapped_column(String(32), default="planned")
    state_reason: Mapped[str] = mapped_column(Text, default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)

    agreements: Mapped[list[Agreement]] = relationship(back_populates="project", lazy="selectin",
                                                       order_by="Agreement.year_index")


class Agreement(Tracked, Base):
    __tablename__ = "agreements"
    __table_args__ = (Index("ix_agreements_state", "state"), Index("ix_agreements_project_id", "project_id"),
                      Index("ix_agreements_period_start", "period_start", "id"),  # the list's order (0006)
                      Index("ix_agreements_undertaker_id", "undertaker_id"))  # search by undertaker (0010)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    year_index: Mapped[int] = mapped_column(Integer, default=1)
    undertaker_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    purchaser_name: Mapped[str] = mapped_column(String(200), default="")
    parties_reversed: Mapped[bool] = mapped_column(Boolean, default=False)  # 甲方 = undertaker (seed 000 第三篇)
    service_content: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(Text, default="")
    free_of_charge: Mapped[bool] = mapped_column(Boolean, default=False)
    amount: Mapped[Decimal] = mapped_column(Money)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    acceptance_standard: Mapped[str] = mapped_column(Text, default="")
    rights_obligations: Mapped[str] = mapped_column(Text, default="")
    breach_liability: Mapped[str] = mapped_column(Text, default="")
    dispute_resolution: Mapped[str] = mapped_column(String(16), default="negotiation")
    no_subcontracting: Mapped[bool] = mapped_column(Boolean, default=True)
    copies: Mapped[int] = mapped_column(Integer, default=2)
    signatory_a: Mapped[str] = mapped_column(String(50), default="")
    signatory_b: Mapped[str] = mapped_column(String(50), default="")
    signed_on_a: Mapped[date | None] = mapped_column(Date)
    signed_on_b: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    announced_on: Mapped[date | None] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date)
    # Recorded reasons where a deadline rule was not met (the agreement is then marked late).
    late_signing_reason: Mapped[str] = mapped_column(Text, default="")
    early_start_reason: Mapped[str] = mapped_column(Text, default="")
    late_announcement_reason: Mapped[str] = mapped_column(Text, default="")
    late_filing_reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(32), default="draft")
    state_reason: Mapped[str] = mapped_column(Text, default="")
    amendment_count: Mapped[int] = mapped_column(Integer, default=0)
    final_assessment_passed: Mapped[bool | None] = mapped_column(Boolean)  # set by the assessments feature
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)

    project: Mapped[Project] = relationship(back_populates="agreements")
    undertaker: Mapped[Organization] = relationship(lazy="joined")
    instalments: Mapped[list[Instalment]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                         order_by="Instalment.seq")
    amendments: Mapped[list[Amendment]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                       order_by="Amendment.seq")


class Instalment(Base):
    """One payment of the schedule, with the condition that makes it payable."""

    __tablename__ = "instalments"
    __table_args__ = (UniqueConstraint("agreement_id", "seq", name="uq_instalments_agreement_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)
    percent: Mapped[Decimal | None] = mapped_column(Money)  # as typed, e.g. 30.00; amount is authoritative
    condition: Mapped[str] = mapped_column(String(32))  # on_signing | milestone_passed | final_acceptance
    milestone: Mapped[str] = mapped_column(String(100), default="")
    paid_on: Mapped[date | None] = mapped_column(Date)


class Amendment(Base):
    """补充协议: a numbered change to a signed agreement, with its reason and before/after values."""

    __tablename__ = "amendments"
    __table_args__ = (UniqueConstraint("agreement_id", "seq", name="uq_amendments_agreement_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text)  # JSON: [{"field":..., "before":..., "after":...}]
    signed_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProcurementThreshold(Base):
    """The budget range a procurement method is meant for, by region (data, editable by the administrator)."""

    __tablename__ = "procurement_thresholds"
    __table_args__ = (UniqueConstraint("region", "method", name="uq_procurement_thresholds_region_method"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(50))
    method: Mapped[str] = mapped_column(String(32))
    min_amount: Mapped[Decimal | None] = mapped_column(Money)  # inclusive
    max_amount: Mapped[Decimal | None] = mapped_column(Money)  # exclusive
    source: Mapped[str] = mapped_column(Text, default="")

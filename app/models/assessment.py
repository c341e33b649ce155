"""Checklists (考核指标体系), milestones, assessments, objections, acceptance and payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, Tracked, utcnow

# Scores are exact to 0.01 like money: the same integer-hundredths column type.
Score = Money


class ChecklistTemplate(Tracked, Base):
    __tablename__ = "checklist_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # e.g. community_social, chengdu_art32
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(32), default="assessment")  # assessment | year_end
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    versions: Mapped[list[ChecklistVersion]] = relationship(back_populates="template", cascade="all, delete-orphan",
                                                            order_by="ChecklistVersion.version")


class ChecklistVersion(Base):
    """One saved state of a checklist; never changed once written (assessments name it)."""

    __tablename__ = "checklist_versions"
    __table_args__ = (UniqueConstraint("template_id", "version", name="uq_checklist_versions_template_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    indicators: Mapped[str] = mapped_column(Text)  # JSON list of indicators
    bands: Mapped[str] = mapped_column(Text)  # JSON list of grade bands
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    template: Mapped[ChecklistTemplate] = relationship(back_populates="versions", lazy="joined")


class Milestone(Tracked, Base):
    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("agreement_id", "seq", name="uq_milestones_agreement_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # routine | mid_term | final
    due_on: Mapped[date] = mapped_column(Date)
    instalment_seq: Mapped[int | None] = mapped_column(Integer)


class Assessment(Tracked, Base):
    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_agreement", "agreement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="RESTRICT"))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id", ondelete="SET NULL"))
    checklist_version_id: Mapped[int] = mapped_column(ForeignKey("checklist_versions.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(32), default="routine")
    assessed_on: Mapped[date | None] = mapped_column(Date)
    assessors: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{"name":..., "role":...}]
    findings: Mapped[str] = mapped_column(Text, default="")
    surveyed: Mapped[int | None] = mapped_column(Integer)
    satisfied: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Score, default=Decimal(0))
    grade: Mapped[str] = mapped_column(String(16), default="")
    passed: Mapped[bool | None] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16), default="draft")  # draft | submitted | approved
    filled_by: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[int | None] = mapped_column(Integer)
    approved_on: Mapped[date | None] = mapped_column(Date)
    notice_number: Mapped[str] = mapped_column(String(100), default="")
    notice_issued_on: Mapped[date | None] = mapped_column(Date)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    scores: Mapped[list[AssessmentScore]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                         order_by="AssessmentScore.id")


class AssessmentScore(Base):
    __tablename__ = "assessment_scores"
    __table_args__ = (UniqueConstraint("assessment_id", "indicator_key", name="uq_assessment_scores_assessment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    indicator_key: Mapped[str] = mapped_column(String(32))
    score: Mapped[Decimal | None] = mapped_column(Score)
    note: Mapped[str] = mapped_column(Text, default="")


class AssessmentCorrection(Base):
    """A change to a submitted assessment: by an objection's reply or a recorded correction with a reason."""

    __tablename__ = "assessment_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    objection_id: Mapped[int | None] = mapped_column(ForeignKey("objections.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text)  # JSON [{"indicator":..., "before":..., "after":...}]
    old_total: Mapped[Decimal] = mapped_column(Score)
    old_grade: Mapped[str] = mapped_column(String(16))
    new_total: Mapped[Decimal] = mapped_column(Score)
    new_grade: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Objection(Tracked, Base):
    """异议 (成都规程第二十七条): the office replies within five working days of receipt."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="RESTRICT"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    reply_due_on: Mapped[date | None] = mapped_column(Date)  # None: the calendar does not cover the year
    uncovered_year: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="received")  # received | replied
    replied_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16), default="")  # upheld | corrected
    reply: Mapped[str] = mapped_column(Text, default="")


class Acceptance(Tracked, Base):
    """验收: the team, the date, the result, and the beneficiaries who supervised it (成都规程第二十五条)."""

    __tablename__ = "acceptances"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="RESTRICT"), index=True)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    team: Mapped[str] = mapped_column(Text, default="")  # names, one per line, as typed
    place: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(String(16), default="")  # passed | failed
    score: Mapped[Decimal | None] = mapped_column(Score)
    opinion: Mapped[str] = mapped_column(Text, default="")
    purchaser_is_user: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="draft")  # draft | completed
    completed_by: Mapped[int | None] = mapped_column(Integer)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    supervisors: Mapped[list[AcceptanceSupervisor]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                                   order_by="AcceptanceSupervisor.id")


class AcceptanceSupervisor(Base):
    """A beneficiary who supervised the acceptance. Phone and ID are kept only as given and shown masked."""

    __tablename__ = "acceptance_supervisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    acceptance_id: Mapped[int] = mapped_column(ForeignKey("acceptances.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    identity: Mapped[str] = mapped_column(String(100), default="")  # e.g. 服务对象（社区老人）
    phone: Mapped[str] = mapped_column(String(32), default="")
    id_number: Mapped[str] = mapped_column(String(32), default="")


class Payment(Base):
    """资金拨付: one recorded payment of an instalment, with the record it relies on (成都规程第二十八条)."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_agreement", "agreement_id", "instalment_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="RESTRICT"))
    instalment_seq: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    reference: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(32))  # dept_budget | treasury_direct
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="RESTRICT"))
    acceptance_id: Mapped[int | None] = mapped_column(ForeignKey("acceptances.id", ondelete="RESTRICT"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)

"""The registry of social organizations (社会组织名录)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Tracked, utcnow

org_domains = Table(
    "org_domains",
    Base.metadata,
    Column("org_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("service_domains.id", ondelete="RESTRICT"), primary_key=True),
)


class ServiceDomain(Base):
    """服务领域: editable list, seeded with the ten fields of seed 000 第一篇."""

    __tablename__ = "service_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Organization(Tracked, Base):
    __tablename__ = "organizations"
    __table_args__ = (
        Index("ix_organizations_name", "name"),
        Index("ix_organizations_org_type", "org_type"),
        Index("ix_organizations_eligibility", "eligibility"),
        # The registry's other sort keys, for keyset paging (migration 0010).
        Index("ix_organizations_name_pinyin", "name_pinyin"),
        Index("ix_organizations_region", "region"),
        Index("ix_organizations_legal_representative", "legal_representative"),
        Index("ix_organizations_rating", "rating"),
        Index("ix_organizations_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_initials: Mapped[str] = mapped_column(String(200), default="")  # pinyin initials, for search
    name_pinyin: Mapped[str] = mapped_column(String(800), default="")
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    code_override_reason: Mapped[str] = mapped_column(Text, default="")
    code_override_by: Mapped[int | None] = mapped_column(Integer)
    code_override_at: Mapped[datetime | None] = mapped_column(DateTime)
    org_type: Mapped[str] = mapped_column(String(32), default="other")
    registration_authority: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    legal_representative: Mapped[str] = mapped_column(String(50), default="")
    contact_person: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    bank_name: Mapped[str] = mapped_column(String(100), default="")
    bank_account_name: Mapped[str] = mapped_column(String(100), default="")
    bank_account_no: Mapped[str] = mapped_column(String(40), default="")
    established_on: Mapped[date | None] = mapped_column(Date)
    is_support_org: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    fiscally_funded_mass_org: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[str] = mapped_column(String(4), default="")  # "" or 1A..5A
    rating_valid_until: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Computed by the services from the records below; stored so the list can filter in SQL.
    # Reasons are recomputed when shown, so they appear in the current language.
    eligibility: Mapped[str] = mapped_column(String(16), default="ineligible")
    eligibility_on: Mapped[date | None] = mapped_column(Date)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)

    domains: Mapped[list[ServiceDomain]] = relationship(secondary=org_domains, lazy="selectin", order_by=ServiceDomain.sort_order)
    inspections: Mapped[list[AnnualInspection]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", lazy="selectin", order_by="AnnualInspection.year"
    )
    violations: Mapped[list[ViolationRecord]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", lazy="selectin", order_by="ViolationRecord.occurred_on"
    )
    checks: Mapped[list[QualificationCheck]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", lazy="selectin"
    )


class AnnualInspection(Base):
    __tablename__ = "annual_inspections"
    __table_args__ = (UniqueConstraint("org_id", "year", name="uq_annual_inspections_org_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(16))  # passed | basic | failed
    organization: Mapped[Organization] = relationship(back_populates="inspections")


class ViolationRecord(Base):
    __tablename__ = "violations"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    major: Mapped[bool] = mapped_column(Boolean, default=True)
    organization: Mapped[Organization] = relationship(back_populates="violations")


class QualificationCheck(Base):
    __tablename__ = "qualification_checks"
    __table_args__ = (UniqueConstraint("org_id", "item_code", name="uq_qualification_checks_org_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    item_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="unchecked")
    evidence: Mapped[str] = mapped_column(Text, default="")
    checked_by: Mapped[int | None] = mapped_column(Integer)
    checked_by_name: Mapped[str] = mapped_column(String(64), default="")
    checked_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    organization: Mapped[Organization] = relationship(back_populates="checks")


class Attachment(Base):
    """A file kept inside the database (one backup holds everything), with its SHA-256."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_owner", "owner_type", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(32))  # "organization", later "agreement", ...
    owner_id: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    note: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[int | None] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

"""Document templates with immutable versions, and the record of each final print (for verification)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Tracked, utcnow


class DocumentTemplate(Tracked, Base):
    __tablename__ = "document_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # contract | community | supplementary | ...
    name: Mapped[str] = mapped_column(String(200))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    versions: Mapped[list[TemplateVersion]] = relationship(back_populates="template", cascade="all, delete-orphan",
                                                           order_by="TemplateVersion.version")


class TemplateVersion(Base):
    """One saved state of a template; never updated once written."""

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "version", name="uq_template_versions_template_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("document_templates.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    clauses: Mapped[str] = mapped_column(Text)  # JSON: [{"title":..., "text":..., "requirement":...}]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    template: Mapped[DocumentTemplate] = relationship(back_populates="versions", lazy="joined")


class PrintRecord(Base):
    """A final print: which document of which agreement, from which template version, and its code."""

    __tablename__ = "print_records"
    __table_args__ = (Index("ix_print_records_agreement", "agreement_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # agreement | supplementary | assessment_notice | acceptance_form
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="RESTRICT"))
    amendment_seq: Mapped[int | None] = mapped_column(Integer)
    record_id: Mapped[int | None] = mapped_column(Integer)  # the assessment or acceptance a notice/form prints
    template_version_id: Mapped[int | None] = mapped_column(ForeignKey("template_versions.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(16), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    draft: Mapped[bool] = mapped_column(Boolean, default=False)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    printed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    printed_by: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64), default="")
    # Where the audit chain stood when this was printed (audit.Anchor): the trail must still extend it.
    audit_last_id: Mapped[int | None] = mapped_column(Integer)
    audit_head: Mapped[str | None] = mapped_column(String(64))


class FrozenDocument(Base):
    """The text that went for signature, frozen: an agreement when approved for signing, a
    supplementary agreement when recorded. Never updated; signing, dates and later amendments do
    not touch it, so the signed paper reprints and verifies exactly."""

    __tablename__ = "frozen_documents"
    __table_args__ = (UniqueConstraint("agreement_id", "kind", "amendment_seq", name="uq_frozen_documents_doc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # agreement | supplementary
    amendment_seq: Mapped[int] = mapped_column(Integer, default=0)  # 0 for the agreement itself
    number: Mapped[str] = mapped_column(String(100))
    template_version_id: Mapped[int | None] = mapped_column(ForeignKey("template_versions.id", ondelete="RESTRICT"))
    content: Mapped[str] = mapped_column(Text)  # DocumentSpec.canonical(): what the paper says
    code: Mapped[str] = mapped_column(String(16), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    frozen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    frozen_by: Mapped[int | None] = mapped_column(Integer)

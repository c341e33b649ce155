"""SQLAlchemy 2 ORM tables. Importing this package registers every table on Base.metadata."""

from app.models.base import Base
from app.models.org import (
    AnnualInspection,
    Attachment,
    Organization,
    QualificationCheck,
    ServiceDomain,
    ViolationRecord,
    org_domains,
)
from app.models.system import AuditRecord, Setting, User

__all__ = [
    "AnnualInspection",
    "Attachment",
    "AuditRecord",
    "Base",
    "Organization",
    "QualificationCheck",
    "ServiceDomain",
    "Setting",
    "User",
    "ViolationRecord",
    "org_domains",
]

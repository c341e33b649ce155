"""SQLAlchemy 2 ORM tables. Importing this package registers every table on Base.metadata."""

from app.models.assessment import (
    Acceptance,
    AcceptanceSupervisor,
    Assessment,
    AssessmentCorrection,
    AssessmentScore,
    ChecklistTemplate,
    ChecklistVersion,
    Milestone,
    Objection,
    Payment,
)
from app.models.base import Base
from app.models.calendar import CalendarYear, CatalogueItem, HolidayDay
from app.models.org import (
    AnnualInspection,
    Attachment,
    Organization,
    QualificationCheck,
    ServiceDomain,
    ViolationRecord,
    org_domains,
)
from app.models.printing import DocumentTemplate, FrozenDocument, PrintRecord, TemplateVersion
from app.models.project import (
    Agreement,
    Amendment,
    Consortium,
    ConsortiumMember,
    Instalment,
    ProcurementThreshold,
    Project,
    SteeringMember,
)
from app.models.system import AuditRecord, Setting, User

__all__ = [
    "Acceptance",
    "AcceptanceSupervisor",
    "Assessment",
    "AssessmentCorrection",
    "AssessmentScore",
    "ChecklistTemplate",
    "ChecklistVersion",
    "Milestone",
    "Objection",
    "Payment",
    "Agreement",
    "Amendment",
    "CalendarYear",
    "CatalogueItem",
    "Consortium",
    "DocumentTemplate",
    "FrozenDocument",
    "PrintRecord",
    "TemplateVersion",
    "ConsortiumMember",
    "HolidayDay",
    "Instalment",
    "ProcurementThreshold",
    "Project",
    "SteeringMember",
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

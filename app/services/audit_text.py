"""The audit trail in the reader's language: field labels, state names and coded values, and record
titles (an agreement's number, an organization's name) instead of database ids. Used by the viewer
and the command line; the stored trail itself keeps the codes (it is hash-chained)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import eligibility as elig
from app.domain import lifecycle as lc
from app.domain import procurement as pc
from app.domain.uscc import ORG_TYPE_LABELS
from app.i18n import N_, _
from app.services import accounts, agreements, assessments, audit, duties, orgs, payments, projects
from app.services import settings as settings_service
from app.services.context import Actor
from app.services.permissions import ROLE_LABELS

# Fields that no record module names.
OTHER_FIELDS = {
    "value": N_("Value"),
    "names": N_("Names"),
    "status": N_("Status"),
    "evidence": N_("Evidence"),
    "valid_until": N_("Valid until"),
    "eligibility": N_("Eligibility"),
    "attachment": N_("Attachment"),
    "imported": N_("Rows imported"),
    "sheet": N_("Sheet"),
    "duty": N_("Duty"),
    "reason": N_("Reason"),
    "failed_attempts": N_("Failed attempts"),
    "locked_until": N_("Locked until"),
    "active": N_("Active"),
    "must_change_password": N_("Must change password"),
    "version": N_("Version"),
    "state": N_("State"),
    "domain_id": N_("Service domain"),
    "final_assessment_passed": N_("Final assessment passed"),
    "catalogue_item_id": N_("Catalogue item"),
    "is_sample": N_("Sample record"),
    "state_reason": N_("Reason for the state"),
    "voucher_scheme": N_("Voucher scheme"),
    "free_of_charge": N_("Free of charge"),
    "parties_reversed": N_("Parties reversed"),
    "undertaker_id": N_("Undertaker (Party B)"),
    "award_org_id": N_("Awarded organization"),
    "award_consortium_id": N_("Awarded consortium"),
    "docs_checked_by": N_("Documents re-checked by"),
    "docs_compiled_by": N_("Documents compiled by"),
    "effective_on": N_("Effective from"),
    "members": N_("Members"),
    "steering": N_("Steering group"),
    "model_label": N_("Model"),
    "notes": N_("Notes"),
    "kind": N_("Document"),
    "code": N_("Verification code"),
    "template": N_("Template"),
    "days": N_("Days"),
    "year": N_("Year"),
    "organizations": N_("Organizations"),
    "projects": N_("Projects"),
    "agreements": N_("Agreements"),
    "consortia": N_("Consortia"),
    "language": N_("Language"),
    "office_name": N_("Office name"),
    "setup_done": N_("Setup finished"),
    settings_service.IDLE_LOCK_MINUTES: N_("Lock after idle minutes"),
    agreements.NUMBER_PATTERN: N_("Agreement number pattern"),
    agreements.FILING_DAYS: N_("Filing deadline (working days)"),
    "milestone_id": N_("Assessment milestone"),
    "checklist_version_id": N_("Checklist"),
    "total": N_("Total score"),
    "grade": N_("Grade"),
    "notice_number": N_("Notice number"),
    "notice_issued_on": N_("Date issued"),
    "correction": N_("Reason for the correction"),
    "reply_due_on": N_("Reply due"),
    "assessment_id": N_("Assessment relied on"),
    "acceptance_id": N_("Acceptance relied on"),
    "purchaser_is_user": N_("The purchaser is the service's user"),
    accounts.PASSWORD_FINGERPRINT: N_("Password (fingerprint of the stored hash)"),
    **settings_service.OFFICE_DETAILS,
}
# The records of assessments, acceptance, objections and payments, and their field labels.
_RECORD_FIELDS: dict[str, list[Mapping[str, str]]] = {
    "project": [projects.FIELD_LABELS], "agreement": [agreements.FIELD_LABELS], "user": [accounts.FIELD_LABELS],
    "assessment": [assessments.LABELS], "acceptance": [assessments.LABELS], "objection": [assessments.LABELS],
    "milestone": [assessments.LABELS], "payment": [payments.LABELS],
}
_STATES: dict[str, Mapping[str, str]] = {
    "project": {k.value: v for k, v in lc.PROJECT_STATE_LABELS.items()},
    "agreement": {k.value: v for k, v in lc.AGREEMENT_STATE_LABELS.items()},
    "assessment": assessments.STATES,
    "acceptance": {"draft": N_("Draft"), "completed": N_("Completed")},
    "objection": {"received": N_("Received, awaiting reply"), "replied": N_("Replied")},
}
BOOLEAN_FIELDS = {"active", "must_change_password", "is_support_org", "fiscally_funded_mass_org", "voucher_scheme",
                  "free_of_charge", "parties_reversed", "no_subcontracting", "setup_done", "is_sample",
                  "final_assessment_passed", "purchaser_is_user", *projects.EXCLUSIONS}
REASONS = {
    "unknown": N_("unknown user name"),
    "password": N_("wrong password"),
    "locked": N_("account locked"),
    "disabled": N_("account disabled"),
}
_CODES: dict[str, Mapping[str, str]] = {
    "procurement_method": pc.PROCUREMENT_METHODS,
    "evaluation_method": pc.EVALUATION_METHODS,
    "funding_source": pc.FUNDING_SOURCES,
    "dispute_resolution": pc.DISPUTE_RESOLUTIONS,
    "req_assessment_type": pc.ASSESSMENT_TYPES,
    "award_price_basis": projects.PRICE_BASES,
    "status": {k.value: v for k, v in elig.CHECK_STATUS_LABELS.items()},
    "eligibility": {k.value: v for k, v in elig.ELIGIBILITY_LABELS.items()},
    "org_type": {k.value: v for k, v in ORG_TYPE_LABELS.items()},
    "reason": REASONS,
    "result": assessments.ACCEPTANCE_RESULTS,
    "outcome": assessments.OBJECTION_OUTCOMES,
    "channel": payments.CHANNELS,
}
# Fields whose value names another record by id: field -> the kind of record (see referenced_names).
_REFERENCES = {"undertaker_id": "organization", "award_org_id": "organization", "award_consortium_id": "consortium",
               "domain_id": "domain", "catalogue_item_id": "catalogue_item", "milestone_id": "milestone",
               "checklist_version_id": "checklist_version", "assessment_id": "assessment",
               "acceptance_id": "acceptance"}


def field_label(entity: str, field: str) -> str:
    """The label of a stored field name, for this kind of record."""
    if not field:
        return ""
    if entity == "setting" and field == "value":
        return ""
    tables = _RECORD_FIELDS.get(entity, [])
    for table in (*tables, orgs.FIELD_LABELS, OTHER_FIELDS, accounts.FIELD_LABELS, projects.FIELD_LABELS,
                  agreements.FIELD_LABELS):
        if field in table:
            return _(table[field])
    return field


def setting_label(key: str) -> str:
    """The name of a setting (the record of a "setting" entry)."""
    return _(OTHER_FIELDS[key]) if key in OTHER_FIELDS else agreements.label(key) if key in agreements.FIELD_LABELS \
        else key


def value_text(entity: str, field: str, value: str | None, names: Mapping[tuple[str, str], str] | None = None) -> str:
    """A stored value in the reader's language; text people typed is shown as typed."""
    if value is None:
        return ""
    names = names or {}
    if field in BOOLEAN_FIELDS and value in ("0", "1", "True", "False"):
        return _("Yes") if value in ("1", "True") else _("No")
    if field == "duty":
        return duties.duty_label(value)
    if field == "state":
        labels = _STATES.get(entity, _STATES["agreement"])
        return _(labels[value]) if value in labels else value
    if field == "kind" and entity == "assessment":
        return _(assessments.KINDS[value]) if value in assessments.KINDS else value
    if field == "grade":
        return assessments.grade_label(value)
    if field == "assessors" and entity == "assessment":  # JSON [{"name": …, "role": …}]
        try:
            people = json.loads(value)
            return _(", ").join("{name}（{role}）".format(
                name=p["name"], role=_(assessments.ASSESSOR_ROLES.get(p["role"], p["role"]))) for p in people)
        except (ValueError, TypeError, KeyError):
            return value
    if field in _CODES and value in _CODES[field]:
        return _(_CODES[field][value])
    if field == "service_category" and value.isdigit() and int(value) in pc.SERVICE_CATEGORIES:
        return _(pc.SERVICE_CATEGORIES[int(value)])
    if field == "roles":
        role_names = {r.value: _(label) for r, label in ROLE_LABELS.items()}
        return _(", ").join(role_names.get(v, v) for v in value.split(",") if v)
    if field == accounts.PASSWORD_FINGERPRINT:  # a SHA-256: its start is enough to compare by eye
        return value[:12] + "…" if len(value) > 12 else value
    if field == "language":
        from app.i18n import LANGUAGES

        return LANGUAGES.get(value, value)
    if field in _REFERENCES:
        return names.get((_REFERENCES[field], value), value)
    if field == "inspections":  # "2025:passed; 2024:basic"
        results = {k.value: _(v) for k, v in elig.INSPECTION_LABELS.items()}
        parts = [p.strip().split(":", 1) for p in value.split(";") if p.strip()]
        return _(", ").join(_("{year}: {result}").format(year=p[0], result=results.get(p[1], p[1]))
                            if len(p) == 2 else p[0] for p in parts)
    if field == "instalments":  # "1:9000.00:on_signing:milestone"
        out = []
        for part in (p.strip() for p in value.split(";") if p.strip()):
            bits = part.split(":", 3)
            if len(bits) >= 3:
                condition = _(pc.INSTALMENT_CONDITIONS.get(bits[2], bits[2]))
                milestone = f"（{bits[3]}）" if len(bits) > 3 and bits[3] else ""
                out.append(_("instalment {seq}: {amount} yuan, {condition}").format(
                    seq=bits[0], amount=bits[1], condition=condition + milestone))
            else:
                out.append(part)
        return _("; ").join(out)
    if field == "members":  # "org id:role; …"
        roles = {k: _(v) for k, v in pc.MEMBER_ROLES.items()}
        out = []
        for part in (p.strip() for p in value.split(";") if p.strip()):
            org_id, _sep, role = part.partition(":")
            out.append(f"{names.get(('organization', org_id), org_id)}（{roles.get(role, role)}）")
        return _(", ").join(out)
    return value


def change_text(entity: str, field: str, old: str | None, new: str | None,
                names: Mapping[tuple[str, str], str] | None = None) -> str:
    if not field:
        return ""
    return f"{value_text(entity, field, old, names) or '—'} → {value_text(entity, field, new, names) or '—'}"


def referenced_names(session: Session, rows: Sequence[object]) -> dict[tuple[str, str], str]:
    """Names of the records that values of these rows refer to by id, and titles of records whose
    entry was written without one: (kind, id) -> name."""
    from app.models import Organization, ServiceDomain
    from app.models.assessment import Acceptance, Assessment, ChecklistVersion, Milestone, Objection, Payment
    from app.models.calendar import CatalogueItem
    from app.models.project import Agreement, Consortium, Project

    wanted: dict[str, set[int]] = {k: set() for k in (
        "organization", "consortium", "agreement", "project", "domain", "catalogue_item", "milestone",
        "checklist_version", "assessment", "acceptance", "objection", "payment")}

    def add(kind: str, raw: object) -> None:
        if isinstance(raw, str) and raw.isdigit():
            wanted[kind].add(int(raw))

    for r in rows:
        field, entity = getattr(r, "field", ""), getattr(r, "entity", "")
        for value in (getattr(r, "old_value", None), getattr(r, "new_value", None)):
            if field in _REFERENCES:
                add(_REFERENCES[field], value)
            elif field == "members" and value:
                for part in value.split(";"):
                    add("organization", part.strip().partition(":")[0])
        if not getattr(r, "entity_label", "") and entity in wanted:
            add(entity, getattr(r, "entity_id", ""))
    out: dict[tuple[str, str], str] = {}
    for kind, model, column in (("organization", Organization, Organization.name),
                                ("consortium", Consortium, Consortium.name),
                                ("agreement", Agreement, Agreement.number), ("project", Project, Project.name),
                                ("domain", ServiceDomain, ServiceDomain.name),
                                ("catalogue_item", CatalogueItem, CatalogueItem.name)):
        if wanted[kind]:
            for rid, name in session.execute(select(model.id, column).where(model.id.in_(wanted[kind]))):
                out[(kind, str(rid))] = name
    if wanted["checklist_version"]:
        for rid, name, version in session.execute(select(ChecklistVersion.id, ChecklistVersion.name,
                                                         ChecklistVersion.version)
                                                  .where(ChecklistVersion.id.in_(wanted["checklist_version"]))):
            out[("checklist_version", str(rid))] = _("{name}, version {version}").format(name=name, version=version)
    if wanted["milestone"]:
        for rid, number, name in session.execute(select(Milestone.id, Agreement.number, Milestone.name)
                                                 .join(Agreement, Agreement.id == Milestone.agreement_id)
                                                 .where(Milestone.id.in_(wanted["milestone"]))):
            out[("milestone", str(rid))] = f"{number} {name}"
    # An objection is titled by its assessment, and the assessment by its agreement and milestone.
    objections: dict[int, int] = {rid: xid for rid, xid in session.execute(
        select(Objection.id, Objection.assessment_id).where(Objection.id.in_(wanted["objection"])))}
    wanted["assessment"].update(objections.values())
    if wanted["assessment"]:
        for rid, number, name, kind in session.execute(
                select(Assessment.id, Agreement.number, Milestone.name, Assessment.kind)
                .join(Agreement, Agreement.id == Assessment.agreement_id)
                .outerjoin(Milestone, Milestone.id == Assessment.milestone_id)
                .where(Assessment.id.in_(wanted["assessment"]))):
            out[("assessment", str(rid))] = f"{number} {name or _(assessments.KINDS.get(kind, kind))}"
    for rid, assessment_id in objections.items():
        out[("objection", str(rid))] = out.get(("assessment", str(assessment_id)), str(rid))
    if wanted["acceptance"]:
        for rid, number in session.execute(select(Acceptance.id, Agreement.number)
                                           .join(Agreement, Agreement.id == Acceptance.agreement_id)
                                           .where(Acceptance.id.in_(wanted["acceptance"]))):
            out[("acceptance", str(rid))] = number
    if wanted["payment"]:
        for rid, number, seq in session.execute(select(Payment.id, Agreement.number, Payment.instalment_seq)
                                                .join(Agreement, Agreement.id == Payment.agreement_id)
                                                .where(Payment.id.in_(wanted["payment"]))):
            out[("payment", str(rid))] = f"{number} #{seq}"
    return out


def describe(session: Session, rows: list[audit.AuditRow]) -> list[audit.AuditRow]:
    """The rows with what they refer to by id named (`names`) and a title for each record."""
    names = referenced_names(session, rows)
    out = []
    for r in rows:
        title = r.entity_label
        if r.entity == "setting":
            title = setting_label(r.entity_id or r.entity_label)
        elif not title:
            title = names.get((r.entity, r.entity_id), r.entity_id)
        out.append(replace(r, entity_label=title, names=names))
    return out


def first_page(session: Session, actor: Actor, query: audit.AuditQuery, limit: int) -> tuple[int, list[audit.AuditRow]]:
    total, rows = audit.first_page(session, actor, query, limit)
    return total, describe(session, rows)


def page(session: Session, actor: Actor, query: audit.AuditQuery, offset: int, limit: int) -> list[audit.AuditRow]:
    return describe(session, audit.page(session, actor, query, offset, limit))


def next_page(session: Session, actor: Actor, query: audit.AuditQuery, after: tuple[int] | None,
              limit: int) -> list[audit.AuditRow]:
    """The entries older than the page key `after` (the list's last row), described."""
    return describe(session, audit.page(session, actor, query, 0, limit, after=after))

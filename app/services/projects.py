"""Purchase projects: one budget line, one procurement, a plan of one to three years (成都规程第二十三条)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, case, func, select, type_coerce
from sqlalchemy.orm import Session

from app.domain import lifecycle as lc
from app.domain import procurement as pc
from app.domain.errors import FieldProblem, NotFound, ValidationError
from app.domain.rules import cite
from app.domain.text import clean_prose, forbidden_character, normalize_text
from app.domain.workdays import Deadline
from app.i18n import N_, _
from app.models import Organization, ServiceDomain, User
from app.models.calendar import CatalogueItem
from app.models.project import Agreement, Consortium, ConsortiumMember, Project, SteeringMember
from app.services import audit, calendar, duties, orgs, paging, thresholds
from app.services.context import Actor
from app.services.forms import Allowed, FieldState, allowed_by, field_states
from app.services.paging import PageKey
from app.services.permissions import Role, require
from app.services.validation import Labels, amount_field, check_version, date_field, int_field, money_text

FIELD_LABELS = {
    "name": N_("Project name"),
    "purchaser_department": N_("Purchaser department"),
    "service_category": N_("Service category"),
    "catalogue_item": N_("Catalogue item"),
    "domain": N_("Service domain"),
    "budget_year": N_("Budget year"),
    "budget_amount": N_("Budget amount"),
    "funding_source": N_("Funding source"),
    "procurement_method": N_("Procurement method"),
    "method_reason": N_("Reason for the procurement method"),
    "evaluation_method": N_("Evaluation method"),
    "plan_years": N_("Plan (years)"),
    "start_year": N_("First year"),
    "req_assessment_type": N_("Assessment type"),
    "award_undertaker": N_("Undertaker"),
    "award_notice_date": N_("Award notice date"),
    "award_price": N_("Award price"),
    "reason": N_("Reason"),
    "consortium": N_("Consortium"),
    "award_price_basis": N_("The award price is for"),
    "excl_admin_powers": N_("No administrative licensing, approval or enforcement"),
    "excl_labour_dispatch": N_("No labour dispatch"),
    "excl_disguised_employment": N_("No disguised employment"),
    "consultation_on": N_("Public consultation date"),
    "consultation_method": N_("How the public was consulted"),
    "consultation_result": N_("Result of the public consultation"),
    "threshold_reason": N_("Reason for a budget outside the method's range"),
    **pc.REQUIREMENT_SECTIONS,
}


LABELS = Labels(FIELD_LABELS)
label = LABELS.label
problem = LABELS.problem


@dataclass
class ProjectInput:
    name: str = ""
    purchaser_department: str = ""
    service_category: object = 3
    catalogue_item_id: int | None = None
    domain_id: int | None = None
    budget_year: object = None
    budget_amount: object = None
    funding_source: str = "dept_public_funds"
    procurement_method: str = "open_tender"
    method_reason: str = ""
    evaluation_method: str = "comprehensive_scoring"
    voucher_scheme: bool = False
    plan_years: object = 1
    start_year: object = None
    req_goals: str = ""
    req_standards: str = ""
    req_quantity_scope: str = ""
    req_period: str = ""
    req_target_group: str = ""
    req_content: str = ""
    req_quality: str = ""
    req_team: str = ""
    req_assessment_type: str = "periodic_assessment"
    req_assessment_standard: str = ""
    req_time_place: str = ""
    req_handover: str = ""
    req_contingencies: str = ""
    req_settlement: str = ""
    excl_admin_powers: bool = False
    excl_labour_dispatch: bool = False
    excl_disguised_employment: bool = False
    consultation_on: object = None
    consultation_method: str = ""
    consultation_result: str = ""
    threshold_reason: str = ""
    is_sample: bool = False


_TEXT_FIELDS = ("name", "purchaser_department", "method_reason", *pc.REQUIREMENT_SECTIONS, "consultation_method",
                "consultation_result", "threshold_reason")
# What may not be purchased (广东 四; 102号令 第十、十八条): the drafter confirms each before review.
EXCLUSIONS = ("excl_admin_powers", "excl_labour_dispatch", "excl_disguised_employment")
# The requirement's text: whoever changes any of it is one of its drafters (成都规程第十七条).
REQUIREMENT_TEXT = (*pc.REQUIREMENT_SECTIONS, *EXCLUSIONS, "consultation_on", "consultation_method",
                    "consultation_result", "threshold_reason")
_KEY_FIELDS = ("name", "purchaser_department")
# Fixed once the requirement is approved (成都规程第二十三条: the plan and the budget line are approved together).
LOCKED_AFTER_APPROVAL = ("budget_amount", "plan_years", "start_year", "procurement_method", *REQUIREMENT_TEXT)
EDITABLE_STATES = (lc.ProjectState.PLANNED, lc.ProjectState.BUDGETED, lc.ProjectState.REQUIREMENT_DRAFT)
FORM_FIELDS = ("name", "purchaser_department", "service_category", "catalogue_item", "domain", "budget_year",
               "funding_source", "method_reason", "evaluation_method", "voucher_scheme", "req_assessment_type",
               *LOCKED_AFTER_APPROVAL)


def locked_fields(state: str | None) -> dict[str, str]:
    """The fields a project in `state` can no longer change, each with the reason."""
    if state is None or state in EDITABLE_STATES:
        return {}
    return {k: _("cannot change once the requirement is approved") for k in LOCKED_AFTER_APPROVAL}


def check_save(actor: Actor) -> None:
    require(actor, Role.CLERK, Role.ADMIN)


def _int(problems: list[FieldProblem], name: str, raw: object, lo: int, hi: int) -> int | None:
    return int_field(problems, LABELS, name, raw, lo, hi)


def _amount(problems: list[FieldProblem], name: str, raw: object, required: bool = True) -> Decimal | None:
    return amount_field(problems, LABELS, name, raw, required=required)


def validate(data: ProjectInput) -> dict[str, object]:
    problems: list[FieldProblem] = []
    # The name is a search key; the reason and the requirement sections are prose, kept as typed.
    clean: dict[str, object] = {k: normalize_text(getattr(data, k)) if k in _KEY_FIELDS else clean_prose(getattr(data, k))
                                for k in _TEXT_FIELDS}
    if not clean["name"]:
        problems.append(problem("name", _("is required")))
    for k in _TEXT_FIELDS:
        if len(str(clean[k])) > (200 if k == "name" else 5000):
            problems.append(problem(k, _("is too long")))
        elif bad := forbidden_character(str(clean[k]), multiline=k != "name"):
            problems.append(problem(k, bad))
    clean["service_category"] = _int(problems, "service_category", data.service_category, 1, 3)
    clean["budget_year"] = _int(problems, "budget_year", data.budget_year, 2000, 2100)
    clean["plan_years"] = _int(problems, "plan_years", data.plan_years, 1, 3)
    start = data.start_year if data.start_year not in (None, "") else data.budget_year
    clean["start_year"] = _int(problems, "start_year", start, 2000, 2100)
    amount = _amount(problems, "budget_amount", data.budget_amount)
    if amount is not None and amount == 0:
        problems.append(problem("budget_amount", _("must be greater than zero")))
    clean["budget_amount"] = amount
    for key, allowed in (("funding_source", pc.FUNDING_SOURCES), ("procurement_method", pc.PROCUREMENT_METHODS),
                         ("evaluation_method", pc.EVALUATION_METHODS), ("req_assessment_type", pc.ASSESSMENT_TYPES)):
        value = getattr(data, key)
        if value not in allowed:
            problems.append(problem(key, _("is not one of the allowed values")))
        clean[key] = value
    if data.procurement_method in pc.METHODS_NEEDING_REASON and not clean["method_reason"]:
        problems.append(problem("method_reason", _("is required for {method}").format(
            method=_(pc.PROCUREMENT_METHODS[data.procurement_method]))))
    for k in EXCLUSIONS:
        clean[k] = bool(getattr(data, k))
    consulted = date_field(problems, LABELS, "consultation_on", data.consultation_on, earliest_year=2000)
    clean["consultation_on"] = consulted
    clean["catalogue_item_id"] = data.catalogue_item_id
    clean["domain_id"] = data.domain_id
    clean["voucher_scheme"] = bool(data.voucher_scheme)
    clean["is_sample"] = bool(data.is_sample)
    if problems:
        raise ValidationError(problems)
    return clean


def _snapshot(p: Project) -> dict[str, object]:
    keys = [f.name for f in fields(ProjectInput)] + ["state", "award_org_id", "award_consortium_id",
                                                     "award_notice_date", "award_price", "award_price_basis",
                                                     "state_reason"]
    return {k: getattr(p, k) for k in keys}


def save(session: Session, actor: Actor, data: ProjectInput, project_id: int | None = None,
         expected_version: int | None = None) -> int:
    check_save(actor)
    clean = validate(data)
    if clean["catalogue_item_id"] is not None and session.get(CatalogueItem, clean["catalogue_item_id"]) is None:
        raise ValidationError([problem("catalogue_item", _("does not exist"))])
    if clean["domain_id"] is not None and session.get(ServiceDomain, clean["domain_id"]) is None:
        raise ValidationError([problem("domain", _("does not exist"))])
    if project_id is None:
        project = Project(created_by=actor.id, state=lc.ProjectState.PLANNED.value)
        session.add(project)
        before: dict[str, object] = {}
    else:
        found = session.get(Project, project_id)
        if found is None:
            raise NotFound(_("The project no longer exists."))
        project = found
        check_version(project.version, expected_version, project.name)
        locked = locked_fields(project.state)
        changed = [k for k in locked if str(getattr(project, k)) != str(clean[k])]
        if changed:
            raise ValidationError([problem(k, locked[k]) for k in changed])
        plan_years = clean["plan_years"]
        if project.agreements and isinstance(plan_years, int) and \
                plan_years < max(a.year_index for a in project.agreements):
            raise ValidationError([problem("plan_years", _("is shorter than the agreements already made"))])
        before = _snapshot(project)
    text_changed = any(str(before.get(k, "") or "") != str(clean[k] or "") for k in REQUIREMENT_TEXT
                       if clean[k] or before.get(k))
    for k, v in clean.items():
        setattr(project, k, v)
    project.updated_by = actor.id
    session.flush()
    if text_changed:
        # Everyone who writes the requirement is one of its drafters; none of them may approve it.
        duties.perform(session, actor, "project", project.id, duties.Duty.DRAFT_REQUIREMENT, once=True)
    audit.record(session, actor, "create" if project_id is None else "update", "project", project.id, project.name,
                 audit.diff(before, _snapshot(project)))
    return project.id


# ---------------------------------------------------------------------------------------------
# Transitions


def _project(session: Session, project_id: int) -> Project:
    p = session.get(Project, project_id)
    if p is None:
        raise NotFound(_("The project no longer exists."))
    return p


project_record = _project  # for the services that print or export a project


def _require_roles(actor: Actor, t: lc.Transition) -> None:
    if not actor.roles & t.roles:
        require(actor, *(Role(r) for r in sorted(t.roles)))


PRICE_BASES = {
    "per_year": N_("each year of the plan"),
    "whole_plan": N_("the whole plan"),
}


def check_move(actor: Actor, p: Project, t: lc.Transition) -> None:
    """The guard of one move before its reason is asked for: the actor's roles and the state it starts from."""
    _require_roles(actor, t)
    lc.check_move(t, p.state, lc.PROJECT_STATE_LABELS, reason="(asked for when the move is made)")


@dataclass
class AwardInput:
    undertaker_id: int | None = None
    consortium_id: int | None = None
    notice_date: object = None
    price: object = None
    price_basis: str = ""  # per_year | whole_plan; required when the plan has more than one year


def transition(session: Session, actor: Actor, project_id: int, name: str, reason: str = "",
               award: AwardInput | None = None, today: date | None = None) -> str:
    """Move the project; every guard of its state machine (app/domain/lifecycle.py) is checked here. Returns the new state."""
    today = today or date.today()
    t = lc.project_transition(name)
    _require_roles(actor, t)
    p = _project(session, project_id)
    lc.check_move(t, p.state, lc.PROJECT_STATE_LABELS, reason)
    before = _snapshot(p)
    if name == "approve_budget":
        if not p.budget_amount or p.budget_amount <= 0:
            raise lc.TransitionRefused(_("The budget amount must be entered before the budget is approved."))
    elif name == "draft_requirement":
        missing = [label(k) for k in pc.REQUIRED_SECTIONS if not getattr(p, k).strip()]
        if missing:
            raise lc.TransitionRefused(_("The requirement is missing: {sections}.").format(sections="、".join(missing)))
        _check_requirement_rules(session, p)
        duties.perform(session, actor, "project", p.id, duties.Duty.DRAFT_REQUIREMENT, once=True)
        p.req_drafted_by = actor.id
    elif name == "approve_requirement":
        duties.perform(session, actor, "project", p.id, duties.Duty.APPROVE_REQUIREMENT)
        p.req_reviewed_by = actor.id
    elif name == "start_procurement":
        if not _documents_ready(session, p):
            raise lc.TransitionRefused(_("The purchase documents must be compiled and re-checked first."))
    elif name == "record_award":
        _apply_award(session, p, award or AwardInput(), today)
    elif name == "start_performance":
        if not any(a.state in (lc.AgreementState.EFFECTIVE, lc.AgreementState.PERFORMING) for a in p.agreements):
            raise lc.TransitionRefused(_("Performance cannot start before an agreement is signed and effective "
                                         "(no work before signing)."))
    elif name == "start_settlement":
        open_ = [a.number for a in p.agreements if a.state not in (lc.AgreementState.COMPLETED,
                                                                   lc.AgreementState.TERMINATED)]
        if open_:
            raise lc.TransitionRefused(_("These agreements are not completed yet: {numbers}.").format(
                numbers="、".join(open_)))
    p.state = t.target
    if t.needs_reason:
        p.state_reason = clean_prose(reason)
    p.updated_by = actor.id
    session.flush()
    audit.record(session, actor, "state", "project", p.id, p.name, audit.diff(before, _snapshot(p)))
    return p.state


def _check_requirement_rules(session: Session, p: Project) -> None:
    """What the requirement must show before it goes to review (issue 15: rules where they bind)."""
    unconfirmed = [label(k) for k in EXCLUSIONS if not getattr(p, k)]
    if unconfirmed:
        raise lc.TransitionRefused(_("Confirm that the purchase includes none of what may not be purchased: {items} "
                                     "({source}).").format(items="、".join(unconfirmed),
                                                           source=cite("not_purchasable")))
    if p.service_category == 3 and not (p.consultation_on and p.consultation_method.strip()
                                        and p.consultation_result.strip()):
        raise lc.TransitionRefused(_("A public service for citizens (class 3) needs the public consultation recorded: "
                                     "its date, how it was held and its result ({source}).").format(
            source=cite("public_consultation")))
    outside = thresholds.problem_with(session, p.procurement_method, p.budget_amount)
    if outside and not p.threshold_reason.strip():
        raise lc.TransitionRefused(outside)


def _apply_award(session: Session, p: Project, award: AwardInput, today: date) -> None:
    problems: list[FieldProblem] = []
    if (award.undertaker_id is None) == (award.consortium_id is None):
        problems.append(problem("award_undertaker", _("choose one organization or one consortium")))
    elif award.undertaker_id is not None and session.get(Organization, award.undertaker_id) is None:
        problems.append(problem("award_undertaker", _("does not exist")))
    elif award.undertaker_id is not None:
        # Refused here, with its reasons, as at signing: not first at the signing table.
        found = orgs.get(session, None, award.undertaker_id, today=today).eligibility
        if not found.eligible:
            problems.append(problem("award_undertaker", _("is not eligible: {reasons}").format(
                reasons="；".join(found.reasons))))
    elif award.consortium_id is not None and session.get(Consortium, award.consortium_id) is None:
        problems.append(problem("consortium", _("does not exist")))
    notice = date_field(problems, LABELS, "award_notice_date", award.notice_date, required=True, not_after=today,
                        working_range=True)
    price = _amount(problems, "award_price", award.price)
    basis = award.price_basis or ("whole_plan" if p.plan_years == 1 else "")
    if basis not in PRICE_BASES:
        problems.append(problem("award_price_basis", _("say whether the price is for each year or for the whole "
                                                       "plan")))
    if price is not None and p.budget_amount is not None and price > p.budget_amount:
        problems.append(problem("award_price", _("exceeds the budget amount")))
    if problems:
        raise ValidationError(problems)
    p.award_org_id, p.award_consortium_id = award.undertaker_id, award.consortium_id
    p.award_notice_date, p.award_price, p.award_price_basis = notice, price, basis


def _documents_ready(session: Session, p: Project) -> bool:
    """Compiled, then re-checked after the latest compilation (the duty log says by whom)."""
    compiled = duties.performed(session, "project", p.id, duties.Duty.COMPILE_DOCUMENTS)
    checked = duties.performed(session, "project", p.id, duties.Duty.RECHECK_DOCUMENTS)
    return bool(compiled and checked and checked[-1].at >= compiled[-1].at)


def check_compile(actor: Actor, p: Project) -> None:
    require(actor, Role.CLERK)
    if p.state != lc.ProjectState.REQUIREMENT_APPROVED:
        raise lc.TransitionRefused(_("Purchase documents are compiled after the requirement is approved."))


def check_recheck(session: Session, actor: Actor, p: Project) -> None:
    require(actor, Role.CLERK, Role.REVIEWER)
    if not duties.performed(session, "project", p.id, duties.Duty.COMPILE_DOCUMENTS):
        raise lc.TransitionRefused(_("The purchase documents have not been compiled yet."))


def compile_documents(session: Session, actor: Actor, project_id: int) -> None:
    """Record who compiled the purchase documents (成都规程第二十条)."""
    p = _project(session, project_id)
    check_compile(actor, p)
    duties.perform(session, actor, "project", p.id, duties.Duty.COMPILE_DOCUMENTS)
    old = p.docs_compiled_by
    p.docs_compiled_by, p.docs_checked_by = actor.id, None
    audit.record(session, actor, "update", "project", p.id, p.name, {"docs_compiled_by": (old, actor.id)})


def recheck_documents(session: Session, actor: Actor, project_id: int) -> None:
    p = _project(session, project_id)
    check_recheck(session, actor, p)
    duties.perform(session, actor, "project", p.id, duties.Duty.RECHECK_DOCUMENTS)
    p.docs_checked_by = actor.id
    audit.record(session, actor, "update", "project", p.id, p.name, {"docs_checked_by": (None, actor.id)})


# ---------------------------------------------------------------------------------------------
# Consortia


@dataclass
class MemberInput:
    org_id: int
    role: str


@dataclass
class SteeringInput:
    person: str
    org_id: int | None = None
    source: str = "gov"


@dataclass
class ConsortiumInput:
    name: str = ""
    model_label: str = ""
    notes: str = ""
    members: list[MemberInput] = field(default_factory=list)
    steering: list[SteeringInput] = field(default_factory=list)


def check_save_consortium(actor: Actor) -> None:
    require(actor, Role.CLERK, Role.ADMIN)


def save_consortium(session: Session, actor: Actor, data: ConsortiumInput, consortium_id: int | None = None) -> int:
    check_save_consortium(actor)
    problems: list[FieldProblem] = []
    name = normalize_text(data.name)
    lab = _("Consortium")
    if not name:
        problems.append(FieldProblem("name", _("Consortium name"), _("is required")))
    if not data.members:
        problems.append(FieldProblem("members", lab, _("needs at least one member organization")))
    seen: set[int] = set()
    for m in data.members:
        if m.role not in pc.MEMBER_ROLES:
            problems.append(FieldProblem("members", lab, _("unknown member role")))
        if session.get(Organization, m.org_id) is None:
            problems.append(FieldProblem("members", lab, _("a member organization does not exist")))
        if m.org_id in seen:
            problems.append(FieldProblem("members", lab, _("an organization is listed twice")))
        seen.add(m.org_id)
    for s in data.steering:
        if not normalize_text(s.person):
            problems.append(FieldProblem("steering", _("Steering group"), _("each member needs a name")))
        if s.source not in pc.STEERING_SOURCES:
            problems.append(FieldProblem("steering", _("Steering group"), _("unknown member source")))
    clash = session.scalar(select(Consortium).where(Consortium.name == name, Consortium.id != (consortium_id or 0)))
    if clash is not None:
        problems.append(FieldProblem("name", _("Consortium name"), _("is already used")))
    if problems:
        raise ValidationError(problems)
    if consortium_id is None:
        c = Consortium(created_by=actor.id)
        session.add(c)
    else:
        found = session.get(Consortium, consortium_id)
        if found is None:
            raise NotFound(_("The consortium no longer exists."))
        c = found
    before = {"name": c.name, "members": "; ".join(f"{m.org_id}:{m.role}" for m in c.members or [])}
    c.name, c.model_label, c.notes = name, normalize_text(data.model_label), clean_prose(data.notes)
    c.members = [ConsortiumMember(org_id=m.org_id, role=m.role) for m in data.members]
    c.steering = [SteeringMember(person=normalize_text(s.person), org_id=s.org_id, source=s.source) for s in data.steering]
    session.flush()
    after = {"name": c.name, "members": "; ".join(f"{m.org_id}:{m.role}" for m in c.members)}
    audit.record(session, actor, "create" if consortium_id is None else "update", "consortium", c.id, c.name,
                 audit.diff(before, after))
    return c.id


@dataclass(frozen=True)
class ConsortiumRow:
    id: int
    name: str
    model_label: str
    members: list[tuple[int, str, str]]  # (org id, org name, role)


def list_consortia(session: Session, actor: Actor | None = None) -> list[ConsortiumRow]:
    return [ConsortiumRow(c.id, c.name, c.model_label, [(m.org_id, m.organization.name, m.role) for m in c.members])
            for c in session.scalars(select(Consortium).order_by(Consortium.name))]


def undertaker_choices(session: Session, p: Project) -> set[int]:
    """Organizations an agreement of this project may be signed with: the awardee or the consortium's members."""
    if p.award_org_id is not None:
        return {p.award_org_id}
    if p.award_consortium_id is not None:
        c = session.get(Consortium, p.award_consortium_id)
        return {m.org_id for m in c.members} if c else set()
    return set()


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class ProjectRow:
    id: int
    name: str
    budget_year: int
    budget_amount: Decimal
    procurement_method: str
    plan_years: int
    state: str
    undertaker: str
    agreements: int
    is_sample: bool

    sort_value: object = field(default=None, compare=False, repr=False)  # the value the list is ordered by

    @property
    def page_key(self) -> PageKey:
        """The row's place in the list's order (the sort value, then the id): keyset paging."""
        return (self.sort_value, self.id)

    @property
    def state_label(self) -> str:
        return _(lc.PROJECT_STATE_LABELS[lc.ProjectState(self.state)])

    @property
    def method_label(self) -> str:
        return _(pc.PROCUREMENT_METHODS.get(self.procurement_method, self.procurement_method))


class ProjectSort(StrEnum):
    """What the project list can be ordered by (in SQL, so every page follows the same order)."""

    NAME = "name"
    YEAR = "budget_year"
    AMOUNT = "budget_amount"
    METHOD = "procurement_method"
    PLAN = "plan_years"
    UNDERTAKER = "undertaker"
    AGREEMENTS = "agreements"
    STATE = "state"


@dataclass(frozen=True)
class ProjectQuery:
    search: str = ""
    year: int | None = None
    state: str = ""
    sort: ProjectSort = ProjectSort.YEAR  # newest budget year first by default
    descending: bool = True

    def with_sort(self, sort: ProjectSort, descending: bool) -> ProjectQuery:
        return replace(self, sort=sort, descending=descending)


def _sort_expression(sort: ProjectSort, n_agreements: ColumnElement[Any]) -> ColumnElement[Any]:
    """The SQL value a sort key orders by: states in the order of the lifecycle, the undertaker by name."""
    if sort is ProjectSort.STATE:
        return case({state.value: i for i, state in enumerate(lc.PROJECT_STATE_LABELS)}, value=Project.state,
                    else_=len(lc.PROJECT_STATE_LABELS))
    if sort is ProjectSort.AGREEMENTS:
        return n_agreements
    if sort is ProjectSort.UNDERTAKER:
        return func.coalesce(
            select(Organization.name).where(Organization.id == Project.award_org_id).correlate(Project)
            .scalar_subquery(),
            select(Consortium.name).where(Consortium.id == Project.award_consortium_id).correlate(Project)
            .scalar_subquery(), "")
    if sort is ProjectSort.AMOUNT:
        return type_coerce(Project.budget_amount, Integer)  # the stored fen, so page keys bind as stored
    column: ColumnElement[Any] = {
        ProjectSort.NAME: Project.name, ProjectSort.YEAR: Project.budget_year,
        ProjectSort.METHOD: Project.procurement_method,
        ProjectSort.PLAN: Project.plan_years}[sort].expression
    return column


def _filtered(q: ProjectQuery) -> Select[tuple[int]]:
    s = select(Project.id)
    if q.search.strip():
        s = s.where(Project.name.like(f"%{normalize_text(q.search)}%"))
    if q.year is not None:
        s = s.where(Project.budget_year == q.year)
    if q.state:
        s = s.where(Project.state == q.state)
    return s


def _order(query: ProjectQuery, n_agreements: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    key = _sort_expression(query.sort, n_agreements)
    if query.descending:
        return [key.desc(), Project.id.desc()]
    return [key.asc(), Project.id.asc()]


def list_projects(session: Session, actor: Actor | None, query: ProjectQuery = ProjectQuery(),
                  offset: int = 0, limit: int = 500, only: Collection[int] | None = None,
                  after: PageKey | None = None) -> list[ProjectRow]:
    """Rows newest budget year first; `after`: the rows after this page key (keyset paging,
    app/services/paging.py) instead of skipping `offset` rows."""
    n_agreements = (select(func.count(Agreement.id)).where(Agreement.project_id == Project.id)
                    .correlate(Project).scalar_subquery())
    # Columns, not entities (a Project entity loads its agreements with theirs), and the filter's own
    # conditions rather than `id IN (…)`, so that the default order walks ix_projects_budget_year.
    p = Project
    key = _sort_expression(query.sort, n_agreements)
    stmt = select(p.id, p.name, p.budget_year, p.budget_amount, p.procurement_method, p.plan_years, p.state,
                  p.award_org_id, p.award_consortium_id, p.is_sample, n_agreements.label("n"),
                  key.label("sort_value"))
    where = _filtered(query).whereclause
    if where is not None:
        stmt = stmt.where(where)
    if only is not None:
        stmt = stmt.where(p.id.in_(list(only)))
    stmt = stmt.order_by(*_order(query, n_agreements)).limit(limit)
    if after is not None:
        stmt = stmt.where(paging.after([key, p.id], after, descending=query.descending))
    elif offset:
        stmt = stmt.offset(offset)
    rows = session.execute(stmt).all()
    org_names: dict[int, str] = {i: n for i, n in session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_([r.award_org_id for r in rows if r.award_org_id])))}
    cons_names: dict[int, str] = {i: n for i, n in session.execute(select(Consortium.id, Consortium.name).where(
        Consortium.id.in_([r.award_consortium_id for r in rows if r.award_consortium_id])))}
    return [ProjectRow(r.id, r.name, r.budget_year, r.budget_amount, r.procurement_method, r.plan_years, r.state,
                       org_names.get(r.award_org_id or 0) or cons_names.get(r.award_consortium_id or 0, ""), r.n,
                       r.is_sample, r.sort_value) for r in rows]


def count_projects(session: Session, actor: Actor | None, query: ProjectQuery = ProjectQuery()) -> int:
    return session.scalar(select(func.count()).select_from(_filtered(query).subquery())) or 0


@dataclass(frozen=True)
class DeadlineRow:
    label: str
    due: date | None
    done_on: date | None
    flagged_years: tuple[int, ...] = ()
    late_reason: str = ""  # recorded when the step was done after its deadline

    @property
    def late(self) -> bool:
        return self.due is not None and self.done_on is not None and self.done_on > self.due

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.done_on is None and self.due < date.today()


@dataclass(frozen=True)
class ProjectDetail:
    id: int
    version: int
    data: ProjectInput
    state: str
    state_reason: str
    award_undertaker_id: int | None
    award_consortium_id: int | None
    award_undertaker: str
    award_notice_date: date | None
    award_price: Decimal | None
    docs_compiled_by: int | None
    docs_checked_by: int | None
    agreements: list[tuple[int, str, int, str]]  # (id, number, year index, state)
    deadlines: list[DeadlineRow]
    transitions: list[lc.Transition]
    duty_log: list[duties.DutyRow]  # who drafted/approved the requirement, compiled/re-checked the documents
    award_price_basis: str = ""
    threshold_problem: str = ""  # the budget lies outside the method's range (a reason is then needed)


def get(session: Session, actor: Actor, project_id: int) -> ProjectDetail:
    p = _project(session, project_id)
    data = ProjectInput(**{f.name: getattr(p, f.name) for f in fields(ProjectInput)})
    awardee = ""
    if p.award_org_id:
        org = session.get(Organization, p.award_org_id)
        awardee = org.name if org else ""
    elif p.award_consortium_id:
        c = session.get(Consortium, p.award_consortium_id)
        awardee = c.name if c else ""
    deadlines: list[DeadlineRow] = []
    if p.award_notice_date is not None:
        first = next((a for a in p.agreements if a.year_index == 1), None)
        signed = first.effective_on if first else None
        d: Deadline = calendar.calendar_days_after(session, actor, p.award_notice_date, 30)
        deadlines.append(DeadlineRow(_("Sign the agreement (30 days after the award notice)"), d.due, signed,
                                     d.uncovered_years))
    return ProjectDetail(p.id, p.version, data, p.state, p.state_reason, p.award_org_id, p.award_consortium_id,
                         awardee, p.award_notice_date, p.award_price, p.docs_compiled_by, p.docs_checked_by,
                         [(a.id, a.number, a.year_index, a.state) for a in p.agreements], deadlines,
                         lc.available(lc.PROJECT_TRANSITIONS, p.state, actor.roles),
                         duties.performed(session, "project", p.id), p.award_price_basis,
                         thresholds.problem_with(session, p.procurement_method, p.budget_amount))


def ensure_default_catalogue(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(CatalogueItem)):
        return
    items = [("社区养老服务", 3), ("青少年服务", 3), ("社区文化服务", 3), ("社会救助服务", 3), ("法律援助与人民调解", 3),
             ("社区矫正与安置帮教", 3), ("社会工作服务", 3), ("社区环境与绿化", 3), ("就业援助服务", 3),
             ("政策研究与评估", 2), ("宣传培训服务", 2), ("会务与后勤服务", 1)]
    for i, (name, cat) in enumerate(items, start=1):
        session.add(CatalogueItem(code=f"JD{i:03d}", name=name, category=cat))
    session.flush()


@dataclass(frozen=True)
class CatalogueRow:
    id: int
    code: str
    name: str
    category: int


def list_catalogue(session: Session, actor: Actor | None = None) -> list[CatalogueRow]:
    ensure_default_catalogue(session)
    return [CatalogueRow(c.id, c.code, c.name, c.category) for c in session.scalars(
        select(CatalogueItem).where(CatalogueItem.active.is_(True)).order_by(CatalogueItem.code))]


def check_save_catalogue(actor: Actor) -> None:
    require(actor, Role.ADMIN)


def save_catalogue_item(session: Session, actor: Actor, code: str, name: str, category: int,
                        item_id: int | None = None) -> int:
    check_save_catalogue(actor)
    name_ = normalize_text(name)
    problems = []
    if not name_:
        problems.append(FieldProblem("name", _("Catalogue item"), _("is required")))
    if category not in pc.SERVICE_CATEGORIES:
        problems.append(FieldProblem("category", _("Service category"), _("is not one of the allowed values")))
    if session.scalar(select(CatalogueItem).where(CatalogueItem.name == name_, CatalogueItem.id != (item_id or 0))):
        problems.append(FieldProblem("name", _("Catalogue item"), _("is already used")))
    if problems:
        raise ValidationError(problems)
    item = session.get(CatalogueItem, item_id) if item_id else None
    if item is None:
        item = CatalogueItem()
        session.add(item)
    before = {"code": item.code, "name": item.name, "category": item.category}
    item.code, item.name, item.category = normalize_text(code), name_, category
    session.flush()
    audit.record(session, actor, "update" if item_id else "create", "catalogue_item", item.id, item.name,
                 audit.diff(before, {"code": item.code, "name": item.name, "category": item.category}))
    return item.id


# ---------------------------------------------------------------------------------------------
# Small reads for the project screens


@dataclass(frozen=True)
class ConsortiumDetail:
    id: int
    data: ConsortiumInput
    member_names: dict[int, str]  # org id -> name, for members and steering-group organizations


def get_consortium(session: Session, actor: Actor | None, consortium_id: int) -> ConsortiumDetail:
    c = session.get(Consortium, consortium_id)
    if c is None:
        raise NotFound(_("The consortium no longer exists."))
    data = ConsortiumInput(c.name, c.model_label, c.notes, [MemberInput(m.org_id, m.role) for m in c.members],
                           [SteeringInput(s.person, s.org_id, s.source) for s in c.steering])
    ids = {m.org_id for m in c.members} | {s.org_id for s in c.steering if s.org_id is not None}
    names: dict[int, str] = {i: n for i, n in session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(ids)))}
    return ConsortiumDetail(c.id, data, names)


def user_names(session: Session, actor: Actor | None, user_ids: list[int]) -> dict[int, str]:
    """Display names of the people recorded on a project (drafter, reviewer, compiler, re-checker)."""
    rows = session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(user_ids))).all()
    return {uid: display or username for uid, display, username in rows}


# ---------------------------------------------------------------------------------------------
# The form state


@dataclass(frozen=True)
class ProjectFormState:
    """What the project form shows and allows for one actor (the widget tests no role and lists no state)."""

    project_id: int | None
    detail: ProjectDetail | None
    catalogue: list[CatalogueRow]
    domains: list[orgs.DomainRow]
    consortia: list[ConsortiumRow]
    people: dict[int, str]  # user id -> name, for who compiled and re-checked the documents
    fields: Mapping[str, FieldState]
    # "save", "compile_documents", "recheck_documents", "record_award", "move:<transition>", "new_agreement"
    actions: Mapping[str, Allowed]
    documents_note: str  # what "nobody yet" reads as: "not yet" before the documents stage, else "not recorded"
    award_note: str  # why the award cannot be recorded here, or what was awarded

    def allowed(self, action: str) -> Allowed:
        return self.actions.get(action, Allowed.no(_("This action is not available here.")))


# An agreement is drawn up for an awarded project, and each later year's while it is performed.
AGREEMENT_OPEN_STATES = (lc.ProjectState.AWARDED, lc.ProjectState.IN_PERFORMANCE)


def _may_new_agreement(actor: Actor, p: Project | None) -> Allowed:
    """"New agreement" from the project form: the project must be open for agreements, the actor may draft one."""
    from app.services import agreements as ag  # agreements builds on projects: imported at use

    if p is None or p.state not in AGREEMENT_OPEN_STATES:
        return Allowed.no(_("An agreement is drawn up once the award is recorded."))
    return allowed_by(lambda: ag.check_edit(actor, None))


def project_form_state(session: Session, actor: Actor, project_id: int | None) -> ProjectFormState:
    detail = get(session, actor, project_id) if project_id else None
    p = session.get(Project, project_id) if project_id else None
    ids = [i for i in (detail.docs_compiled_by, detail.docs_checked_by) if i is not None] if detail else []
    save = allowed_by(lambda: check_save(actor))
    actions: dict[str, Allowed] = {"save": save}
    unsaved = Allowed.no(_("Save the project first; then the budget approval and the next steps can be recorded "
                           "here."))
    actions["compile_documents"] = allowed_by(lambda: check_compile(actor, p)) if p else unsaved
    actions["recheck_documents"] = allowed_by(lambda: check_recheck(session, actor, p)) if p else unsaved
    for t in lc.PROJECT_TRANSITIONS:
        actions[f"move:{t.name}"] = allowed_by(partial(check_move, actor, p, t)) if p else unsaved
    award = actions["move:record_award"]
    award_note = ""
    if detail is not None:
        if detail.award_notice_date is not None:
            award_note = _("Awarded for {price}.").format(price=money_text(detail.award_price))
        elif detail.state == lc.ProjectState.SOLICITING and not award.ok:
            award_note = _("Your role cannot record the award.")
        elif detail.state != lc.ProjectState.SOLICITING:
            award_note = _("The award is recorded once procurement is under way.")
    actions["new_agreement"] = _may_new_agreement(actor, p)
    before_docs = p is None or p.state in (*EDITABLE_STATES, lc.ProjectState.REQUIREMENT_APPROVED)
    return ProjectFormState(
        project_id, detail, list_catalogue(session, actor), orgs.list_domains(session, actor),
        list_consortia(session, actor), user_names(session, actor, ids),
        field_states(FORM_FIELDS, save, locked_fields(p.state if p else None)), actions,
        _("not yet") if before_docs else _("not recorded"), award_note)


def next_page(session: Session, actor: Actor | None, query: ProjectQuery, after: PageKey | None,
              limit: int) -> list[ProjectRow]:
    """The rows after the page key `after` (the list's last row), in the list's order."""
    return list_projects(session, actor, query, 0, limit, after=after)


def first_page(session: Session, actor: Actor | None, query: ProjectQuery, limit: int) -> tuple[int, list[ProjectRow]]:
    """Count and first page in one transaction, so the two agree."""
    return count_projects(session, actor, query), list_projects(session, actor, query, 0, limit)


def consortia_and_detail(session: Session, actor: Actor | None, consortium_id: int | None) -> tuple[
        list[ConsortiumRow], ConsortiumDetail | None]:
    """What the consortium editor shows: every consortium, and the chosen one."""
    return list_consortia(session, actor), get_consortium(session, actor, consortium_id) if consortium_id else None


def open_for_agreements(session: Session, actor: Actor | None) -> list[ProjectRow]:
    """Projects an agreement can be drawn up for: awarded, or in performance (next year, consortium members)."""
    rows: list[ProjectRow] = []
    for state in AGREEMENT_OPEN_STATES:
        rows.extend(list_projects(session, actor, ProjectQuery(state=state)))
    return rows


def rows_with_ids(session: Session, actor: Actor | None, query: ProjectQuery,
                  ids: Collection[int]) -> tuple[int, list[ProjectRow]]:
    """After a change: the count, and the list rows of these records that still match the query (in place)."""
    return count_projects(session, actor, query), list_projects(session, actor, query, 0, max(1, len(ids)), only=ids)

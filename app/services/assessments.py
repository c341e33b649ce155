"""Milestones, assessments (考核), result notices, objections (异议), acceptance (验收) and deadlines.

An assessment is filled on one checklist version; the total and the grade are computed by the
domain functions, never typed. Submitting locks it (the filler is recorded); a different person
approves the result (不相容岗位分设). From then on a score changes only by an objection's reply or a
recorded correction with a reason; both keep the old figures and are audited.

A result is *final* when it is approved and no objection to it awaits a reply. A final result of
the final milestone decides the renewal (成都规程第二十三条): passed opens "prepare next year's
agreement", failed closes the project at this year with the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import assessment as asm
from app.domain import lifecycle as lc
from app.domain.assessment import MilestoneKind, Outcome
from app.domain.dates import parse_date
from app.domain.errors import FieldProblem, NotFound, StaleRecord, ValidationError
from app.domain.text import normalize_text
from app.i18n import N_, _
from app.models.assessment import (
    Acceptance,
    AcceptanceSupervisor,
    Assessment,
    AssessmentCorrection,
    AssessmentScore,
    Milestone,
    Objection,
)
from app.models.project import Agreement, Project
from app.services import audit, calendar, checklists, duties
from app.services import settings as settings_service
from app.services.context import Actor
from app.services.forms import Allowed, allowed_by
from app.services.permissions import Role, require

KINDS = {  # 成都规程第二十六条
    "routine": N_("Routine"),
    "special": N_("Special"),
    "random_check": N_("Random check"),
    "inspection": N_("Inspection"),
    "third_party": N_("Third party"),
    "citizen_rating": N_("Citizen rating"),
    "complaint_verification": N_("Complaint verification"),
}
ASSESSOR_ROLES = {
    "purchaser_staff": N_("Purchaser staff"),
    "third_party": N_("Third-party evaluator"),
    "expert": N_("Expert"),
}
STATES = {"draft": N_("Draft"), "submitted": N_("Submitted"), "approved": N_("Approved")}
OBJECTION_OUTCOMES = {"upheld": N_("Result upheld"), "corrected": N_("Score corrected")}
ACCEPTANCE_RESULTS = {"passed": N_("Passed"), "failed": N_("Failed")}
SUPERVISORS_NEEDED = 3  # 成都规程第二十五条
OBJECTION_DAYS = 5  # 成都规程第二十七条
NOTICE_PATTERN = "{office}考核告〔{year}〕{seq:03d}号"
ACTIVE_AGREEMENT_STATES = (lc.AgreementState.EFFECTIVE, lc.AgreementState.PERFORMING,
                           lc.AgreementState.FINAL_ACCEPTANCE)

LABELS = {
    "milestone": N_("Milestone"), "checklist": N_("Checklist"), "kind": N_("Kind of assessment"),
    "assessed_on": N_("Assessment date"), "assessors": N_("Assessors"), "findings": N_("Findings"),
    "surveyed": N_("People surveyed"), "satisfied": N_("Satisfied"), "scores": N_("Scores"),
    "reason": N_("Reason"), "received_on": N_("Date received"), "content": N_("Content of the objection"),
    "replied_on": N_("Reply date"), "outcome": N_("Outcome"), "reply": N_("Reply"),
    "accepted_on": N_("Acceptance date"), "team": N_("Acceptance team"), "result": N_("Result"),
    "score": N_("Acceptance score"), "supervisors": N_("Beneficiary supervisors"), "due_on": N_("Due date"),
    "name": N_("Name"), "issued_on": N_("Date issued"), "opinion": N_("Opinion"),
}


def label(name: str) -> str:
    return _(LABELS.get(name, name))


def problem(name: str, reason: str) -> FieldProblem:
    return FieldProblem(name, label(name), reason)


def _date(problems: list[FieldProblem], name: str, raw: object, required: bool = True) -> date | None:
    try:
        value = parse_date(raw)
    except (ValueError, TypeError):
        problems.append(problem(name, _("is not a date (write it like 2023-05-01)")))
        return None
    if value is None and required:
        problems.append(problem(name, _("is required")))
    return value


def _agreement(session: Session, agreement_id: int) -> Agreement:
    a = session.get(Agreement, agreement_id)
    if a is None:
        raise NotFound(_("The agreement no longer exists."))
    return a


def _assessment(session: Session, assessment_id: int) -> Assessment:
    x = session.get(Assessment, assessment_id)
    if x is None:
        raise NotFound(_("The assessment no longer exists."))
    return x


def _all(*guards: Callable[[], None]) -> Callable[[], None]:
    """Several guards as one, for allowed_by (each raises when the action is refused)."""
    def run() -> None:
        for guard in guards:
            guard()
    return run


def grade_label(code: str, bands: tuple[asm.GradeBand, ...] = asm.DEFAULT_BANDS) -> str:
    for b in bands:
        if b.grade == code:
            return b.label
    return code


# ---------------------------------------------------------------------------------------------
# Milestones


@dataclass(frozen=True)
class MilestoneRow:
    id: int
    agreement_id: int
    seq: int
    name: str
    kind: str
    due_on: date
    instalment_seq: int | None
    assessment_id: int | None  # the latest assessment recorded on it
    grade: str
    outcome: str  # Outcome value
    editable: Allowed

    @property
    def kind_label(self) -> str:
        return _(asm.MILESTONE_KIND_LABELS[MilestoneKind(self.kind)])


def ensure_milestones(session: Session, a: Agreement, persist: bool = True) -> list[Milestone]:
    """An agreement's milestones, generated from its period and schedule when it is signed.

    Signing generates them; an agreement signed before this version gets them the first time a
    writing session reads them. `persist=False` (read-only callers) returns the plan unsaved.
    """
    existing = list(session.scalars(select(Milestone).where(Milestone.agreement_id == a.id).order_by(Milestone.seq)))
    if existing or a.state not in lc.LOCKED_AGREEMENT_STATES:
        return existing
    continuing = a.project.req_assessment_type != "delivery_acceptance"
    plan = asm.plan_milestones(a.period_start, a.period_end, [asm.PlannedInstalment(i.seq, i.condition, i.milestone)
                                                               for i in a.instalments], continuing)
    rows = [Milestone(agreement_id=a.id, seq=m.seq, name=m.name, kind=m.kind.value, due_on=m.due_on,
                      instalment_seq=m.instalment_seq) for m in plan]
    if persist:
        session.add_all(rows)
        session.flush()
    return rows


def _latest(session: Session, milestone_id: int | None) -> Assessment | None:
    if milestone_id is None:  # a milestone planned but not saved yet has no assessment
        return None
    return session.scalar(select(Assessment).where(Assessment.milestone_id == milestone_id)
                          .order_by(Assessment.id.desc()).limit(1))


def open_objection(session: Session, assessment_id: int) -> Objection | None:
    return session.scalar(select(Objection).where(Objection.assessment_id == assessment_id,
                                                  Objection.state == "received").limit(1))


def outcome_of(session: Session, x: Assessment | None) -> Outcome:
    if x is None or x.state == "draft":
        return Outcome.NONE
    if x.state != "approved" or open_objection(session, x.id) is not None:
        return Outcome.PENDING
    return Outcome.PASSED if x.passed else Outcome.FAILED


def milestones(session: Session, actor: Actor | None, agreement_id: int) -> list[MilestoneRow]:
    a = _agreement(session, agreement_id)
    out = []
    for m in ensure_milestones(session, a):
        x = _latest(session, m.id)
        out.append(MilestoneRow(m.id, a.id, m.seq, m.name, m.kind, m.due_on, m.instalment_seq,
                                x.id if x else None, x.grade if x and x.state != "draft" else "",
                                outcome_of(session, x).value,
                                Allowed(x is None, None if x is None else _("an assessment has been recorded on it"))))
    return out


def update_milestone(session: Session, actor: Actor, milestone_id: int, name: str, due_on: object) -> None:
    """Rename or move a milestone before any assessment is recorded on it."""
    require(actor, Role.CLERK, Role.REVIEWER)
    m = session.get(Milestone, milestone_id)
    if m is None:
        raise NotFound(_("The milestone no longer exists."))
    if _latest(session, m.id) is not None:
        raise lc.TransitionRefused(_("Milestone “{name}” already has an assessment and cannot be changed.")
                                   .format(name=m.name))
    a = _agreement(session, m.agreement_id)
    problems: list[FieldProblem] = []
    title = normalize_text(name)
    if not title:
        problems.append(problem("name", _("is required")))
    due = _date(problems, "due_on", due_on)
    if due is not None and not a.period_start <= due <= a.period_end:
        problems.append(problem("due_on", _("must be within the service period ({start} to {end})")
                                .format(start=a.period_start.isoformat(), end=a.period_end.isoformat())))
    if problems:
        raise ValidationError(problems)
    assert due is not None
    before = {"name": m.name, "due_on": m.due_on}
    m.name, m.due_on, m.updated_by = title, due, actor.id
    session.flush()
    audit.record(session, actor, "update", "milestone", m.id, f"{a.number} {m.name}",
                 audit.diff(before, {"name": m.name, "due_on": m.due_on}))
    audit.record(session, actor, "update", "agreement", a.id, a.number)


# ---------------------------------------------------------------------------------------------
# Assessments


@dataclass
class AssessmentInput:
    agreement_id: int = 0
    milestone_id: int | None = None
    checklist_version_id: int | None = None
    kind: str = "routine"
    assessed_on: object = None
    assessors: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    findings: str = ""
    surveyed: object = None
    satisfied: object = None
    scores: dict[str, object] = field(default_factory=dict)  # indicator key -> score as typed
    notes: dict[str, str] = field(default_factory=dict)  # indicator key -> evidence note
    is_sample: bool = False


def _count(problems: list[FieldProblem], name: str, raw: object) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        n = int(str(raw).strip())
    except ValueError:
        problems.append(problem(name, _("is not a whole number")))
        return None
    if n < 0:
        problems.append(problem(name, _("must not be negative")))
    return n


def _parse_scores(problems: list[FieldProblem], detail: checklists.ChecklistDetail,
                  raw: dict[str, object]) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    leaf_keys = {i.key for i in asm.leaves(detail.indicators)}
    for key, value in raw.items():
        if key not in leaf_keys:
            problems.append(problem("scores", _("“{key}” is not an indicator that takes a score").format(key=key)))
            continue
        ind = detail.indicator(key)
        try:
            s = asm.parse_score(value)
        except ValueError:
            problems.append(FieldProblem("scores", ind.name, _("is not a number")))
            continue
        why = asm.score_problem(ind, s)
        if why:
            problems.append(FieldProblem("scores", ind.name, why))
            continue
        out[key] = s
    return out


def save_assessment(session: Session, actor: Actor, data: AssessmentInput, assessment_id: int | None = None,
                    expected_version: int | None = None) -> int:
    """Create or edit a draft assessment."""
    require(actor, Role.CLERK, Role.REVIEWER)
    a = _agreement(session, data.agreement_id)
    if a.state not in ACTIVE_AGREEMENT_STATES:
        raise lc.TransitionRefused(_("Agreement {number} is not in performance; it cannot be assessed now.")
                                   .format(number=a.number))
    if assessment_id is not None:
        x = _assessment(session, assessment_id)
        if x.state != "draft":
            raise lc.TransitionRefused(_("The assessment is submitted and locked; correct it through an objection or "
                                         "a recorded correction with a reason."))
        if expected_version is not None and x.version != expected_version:
            raise StaleRecord(_("The assessment was changed by someone else after you opened it. "
                                "Close the form and open it again."))
    problems: list[FieldProblem] = []
    m = None
    if data.milestone_id is not None:
        m = session.get(Milestone, data.milestone_id)
        if m is None or m.agreement_id != a.id:
            problems.append(problem("milestone", _("is not a milestone of this agreement")))
    if data.checklist_version_id is None:
        problems.append(problem("checklist", _("is required")))
        raise ValidationError(problems)
    try:
        detail = checklists.get_version(session, data.checklist_version_id)
    except NotFound:
        raise ValidationError([problem("checklist", _("no longer exists"))]) from None
    if data.kind not in KINDS:
        problems.append(problem("kind", _("is not one of the allowed values")))
    when = _date(problems, "assessed_on", data.assessed_on, required=False)
    assessors = []
    for name, role in data.assessors:
        n = normalize_text(name)
        if not n:
            continue
        if role not in ASSESSOR_ROLES:
            problems.append(problem("assessors", _("“{name}”: unknown role").format(name=n)))
        assessors.append({"name": n, "role": role})
    surveyed = _count(problems, "surveyed", data.surveyed)
    satisfied = _count(problems, "satisfied", data.satisfied)
    if surveyed is not None or satisfied is not None:
        try:
            asm.satisfaction_rate(surveyed or 0, satisfied or 0)
        except ValueError:
            problems.append(problem("satisfied", _("cannot be more than the people surveyed")))
    scores = _parse_scores(problems, detail, data.scores)
    if problems:
        raise ValidationError(problems)
    total = asm.total_score(detail.indicators, scores)
    band = asm.grade_for(total, detail.bands)
    if assessment_id is None:
        x = Assessment(agreement_id=a.id, created_by=actor.id, state="draft", is_sample=bool(data.is_sample))
        session.add(x)
        before: dict[str, object] = {}
    else:
        before = _snapshot(x)
    x.milestone_id = m.id if m else None
    x.checklist_version_id = detail.version_id
    x.kind, x.assessed_on, x.assessors = data.kind, when, json.dumps(assessors, ensure_ascii=False)
    x.findings = str(data.findings)  # kept exactly as typed
    x.surveyed, x.satisfied = surveyed, satisfied
    x.total, x.grade, x.passed = total, band.grade, band.passing
    x.updated_by = actor.id
    if x.scores:
        x.scores.clear()
        session.flush()
    x.scores = [AssessmentScore(indicator_key=k, score=scores.get(k), note=str(data.notes.get(k, "")))
                for k in [i.key for i in asm.leaves(detail.indicators)] if k in scores or data.notes.get(k)]
    session.flush()
    audit.record(session, actor, "create" if assessment_id is None else "update", "assessment", x.id,
                 _label(session, x), audit.diff(before, _snapshot(x)))
    audit.record(session, actor, "update", "agreement", a.id, a.number)
    return x.id


def _label(session: Session, x: Assessment) -> str:
    a = session.get(Agreement, x.agreement_id)
    m = session.get(Milestone, x.milestone_id) if x.milestone_id else None
    return f"{a.number if a else ''} {m.name if m else _(KINDS.get(x.kind, x.kind))}"


def _snapshot(x: Assessment) -> dict[str, object]:
    snap: dict[str, object] = {k: getattr(x, k) for k in (
        "milestone_id", "checklist_version_id", "kind", "assessed_on", "assessors", "findings", "surveyed",
        "satisfied", "total", "grade", "state")}
    snap["scores"] = "; ".join(f"{s.indicator_key}:{s.score}" for s in x.scores)
    return snap


def _missing_scores(session: Session, x: Assessment) -> list[str]:
    detail = checklists.get_version(session, x.checklist_version_id)
    have = {s.indicator_key for s in x.scores if s.score is not None}
    return [i.name for i in asm.leaves(detail.indicators) if i.key not in have]


def submit_assessment(session: Session, actor: Actor, assessment_id: int) -> None:
    """Lock the assessment; the one who submits it is its filler (and may not approve it)."""
    require(actor, Role.CLERK, Role.REVIEWER)
    x = _assessment(session, assessment_id)
    if x.state != "draft":
        raise lc.TransitionRefused(_("The assessment is already submitted."))
    problems: list[FieldProblem] = []
    missing = _missing_scores(session, x)
    if missing:
        problems.append(problem("scores", _("no score yet for: {names}").format(names="、".join(missing))))
    if x.assessed_on is None:
        problems.append(problem("assessed_on", _("is required")))
    if not json.loads(x.assessors):
        problems.append(problem("assessors", _("name at least one assessor")))
    if problems:
        raise ValidationError(problems)
    duties.perform(session, actor, "assessment", x.id, duties.Duty.FILL_ASSESSMENT)
    before = _snapshot(x)
    x.state, x.filled_by, x.updated_by = "submitted", actor.id, actor.id
    session.flush()
    audit.record(session, actor, "state", "assessment", x.id, _label(session, x), audit.diff(before, _snapshot(x)))


def approve_assessment(session: Session, actor: Actor, assessment_id: int, today: date | None = None) -> None:
    """Approve the result (a different person from the filler); it becomes final unless objected to."""
    require(actor, Role.REVIEWER)
    today = today or date.today()
    x = _assessment(session, assessment_id)
    if x.state != "submitted":
        raise lc.TransitionRefused(_("Only a submitted assessment can be approved."))
    duties.perform(session, actor, "assessment", x.id, duties.Duty.APPROVE_ASSESSMENT)
    before = _snapshot(x)
    x.state, x.approved_by, x.approved_on, x.updated_by = "approved", actor.id, today, actor.id
    session.flush()
    audit.record(session, actor, "state", "assessment", x.id, _label(session, x), audit.diff(before, _snapshot(x)))
    _apply_result(session, actor, x)


def _apply_result(session: Session, actor: Actor, x: Assessment) -> None:
    """A final result of the final milestone opens the renewal or closes the project (成都规程第二十三条)."""
    m = session.get(Milestone, x.milestone_id) if x.milestone_id else None
    a = _agreement(session, x.agreement_id)
    audit.record(session, actor, "update", "agreement", a.id, a.number)
    if m is None or m.kind != MilestoneKind.FINAL or outcome_of(session, x) not in (Outcome.PASSED, Outcome.FAILED):
        return
    passed = bool(x.passed)
    p: Project = a.project
    was_failed = a.final_assessment_passed is False
    if a.final_assessment_passed != passed:
        audit.record(session, actor, "update", "agreement", a.id, a.number,
                     {"final_assessment_passed": (a.final_assessment_passed, passed)})
        a.final_assessment_passed = passed
    if not passed and p.state == lc.ProjectState.IN_PERFORMANCE:
        reason = _("Year {n}'s final assessment did not pass ({total}, {grade}); the project ends with this year "
                   "(Chengdu rules art. 23).").format(n=a.year_index, total=f"{x.total:.2f}",
                                                       grade=grade_label(x.grade))
        audit.record(session, actor, "state", "project", p.id, p.name,
                     {"state": (p.state, lc.ProjectState.SETTLEMENT.value), "state_reason": (p.state_reason, reason)})
        p.state, p.state_reason = lc.ProjectState.SETTLEMENT.value, reason
    elif passed and was_failed and p.state == lc.ProjectState.SETTLEMENT:
        # A corrected result (objection reply) reopens the project that the failed one had closed.
        audit.record(session, actor, "state", "project", p.id, p.name,
                     {"state": (p.state, lc.ProjectState.IN_PERFORMANCE.value), "state_reason": (p.state_reason, "")})
        p.state, p.state_reason = lc.ProjectState.IN_PERFORMANCE.value, ""
    session.flush()


def correct_assessment(session: Session, actor: Actor, assessment_id: int, scores: dict[str, object], reason: str,
                       objection_id: int | None = None) -> int:
    """A recorded correction of a submitted assessment: old and new figures kept, audited."""
    require(actor, Role.REVIEWER)
    x = _assessment(session, assessment_id)
    if x.state == "draft":
        raise lc.TransitionRefused(_("A draft assessment is edited directly."))
    why = normalize_text(reason)
    problems: list[FieldProblem] = []
    if not why:
        problems.append(problem("reason", _("is required")))
    detail = checklists.get_version(session, x.checklist_version_id)
    new = _parse_scores(problems, detail, scores)
    if problems:
        raise ValidationError(problems)
    current = {s.indicator_key: s for s in x.scores}
    changes = []
    for key, value in new.items():
        old = current[key].score if key in current else None
        if old != value:
            changes.append({"indicator": key, "name": detail.indicator(key).name,
                            "before": None if old is None else str(old), "after": None if value is None else str(value)})
            if key in current:
                current[key].score = value
            else:
                x.scores.append(AssessmentScore(indicator_key=key, score=value))
    if not changes:
        raise ValidationError([problem("scores", _("the correction changes no score"))])
    session.flush()
    values = {s.indicator_key: s.score for s in x.scores}
    total = asm.total_score(detail.indicators, values)
    band = asm.grade_for(total, detail.bands)
    corr = AssessmentCorrection(assessment_id=x.id, objection_id=objection_id, reason=why,
                                changes=json.dumps(changes, ensure_ascii=False), old_total=x.total, old_grade=x.grade,
                                new_total=total, new_grade=band.grade, created_by=actor.id)
    session.add(corr)
    before = _snapshot(x)
    x.total, x.grade, x.passed, x.updated_by = total, band.grade, band.passing, actor.id
    session.flush()
    audit.record(session, actor, "correct", "assessment", x.id, _label(session, x),
                 {**audit.diff(before, _snapshot(x)), "correction": (None, why)})
    _apply_result(session, actor, x)
    return corr.id


def issue_notice(session: Session, actor: Actor, assessment_id: int, issued_on: object = None,
                 today: date | None = None) -> str:
    """Give the result notice (考核结果告知书) its own document number; print it with printing.render."""
    require(actor, Role.CLERK, Role.REVIEWER)
    today = today or date.today()
    x = _assessment(session, assessment_id)
    if x.state != "approved":
        raise lc.TransitionRefused(_("The result can be issued once the assessment is approved."))
    problems: list[FieldProblem] = []
    when = _date(problems, "issued_on", issued_on, required=False) or today
    if when > today:
        problems.append(problem("issued_on", _("is in the future")))
    if problems:
        raise ValidationError(problems)
    if not x.notice_number:
        office = settings_service.get(session, settings_service.OFFICE_NAME)
        seq = 1 + (session.scalar(select(func.count()).select_from(Assessment).where(
            Assessment.notice_number != "", Assessment.notice_issued_on >= date(when.year, 1, 1),
            Assessment.notice_issued_on <= date(when.year, 12, 31))) or 0)
        while True:
            number = NOTICE_PATTERN.format(office=office, year=when.year, seq=seq)
            if session.scalar(select(Assessment.id).where(Assessment.notice_number == number)) is None:
                break
            seq += 1
        x.notice_number = number
    x.notice_issued_on = when
    session.flush()
    audit.record(session, actor, "issue", "assessment", x.id, _label(session, x),
                 {"notice_number": (None, x.notice_number), "notice_issued_on": (None, when)})
    return x.notice_number


# ---------------------------------------------------------------------------------------------
# Reading assessments, and the checklist form's state


@dataclass(frozen=True)
class ScoreLine:
    indicator: asm.Indicator
    score: Decimal | None
    note: str
    is_leaf: bool


@dataclass(frozen=True)
class CorrectionRow:
    at: object
    reason: str
    old_total: Decimal
    old_grade: str
    new_total: Decimal
    new_grade: str
    changes: list[dict[str, str | None]]
    by_objection: bool


@dataclass(frozen=True)
class ObjectionRow:
    id: int
    assessment_id: int
    agreement_id: int
    agreement: str
    received_on: date
    content: str
    reply_due_on: date | None
    uncovered_year: int | None
    state: str
    replied_on: date | None
    outcome: str
    reply: str


@dataclass(frozen=True)
class AssessmentFormState:
    """Everything the checklist form shows; the widget adds nothing of its own."""

    assessment_id: int | None
    version: int | None
    agreement_id: int
    agreement_number: str
    milestone_id: int | None
    milestone_name: str
    checklist: checklists.ChecklistDetail
    checklists: list[checklists.ChecklistRow]
    milestones: list[MilestoneRow]
    kind: str
    assessed_on: date | None
    assessors: list[tuple[str, str]]
    findings: str
    surveyed: int | None
    satisfied: int | None
    lines: list[ScoreLine]
    total: Decimal
    grade: str
    grade_label: str
    passed: bool
    state: str
    notice_number: str
    editable: bool
    locked_reason: str
    actions: dict[str, Allowed]
    corrections: list[CorrectionRow]
    objections: list[ObjectionRow]

    @property
    def scores(self) -> dict[str, Decimal | None]:
        return {ln.indicator.key: ln.score for ln in self.lines if ln.is_leaf}


def assessment_form_state(session: Session, actor: Actor, assessment_id: int | None, agreement_id: int | None = None,
                          milestone_id: int | None = None, checklist_version_id: int | None = None) -> AssessmentFormState:
    if assessment_id is not None:
        x: Assessment | None = _assessment(session, assessment_id)
        assert x is not None
        agreement_id, milestone_id, checklist_version_id = x.agreement_id, x.milestone_id, x.checklist_version_id
    else:
        x = None
    if agreement_id is None:
        raise NotFound(_("The agreement no longer exists."))
    a = _agreement(session, agreement_id)
    rows = checklists.list_checklists(session, actor)
    m = session.get(Milestone, milestone_id) if milestone_id else None
    if checklist_version_id is None:
        checklist_version_id = next((r.version_id for r in rows if r.code == "community_social"), rows[0].version_id)
    detail = checklists.get_version(session, checklist_version_id)
    saved = {s.indicator_key: s for s in x.scores} if x else {}
    leaf_keys = {i.key for i in asm.leaves(detail.indicators)}
    lines = [ScoreLine(i, saved[i.key].score if i.key in saved else None, saved[i.key].note if i.key in saved else "",
                       i.key in leaf_keys) for i in detail.indicators]
    total = asm.total_score(detail.indicators, {k: s.score for k, s in saved.items()})
    band = asm.grade_for(total, detail.bands)
    state = x.state if x else "draft"
    editable = state == "draft" and a.state in ACTIVE_AGREEMENT_STATES and bool(
        actor.roles & {Role.CLERK.value, Role.REVIEWER.value})
    if state != "draft":
        locked = _("Submitted assessments are locked; corrections go through an objection or a recorded correction.")
    elif not editable:
        locked = _("You cannot change this assessment.")
    else:
        locked = ""
    actions: dict[str, Allowed] = {}
    actions["save"] = Allowed(editable, None if editable else locked)
    if x is None:
        actions["submit"] = Allowed.no(_("Save the assessment first."))
        actions["approve"] = Allowed.no(_("Only a submitted assessment can be approved."))
    else:
        xid = x.id
        actions["submit"] = (allowed_by(_all(lambda: require(actor, Role.CLERK, Role.REVIEWER),
                                             lambda: duties.check(session, actor, "assessment", xid,
                                                                  duties.Duty.FILL_ASSESSMENT)))
                             if state == "draft" else Allowed.no(_("The assessment is already submitted.")))
        actions["approve"] = (allowed_by(_all(lambda: require(actor, Role.REVIEWER),
                                              lambda: duties.check(session, actor, "assessment", xid,
                                                                   duties.Duty.APPROVE_ASSESSMENT)))
                              if state == "submitted" else Allowed.no(_("Only a submitted assessment can be approved.")))
    actions["correct"] = (allowed_by(lambda: require(actor, Role.REVIEWER)) if state != "draft"
                          else Allowed.no(_("A draft assessment is edited directly.")))
    actions["issue"] = (allowed_by(lambda: require(actor, Role.CLERK, Role.REVIEWER)) if state == "approved"
                        else Allowed.no(_("The result can be issued once the assessment is approved.")))
    actions["objection"] = (allowed_by(lambda: require(actor, Role.CLERK, Role.REVIEWER)) if state == "approved"
                            else Allowed.no(_("An objection can be recorded against an approved result.")))
    corrections = [CorrectionRow(c.created_at, c.reason, c.old_total, c.old_grade, c.new_total, c.new_grade,
                                 json.loads(c.changes), c.objection_id is not None)
                   for c in session.scalars(select(AssessmentCorrection).where(
                       AssessmentCorrection.assessment_id == x.id).order_by(AssessmentCorrection.id))] if x else []
    return AssessmentFormState(
        x.id if x else None, x.version if x else None, a.id, a.number, m.id if m else None, m.name if m else "",
        detail, rows, milestones(session, actor, a.id), x.kind if x else "routine",
        x.assessed_on if x else None,
        [(d["name"], d["role"]) for d in json.loads(x.assessors)] if x else [],
        x.findings if x else "", x.surveyed if x else None, x.satisfied if x else None, lines,
        x.total if x else total, x.grade if x else band.grade,
        grade_label(x.grade if x else band.grade, detail.bands), bool(x.passed) if x else band.passing, state,
        x.notice_number if x else "", editable, locked, actions, corrections,
        list_objections(session, actor, assessment_id=x.id) if x else [])


@dataclass(frozen=True)
class AssessmentRow:
    id: int
    agreement_id: int
    agreement: str
    project: str
    undertaker: str
    milestone: str
    milestone_kind: str
    kind: str
    assessed_on: date | None
    total: Decimal
    grade: str
    grade_label: str
    passed: bool | None
    state: str
    final: bool
    notice_number: str

    @property
    def kind_label(self) -> str:
        return _(KINDS.get(self.kind, self.kind))

    @property
    def state_label(self) -> str:
        return _(STATES.get(self.state, self.state))


def list_assessments(session: Session, actor: Actor | None, agreement_id: int | None = None) -> list[AssessmentRow]:
    s = (select(Assessment, Agreement).join(Agreement, Agreement.id == Assessment.agreement_id)
         .order_by(Agreement.number, Assessment.id))
    if agreement_id is not None:
        s = s.where(Assessment.agreement_id == agreement_id)
    out = []
    for x, a in session.execute(s).all():
        m = session.get(Milestone, x.milestone_id) if x.milestone_id else None
        bands = checklists.get_version(session, x.checklist_version_id).bands
        out.append(AssessmentRow(x.id, a.id, a.number, a.project.name, a.undertaker.name, m.name if m else "",
                                 m.kind if m else "", x.kind, x.assessed_on, x.total, x.grade,
                                 grade_label(x.grade, bands), x.passed, x.state,
                                 outcome_of(session, x) in (Outcome.PASSED, Outcome.FAILED), x.notice_number))
    return out


# ---------------------------------------------------------------------------------------------
# Objections (成都规程第二十七条)


def _objection_row(session: Session, o: Objection) -> ObjectionRow:
    x = _assessment(session, o.assessment_id)
    a = _agreement(session, x.agreement_id)
    return ObjectionRow(o.id, x.id, a.id, a.number, o.received_on, o.content, o.reply_due_on, o.uncovered_year,
                        o.state, o.replied_on, o.outcome, o.reply)


def list_objections(session: Session, actor: Actor | None, assessment_id: int | None = None,
                    open_only: bool = False) -> list[ObjectionRow]:
    s = select(Objection).order_by(Objection.received_on, Objection.id)
    if assessment_id is not None:
        s = s.where(Objection.assessment_id == assessment_id)
    if open_only:
        s = s.where(Objection.state == "received")
    return [_objection_row(session, o) for o in session.scalars(s)]


def receive_objection(session: Session, actor: Actor, assessment_id: int, received_on: object, content: str,
                      today: date | None = None) -> int:
    """Record the undertaker's written objection; the reply is due five working days after receipt."""
    require(actor, Role.CLERK, Role.REVIEWER)
    today = today or date.today()
    x = _assessment(session, assessment_id)
    if x.state != "approved":
        raise lc.TransitionRefused(_("An objection can be recorded against an approved result."))
    if open_objection(session, x.id) is not None:
        raise lc.TransitionRefused(_("An objection to this result is already awaiting its reply."))
    problems: list[FieldProblem] = []
    when = _date(problems, "received_on", received_on)
    if when is not None and when > today:
        problems.append(problem("received_on", _("is in the future")))
    if when is not None and x.approved_on is not None and when < x.approved_on:
        problems.append(problem("received_on", _("is before the result was approved")))
    if not str(content).strip():
        problems.append(problem("content", _("is required")))
    if problems:
        raise ValidationError(problems)
    assert when is not None
    due = calendar.working_days_after(session, actor, when, OBJECTION_DAYS)
    o = Objection(assessment_id=x.id, received_on=when, content=str(content), reply_due_on=due.due,
                  uncovered_year=due.uncovered_years[0] if due.uncovered_years else None, state="received",
                  created_by=actor.id)
    session.add(o)
    session.flush()
    audit.record(session, actor, "create", "objection", o.id, _label(session, x),
                 {"received_on": (None, when), "reply_due_on": (None, due.due), "content": (None, o.content)})
    audit.record(session, actor, "update", "assessment", x.id, _label(session, x))
    audit.record(session, actor, "update", "agreement", x.agreement_id, "")
    return o.id


def reply_objection(session: Session, actor: Actor, objection_id: int, replied_on: object, outcome: str, reply: str,
                    corrected_scores: dict[str, object] | None = None, today: date | None = None) -> None:
    """Uphold the result or correct the score (which recomputes the grade and keeps the old one)."""
    require(actor, Role.REVIEWER)
    today = today or date.today()
    o = session.get(Objection, objection_id)
    if o is None:
        raise NotFound(_("The objection no longer exists."))
    if o.state != "received":
        raise lc.TransitionRefused(_("The objection has already been answered."))
    problems: list[FieldProblem] = []
    when = _date(problems, "replied_on", replied_on)
    if when is not None and (when < o.received_on or when > today):
        problems.append(problem("replied_on", _("must be between the date received and today")))
    if outcome not in OBJECTION_OUTCOMES:
        problems.append(problem("outcome", _("is not one of the allowed values")))
    if not normalize_text(reply):
        problems.append(problem("reply", _("is required")))
    if outcome == "corrected" and not corrected_scores:
        problems.append(problem("scores", _("give the corrected scores")))
    if problems:
        raise ValidationError(problems)
    before = {"state": o.state, "outcome": o.outcome, "replied_on": o.replied_on}
    o.state, o.outcome, o.replied_on, o.reply, o.updated_by = "replied", outcome, when, str(reply), actor.id
    session.flush()
    if outcome == "corrected":
        assert corrected_scores is not None
        correct_assessment(session, actor, o.assessment_id, corrected_scores,
                           _("Objection received {date}: {reply}").format(date=o.received_on.isoformat(),
                                                                          reply=normalize_text(reply)),
                           objection_id=o.id)
    else:
        _apply_result(session, actor, _assessment(session, o.assessment_id))
    audit.record(session, actor, "reply", "objection", o.id, "",
                 audit.diff(before, {"state": o.state, "outcome": o.outcome, "replied_on": o.replied_on}))
    audit.record(session, actor, "update", "assessment", o.assessment_id, "")


# ---------------------------------------------------------------------------------------------
# Acceptance (验收, 成都规程第二十五条)


@dataclass
class SupervisorInput:
    name: str = ""
    identity: str = ""
    phone: str = ""
    id_number: str = ""


@dataclass
class AcceptanceInput:
    agreement_id: int = 0
    accepted_on: object = None
    team: str = ""
    place: str = ""
    result: str = ""
    score: object = None
    opinion: str = ""
    purchaser_is_user: bool = False
    supervisors: list[SupervisorInput] = field(default_factory=list)
    is_sample: bool = False


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) >= 11 else 0
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]


def mask_id(number: str) -> str:
    n = number.strip()
    if len(n) <= 4:
        return "*" * len(n)
    return n[:1] + "*" * (len(n) - 5) + n[-4:] if len(n) < 15 else n[:6] + "*" * (len(n) - 10) + n[-4:]


@dataclass(frozen=True)
class SupervisorRow:
    id: int
    name: str
    identity: str
    phone: str  # masked unless revealed
    id_number: str  # masked unless revealed


@dataclass(frozen=True)
class AcceptanceState:
    id: int | None
    version: int | None
    agreement_id: int
    agreement_number: str
    accepted_on: date | None
    team: str
    place: str
    result: str
    score: Decimal | None
    opinion: str
    purchaser_is_user: bool
    supervisors: list[SupervisorRow]
    state: str
    editable: bool
    actions: dict[str, Allowed]


def _clean_supervisors(problems: list[FieldProblem], items: list[SupervisorInput],
                       old: list[AcceptanceSupervisor] | None = None) -> list[AcceptanceSupervisor]:
    """A masked number sent back unchanged (the form shows them masked) keeps the stored one."""
    stored = {s.name: s for s in old or []}
    out = []
    for n, s in enumerate(items, start=1):
        name = normalize_text(s.name)
        if not name and not (s.phone or s.id_number or s.identity):
            continue
        if not name:
            problems.append(problem("supervisors", _("supervisor {n}: the name is required").format(n=n)))
            continue
        was = stored.get(name)
        if was is not None and s.phone and s.phone == mask_phone(was.phone):
            s = replace(s, phone=was.phone)
        if was is not None and s.id_number and s.id_number == mask_id(was.id_number):
            s = replace(s, id_number=was.id_number)
        phone = re.sub(r"[\s-]", "", normalize_text(s.phone))
        if phone and not re.fullmatch(r"\+?\d{5,15}", phone):
            problems.append(problem("supervisors", _("supervisor {n}: the phone number is not valid").format(n=n)))
        idn = normalize_text(s.id_number).upper()
        if idn and not re.fullmatch(r"\d{17}[\dX]|\d{15}", idn):
            problems.append(problem("supervisors", _("supervisor {n}: the ID number is not valid").format(n=n)))
        out.append(AcceptanceSupervisor(name=name, identity=normalize_text(s.identity), phone=phone, id_number=idn))
    return out


def save_acceptance(session: Session, actor: Actor, data: AcceptanceInput, acceptance_id: int | None = None,
                    expected_version: int | None = None) -> int:
    require(actor, Role.CLERK, Role.REVIEWER)
    a = _agreement(session, data.agreement_id)
    if a.state not in ACTIVE_AGREEMENT_STATES:
        raise lc.TransitionRefused(_("Agreement {number} is not in performance; it cannot be accepted now.")
                                   .format(number=a.number))
    existing: Acceptance | None = None
    if acceptance_id is not None:
        existing = session.get(Acceptance, acceptance_id)
        if existing is None:
            raise NotFound(_("The acceptance record no longer exists."))
        if existing.state != "draft":
            raise lc.TransitionRefused(_("The acceptance is completed and locked."))
        if expected_version is not None and existing.version != expected_version:
            raise StaleRecord(_("The acceptance was changed by someone else after you opened it. "
                                "Close the form and open it again."))
    problems: list[FieldProblem] = []
    when = _date(problems, "accepted_on", data.accepted_on, required=False)
    if data.result and data.result not in ACCEPTANCE_RESULTS:
        problems.append(problem("result", _("is not one of the allowed values")))
    score = None
    try:
        score = asm.parse_score(data.score)
    except ValueError:
        problems.append(problem("score", _("is not a number")))
    if score is not None and not 0 <= score <= 100:
        problems.append(problem("score", _("must be between {lo} and {hi}").format(lo=0, hi=100)))
    sups = _clean_supervisors(problems, data.supervisors, list(existing.supervisors) if existing is not None else None)
    if problems:
        raise ValidationError(problems)
    if existing is None:
        acc = Acceptance(agreement_id=a.id, state="draft", created_by=actor.id, is_sample=bool(data.is_sample))
        session.add(acc)
        before: dict[str, object] = {}
    else:
        acc = existing
        before = _acc_snapshot(acc)
    acc.accepted_on, acc.team, acc.place = when, str(data.team), str(data.place)
    acc.result, acc.score, acc.opinion = data.result, score, str(data.opinion)
    acc.purchaser_is_user, acc.updated_by = bool(data.purchaser_is_user), actor.id
    if acc.supervisors:
        acc.supervisors.clear()
        session.flush()
    acc.supervisors = sups
    session.flush()
    audit.record(session, actor, "create" if acceptance_id is None else "update", "acceptance", acc.id, a.number,
                 audit.diff(before, _acc_snapshot(acc)))
    audit.record(session, actor, "update", "agreement", a.id, a.number)
    return acc.id


def _acc_snapshot(acc: Acceptance) -> dict[str, object]:
    snap: dict[str, object] = {k: getattr(acc, k) for k in ("accepted_on", "team", "place", "result", "score",
                                                             "opinion", "purchaser_is_user", "state")}
    # Audit rows name supervisors with masked numbers only.
    snap["supervisors"] = "; ".join(f"{s.name} {mask_phone(s.phone)} {mask_id(s.id_number)}" for s in acc.supervisors)
    return snap


def _completion_refusal(acc: Acceptance, a: Agreement) -> str:
    if acc.state != "draft":
        return _("The acceptance is already completed.")
    if a.state != lc.AgreementState.FINAL_ACCEPTANCE:
        return _("Start final acceptance on the agreement first.")
    missing = [label(k) for k, v in (("accepted_on", acc.accepted_on), ("team", acc.team.strip()),
                                     ("result", acc.result)) if not v]
    if missing:
        return _("Fill in before completing: {fields}.").format(fields="、".join(missing))
    if not acc.purchaser_is_user and len(acc.supervisors) < SUPERVISORS_NEEDED:
        return _("At least three beneficiaries must supervise the acceptance when the purchaser is not the "
                 "service's user (Chengdu rules art. 25); {n} recorded.").format(n=len(acc.supervisors))
    return ""


def complete_acceptance(session: Session, actor: Actor, acceptance_id: int) -> None:
    """Complete the acceptance; the one who signed the agreement may not accept it (成都规程第十七条)."""
    require(actor, Role.REVIEWER)
    acc = session.get(Acceptance, acceptance_id)
    if acc is None:
        raise NotFound(_("The acceptance record no longer exists."))
    a = _agreement(session, acc.agreement_id)
    why = _completion_refusal(acc, a)
    if why:
        raise lc.TransitionRefused(why)
    duties.perform(session, actor, "agreement", a.id, duties.Duty.ACCEPT_WORK)
    before = _acc_snapshot(acc)
    acc.state, acc.completed_by, acc.updated_by = "completed", actor.id, actor.id
    session.flush()
    audit.record(session, actor, "state", "acceptance", acc.id, a.number, audit.diff(before, _acc_snapshot(acc)))
    audit.record(session, actor, "update", "agreement", a.id, a.number)


def acceptance_state(session: Session, actor: Actor, agreement_id: int, reveal: bool = False) -> AcceptanceState:
    """The agreement's acceptance record (or a new one). `reveal` (administrators only, audited) unmasks numbers."""
    a = _agreement(session, agreement_id)
    acc = session.scalar(select(Acceptance).where(Acceptance.agreement_id == a.id).order_by(Acceptance.id.desc())
                         .limit(1))
    if reveal:
        require(actor, Role.ADMIN)
        if acc is not None:
            audit.record(session, actor, "reveal", "acceptance", acc.id, a.number,
                         {"supervisors": (None, _("phone and ID numbers shown"))})
    sups = [SupervisorRow(s.id, s.name, s.identity, s.phone if reveal else mask_phone(s.phone),
                          s.id_number if reveal else mask_id(s.id_number)) for s in (acc.supervisors if acc else [])]
    state = acc.state if acc else "draft"
    can_edit = allowed_by(lambda: require(actor, Role.CLERK, Role.REVIEWER))
    editable = state == "draft" and a.state in ACTIVE_AGREEMENT_STATES and can_edit.ok
    actions = {"save": Allowed(editable, None if editable else (can_edit.reason or _("The acceptance is completed and "
                                                                                    "locked.")))}
    if acc is None:
        actions["complete"] = Allowed.no(_("Save the acceptance record first."))
    else:
        why = _completion_refusal(acc, a)
        actions["complete"] = Allowed.no(why) if why else allowed_by(_all(
            lambda: require(actor, Role.REVIEWER),
            lambda: duties.check(session, actor, "agreement", a.id, duties.Duty.ACCEPT_WORK)))
    actions["reveal"] = allowed_by(lambda: require(actor, Role.ADMIN))
    return AcceptanceState(acc.id if acc else None, acc.version if acc else None, a.id, a.number,
                           acc.accepted_on if acc else None, acc.team if acc else "", acc.place if acc else "",
                           acc.result if acc else "", acc.score if acc else None, acc.opinion if acc else "",
                           acc.purchaser_is_user if acc else False, sups, state, editable, actions)


def acceptance_outcome(session: Session, agreement_id: int) -> tuple[Outcome, Acceptance | None]:
    acc = session.scalar(select(Acceptance).where(Acceptance.agreement_id == agreement_id)
                         .order_by(Acceptance.id.desc()).limit(1))
    if acc is None:
        return Outcome.NONE, None
    if acc.state != "completed":
        return Outcome.PENDING, acc
    return (Outcome.PASSED if acc.result == "passed" else Outcome.FAILED), acc


# ---------------------------------------------------------------------------------------------
# Deadlines


DEADLINE_KINDS = {
    "milestone": N_("Milestone due"),
    "objection": N_("Objection awaiting reply"),
    "payment": N_("Payment payable"),
    "renewal": N_("Agreement to renew"),
}


@dataclass(frozen=True)
class DeadlineItem:
    kind: str
    agreement_id: int
    agreement: str
    what: str
    due: date | None  # None: the calendar does not cover the year (flagged, not guessed)
    overdue: bool
    record_id: int
    uncovered_year: int | None = None

    @property
    def kind_label(self) -> str:
        return _(DEADLINE_KINDS[self.kind])


def deadlines(session: Session, actor: Actor | None, days: int | None = None, agreement_id: int | None = None,
              today: date | None = None) -> list[DeadlineItem]:
    """Milestones due, objections awaiting a reply, payments payable but unpaid, agreements to renew; by due date."""
    from app.services import agreements as ag
    from app.services import payments

    today = today or date.today()
    out: list[DeadlineItem] = []
    s = select(Agreement).where(Agreement.state.in_([st.value for st in lc.LOCKED_AGREEMENT_STATES
                                                    if st != lc.AgreementState.TERMINATED]))
    if agreement_id is not None:
        s = s.where(Agreement.id == agreement_id)
    agreements_ = list(session.scalars(s.order_by(Agreement.id)))
    for a in agreements_:
        for m in (ensure_milestones(session, a, persist=False) if a.state in ACTIVE_AGREEMENT_STATES else []):
            x = _latest(session, m.id)
            if x is None or x.state == "draft":
                out.append(DeadlineItem("milestone", a.id, a.number, m.name, m.due_on, m.due_on < today, m.id or 0))
        if a.state in (lc.AgreementState.FINAL_ACCEPTANCE, lc.AgreementState.COMPLETED) \
                and not ag.renewal_refusal(session, a):
            out.append(DeadlineItem("renewal", a.id, a.number, _("Prepare next year's agreement"), a.period_end,
                                    a.period_end < today, a.id))
    ids = [a.id for a in agreements_]
    for o in session.scalars(select(Objection).where(Objection.state == "received")):
        x = _assessment(session, o.assessment_id)
        if agreement_id is not None and x.agreement_id != agreement_id:
            continue
        a = _agreement(session, x.agreement_id)
        om = session.get(Milestone, x.milestone_id) if x.milestone_id else None
        out.append(DeadlineItem("objection", a.id, a.number, om.name if om else _(KINDS.get(x.kind, x.kind)),
                                o.reply_due_on,
                                o.reply_due_on is not None and o.reply_due_on < today, o.id, o.uncovered_year))
    for st in payments.instalment_statuses(session, ids):
        if st.status == asm.InstalmentStatus.PAYABLE:
            due = st.payable_since or today
            out.append(DeadlineItem("payment", st.agreement_id, st.agreement,
                                    _("Instalment {n}").format(n=st.seq), due, False, st.seq))
    if days is not None:
        limit = date.fromordinal(today.toordinal() + days)
        out = [d for d in out if d.due is None or d.due <= limit]
    out.sort(key=lambda d: (d.due or date.max, d.agreement, d.kind))
    return out


@dataclass(frozen=True)
class AgreementAssessments:
    """The agreement form's assessments tab: milestones, assessments, acceptance and open deadlines."""

    agreement_id: int
    milestones: list[MilestoneRow]
    assessments: list[AssessmentRow]
    deadlines: list[DeadlineItem]
    acceptance: str  # acceptance state: "" (none yet), draft, completed
    actions: dict[str, Allowed]


def agreement_assessments(session: Session, actor: Actor, agreement_id: int,
                          today: date | None = None) -> AgreementAssessments:
    a = _agreement(session, agreement_id)
    active = a.state in ACTIVE_AGREEMENT_STATES
    acc = session.scalar(select(Acceptance).where(Acceptance.agreement_id == a.id).order_by(Acceptance.id.desc())
                         .limit(1))
    not_active = _("Agreement {number} is not in performance; it cannot be assessed now.").format(number=a.number)
    may = allowed_by(lambda: require(actor, Role.CLERK, Role.REVIEWER))
    actions = {"assess": may if active else Allowed.no(not_active),
               "acceptance": (may if active or acc is not None else Allowed.no(not_active))}
    return AgreementAssessments(a.id, milestones(session, actor, a.id) if a.state in lc.LOCKED_AGREEMENT_STATES else [],
                                list_assessments(session, actor, a.id), deadlines(session, actor, agreement_id=a.id,
                                                                                  today=today),
                                acc.state if acc else "", actions)


def assessments_page(session: Session, actor: Actor, days: int | None = None,
                     today: date | None = None) -> tuple[list[DeadlineItem], list[AssessmentRow]]:
    """The Assessments page: open deadlines and the assessments, in one transaction."""
    return deadlines(session, actor, days, today=today), list_assessments(session, actor)

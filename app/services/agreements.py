"""Yearly service agreements (服务协议): drafting, review, signing, performance, amendments, renewal."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, case, column, extract, func, or_, select, type_coerce
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app.domain import eligibility as elig
from app.domain import lifecycle as lc
from app.domain import procurement as pc
from app.domain import schedule
from app.domain.errors import FieldProblem, NotFound, ValidationError
from app.domain.money import parse_amount, rmb_upper
from app.domain.rules import cite
from app.domain.search import match_expression
from app.domain.text import clean_line, clean_prose, forbidden_character, normalize_name, normalize_text
from app.i18n import N_, _, format_iso_date, ngettext
from app.models import AuditRecord, Organization, org_domains
from app.models.project import Agreement, Amendment, Consortium, Instalment, Project
from app.services import audit, calendar, duties, orgs, paging, printing, projects
from app.services import settings as settings_service
from app.services.agreement_list import AgreementRow as AgreementRow  # shared with the quick reading path
from app.services.context import Actor
from app.services.paging import PageKey
from app.services.permissions import Role, require
from app.services.validation import Labels, amount_field, check_version, date_field, money_text, raise_if_any

NUMBER_PATTERN = "agreement_number_pattern"
FILING_DAYS = "filing_working_days"
DEFAULT_PATTERN = "{office}购服〔{year}〕{seq:03d}号"
DEFAULT_FILING_DAYS = 7
_PATTERN_FIELDS = {"office", "year", "seq"}

FIELD_LABELS = {
    "late_signing_reason": N_("Reason for signing late"),
    "early_start_reason": N_("Reason the service began before signing"),
    "late_announcement_reason": N_("Reason for announcing late"),
    "late_filing_reason": N_("Reason for filing late"),
    "number": N_("Agreement number"),
    "undertaker": N_("Undertaker (Party B)"),
    "purchaser_name": N_("Purchaser (Party A)"),
    "service_content": N_("Service content"),
    "target_group": N_("Target group"),
    "place": N_("Place of service"),
    "amount": N_("Amount"),
    "period_start": N_("Period start"),
    "period_end": N_("Period end"),
    "instalments": N_("Payment schedule"),
    "acceptance_standard": N_("Acceptance standard"),
    "rights_obligations": N_("Rights and obligations"),
    "breach_liability": N_("Breach liability"),
    "dispute_resolution": N_("Dispute resolution"),
    "no_subcontracting": N_("No subcontracting"),
    "copies": N_("Number of copies"),
    "signatory_a": N_("Signatory of Party A"),
    "signatory_b": N_("Signatory of Party B"),
    "signed_on_a": N_("Signing date of Party A"),
    "signed_on_b": N_("Signing date of Party B"),
    "signed_on": N_("Signing date"),
    "announced_on": N_("Announcement date"),
    "filed_on": N_("Filing date"),
    "reason": N_("Reason"),
    "year_index": N_("Plan year"),
    "pattern": N_("Number pattern"),
}
# Clauses an agreement must have before it goes to review (成都规程第二十二条, 102号令第二十三条, 广东七(三)).
REQUIRED_CLAUSES = ("service_content", "target_group", "acceptance_standard", "rights_obligations",
                    "breach_liability")
PROSE_FIELDS = ("service_content", "target_group", "place", "acceptance_standard", "rights_obligations",
                "breach_liability")
AMENDABLE = ("service_content", "target_group", "place", "acceptance_standard", "rights_obligations",
             "breach_liability", "period_end", "amount", "signatory_a", "signatory_b")


LABELS = Labels(FIELD_LABELS)
label = LABELS.label
problem = LABELS.problem


@dataclass
class InstalmentInput:
    amount: object = None  # yuan, or
    percent: object = None  # percentage of the agreement amount
    condition: str = "on_signing"
    milestone: str = ""


@dataclass
class AgreementInput:
    project_id: int = 0
    undertaker_id: int | None = None
    year_index: int = 1
    purchaser_name: str = ""  # default: the office name
    parties_reversed: bool = False
    service_content: str = ""
    target_group: str = ""
    place: str = ""
    free_of_charge: bool = False
    amount: object = None
    period_start: object = None
    period_end: object = None  # default: one year after the start
    instalments: list[InstalmentInput] = field(default_factory=list)
    acceptance_standard: str = ""
    rights_obligations: str = ""
    breach_liability: str = ""
    dispute_resolution: str = "negotiation"
    no_subcontracting: bool = True
    copies: object = 2
    signatory_a: str = ""
    signatory_b: str = ""
    is_sample: bool = False


@dataclass
class _Clean:
    values: dict[str, object]
    instalments: list[tuple[Decimal, Decimal | None, str, str]]


def one_year_after(start: date) -> date:
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return date(start.year + 1, 2, 28)


def plan_window(session: Session, p: Project, exclude_id: int | None = None,
                first_start: date | None = None) -> tuple[date, date]:
    """The plan runs `plan_years` years from the start of the first year's agreement.

    Before that agreement exists, `first_start` (the one being drawn up) or 1 January of the first year.
    """
    first = session.scalar(select(Agreement).where(Agreement.project_id == p.id, Agreement.year_index == 1,
                                                   Agreement.id != (exclude_id or 0)))
    start = first.period_start if first else (first_start or date(p.start_year, 1, 1))
    try:
        end = start.replace(year=start.year + p.plan_years) - timedelta(days=1)
    except ValueError:
        end = date(start.year + p.plan_years, 2, 28)
    return start, end


def plan_remaining(session: Session, p: Project, year_index: int, exclude_id: int | None = None) -> Decimal | None:
    """What the award leaves for one more agreement in `year_index` (None before the award).

    An award price for the whole plan caps the sum of all its yearly agreements; a price for each year
    caps the sum of the agreements of that year (a consortium may sign with several members).
    """
    if p.award_price is None:
        return None
    q = select(func.sum(Agreement.amount)).where(
        Agreement.project_id == p.id, Agreement.state != lc.AgreementState.TERMINATED,
        Agreement.id != (exclude_id or 0))
    if p.award_price_basis == "per_year":
        q = q.where(Agreement.year_index == year_index)
    used = session.scalar(q) or Decimal("0.00")  # the sum keeps the column's money type
    return max(p.award_price - used, Decimal("0.00"))


def _date(problems: list[FieldProblem], name: str, raw: object, required: bool = True) -> date | None:
    return date_field(problems, LABELS, name, raw, required=required, working_range=True)


def _instalments(problems: list[FieldProblem], items: list[InstalmentInput], amount: Decimal,
                 free: bool) -> list[tuple[Decimal, Decimal | None, str, str]]:
    if free:
        if any(parse_amount_safe(i.amount) or parse_amount_safe(i.percent) for i in items):
            problems.append(problem("instalments", _("a free-of-charge agreement has no payments")))
        return []
    if not items:
        problems.append(problem("instalments", _("at least one instalment is required for a paid agreement")))
        return []
    parsed: list[tuple[int, schedule.Line, str, str]] = []
    for n, item in enumerate(items, start=1):
        if item.condition not in pc.INSTALMENT_CONDITIONS:
            problems.append(problem("instalments", _("instalment {n}: unknown condition").format(n=n)))
            continue
        milestone = clean_line(item.milestone)
        if item.condition == "milestone_passed" and not milestone:
            problems.append(problem("instalments", _("instalment {n}: name the milestone").format(n=n)))
        try:
            line = schedule.Line(parse_amount(item.amount), parse_amount(item.percent))
        except ValueError as exc:  # AmountError says why (a third decimal, a stray comma …)
            problems.append(problem("instalments", _("instalment {n}: {reason}").format(
                n=n, reason=getattr(exc, "reason", None) or _("not an amount"))))
            continue
        if line.amount is None and line.percent is None:
            problems.append(problem("instalments", _("instalment {n}: give an amount or a percentage").format(n=n)))
            continue
        if line.amount is None and line.percent is not None and not Decimal(0) < line.percent <= 100:
            problems.append(problem("instalments", _("instalment {n}: percentage must be above 0 and at most 100")
                                    .format(n=n)))
            continue
        parsed.append((n, line, item.condition, milestone))
    # The very function the form's live total uses (percentages making 100 % give the rounding to the last).
    computed = schedule.amounts(amount, [line for _n, line, _c, _m in parsed]) if len(parsed) == len(items) \
        else [schedule.amounts(amount, [line])[0] for _n, line, _c, _m in parsed]
    out: list[tuple[Decimal, Decimal | None, str, str]] = []
    for (n, line, condition, milestone), amt in zip(parsed, computed, strict=True):
        if amt is None or amt <= 0:
            problems.append(problem("instalments", _("instalment {n}: must be greater than zero").format(n=n)))
            continue
        out.append((amt, line.percent, condition, milestone))
    if out and len(out) == len(items):
        total = sum((a for a, _p, _c, _m in out), Decimal(0))
        if total != amount:
            problems.append(problem("instalments", _("instalments add up to {total}, not the agreement amount {amount}")
                                    .format(total=money_text(total), amount=money_text(amount))))
    return out


def parse_amount_safe(raw: object) -> Decimal | None:
    try:
        return parse_amount(raw)
    except ValueError:
        return Decimal(1)


def validate(session: Session, data: AgreementInput, agreement_id: int | None = None) -> _Clean:
    problems: list[FieldProblem] = []
    p = session.get(Project, data.project_id)
    if p is None:
        raise NotFound(_("The project no longer exists."))
    # Names are identifiers (NFKC, spaces collapsed); clauses are prose, kept exactly as typed.
    v: dict[str, object] = {k: normalize_text(getattr(data, k)) for k in ("purchaser_name", "signatory_a", "signatory_b")}
    v.update({k: clean_prose(getattr(data, k)) for k in PROSE_FIELDS})
    for k in v:
        if len(str(v[k])) > 10000:
            problems.append(problem(k, _("is too long")))
        elif bad := forbidden_character(str(v[k]), multiline=k not in ("purchaser_name", "signatory_a",
                                                                        "signatory_b")):
            problems.append(problem(k, bad))
    if not 1 <= int(data.year_index) <= p.plan_years:
        problems.append(problem("year_index", _("year {n} is beyond the project's plan of {years} years")
                                .format(n=data.year_index, years=p.plan_years)))
    allowed = projects.undertaker_choices(session, p)
    if data.undertaker_id is None:
        problems.append(problem("undertaker", _("is required")))
    elif allowed and data.undertaker_id not in allowed:
        problems.append(problem("undertaker", _("is not the awarded organization or a member of the awarded consortium")))
    free = bool(data.free_of_charge)
    before = len(problems)
    amount = amount_field(problems, LABELS, "amount", data.amount, required=not free)
    if len(problems) == before:
        if amount is None:
            amount = Decimal("0.00")  # free of charge
        elif free and amount != 0:
            problems.append(problem("amount", _("must be zero for a free-of-charge agreement")))
        elif not free and amount == 0:
            problems.append(problem("amount", _("must be greater than zero for a paid agreement")))
        elif p.award_price is not None and amount > p.award_price:
            problems.append(problem("amount", _("exceeds the award price {price}").format(price=money_text(p.award_price))))
        else:
            left = plan_remaining(session, p, int(data.year_index), exclude_id=agreement_id)
            if left is not None and amount > left:
                problems.append(problem("amount", _("exceeds what remains of the award: {left} ({source})").format(
                    left=money_text(left), source=cite("plan_total_within_award"))))
    start = _date(problems, "period_start", data.period_start)
    end = _date(problems, "period_end", data.period_end, required=False)
    if start is not None:
        end = end or one_year_after(start)
        if end < start:
            problems.append(problem("period_end", _("is before the start")))
        elif end > one_year_after(start):
            problems.append(problem("period_end", _("an agreement runs one year at most; sign next year's separately")))
        else:
            lo, hi = plan_window(session, p, exclude_id=agreement_id,
                                 first_start=start if int(data.year_index) == 1 else None)
            # Checked at every save, not only when the agreement is created: a draft's period can be edited.
            if int(data.year_index) == 1 and start.year != p.start_year:
                problems.append(problem("period_start", _("must be in the project's first year {year}")
                                        .format(year=p.start_year)))
            elif start < lo or end > hi:
                problems.append(problem("period_end", _("goes beyond the project's plan ({start} to {end})")
                                        .format(start=lo.isoformat(), end=hi.isoformat())))
    if data.dispute_resolution not in pc.DISPUTE_RESOLUTIONS:
        problems.append(problem("dispute_resolution", _("is not one of the allowed values")))
    try:
        copies = int(str(data.copies))
    except (TypeError, ValueError):
        copies = 0
    if not 2 <= copies <= 20:
        problems.append(problem("copies", _("must be between {lo} and {hi}").format(lo=2, hi=20)))
    inst = _instalments(problems, data.instalments, amount or Decimal(0), free) if amount is not None else []
    if problems:
        raise ValidationError(problems)
    v.update(project_id=p.id, undertaker_id=data.undertaker_id, year_index=int(data.year_index),
             parties_reversed=bool(data.parties_reversed), free_of_charge=free, amount=amount, period_start=start,
             period_end=end, dispute_resolution=data.dispute_resolution, no_subcontracting=bool(data.no_subcontracting),
             copies=copies, is_sample=bool(data.is_sample))
    return _Clean(v, inst)


def _snapshot(a: Agreement) -> dict[str, object]:
    keys = ["number", "undertaker_id", "purchaser_name", "parties_reversed", "service_content", "target_group", "place",
            "free_of_charge", "amount", "period_start", "period_end", "acceptance_standard", "rights_obligations",
            "breach_liability", "dispute_resolution", "no_subcontracting", "copies", "signatory_a", "signatory_b",
            "signed_on_a", "signed_on_b", "effective_on", "announced_on", "filed_on", "state", "state_reason",
            "late_signing_reason", "early_start_reason", "late_announcement_reason", "late_filing_reason"]
    snap: dict[str, object] = {k: getattr(a, k) for k in keys}
    snap["instalments"] = "; ".join(f"{i.seq}:{i.amount}:{i.condition}:{i.milestone}" for i in a.instalments)
    return snap


# ---------------------------------------------------------------------------------------------
# Numbers


def validate_pattern(pattern: str) -> str:
    pattern = normalize_text(pattern)
    try:
        names = {f for _lit, f, _spec, _conv in string.Formatter().parse(pattern) if f is not None}
        if not names <= _PATTERN_FIELDS or "seq" not in names:
            raise ValueError
        pattern.format(office="X", year=2026, seq=1)
    except (ValueError, IndexError, KeyError):
        raise ValidationError([problem("pattern", _("may use only {office}, {year} and {seq}, and must contain {seq}"))]) from None
    return pattern


def example_number(session: Session, actor: Actor | None, pattern: str) -> str:
    """What the first agreement of this year would be numbered with `pattern` (shown beside the
    pattern in Settings, so nobody has to read "{seq:03d}"); a message when the pattern is wrong."""
    try:
        clean = validate_pattern(pattern)
    except ValidationError as exc:
        return exc.problems[0].reason
    office = settings_service.get(session, settings_service.OFFICE_NAME)
    return _("e.g. {number}").format(number=clean.format(office=office, year=date.today().year, seq=1))


def next_number(session: Session, year: int) -> str:
    pattern = settings_service.get(session, NUMBER_PATTERN) or DEFAULT_PATTERN
    office = settings_service.get(session, settings_service.OFFICE_NAME)
    seq = 1 + (session.scalar(select(func.count()).select_from(Agreement).where(
        extract("year", Agreement.period_start) == year)) or 0)
    while True:
        number = pattern.format(office=office, year=year, seq=seq)
        if session.scalar(select(Agreement.id).where(Agreement.number == number)) is None:
            return number
        seq += 1


def set_number_pattern(session: Session, actor: Actor, pattern: str, filing_days: object = None) -> None:
    require(actor, Role.ADMIN)
    clean = validate_pattern(pattern)
    settings_service.put(session, actor, NUMBER_PATTERN, clean)
    if filing_days is not None:
        try:
            days = int(str(filing_days))
        except (TypeError, ValueError):
            days = -1
        if not 1 <= days <= 60:
            raise ValidationError([FieldProblem("filing_days", _("Filing deadline (working days)"),
                                                _("must be between {lo} and {hi}").format(lo=1, hi=60))])
        settings_service.put(session, actor, FILING_DAYS, str(days))


# ---------------------------------------------------------------------------------------------
# Saving


def _agreement(session: Session, agreement_id: int) -> Agreement:
    a = session.get(Agreement, agreement_id)
    if a is None:
        raise NotFound(_("The agreement no longer exists."))
    return a


def check_edit(actor: Actor, a: Agreement | None) -> None:
    """May `actor` change this agreement's fields directly (a new agreement, or a draft)? Raises if not."""
    require(actor, Role.CLERK)
    if a is None:
        return
    if a.state in lc.LOCKED_AGREEMENT_STATES:
        raise lc.TransitionRefused(_("Agreement {number} is signed and locked; record changes as a "
                                     "supplementary agreement.").format(number=a.number))
    if a.state != lc.AgreementState.DRAFT:
        raise lc.TransitionRefused(_("Agreement {number} is under review; return it for revision to edit it.")
                                   .format(number=a.number))


def check_move(actor: Actor, a: Agreement, t: lc.Transition) -> None:
    """The guard of one move before its reason is asked for: the actor's roles and the state it starts from."""
    if not actor.roles & t.roles:
        require(actor, *(Role(r) for r in sorted(t.roles)))
    lc.check_move(t, a.state, lc.AGREEMENT_STATE_LABELS, reason="(asked for when the move is made)")


def check_complete(session: Session, actor: Actor, a: Agreement) -> None:
    """The guard of "complete" beyond roles and state: who may accept the work (成都规程第十七条) first,
    then whether there is a passed acceptance (验收) to complete on."""
    duties.check(session, actor, "agreement", a.id, duties.Duty.ACCEPT_WORK)
    why = completion_refusal(session, a)
    if why:
        raise lc.TransitionRefused(why)


def check_amend(actor: Actor, a: Agreement) -> None:
    require(actor, Role.CLERK, Role.REVIEWER)
    if a.state not in (lc.AgreementState.EFFECTIVE, lc.AgreementState.PERFORMING):
        raise lc.TransitionRefused(_("Only an effective or performing agreement can be amended; a draft is edited "
                                     "directly."))


def check_renewal(session: Session, actor: Actor, a: Agreement) -> None:
    require(actor, Role.CLERK)
    why = renewal_refusal(session, a)
    if why:
        raise lc.TransitionRefused(why)


def check_record_dates(actor: Actor, a: Agreement) -> None:
    require(actor, Role.CLERK, Role.REVIEWER)
    if a.effective_on is None:
        raise lc.TransitionRefused(_("The agreement has not been signed yet."))


def default_start(p: Project) -> date | None:
    """A new agreement starts on the award notice date when it falls in the first year, else on 1 January."""
    notice = p.award_notice_date
    if notice is not None and notice.year == p.start_year:
        return notice
    return date(p.start_year, 1, 1) if p.start_year else notice


def defaults_for(session: Session, p: Project) -> AgreementInput:
    """A new agreement for an awarded project: amount from the award price, start from the award notice,
    clauses from the requirement, Party A the office; the form, the command line and the sample data use it."""
    undertaker = p.award_org_id
    consortium = session.get(Consortium, p.award_consortium_id) if p.award_consortium_id is not None else None
    if undertaker is None and consortium is not None and consortium.members:
        undertaker = consortium.members[0].org_id  # the consortium's first member, as listed
    return AgreementInput(project_id=p.id, undertaker_id=undertaker,
                          purchaser_name=settings_service.get(session, settings_service.OFFICE_NAME),
                          amount=p.award_price, period_start=default_start(p), service_content=p.req_content,
                          target_group=p.req_target_group, acceptance_standard=p.req_assessment_standard)


def save(session: Session, actor: Actor, data: AgreementInput, agreement_id: int | None = None,
         expected_version: int | None = None) -> int:
    """Create or edit a draft. A signed agreement is locked: use amend()."""
    require(actor, Role.CLERK)
    p = session.get(Project, data.project_id)
    if p is None:
        raise NotFound(_("The project no longer exists."))
    if agreement_id is None and p.state not in (lc.ProjectState.AWARDED, lc.ProjectState.IN_PERFORMANCE):
        raise lc.TransitionRefused(_("An agreement can be drawn up only after the award (the project is “{state}”).")
                                   .format(state=_(lc.PROJECT_STATE_LABELS[lc.ProjectState(p.state)])))
    clean = validate(session, data, agreement_id)
    if agreement_id is None:
        dup = session.scalar(select(Agreement).where(Agreement.project_id == p.id,
                                                     Agreement.year_index == clean.values["year_index"],
                                                     Agreement.undertaker_id == clean.values["undertaker_id"],
                                                     Agreement.state != lc.AgreementState.TERMINATED))
        if dup is not None:
            raise ValidationError([problem("year_index", _("this year already has agreement {number} with this "
                                                           "undertaker").format(number=dup.number))])
        year_index = int(str(clean.values["year_index"]))
        if year_index > 1 and not session.scalar(select(Agreement.id).where(
                Agreement.project_id == p.id, Agreement.year_index == year_index - 1,
                Agreement.final_assessment_passed.is_(True))):
            raise lc.TransitionRefused(_("Year {n} can be signed only after year {prev}'s final assessment passed "
                                         "(Chengdu rules art. 23).").format(n=year_index, prev=year_index - 1))
        start = clean.values["period_start"]
        assert isinstance(start, date)
        a = Agreement(number=next_number(session, start.year), created_by=actor.id, state=lc.AgreementState.DRAFT.value)
        session.add(a)
        before: dict[str, object] = {}
    else:
        a = _agreement(session, agreement_id)
        check_edit(actor, a)
        check_version(a.version, expected_version, a.number)
        before = _snapshot(a)
    for k, value in clean.values.items():
        setattr(a, k, value)
    if not a.purchaser_name:
        a.purchaser_name = settings_service.get(session, settings_service.OFFICE_NAME)
    _replace_instalments(session, a, clean.instalments)
    a.updated_by = actor.id
    session.flush()
    diff = audit.diff(before, _snapshot(a))
    if diff:
        # Whoever writes the draft is one of its drafters, and may not approve it (成都规程第十七条).
        duties.perform(session, actor, "agreement", a.id, duties.Duty.DRAFT_AGREEMENT, once=True)
    audit.record(session, actor, "create" if agreement_id is None else "update", "agreement", a.id, a.number, diff)
    return a.id


def _replace_instalments(session: Session, a: Agreement,
                         items: list[tuple[Decimal, Decimal | None, str, str]]) -> None:
    """Delete the old schedule before inserting the new one: the unit of work would otherwise insert
    first and trip the unique (agreement_id, seq) constraint when a saved draft is saved again."""
    if a.instalments:
        a.instalments.clear()
        session.flush()
    a.instalments = [Instalment(seq=n, amount=amt, percent=pct, condition=cond, milestone=m)
                     for n, (amt, pct, cond, m) in enumerate(items, start=1)]


@dataclass
class SigningInput:
    signatory_a: str = ""
    signatory_b: str = ""
    signed_on_a: object = None
    signed_on_b: object = None
    late_reason: str = ""  # signed more than 30 days after the award notice
    early_start_reason: str = ""  # the service period began before the signing


class ReasonRequired(lc.TransitionRefused):
    """A rule that may be departed from only with a recorded reason; `field` names the reason to give."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def missing_clauses(a: Agreement) -> list[str]:
    missing = [label(k) for k in REQUIRED_CLAUSES if not str(getattr(a, k)).strip()]
    if not a.no_subcontracting:
        missing.append(label("no_subcontracting"))
    if not a.free_of_charge and not a.instalments:
        missing.append(label("instalments"))
    return missing


def completion_refusal(session: Session, a: Agreement) -> str:
    """Why the agreement cannot be completed yet, or "" when a completed acceptance (验收) passed.

    The work is accepted through the acceptance record, with its team, result and supervising
    beneficiaries (成都规程第二十五条, DOMAIN.md §7.2 ACCEPTED ──▶ COMPLETED); completing without one
    would leave no record that the service was delivered.
    """
    from app.models.assessment import Acceptance  # the acceptance lives with the assessments

    acc = session.scalar(select(Acceptance).where(Acceptance.agreement_id == a.id).order_by(Acceptance.id.desc())
                         .limit(1))
    if acc is None:
        return _("The agreement cannot be completed: no acceptance (验收) has been recorded. Record the final "
                 "acceptance and complete it with a passed result first.")
    if acc.state != "completed":
        return _("The agreement cannot be completed: its acceptance (验收) is not completed yet. Complete the "
                 "acceptance record first.")
    if acc.result != "passed":
        return _("The agreement cannot be completed: its acceptance (验收) did not pass. Rectify and record a new "
                 "acceptance that passes.")
    return ""


def transition(session: Session, actor: Actor, agreement_id: int, name: str, reason: str = "",
               signing: SigningInput | None = None, today: date | None = None) -> str:
    """Move an agreement along its state machine (app/domain/lifecycle.py); refused moves say why."""
    today = today or date.today()
    t = lc.agreement_transition(name)
    a = _agreement(session, agreement_id)
    if not actor.roles & t.roles:
        require(actor, *(Role(r) for r in sorted(t.roles)))
    lc.check_move(t, a.state, lc.AGREEMENT_STATE_LABELS, reason)
    before = _snapshot(a)
    if name == "submit_review":
        missing = missing_clauses(a)
        if missing:
            raise lc.TransitionRefused(_("Required clauses are missing: {clauses}.").format(clauses="、".join(missing)))
        duties.perform(session, actor, "agreement", a.id, duties.Duty.SUBMIT_AGREEMENT)
    elif name == "approve":
        duties.perform(session, actor, "agreement", a.id, duties.Duty.APPROVE_AGREEMENT)
    elif name == "record_signing":
        _apply_signing(session, a, signing or SigningInput(), today)
        duties.perform(session, actor, "agreement", a.id, duties.Duty.SIGN_AGREEMENT)
    elif name == "start_performance":
        if a.effective_on is None or a.effective_on > today:
            raise lc.TransitionRefused(_("The agreement is not effective yet."))
        project = a.project
        if project.state == lc.ProjectState.AWARDED:
            project.state = lc.ProjectState.IN_PERFORMANCE.value
            audit.record(session, actor, "state", "project", project.id, project.name,
                         {"state": (lc.ProjectState.AWARDED.value, project.state)})
    elif name == "complete":
        check_complete(session, actor, a)
        duties.perform(session, actor, "agreement", a.id, duties.Duty.ACCEPT_WORK)
    a.state = t.target
    if t.needs_reason:
        a.state_reason = clean_prose(reason)
    a.updated_by = actor.id
    session.flush()
    if name == "record_signing":
        from app.services.assessments import ensure_milestones  # milestones follow the signed schedule

        ensure_milestones(session, a)
    if name == "approve":
        # The text that goes for signature is frozen now: signing, dates and later supplementary
        # agreements never change it, so the signed paper reprints and verifies exactly.
        printing.freeze(session, actor, a.id, today=today)
    audit.record(session, actor, "state", "agreement", a.id, a.number, audit.diff(before, _snapshot(a)))
    return a.state


def _apply_signing(session: Session, a: Agreement, s: SigningInput, today: date) -> None:
    problems: list[FieldProblem] = []
    sig_a, sig_b = normalize_text(s.signatory_a) or a.signatory_a, normalize_text(s.signatory_b) or a.signatory_b
    if not sig_a:
        problems.append(problem("signatory_a", _("is required")))
    if not sig_b:
        problems.append(problem("signatory_b", _("is required")))
    d_a = _date(problems, "signed_on_a", s.signed_on_a)
    d_b = _date(problems, "signed_on_b", s.signed_on_b)
    for name, d in (("signed_on_a", d_a), ("signed_on_b", d_b)):
        if d is not None and d > today:
            problems.append(problem(name, _("is in the future")))
        if d is not None and d > a.period_end:
            problems.append(problem(name, _("is after the end of the service period")))
    notice = a.project.award_notice_date
    for name, d in (("signed_on_a", d_a), ("signed_on_b", d_b)):
        if d is not None and notice is not None and d < notice:
            problems.append(problem(name, _("is before the award notice of {date}; an agreement is signed after the "
                                            "award ({source})").format(date=format_iso_date(notice),
                                                                       source=cite("sign_after_award"))))
    if problems:
        raise ValidationError(problems)
    org = a.undertaker
    detail = orgs.get(session, None, org.id, today=today)
    if not detail.eligibility.eligible:
        raise lc.TransitionRefused(_("{name} is not eligible and cannot be signed with: {reasons}.").format(
            name=org.name, reasons="；".join(detail.eligibility.reasons)))
    assert d_a is not None and d_b is not None
    effective = max(d_a, d_b)  # effective once both have signed and sealed
    late_reason, early_reason = clean_prose(s.late_reason), clean_prose(s.early_start_reason)
    if notice is not None and a.year_index == 1:
        due = calendar.calendar_days_after(session, None, notice, 30).due
        if due is not None and effective > due and not late_reason:
            raise ReasonRequired(_("The agreement is signed on {signed}, after the 30 days that end on {due} "
                                   "({source}); record the reason for the late signing.").format(
                signed=format_iso_date(effective), due=format_iso_date(due), source=cite("sign_within_30_days")),
                "late_signing_reason")
        if due is None or effective <= due:
            late_reason = ""
    if a.period_start < effective and not early_reason:
        raise ReasonRequired(_("The service period began on {start}, before the signing on {signed}: no work "
                               "before signing ({source}); record the reason.").format(
            start=format_iso_date(a.period_start), signed=format_iso_date(effective),
            source=cite("no_work_before_signing")), "early_start_reason")
    if a.period_start >= effective:
        early_reason = ""
    a.signatory_a, a.signatory_b, a.signed_on_a, a.signed_on_b = sig_a, sig_b, d_a, d_b
    a.effective_on = effective
    a.late_signing_reason, a.early_start_reason = late_reason, early_reason


def record_dates(session: Session, actor: Actor, agreement_id: int, announced_on: object = None,
                 filed_on: object = None, today: date | None = None, announced_late_reason: str = "",
                 filed_late_reason: str = "") -> None:
    """Announcement (≤2 working days) and filing with finance; a date after its deadline needs a reason."""
    require(actor, Role.CLERK, Role.REVIEWER)
    today = today or date.today()
    a = _agreement(session, agreement_id)
    check_record_dates(actor, a)
    problems: list[FieldProblem] = []
    before = _snapshot(a)
    dues = obligation_dues(session, a)
    steps = (("announced_on", announced_on, announced_late_reason, "late_announcement_reason", "announce_within_2_days",
              N_("The announcement on {done} is after its deadline {due} ({source}); record the reason.")),
             ("filed_on", filed_on, filed_late_reason, "late_filing_reason", "file_with_finance",
              N_("The filing on {done} is after its deadline {due} ({source}); record the reason.")))
    for name, raw, reason, reason_field, rule, message in steps:
        if raw is None:
            continue
        d = _date(problems, name, raw, required=False)
        if d is not None and a.effective_on is not None and (d < a.effective_on or d > today):
            problems.append(problem(name, _("must be between the signing date and today")))
            continue
        if problems:
            continue
        why = clean_prose(reason)
        due = dues[name]
        if d is not None and due is not None and d > due:
            if not why:
                raise ReasonRequired(_(message).format(done=format_iso_date(d), due=format_iso_date(due),
                                                       source=cite(rule)), reason_field)
        else:
            why = ""
        setattr(a, name, d)
        setattr(a, reason_field, why)
    if problems:
        raise ValidationError(problems)
    audit.record(session, actor, "update", "agreement", a.id, a.number, audit.diff(before, _snapshot(a)))


def obligation_dues(session: Session, a: Agreement) -> dict[str, date | None]:
    """The deadlines of announcing (2 working days) and filing (a setting) after the signing."""
    if a.effective_on is None:
        return {"announced_on": None, "filed_on": None}
    days = int(settings_service.get(session, FILING_DAYS) or DEFAULT_FILING_DAYS)
    return {"announced_on": calendar.working_days_after(session, None, a.effective_on, 2).due,
            "filed_on": calendar.working_days_after(session, None, a.effective_on, days).due}


def amend(session: Session, actor: Actor, agreement_id: int, reason: str, changes: dict[str, object],
          instalments: list[InstalmentInput] | None = None, signed_on: object = None) -> int:
    """A supplementary agreement (补充协议): a numbered version with its reason and before/after values."""
    require(actor, Role.CLERK, Role.REVIEWER)
    a = _agreement(session, agreement_id)
    check_amend(actor, a)
    problems: list[FieldProblem] = []
    why = clean_prose(reason)
    if not why:
        problems.append(problem("reason", _("is required")))
    unknown = [k for k in changes if k not in AMENDABLE]
    if unknown:
        problems.append(problem("reason", _("these fields cannot be amended: {names}").format(names=", ".join(unknown))))
    if problems:
        raise ValidationError(problems)
    if printing.frozen_document(session, a, "agreement", None) is None:
        # Signed before texts were frozen: keep the text as it stands before this amendment.
        try:
            with session.begin_nested():
                printing.freeze(session, actor, a.id)
        except ValidationError:
            pass
    data = _as_input(a)
    for k, v in changes.items():
        setattr(data, k, v)
    if instalments is not None:
        data.instalments = instalments
    elif "amount" in changes and a.instalments and all(i.percent is not None for i in a.instalments):
        # A schedule written in percentages follows the new amount; one in fixed amounts must be re-entered.
        data.instalments = [InstalmentInput(None, i.percent, i.condition, i.milestone) for i in a.instalments]
    clean = validate(session, data, a.id)
    before = _snapshot(a)
    for k in changes:
        setattr(a, k, clean.values[k])
    if instalments is not None or "amount" in changes:
        _replace_instalments(session, a, clean.instalments)
    session.flush()
    after = _snapshot(a)
    diff = audit.diff(before, after)
    if not diff:
        raise ValidationError([problem("reason", _("the supplementary agreement changes nothing"))])
    date_problems: list[FieldProblem] = []
    when = date_field(date_problems, LABELS, "signed_on", signed_on, working_range=True)
    raise_if_any(date_problems)
    a.amendment_count += 1
    a.amendments.append(Amendment(seq=a.amendment_count, reason=why, signed_on=when, created_by=actor.id,
                                  changes=json.dumps([{"field": k, "before": str(b) if b is not None else None,
                                                       "after": str(n) if n is not None else None}
                                                      for k, (b, n) in diff.items()], ensure_ascii=False)))
    session.flush()
    # The supplementary agreement is its own document, frozen as recorded; the original is untouched.
    printing.freeze(session, actor, a.id, "supplementary", a.amendment_count)
    audit.record(session, actor, "amend", "agreement", a.id, a.number,
                 {**diff, "amendment": (None, f"{a.amendment_count}: {why}")})
    return a.amendment_count


def _as_input(a: Agreement) -> AgreementInput:
    return AgreementInput(
        project_id=a.project_id, undertaker_id=a.undertaker_id, year_index=a.year_index, purchaser_name=a.purchaser_name,
        parties_reversed=a.parties_reversed, service_content=a.service_content, target_group=a.target_group,
        place=a.place, free_of_charge=a.free_of_charge, amount=a.amount, period_start=a.period_start,
        period_end=a.period_end,
        instalments=[InstalmentInput(i.amount, None, i.condition, i.milestone) for i in a.instalments],
        acceptance_standard=a.acceptance_standard, rights_obligations=a.rights_obligations,
        breach_liability=a.breach_liability, dispute_resolution=a.dispute_resolution,
        no_subcontracting=a.no_subcontracting, copies=a.copies, signatory_a=a.signatory_a,
        signatory_b=a.signatory_b, is_sample=a.is_sample)


RENEWAL_NEEDS_ASSESSMENT = N_("Renewal needs this year's final assessment to have passed: record the final "
                              "assessment and have its result approved (Assessments).")


def renewal_refusal(session: Session, a: Agreement) -> str:
    """Why next year's agreement cannot be prepared, or "" when it can."""
    p = a.project
    if a.year_index >= p.plan_years:
        return ngettext("This is the last year of the project's plan ({years} year).",
                        "This is the last year of the project's plan ({years} years).", p.plan_years).format(
            years=p.plan_years)
    if session.scalar(select(Agreement.id).where(Agreement.project_id == p.id, Agreement.year_index == a.year_index + 1,
                                                 Agreement.undertaker_id == a.undertaker_id,
                                                 Agreement.state != lc.AgreementState.TERMINATED)):
        return _("Next year's agreement already exists.")
    if a.state not in (lc.AgreementState.FINAL_ACCEPTANCE, lc.AgreementState.COMPLETED):
        return _("Renewal is possible after this year's final acceptance.")
    if a.final_assessment_passed is None:
        return _(RENEWAL_NEEDS_ASSESSMENT)
    if not a.final_assessment_passed:
        return _("This year's final assessment did not pass, so next year's agreement cannot be signed "
                 "(Chengdu rules art. 23).")
    return ""


def prepare_renewal(session: Session, actor: Actor, agreement_id: int) -> int:
    """Copy the agreement into the next year of the plan, carrying clauses and payment conditions forward."""
    require(actor, Role.CLERK)
    a = _agreement(session, agreement_id)
    check_renewal(session, actor, a)
    data = _as_input(a)
    start = a.period_end + timedelta(days=1)
    data = replace(data, year_index=a.year_index + 1, period_start=start, period_end=one_year_after(start),
                   signatory_a="", signatory_b="",
                   instalments=[InstalmentInput(i.amount, i.percent, i.condition, i.milestone) for i in a.instalments])
    return save(session, actor, data)


# ---------------------------------------------------------------------------------------------
# Reading


class AgreementSort(StrEnum):
    """What the agreement list can be ordered by (in SQL, so every page follows the same order)."""

    NUMBER = "number"
    PROJECT = "project"
    YEAR_INDEX = "year_index"
    AMOUNT = "amount"
    PERIOD = "period_start"
    STATE = "state"


@dataclass(frozen=True)
class AgreementQuery:
    year: int | None = None
    state: str = ""
    undertaker_id: int | None = None
    domain_id: int | None = None
    expiring_within_days: int | None = None
    search: str = ""
    project_id: int | None = None
    sort: AgreementSort = AgreementSort.PERIOD  # the latest period first by default
    descending: bool = True

    def with_sort(self, sort: AgreementSort, descending: bool) -> AgreementQuery:
        return replace(self, sort=sort, descending=descending)


def _sort_key(query: AgreementQuery) -> ColumnElement[Any]:
    """The value the list is ordered by (states in the order of the lifecycle); ties by id."""
    key: ColumnElement[Any]
    if query.sort is AgreementSort.STATE:
        key = case({state.value: i for i, state in enumerate(lc.AGREEMENT_STATE_LABELS)}, value=Agreement.state,
                   else_=len(lc.AGREEMENT_STATE_LABELS))
    elif query.sort is AgreementSort.AMOUNT:
        key = type_coerce(Agreement.amount, Integer)  # the stored fen, so page keys bind as stored
    else:
        key = {AgreementSort.NUMBER: Agreement.number, AgreementSort.PROJECT: Project.name,
               AgreementSort.YEAR_INDEX: Agreement.year_index,
               AgreementSort.PERIOD: Agreement.period_start}[query.sort].expression
    return key


def _order(query: AgreementQuery, key: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    if query.descending:
        return [key.desc(), Agreement.id.desc()]
    return [key.asc(), Agreement.id.asc()]


def _filtered(q: AgreementQuery, today: date, columns: tuple[Any, ...] = (), dense: bool = False) -> Select[Any]:
    s = select(*(columns or (Agreement.id,))).select_from(Agreement).join(Project, Project.id == Agreement.project_id)
    if q.year is not None:
        s = s.where(or_(extract("year", Agreement.period_start) == q.year,
                        extract("year", Agreement.period_end) == q.year))
    if q.state:
        s = s.where(Agreement.state == q.state)
    if q.undertaker_id is not None:
        s = s.where(Agreement.undertaker_id == q.undertaker_id)
    if q.project_id is not None:
        s = s.where(Agreement.project_id == q.project_id)
    if q.domain_id is not None:
        s = s.where(or_(Project.domain_id == q.domain_id, Agreement.undertaker_id.in_(
            select(org_domains.c.org_id).where(org_domains.c.domain_id == q.domain_id))))
    if q.expiring_within_days is not None:
        s = s.where(Agreement.period_end >= today, Agreement.period_end <= today + timedelta(days=q.expiring_within_days),
                    Agreement.state.in_([lc.AgreementState.EFFECTIVE.value, lc.AgreementState.PERFORMING.value]))
    text = normalize_text(q.search)
    if text:
        expr = _search_expression(q.search)
        if expr is not None and dense:
            # Many agreements match (社区: a third of them): the matches' ids are listed once into a set
            # that each row is looked up in (the unary + keeps the planner from driving the query by
            # them), so the query walks the index of the list's order and stops at the page's last row,
            # instead of reading every matching agreement and sorting them all.
            s = s.where(sql_text("+agreements.id IN (SELECT rowid FROM agreement_search WHERE agreement_search "
                                 "MATCH :agreement_search_match)").bindparams(agreement_search_match=expr))
        elif expr is not None:
            s = s.where(Agreement.id.in_(
                sql_text("SELECT rowid FROM agreement_search WHERE agreement_search MATCH :agreement_search_match")
                .bindparams(agreement_search_match=expr).columns(column("rowid", Integer))))
        else:
            pat = f"%{text}%"
            s = s.where(or_(Agreement.number.like(pat), Project.name.like(pat),
                            Agreement.undertaker_id.in_(select(Organization.id).where(Organization.name.like(pat)))))
    return s


def _search_expression(search: str) -> str | None:
    """The FTS5 query for a search (migration 0010, app/domain/search.py): number, project name and
    undertaker (name, pinyin initials, full pinyin); two characters, a number fragment or initials. The text
    as typed and as folded, so that full-width brackets match either way."""
    text = normalize_text(search)
    fragments = [search.strip(), text, normalize_name(text)]
    lowered = text.lower().replace(" ", "")
    if re.fullmatch(r"[a-z]+", lowered):
        fragments.append(lowered)
    return match_expression(*fragments)


SEARCH_COUNT_CAP = 10_000  # the first page of a search counts its matches up to this many (paging.AtLeast)


def _search_count(session: Session, search: str, cap: int | None = None) -> int | None:
    """How many agreements the search alone matches, straight from the index (every agreement has its
    row there); None when the search does not use the index. With `cap`, counting stops there: more than
    `cap` matches give `paging.AtLeast(cap)` (one character of every number would list all 100,000)."""
    expr = _search_expression(search) if normalize_text(search) else None
    if expr is None:
        return None
    if cap is None:
        return session.scalar(sql_text("SELECT count(*) FROM agreement_search WHERE agreement_search MATCH :m")
                              .bindparams(m=expr)) or 0
    n = session.scalar(sql_text("SELECT count(*) FROM (SELECT 1 FROM agreement_search WHERE agreement_search "
                                "MATCH :m LIMIT :n)").bindparams(m=expr, n=cap + 1)) or 0
    return paging.AtLeast(cap) if n > cap else n


def _walks_the_order(session: Session, found: int, limit: int) -> bool:
    """Whether a page of a search matching `found` agreements is found sooner by walking the list's order
    (reading about limit × agreements / found index entries, a fraction of a microsecond each) than by
    reading every match and sorting them (a few microseconds each, and a page read when not cached).
    Measured at district scale: 阳光 (2,400 of 100,000) 1,000 ms → 7 ms, 社区 (34,000) 70 → 10 ms of CPU;
    a fragment matching a few hundred stays with its matches (a walk would cross the whole index)."""
    if found <= 0:
        return False
    top = session.scalar(select(func.max(Agreement.id))) or 0  # as many as the agreements, at once
    return found * found * 10 > limit * top


def _common_fragment_page(session: Session, query: AgreementQuery, today: date, key: ColumnElement[Any],
                          after: PageKey | None, limit: int) -> list[int] | None:
    """The ids of the page's agreements for a search found in most of them (东, 2: the office's name and
    the year are in every number), or None when that is not so here. Listing 100,000 matches' ids into a
    set for the walk (`_filtered`'s dense plan) took 50-65 ms; instead the next 2 × limit agreements of the
    list's order are read without the search (the index of the order, no row read) and the index gives
    the matches among them by their id range (FTS5 seeks to it): 2 and 东 30-45 → 12-15 ms of CPU at
    district scale. A window that does not hold a page of matches gives the page back to the set (阳, a
    tenth of them). Ids that do not follow the order only widen the range asked of the index: slower,
    never wrong."""
    a = Agreement
    s = _filtered(replace(query, search=""), today).add_columns(key)
    if after is not None:
        s = s.where(paging.after([key, a.id], after, descending=query.descending,
                                 nullable=query.sort is AgreementSort.AMOUNT))
    window = [r[0] for r in session.execute(s.order_by(*_order(query, key)).limit(2 * limit))]
    if not window:
        return []
    found = {i for (i,) in session.connection().exec_driver_sql(
        "SELECT rowid FROM agreement_search WHERE agreement_search MATCH ? AND rowid BETWEEN ? AND ?",
        (_search_expression(query.search), min(window), max(window)))}
    hits = [i for i in window if i in found]
    if len(hits) < limit and len(window) == 2 * limit:
        return None  # the matches are not dense enough here for a window to hold a page
    return hits[:limit]


def list_agreements(session: Session, actor: Actor | None, query: AgreementQuery = AgreementQuery(),
                    offset: int = 0, limit: int = 1000, today: date | None = None,
                    only: Collection[int] | None = None, after: PageKey | None = None,
                    found: int | None = None) -> list[AgreementRow]:
    """Rows in the list's order, newest period first; `after`: the rows after this page key (keyset
    paging, app/services/paging.py) instead of skipping `offset` rows. `found`: how many agreements the
    search matches, when the caller has counted them already."""
    today = today or date.today()
    # Columns, not entities: an Agreement entity would load its instalments, amendments and undertaker
    # (with the undertaker's own lists) for every row of the page. The default order walks
    # ix_agreements_period_start (migration 0006) instead of sorting the whole table.
    a = Agreement
    columns = (a.id, a.number, a.project_id, Project.name, a.year_index, a.state, a.purchaser_name,
               Organization.name, a.parties_reversed, a.amount, a.period_start, a.period_end, a.free_of_charge,
               a.is_sample)
    dense = False
    if only is None and found is None:  # the plan needs to know only whether matches are many
        found = _search_count(session, query.search, cap=SEARCH_COUNT_CAP)
    if only is None and found is not None:
        dense = _walks_the_order(session, found, offset + limit)
    key = _sort_key(query)
    if isinstance(found, paging.AtLeast) and only is None and not offset:
        only = _common_fragment_page(session, query, today, key, after, limit)
        if only is not None:
            query = replace(query, search="")  # `only` holds the page's matches
    filtered = _filtered(query, today, columns, dense=dense)
    if only is not None:
        filtered = filtered.where(a.id.in_(list(only)))
    filtered = filtered.add_columns(key.label("sort_value"))
    if after is not None:
        filtered = filtered.where(paging.after([key, a.id], after, descending=query.descending,
                                               nullable=query.sort is AgreementSort.AMOUNT))
    elif offset:
        filtered = filtered.offset(offset)
    rows = session.execute(
        filtered.join(Organization, Organization.id == a.undertaker_id)
        .order_by(*_order(query, key)).limit(limit)).all()
    from app.services.payments import paid_totals

    paid = paid_totals(session, [r[0] for r in rows])
    # columns in AgreementRow's order, then the sort value
    return [AgreementRow(*r[:-1], paid=paid[r[0]], sort_value=r[-1]) for r in rows]  # type: ignore[misc]  # r: the 14 fields before paid, then the sort value


def count_agreements(session: Session, actor: Actor | None, query: AgreementQuery = AgreementQuery(),
                     today: date | None = None) -> int:
    if replace(query, search="") == AgreementQuery() and (found := _search_count(session, query.search)) is not None:
        return found  # a search alone: the index counts it
    return session.scalar(select(func.count()).select_from(_filtered(query, today or date.today()).subquery())) or 0


@dataclass(frozen=True)
class InstalmentRow:
    seq: int
    amount: Decimal
    percent: Decimal | None
    condition: str
    milestone: str
    paid_on: date | None

    @property
    def condition_label(self) -> str:
        text = _(pc.INSTALMENT_CONDITIONS.get(self.condition, self.condition))
        return f"{text}（{self.milestone}）" if self.milestone else text


@dataclass(frozen=True)
class AmendmentRow:
    seq: int
    reason: str
    changes: list[dict[str, str | None]]
    signed_on: date | None
    created_at: object


@dataclass(frozen=True)
class AgreementDetail:
    id: int
    version: int
    number: str
    state: str
    state_reason: str
    project_name: str
    plan_years: int
    undertaker_name: str
    data: AgreementInput
    amount_upper: str
    instalments: list[InstalmentRow]
    signed_on_a: date | None
    signed_on_b: date | None
    effective_on: date | None
    announced_on: date | None
    filed_on: date | None
    amendments: list[AmendmentRow]
    deadlines: list[projects.DeadlineRow]
    transitions: list[lc.Transition]
    locked: bool
    renewal_refusal: str
    eligibility: elig.EligibilityResult
    plan_remaining: Decimal | None = None  # what the award leaves for this year, this agreement not counted
    early_start_reason: str = ""  # the service began before the signing, and why


def get(session: Session, actor: Actor, agreement_id: int, today: date | None = None) -> AgreementDetail:
    today = today or date.today()
    a = _agreement(session, agreement_id)
    p = a.project
    deadlines: list[projects.DeadlineRow] = []
    if p.award_notice_date is not None and a.year_index == 1:
        d = calendar.calendar_days_after(session, actor, p.award_notice_date, 30)
        deadlines.append(projects.DeadlineRow(_("Sign within 30 days of the award notice"), d.due, a.effective_on,
                                              d.uncovered_years, a.late_signing_reason))
    if a.effective_on is not None:
        d = calendar.working_days_after(session, actor, a.effective_on, 2)
        deadlines.append(projects.DeadlineRow(_("Announce within 2 working days of signing"), d.due, a.announced_on,
                                              d.uncovered_years, a.late_announcement_reason))
        days = int(settings_service.get(session, FILING_DAYS) or DEFAULT_FILING_DAYS)
        d = calendar.working_days_after(session, actor, a.effective_on, days)
        deadlines.append(projects.DeadlineRow(_("File with finance within {n} working days of signing").format(n=days),
                                              d.due, a.filed_on, d.uncovered_years, a.late_filing_reason))
    amendments = [AmendmentRow(m.seq, m.reason, json.loads(m.changes), m.signed_on, m.created_at) for m in a.amendments]
    return AgreementDetail(
        a.id, a.version, a.number, a.state, a.state_reason, p.name, p.plan_years, a.undertaker.name, _as_input(a),
        rmb_upper(a.amount), [InstalmentRow(i.seq, i.amount, i.percent, i.condition, i.milestone, i.paid_on)
                              for i in a.instalments],
        a.signed_on_a, a.signed_on_b, a.effective_on, a.announced_on, a.filed_on, amendments, deadlines,
        lc.available(lc.AGREEMENT_TRANSITIONS, a.state, actor.roles), a.state in lc.LOCKED_AGREEMENT_STATES,
        renewal_refusal(session, a), orgs.get(session, None, a.undertaker_id, today=today).eligibility,
        plan_remaining(session, p, a.year_index, exclude_id=a.id), a.early_start_reason)


def find_by_number(session: Session, actor: Actor | None, number: str) -> int:
    # As stored (a number made from an office name with full-width brackets keeps them), or as NFKC folds
    # what was typed.
    a = session.scalar(select(Agreement).where(Agreement.number.in_({number.strip(), normalize_text(number)}))
                       .limit(1))
    if a is None:
        raise NotFound(_("No agreement has the number {number}.").format(number=number))
    return a.id



@dataclass(frozen=True)
class StateChange:
    at: datetime
    username: str
    before: str  # state value; "" for the creation of the draft
    after: str
    reason: str

    @property
    def before_label(self) -> str:
        return _(lc.AGREEMENT_STATE_LABELS[lc.AgreementState(self.before)]) if self.before else ""

    @property
    def after_label(self) -> str:
        return _(lc.AGREEMENT_STATE_LABELS[lc.AgreementState(self.after)])


def state_history(session: Session, actor: Actor | None, agreement_id: int) -> list[StateChange]:
    """The agreement's creation and every move of its state, oldest first, from the audit trail."""
    rows = session.scalars(select(AuditRecord).where(
        AuditRecord.entity == "agreement", AuditRecord.entity_id == str(agreement_id),
        AuditRecord.action.in_(["create", "state"]), AuditRecord.field.in_(["state", "state_reason"]))
        .order_by(AuditRecord.id))
    out: list[StateChange] = []
    groups: dict[tuple[datetime, str], dict[str, AuditRecord]] = {}
    for r in rows:
        groups.setdefault((r.at, r.username), {})[r.field] = r
    for (at, username), fields in groups.items():
        state = fields.get("state")
        if state is None or not state.new_value:
            continue
        reason = fields.get("state_reason")
        out.append(StateChange(at, username, state.old_value or "", state.new_value,
                               (reason.new_value or "") if reason else ""))
    return out


def undertakers_with_agreements(session: Session, actor: Actor | None = None) -> list[tuple[int, str]]:
    """The organizations that have agreements, for the list's organization filter."""
    return [(i, n) for i, n in session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(select(Agreement.undertaker_id)))
        .order_by(Organization.name)).all()]


def next_page(session: Session, actor: Actor | None, query: AgreementQuery, after: PageKey | None,
              limit: int) -> list[AgreementRow]:
    """The rows after the page key `after` (the list's last row), in the list's order."""
    return list_agreements(session, actor, query, 0, limit, after=after)


def first_page(session: Session, actor: Actor | None, query: AgreementQuery, limit: int) -> tuple[int, list[AgreementRow]]:
    """Count and first page in one transaction, so the two agree (a search is counted once, for both). A
    search alone matching more than SEARCH_COUNT_CAP agreements is counted as `paging.AtLeast` that many."""
    found = _search_count(session, query.search, cap=SEARCH_COUNT_CAP)
    total = found if found is not None and replace(query, search="") == AgreementQuery() else \
        count_agreements(session, actor, query)
    return total, list_agreements(session, actor, query, 0, limit, found=found)


def filter_choices(session: Session, actor: Actor | None) -> tuple[list[tuple[int, str]], list[orgs.DomainRow]]:
    """The agreement list's filters: undertakers that have agreements (named as a filter shows them, without the
    practice data's mark), and the service domains."""
    from app.services.demo import SAMPLE_MARK

    undertakers = [(i, name.replace(SAMPLE_MARK, "")) for i, name in undertakers_with_agreements(session, actor)]
    return undertakers, orgs.list_domains(session, actor)


def number_settings(session: Session, actor: Actor | None) -> tuple[str, int]:
    """The agreement number pattern and the filing deadline in working days."""
    pattern = settings_service.get(session, NUMBER_PATTERN) or DEFAULT_PATTERN
    days = settings_service.get(session, FILING_DAYS)
    return pattern, int(days) if days.isdigit() else DEFAULT_FILING_DAYS


def rows_with_ids(session: Session, actor: Actor | None, query: AgreementQuery,
                  ids: Collection[int]) -> tuple[int, list[AgreementRow]]:
    """After a change: the count, and the list rows of these records that still match the query (in place)."""
    return count_agreements(session, actor, query), list_agreements(session, actor, query, 0, max(1, len(ids)), only=ids)

"""Payments (资金拨付): each instalment's status, and recording a payment (finance role only).

`instalment_statuses(session, agreement_ids=None)` is the one place the status of an instalment
is decided (not_due / payable / blocked / paid, with its reason); the agreement form, the list,
the deadlines, the command line and the monthly summary all read it.

An instalment is payable when its condition is met (成都规程第二十八条): the agreement is signed
and effective; or its milestone's assessment passed and is final; or the final acceptance
passed. A failed result blocks it, and the reason says so. A payment names the assessment or
acceptance it relies on; it can never exceed what is left of the instalment, and the paid total
can never exceed the agreement amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.domain import assessment as asm
from app.domain import lifecycle as lc
from app.domain import procurement as pc
from app.domain.assessment import InstalmentStatus, Outcome
from app.domain.dates import parse_date
from app.domain.errors import FieldProblem, NotFound, ValidationError
from app.domain.money import from_fen, parse_amount
from app.domain.text import normalize_text
from app.i18n import N_, _
from app.models.assessment import Assessment, Milestone, Payment
from app.models.project import Agreement, Instalment
from app.services import assessments, audit
from app.services.context import Actor
from app.services.forms import Allowed, allowed_by
from app.services.permissions import Role, require

CHANNELS = {  # 广东 八: departmental budget, or direct payment by the treasury for special funds
    "dept_budget": N_("Departmental budget payment (部门预算支付)"),
    "treasury_direct": N_("Direct treasury payment (财政直接支付)"),
}
LABELS = {
    "paid_on": N_("Payment date"), "amount": N_("Amount"), "reference": N_("Voucher or reference number"),
    "channel": N_("Payment channel"), "instalment": N_("Instalment"), "note": N_("Note"),
}
EFFECTIVE_STATES = frozenset({lc.AgreementState.EFFECTIVE.value, lc.AgreementState.PERFORMING.value,
                              lc.AgreementState.FINAL_ACCEPTANCE.value, lc.AgreementState.COMPLETED.value})


def problem(name: str, reason: str) -> FieldProblem:
    return FieldProblem(name, _(LABELS.get(name, name)), reason)


@dataclass(frozen=True)
class InstalmentState:
    agreement_id: int
    agreement: str  # number
    seq: int
    amount: Decimal
    condition: str
    milestone: str
    status: InstalmentStatus
    reason: str
    paid: Decimal
    paid_on: date | None  # the last payment's date
    assessment_id: int | None  # the record the instalment relies on
    assessment_grade: str | None  # its grade code (excellent, good, pass, fail)
    acceptance_id: int | None
    payable_since: date | None

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.paid

    @property
    def status_label(self) -> str:
        return _(asm.INSTALMENT_STATUS_LABELS[self.status])

    @property
    def assessment_grade_label(self) -> str:
        return assessments.grade_label(self.assessment_grade) if self.assessment_grade else ""

    @property
    def condition_label(self) -> str:
        text = _(pc.INSTALMENT_CONDITIONS.get(self.condition, self.condition))
        return f"{text}（{self.milestone}）" if self.milestone else text


def _milestone_for(session: Session, a: Agreement, inst: Instalment) -> Milestone | None:
    rows = assessments.ensure_milestones(session, a, persist=False)
    for m in rows:
        if m.instalment_seq == inst.seq:
            return m
    for m in rows:  # milestones renamed by hand keep their instalment; else match by name
        if inst.milestone and m.name == inst.milestone:
            return m
    return None


def _state(session: Session, a: Agreement, inst: Instalment, paid: Decimal, last: date | None) -> InstalmentState:
    effective = a.state in EFFECTIVE_STATES and a.effective_on is not None
    outcome, what = Outcome.NONE, ""
    x_id: int | None = None
    grade: str | None = None
    acc_id: int | None = None
    since: date | None = a.effective_on
    if inst.condition == "milestone_passed":
        m = _milestone_for(session, a, inst)
        what = _("the assessment “{name}”").format(name=m.name if m else inst.milestone)
        x = assessments._latest(session, m.id) if m else None
        outcome = assessments.outcome_of(session, x)
        if x is not None and outcome in (Outcome.PASSED, Outcome.FAILED):
            x_id = x.id
            grade = x.grade
            since = x.approved_on
    elif inst.condition == "final_acceptance":
        what = _("the final acceptance")
        outcome, acc = assessments.acceptance_outcome(session, a.id)
        if acc is not None and outcome in (Outcome.PASSED, Outcome.FAILED):
            acc_id = acc.id
            since = acc.accepted_on
    r = asm.instalment_status(inst.condition, inst.amount, paid, effective, outcome, what)
    return InstalmentState(a.id, a.number, inst.seq, inst.amount, inst.condition, inst.milestone, r.status, r.reason,
                           paid, last, x_id, grade, acc_id, since if r.status == InstalmentStatus.PAYABLE else None)


def instalment_statuses(session: Session, agreement_ids: Iterable[int] | None = None) -> list[InstalmentState]:
    """Every instalment's status with its reason, in agreement and instalment order."""
    s = select(Agreement).where(Agreement.free_of_charge.is_(False)).order_by(Agreement.id)
    ids = None if agreement_ids is None else list(agreement_ids)
    if ids is not None:
        s = s.where(Agreement.id.in_(ids))
    sums = {(aid, seq): (total, last) for aid, seq, total, last in session.execute(
        select(Payment.agreement_id, Payment.instalment_seq, func.sum(Payment.amount), func.max(Payment.paid_on))
        .group_by(Payment.agreement_id, Payment.instalment_seq)).all()}
    out = []
    for a in session.scalars(s):
        for inst in a.instalments:
            total, last = sums.get((a.id, inst.seq), (None, None))  # sum() keeps the Money type: yuan
            paid = Decimal(total or 0).quantize(Decimal("0.01"))
            out.append(_state(session, a, inst, paid, last))
    return out


# The same decision as `_state` and asm.instalment_status, made by the database for every
# instalment at once (the dashboard and the monthly summary need only counts and amounts):
# the milestone an instalment relies on is the first saved one (by seq) naming its seq, else the
# first named as its milestone; its latest assessment (highest id) and the agreement's latest
# acceptance decide; an unsaved (planned) milestone has no assessment, so it is not due.
# Only the instalments still open on a milestone or the acceptance (in a district a tenth of them:
# most are paid) look up their milestone, assessment and acceptance; each `inst` row is built once.
_STATUS_SQL = """
WITH paid AS (
    SELECT agreement_id, instalment_seq, sum(amount) AS paid FROM payments GROUP BY agreement_id, instalment_seq
), inst AS MATERIALIZED (
    SELECT i.agreement_id, i.seq, i.amount, i.condition, i.milestone, coalesce(p.paid, 0) AS paid,
           (a.state IN ({effective}) AND a.effective_on IS NOT NULL) AS effective,
           (coalesce(p.paid, 0) < i.amount AND a.state IN ({effective}) AND a.effective_on IS NOT NULL
            AND i.condition IN ('milestone_passed', 'final_acceptance')) AS waits
    FROM instalments AS i JOIN agreements AS a ON a.id = i.agreement_id
    LEFT JOIN paid AS p ON p.agreement_id = i.agreement_id AND p.instalment_seq = i.seq
    WHERE a.free_of_charge = 0
), waiting AS MATERIALIZED (
    SELECT inst.*, CASE WHEN condition = 'milestone_passed' THEN coalesce(
               (SELECT m.id FROM milestones AS m WHERE m.agreement_id = inst.agreement_id AND m.instalment_seq = inst.seq
                ORDER BY m.seq LIMIT 1),
               (SELECT m.id FROM milestones AS m WHERE m.agreement_id = inst.agreement_id AND inst.milestone != ''
                AND m.name = inst.milestone ORDER BY m.seq LIMIT 1)) END AS milestone_id
    FROM inst WHERE waits
), decided AS (
    SELECT waiting.*, x.state AS x_state, x.passed AS x_passed,
           EXISTS (SELECT 1 FROM objections AS o WHERE o.assessment_id = x.id AND o.state = 'received') AS x_objected,
           acc.state AS acc_state, acc.result AS acc_result
    FROM waiting
    LEFT JOIN assessments AS x ON waiting.milestone_id IS NOT NULL AND x.id = (
        SELECT max(x2.id) FROM assessments AS x2  -- an assessment's milestone is one of its agreement's
        WHERE x2.agreement_id = waiting.agreement_id AND x2.milestone_id = waiting.milestone_id)
    LEFT JOIN acceptances AS acc ON waiting.condition = 'final_acceptance' AND acc.id = (
        SELECT max(c2.id) FROM acceptances AS c2 WHERE c2.agreement_id = waiting.agreement_id)
)
SELECT status, count(*), sum(amount - paid) FROM (
    SELECT CASE
        WHEN paid >= amount THEN 'paid'
        WHEN NOT effective THEN 'not_due'
        WHEN condition = 'on_signing' THEN 'payable'
        ELSE 'not_due' END AS status, amount, paid
    FROM inst WHERE NOT waits
    UNION ALL
    SELECT CASE
        WHEN condition = 'milestone_passed' THEN CASE
            WHEN x_state IS NULL OR x_state = 'draft' OR x_state != 'approved' OR x_objected THEN 'not_due'
            WHEN x_passed THEN 'payable' ELSE 'blocked' END
        ELSE CASE  -- final_acceptance
            WHEN acc_state IS NULL OR acc_state != 'completed' THEN 'not_due'
            WHEN acc_result = 'passed' THEN 'payable' ELSE 'blocked' END
        END, amount, paid
    FROM decided
) GROUP BY status
"""


@dataclass(frozen=True)
class StatusTotal:
    count: int
    remaining: Decimal  # what is left to pay of these instalments


def status_totals(session: Session) -> dict[InstalmentStatus, StatusTotal]:
    """How many instalments are in each status and what is left of them: one grouped query, the
    same statuses as instalment_statuses (which gives each one with its reason)."""
    effective = ", ".join(f"'{s}'" for s in sorted(EFFECTIVE_STATES))  # code constants, not input
    rows = session.execute(text(_STATUS_SQL.format(effective=effective))).all()
    out = {s: StatusTotal(0, Decimal("0.00")) for s in InstalmentStatus}
    for status, n, fen in rows:
        out[InstalmentStatus(status)] = StatusTotal(int(n), from_fen(int(fen or 0)))
    return out


@dataclass(frozen=True)
class MoneySummary:
    agreement_id: int
    amount: Decimal
    paid: Decimal
    payable: Decimal
    outstanding: Decimal  # amount - paid


def money_summary(session: Session, agreement_ids: Iterable[int] | None = None) -> dict[int, MoneySummary]:
    """Paid, payable and outstanding per agreement, from instalment_statuses."""
    out: dict[int, list[InstalmentState]] = {}
    for st in instalment_statuses(session, agreement_ids):
        out.setdefault(st.agreement_id, []).append(st)
    result = {}
    for aid, rows in out.items():
        amount = sum((r.amount for r in rows), Decimal(0))
        paid = sum((r.paid for r in rows), Decimal(0))
        payable = sum((r.remaining for r in rows if r.status == InstalmentStatus.PAYABLE), Decimal(0))
        result[aid] = MoneySummary(aid, amount, paid, payable, amount - paid)
    return result


def paid_totals(session: Session, agreement_ids: Iterable[int]) -> dict[int, Decimal]:
    """The paid total per agreement (one query; for the agreement list's paid column)."""
    ids = list(agreement_ids)
    if not ids:
        return {}
    rows = session.execute(select(Payment.agreement_id, func.sum(Payment.amount)).where(
        Payment.agreement_id.in_(ids)).group_by(Payment.agreement_id)).all()
    got = {aid: Decimal(total or 0).quantize(Decimal("0.01")) for aid, total in rows}
    return {aid: got.get(aid, Decimal("0.00")) for aid in ids}


@dataclass
class PaymentInput:
    agreement_id: int = 0
    instalment_seq: int = 0
    paid_on: object = None
    amount: object = None
    reference: str = ""
    channel: str = "dept_budget"
    note: str = ""
    is_sample: bool = False


@dataclass(frozen=True)
class PaymentRow:
    id: int
    instalment_seq: int
    paid_on: date
    amount: Decimal
    reference: str
    channel: str
    relies_on: str
    username: str

    @property
    def channel_label(self) -> str:
        return _(CHANNELS.get(self.channel, self.channel))


@dataclass(frozen=True)
class PaymentsState:
    """The agreement's payments tab: instalments, payments, totals, and what the actor may do."""

    agreement_id: int
    agreement_number: str
    amount: Decimal
    instalments: list[InstalmentState]
    payments: list[PaymentRow]
    summary: MoneySummary
    actions: dict[int, Allowed]  # instalment seq -> may a payment be recorded now


def _refusal(actor: Actor, st: InstalmentState) -> str:
    if not actor.roles & {Role.FINANCE.value}:
        return _("Only the finance role records payments.")
    if st.status == InstalmentStatus.PAID:
        return _("Instalment {n} is fully paid.").format(n=st.seq)
    if st.status != InstalmentStatus.PAYABLE:
        return _("Instalment {n} is not payable: {reason}.").format(n=st.seq, reason=st.reason)
    return ""


def payments_state(session: Session, actor: Actor, agreement_id: int) -> PaymentsState:
    a = session.get(Agreement, agreement_id)
    if a is None:
        raise NotFound(_("The agreement no longer exists."))
    rows = instalment_statuses(session, [a.id])
    pays = []
    for p in session.scalars(select(Payment).where(Payment.agreement_id == a.id).order_by(Payment.paid_on, Payment.id)):
        pays.append(PaymentRow(p.id, p.instalment_seq, p.paid_on, p.amount, p.reference, p.channel, _relies_on(session, p),
                               ""))
    summary = money_summary(session, [a.id]).get(a.id, MoneySummary(a.id, a.amount, Decimal("0.00"), Decimal("0.00"),
                                                                     a.amount))
    actions = {}
    for st in rows:
        why = _refusal(actor, st)
        actions[st.seq] = Allowed.no(why) if why else Allowed.yes()
    return PaymentsState(a.id, a.number, a.amount, rows, pays, summary, actions)


def _relies_on(session: Session, p: Payment) -> str:
    if p.assessment_id:
        x = session.get(Assessment, p.assessment_id)
        if x is not None:
            return _("Assessment {grade} ({total})").format(grade=assessments.grade_label(x.grade), total=f"{x.total:.2f}")
    if p.acceptance_id:
        return _("Final acceptance")
    return _("Agreement signed")


def record_payment(session: Session, actor: Actor, data: PaymentInput, today: date | None = None) -> int:
    """Record a payment of one instalment; every refusal says why."""
    require(actor, Role.FINANCE)
    today = today or date.today()
    a = session.get(Agreement, data.agreement_id)
    if a is None:
        raise NotFound(_("The agreement no longer exists."))
    st = next((s for s in instalment_statuses(session, [a.id]) if s.seq == data.instalment_seq), None)
    if st is None:
        raise ValidationError([problem("instalment", _("agreement {number} has no instalment {n}")
                                       .format(number=a.number, n=data.instalment_seq))])
    why = _refusal(actor, st)
    if why:
        raise lc.TransitionRefused(why)
    problems: list[FieldProblem] = []
    try:
        when = parse_date(data.paid_on)
    except (ValueError, TypeError):
        when = None
        problems.append(problem("paid_on", _("is not a date (write it like 2023-05-01)")))
    else:
        if when is None:
            problems.append(problem("paid_on", _("is required")))
        elif when > today:
            problems.append(problem("paid_on", _("is in the future")))
        elif a.effective_on is not None and when < a.effective_on:
            problems.append(problem("paid_on", _("is before the agreement took effect")))
    try:
        amount = parse_amount(data.amount)
    except ValueError:
        amount = None
        problems.append(problem("amount", _("is not an amount (write it like 123456.78)")))
    else:
        if amount is None:
            problems.append(problem("amount", _("is required")))
        elif amount <= 0:
            problems.append(problem("amount", _("must be greater than zero")))
        elif amount > st.remaining:
            problems.append(problem("amount", _("is more than what is left of instalment {n} ({left})")
                                    .format(n=st.seq, left=f"{st.remaining:,.2f}")))
    ref = normalize_text(data.reference)
    if not ref:
        problems.append(problem("reference", _("is required")))
    if data.channel not in CHANNELS:
        problems.append(problem("channel", _("is not one of the allowed values")))
    if problems:
        raise ValidationError(problems)
    assert amount is not None and when is not None
    total_paid = Decimal(session.scalar(select(func.sum(Payment.amount)).where(Payment.agreement_id == a.id)) or 0)
    if total_paid + amount > a.amount:
        raise ValidationError([problem("amount", _("the paid total would be {total}, above the agreement amount "
                                                   "{amount}").format(total=f"{total_paid + amount:,.2f}",
                                                                      amount=f"{a.amount:,.2f}"))])
    p = Payment(agreement_id=a.id, instalment_seq=st.seq, paid_on=when, amount=amount, reference=ref,
                channel=data.channel, assessment_id=st.assessment_id, acceptance_id=st.acceptance_id,
                note=str(data.note), recorded_by=actor.id, is_sample=bool(data.is_sample))
    session.add(p)
    session.flush()
    if amount == st.remaining:
        inst = next(i for i in a.instalments if i.seq == st.seq)
        inst.paid_on = when
    session.flush()
    audit.record(session, actor, "create", "payment", p.id, f"{a.number} #{st.seq}",
                 {"amount": (None, amount), "paid_on": (None, when), "reference": (None, ref),
                  "channel": (None, data.channel), "assessment_id": (None, st.assessment_id),
                  "acceptance_id": (None, st.acceptance_id)})
    audit.record(session, actor, "update", "agreement", a.id, a.number)
    return p.id


def can_record(session: Session, actor: Actor, agreement_id: int, seq: int) -> Allowed:
    return payments_state(session, actor, agreement_id).actions.get(seq) or allowed_by(
        lambda: require(actor, Role.FINANCE))

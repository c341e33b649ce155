"""The monthly (quarterly, yearly) summary the street office reports to the district (月度汇总).

Every figure comes from SQL over integer fen, so totals are exact and the rows of each breakdown
add up to the total to the fen. Figures that depend on records this version does not keep yet
(payments, assessments, objections) are `Unavailable` with a reason, never zero.

Definitions (the issue is silent on them; chosen so a summary can be reproduced later):
- signed in the period: the agreement took effect (both parties signed) on a day in the period;
- in force in the period: it took effect on or before the last day, its service period ends on or
  after the first day, and it was not terminated;
- deadlines are judged as of the period's last day (or today, if the period is not over): those
  overdue then, and those falling due before the end of the following month.
"""

from __future__ import annotations

import calendar as pycal
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from app.domain.errors import FieldProblem, ValidationError
from app.domain.lifecycle import AgreementState
from app.domain.money import FEN, from_fen
from app.domain.procurement import PROCUREMENT_METHODS
from app.domain.workdays import Calendar, Deadline, add_calendar_days, add_working_days
from app.i18n import _
from app.models import Agreement, Organization, Project, ServiceDomain
from app.services import agreements
from app.services import calendar as calendar_service
from app.services import settings as settings_service
from app.services.context import Actor

ZERO = Decimal("0.00")
_PERIOD = re.compile(r"^\s*(\d{4})(?:-(?:(0[1-9]|1[0-2])|[Qq]([1-4])))?\s*$")


# --- Periods ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "quarter" | "year"
    year: int
    index: int  # month 1..12, quarter 1..4, or 0 for a year
    start: date
    end: date  # inclusive

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls("month", year, month, date(year, month, 1), date(year, month, pycal.monthrange(year, month)[1]))

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        first = 3 * (q - 1) + 1
        return cls("quarter", year, q, date(year, first, 1), date(year, first + 2, pycal.monthrange(year, first + 2)[1]))

    @classmethod
    def whole_year(cls, year: int) -> Period:
        return cls("year", year, 0, date(year, 1, 1), date(year, 12, 31))

    @property
    def key(self) -> str:
        """Machine form, also used in file names: 2026-03, 2026-Q1, 2026."""
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("{year}-{month}").format(year=self.year, month=f"{self.index:02d}")
        if self.kind == "quarter":
            return _("Q{quarter} {year}").format(year=self.year, quarter=self.index)
        return _("Year {year}").format(year=self.year)

    @property
    def zh_label(self) -> str:
        """The Chinese name printed in documents that leave the office."""
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        if self.kind == "quarter":
            return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
        return f"{self.year}年"

    @property
    def following_month(self) -> tuple[date, date]:
        first = self.end + timedelta(days=1)
        return first, date(first.year, first.month, pycal.monthrange(first.year, first.month)[1])


def parse_period(text: str) -> Period:
    """'2026-03' (month), '2026-Q1' (quarter) or '2026' (year); a clear message otherwise."""
    m = _PERIOD.match(text or "")
    if not m or not (1900 <= int(m.group(1)) <= 9999):
        raise ValidationError([FieldProblem("period", _("Period"), _(
            "“{text}” is not a period; write a month as 2026-03, a quarter as 2026-Q1 or a year as 2026.").format(
            text=text))])
    year = int(m.group(1))
    if m.group(2):
        return Period.month(year, int(m.group(2)))
    if m.group(3):
        return Period.quarter(year, int(m.group(3)))
    return Period.whole_year(year)


def last_months(today: date, n: int = 12) -> list[Period]:
    """The n months ending with today's month, oldest first."""
    out: list[Period] = []
    y, m = today.year, today.month
    for _i in range(n):
        out.append(Period.month(y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


# --- Figures ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unavailable:
    """A figure this version cannot give yet; shown as its reason, never as zero."""

    reason: str


@dataclass(frozen=True)
class Figures:
    signed_count: int = 0
    signed_amount: Decimal = ZERO
    in_force_count: int = 0
    in_force_amount: Decimal = ZERO

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.signed_count + other.signed_count, self.signed_amount + other.signed_amount,
                       self.in_force_count + other.in_force_count, self.in_force_amount + other.in_force_amount)


@dataclass(frozen=True)
class GroupRow:
    key: str  # stable machine key: domain id, organization id, method code ("" for none)
    label: str
    figures: Figures


@dataclass(frozen=True)
class EndingRow:
    agreement_id: int
    number: str
    undertaker: str
    project: str
    period_end: date
    amount: Decimal


@dataclass(frozen=True)
class DeadlineItem:
    kind: str  # "sign" | "announce" | "file"
    record_kind: str  # "project" | "agreement": what one click opens
    record_id: int
    reference: str  # agreement number or project name
    undertaker: str
    due: date | None  # None when the holiday calendar does not cover the year
    overdue: bool
    flagged_years: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return deadline_label(self.kind)


def deadline_label(kind: str) -> str:
    return {"sign": _("Sign the agreement (30 days after the award notice)"),
            "announce": _("Announce the agreement (2 working days after signing)"),
            "file": _("File the agreement with finance (working days after signing)")}.get(kind, kind)


@dataclass(frozen=True)
class Summary:
    office: str
    period: Period
    as_of: date  # deadlines are judged on this day
    totals: Figures
    by_domain: list[GroupRow]
    by_org: list[GroupRow]
    by_method: list[GroupRow]
    ending_next_month: list[EndingRow]
    deadlines: list[DeadlineItem]  # the first `deadline_rows` (summarize), in deadline_order
    payments: Any = field(default=None)  # figures from the payments feature, or Unavailable
    assessments: Any = field(default=None)
    objections: Any = field(default=None)
    deadlines_total: int = 0  # every open obligation, listed or not
    deadlines_overdue: int = 0
    org_contacts: dict[int, tuple[str, str]] = field(default_factory=dict)  # by_org's names and phones, by id

    @property
    def deadlines_truncated(self) -> bool:
        return self.deadlines_total > len(self.deadlines)


# Terminated agreements are not "in force"; everything else after signing is.
IN_FORCE_STATES = (AgreementState.EFFECTIVE.value, AgreementState.PERFORMING.value,
                   AgreementState.FINAL_ACCEPTANCE.value, AgreementState.COMPLETED.value)


def signed_in(p: Period) -> ColumnElement[bool]:
    return and_(Agreement.effective_on.is_not(None), Agreement.effective_on >= p.start, Agreement.effective_on <= p.end)


def in_force_in(p: Period) -> ColumnElement[bool]:
    return and_(Agreement.effective_on.is_not(None), Agreement.effective_on <= p.end, Agreement.period_end >= p.start,
                Agreement.state.in_(IN_FORCE_STATES))


def _fen(value: object) -> Decimal:
    """A SQL sum of a Money column: Decimal already (None when no rows)."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value.quantize(FEN)
    return from_fen(int(Decimal(str(value))))  # pragma: no cover - dialects that lose the column type


Parts = tuple[dict[Any, list[int]], dict[Any, list[int]], dict[Any, list[int]]]


def _parts(session: Session, p: Period) -> Parts:
    """One pass over the agreements signed or in force in `p`: signed count and fen, in-force count and
    fen, per service domain, undertaker and procurement method (one grouped query, summed exactly)."""
    signed, force = signed_in(p), in_force_in(p)
    fen = type_coerce(Agreement.amount, Integer)  # integer fen, summed without rounding
    q = (select(Project.domain_id, Agreement.undertaker_id, Project.procurement_method,
                func.sum(case((signed, 1), else_=0)), func.sum(case((signed, fen), else_=0)),
                func.sum(case((force, 1), else_=0)), func.sum(case((force, fen), else_=0)))
         .join(Project, Project.id == Agreement.project_id).where(or_(signed, force))
         .group_by(Project.domain_id, Agreement.undertaker_id, Project.procurement_method))
    parts: Parts = ({}, {}, {})
    for *keys, n_signed, fen_signed, n_force, fen_force in session.execute(q):
        figures = (int(n_signed), int(fen_signed or 0), int(n_force), int(fen_force or 0))
        for part, key in zip(parts, keys, strict=True):
            acc = part.get(key)
            if acc is None:
                part[key] = list(figures)
            else:
                for i, x in enumerate(figures):
                    acc[i] += x
    return parts


def _figures(acc: list[int]) -> Figures:
    return Figures(acc[0], from_fen(acc[1]), acc[2], from_fen(acc[3]))


def _total(part: dict[Any, list[int]]) -> Figures:
    acc = [0, 0, 0, 0]
    for fig in part.values():
        for i, x in enumerate(fig):
            acc[i] += x
    return _figures(acc)


def totals(session: Session, p: Period) -> Figures:
    signed = session.execute(select(func.count(Agreement.id), func.sum(Agreement.amount)).where(signed_in(p))).one()
    force = session.execute(select(func.count(Agreement.id), func.sum(Agreement.amount)).where(in_force_in(p))).one()
    return Figures(signed[0], _fen(signed[1]), force[0], _fen(force[1]))


def _ordered(rows: list[GroupRow]) -> list[GroupRow]:
    return sorted(rows, key=lambda r: (-r.figures.signed_amount, -r.figures.in_force_amount, r.label))


def _domain_rows(session: Session, data: dict[Any, list[int]]) -> list[GroupRow]:
    names: dict[int | None, str] = {i: n for i, n in session.execute(select(ServiceDomain.id, ServiceDomain.name))}
    return _ordered([GroupRow("" if k is None else str(k), names.get(k, _("No service domain")), _figures(f))
                     for k, f in data.items()])


def names_of(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Organizations' names and phones by id (a long list reads them all rather than binding every id)."""
    q = select(Organization.id, Organization.name, Organization.phone)
    if len(ids) <= 500:
        q = q.where(Organization.id.in_(ids))
    wanted = set(ids)
    return {i: (n, ph) for i, n, ph in session.execute(q) if i in wanted} if ids else {}


def _org_rows(data: dict[Any, list[int]], names: dict[int, tuple[str, str]]) -> list[GroupRow]:
    return _ordered([GroupRow(str(k), names[k][0] if k in names else str(k), _figures(f)) for k, f in data.items()])


def _method_rows(data: dict[Any, list[int]]) -> list[GroupRow]:
    return _ordered([GroupRow(k or "", method_label(k), _figures(f)) for k, f in data.items()])


def by_domain(session: Session, p: Period) -> list[GroupRow]:
    return _domain_rows(session, _parts(session, p)[0])


def by_org(session: Session, p: Period) -> list[GroupRow]:
    data = _parts(session, p)[1]
    return _org_rows(data, names_of(session, list(data)))


def method_label(code: str | None) -> str:
    return _(PROCUREMENT_METHODS[code]) if code in PROCUREMENT_METHODS else (code or _("Not recorded"))


def by_method(session: Session, p: Period) -> list[GroupRow]:
    return _method_rows(_parts(session, p)[2])


def ending_in(session: Session, start: date, end: date) -> list[EndingRow]:
    q = (select(Agreement.id, Agreement.number, Organization.name, Project.name, Agreement.period_end, Agreement.amount)
         .join(Organization, Organization.id == Agreement.undertaker_id).join(Project, Project.id == Agreement.project_id)
         .where(Agreement.period_end >= start, Agreement.period_end <= end,
                Agreement.state.in_(IN_FORCE_STATES[:3]))
         .order_by(Agreement.period_end, Agreement.number))
    return [EndingRow(*row) for row in session.execute(q)]


def filing_days(session: Session) -> int:
    raw = settings_service.get(session, agreements.FILING_DAYS)
    try:
        return int(raw) if raw else agreements.DEFAULT_FILING_DAYS
    except ValueError:
        return agreements.DEFAULT_FILING_DAYS


def due_after(fn: Callable[[Calendar, date, int], Deadline], cal: Calendar, n: int) -> Callable[[date], Deadline]:
    """fn(cal, day, n) remembered per day: deadlines are counted once per distinct date, not per record."""
    memo: dict[date, Deadline] = {}

    def due(day: date) -> Deadline:
        got = memo.get(day)
        if got is None:
            got = memo[day] = fn(cal, day, n)
        return got
    return due


def sign_deadlines(session: Session, as_of: date, horizon: date, cal: Calendar) -> list[DeadlineItem]:
    """Sign within 30 days of the award notice: awarded projects whose first agreement is not in force."""
    due = due_after(add_calendar_days, cal, 30)
    first = (select(Agreement.project_id, Agreement.effective_on).where(Agreement.year_index == 1).subquery())
    q = (select(Project.id, Project.name, Project.award_notice_date, first.c.effective_on,
                func.coalesce(Organization.name, ""))
         .outerjoin(first, first.c.project_id == Project.id)
         .outerjoin(Organization, Organization.id == Project.award_org_id)
         .where(Project.award_notice_date.is_not(None), Project.award_notice_date <= as_of,
                Project.state.notin_(("cancelled", "terminated", "failed")),
                or_(first.c.effective_on.is_(None), first.c.effective_on > as_of)))
    items = []
    for pid, name, notice, _effective, who in session.execute(q):
        d = due(notice)
        if d.due is None or d.due <= horizon:
            items.append(DeadlineItem("sign", "project", pid, name, who, d.due, d.due is not None and d.due < as_of,
                                      d.uncovered_years))
    return items


def signed_by(as_of: date) -> tuple[ColumnElement[bool], ...]:
    """Agreements in effect by `as_of` (not terminated): those that must be announced and filed."""
    return (Agreement.effective_on.is_not(None), Agreement.effective_on <= as_of,
            Agreement.state != AgreementState.TERMINATED.value)


def not_done_by(column: Any, as_of: date) -> ColumnElement[bool]:
    return or_(column.is_(None), column > as_of)


AFTER_SIGNING = (("announce", Agreement.announced_on), ("file", Agreement.filed_on))


def after_signing_days(session: Session) -> dict[str, int]:
    """Working days after signing: announce within 2, file with finance within the office's setting."""
    return {"announce": 2, "file": filing_days(session)}


def deadlines_as_of(session: Session, as_of: date, horizon: date, cal: Calendar | None = None) -> list[DeadlineItem]:
    """Obligations not met by `as_of` that are overdue then or fall due by `horizon` (or cannot be dated)."""
    cal = cal or calendar_service.load(session)
    items = sign_deadlines(session, as_of, horizon, cal)
    # Announce (2 working days) and file with finance (N working days) after signing.
    days = after_signing_days(session)
    due = {kind: due_after(add_working_days, cal, n) for kind, n in days.items()}
    q2 = (select(Agreement.id, Agreement.number, Organization.name, Agreement.effective_on, Agreement.announced_on,
                 Agreement.filed_on)
          .join(Organization, Organization.id == Agreement.undertaker_id)
          .where(*signed_by(as_of)))
    for aid, number, who, effective, announced, filed in session.execute(q2):
        for kind, done in (("announce", announced), ("file", filed)):
            if done is None or done > as_of:
                d = due[kind](effective)
                if d.due is None or d.due <= horizon:
                    items.append(DeadlineItem(kind, "agreement", aid, number, who, d.due,
                                              d.due is not None and d.due < as_of, d.uncovered_years))
    items.sort(key=lambda i: (i.due is not None, i.due or date.min, i.kind, i.reference))
    return items


def deadline_order(item: DeadlineItem) -> tuple[bool, date, str, str]:
    """Overdue first (they fall due first), then the soonest; those that cannot be dated last."""
    return (item.due is None, item.due or date.max, item.kind, item.reference)


DEADLINE_ROWS = 100  # the monthly summary lists the first obligations; it counts them all


@dataclass(frozen=True)
class DeadlinePage:
    items: list[DeadlineItem]  # the first `limit`, in deadline_order
    total: int  # every obligation, listed or not
    overdue: int


def after_signing_page(session: Session, as_of: date, horizon: date, cal: Calendar, limit: int | None,
                       others: list[date | None]) -> tuple[list[DeadlineItem], int, int]:
    """Announce and file obligations not met by `as_of` that are overdue then or fall due by `horizon`.

    Counted in the database per date of signing (a deadline depends only on that date); only the rows
    that can be among the first `limit` of the whole list (these and `others`, the due dates of the
    caller's other items, ordered by due date, undated last) are read. Returns the rows read (some
    may fall after the page: the caller sorts and cuts), how many there are in all, how many overdue.
    """
    signed = signed_by(as_of)
    due = {kind: due_after(add_working_days, cal, n) for kind, n in after_signing_days(session).items()}
    pending = {kind: not_done_by(column, as_of) for kind, column in AFTER_SIGNING}
    counts: dict[str, dict[date, tuple[Deadline, int]]] = {kind: {} for kind in pending}
    for effective, *ns in session.execute(
            select(Agreement.effective_on, *(func.sum(case((cond, 1), else_=0)) for cond in pending.values()))
            .where(*signed).group_by(Agreement.effective_on)):
        for kind, n in zip(pending, ns, strict=True):
            d = due[kind](effective)
            if n and (d.due is None or d.due <= horizon):
                counts[kind][effective] = (d, int(n))
    total = sum(n for per_day in counts.values() for _d, n in per_day.values())
    overdue = sum(n for per_day in counts.values() for d, n in per_day.values() if d.due is not None and d.due < as_of)
    # The last due date that can be shown: counting from the soonest, where `limit` is reached.
    cut: date | None = None
    room = 0
    if limit is not None:
        by_due: dict[date, int] = {}
        for day in others:
            if day is not None:
                by_due[day] = by_due.get(day, 0) + 1
        for per_day in counts.values():
            for d, n in per_day.values():
                if d.due is not None:
                    by_due[d.due] = by_due.get(d.due, 0) + n
        seen = 0
        for day in sorted(by_due):
            if seen + by_due[day] >= limit:
                cut, room = day, limit - seen  # `room` more fit on the page from the cut's day
                break
            seen += by_due[day]
    q = (select(Agreement.id, Agreement.number, Organization.name, Agreement.effective_on)
         .join(Organization, Organization.id == Agreement.undertaker_id).where(*signed))
    items: list[DeadlineItem] = []
    for kind, per_day in counts.items():
        sets: list[tuple[list[date], int | None]]
        if cut is None:  # all of them (the dated ones do not fill the page, or no limit)
            sets = [(list(per_day), None)]
        else:  # all before the cut; on the cut's day, the first `room` of each kind by number (the list's order)
            sets = [([e for e, (d, _n) in per_day.items() if d.due is not None and d.due < cut], None),
                    ([e for e, (d, _n) in per_day.items() if d.due == cut], room)]
        for days, at_most in sets:
            if not days:
                continue
            rows = q.where(pending[kind], Agreement.effective_on.in_(days)).order_by(Agreement.number)
            for aid, number, who, effective in session.execute(rows if at_most is None else rows.limit(at_most)):
                d = due[kind](effective)
                items.append(DeadlineItem(kind, "agreement", aid, number, who, d.due,
                                          d.due is not None and d.due < as_of, d.uncovered_years))
    return items, total, overdue


def deadline_page(session: Session, as_of: date, horizon: date, limit: int | None = DEADLINE_ROWS,
                  cal: Calendar | None = None) -> DeadlinePage:
    """The first `limit` of `deadlines_as_of` (in deadline_order) and how many there are in all."""
    cal = cal or calendar_service.load(session)
    signs = sign_deadlines(session, as_of, horizon, cal)
    rest, n, overdue = after_signing_page(session, as_of, horizon, cal, limit, [d.due for d in signs])
    items = sorted(signs + rest, key=deadline_order)
    return DeadlinePage(items if limit is None else items[:limit], len(signs) + n,
                        sum(1 for d in signs if d.overdue) + overdue)


# --- Figures from other features -------------------------------------------------------------

@dataclass(frozen=True)
class PaymentFigures:
    """Payments recorded in the period, and what is payable or blocked at its end (app.services.payments)."""

    paid_count: int
    paid_amount: Decimal
    payable_count: int
    payable_amount: Decimal
    blocked_count: int
    blocked_amount: Decimal

    @property
    def text(self) -> str:
        return _("{n} payments, {amount} paid; {p} instalments payable ({pa}); {b} blocked").format(
            n=self.paid_count, amount=f"¥{self.paid_amount:,.2f}", p=self.payable_count,
            pa=f"¥{self.payable_amount:,.2f}", b=self.blocked_count)

    def as_section(self) -> Any:
        from app.documents import report as rp

        return rp.Section("payments", "付款情况", (rp.Column("项目", width=24), rp.Column("笔数", rp.COUNT, 10),
                                                 rp.Column("金额（元）", rp.MONEY, 18)), (
            ("本期付款", self.paid_count, self.paid_amount),
            ("期末可付未付", self.payable_count, self.payable_amount),
            ("期末因考核不合格受阻", self.blocked_count, self.blocked_amount)))


@dataclass(frozen=True)
class AssessmentFigures:
    """Assessments approved in the period, by grade (app.services.assessments)."""

    completed: int
    by_grade: tuple[tuple[str, int], ...]  # (grade label, count), best first

    @property
    def text(self) -> str:
        grades = "、".join(f"{g} {n}" for g, n in self.by_grade if n)
        return _("{n} assessments approved").format(n=self.completed) + (f"（{grades}）" if grades else "")

    def as_section(self) -> Any:
        from app.documents import report as rp

        return rp.Section("assessments", "考核情况", (rp.Column("等次", width=20), rp.Column("次数", rp.COUNT, 10)),
                          tuple((g, n) for g, n in self.by_grade), ("合计", self.completed))


@dataclass(frozen=True)
class ObjectionFigures:
    """Objections received in the period, and how their replies went (五个工作日, 成都规程第二十七条)."""

    received: int
    replied: int
    replied_on_time: int
    open: int

    @property
    def text(self) -> str:
        return _("{n} objections received, {r} answered ({t} in time), {o} awaiting a reply").format(
            n=self.received, r=self.replied, t=self.replied_on_time, o=self.open)

    def as_section(self) -> Any:
        from app.documents import report as rp

        return rp.Section("objections", "异议处理", (rp.Column("项目", width=24), rp.Column("件数", rp.COUNT, 10)), (
            ("本期收到异议", self.received), ("已答复", self.replied), ("按时答复（五个工作日内）", self.replied_on_time),
            ("待答复", self.open)))


def payments_figures(session: Session, p: Period) -> Any:
    from app.domain.assessment import InstalmentStatus
    from app.models.assessment import Payment
    from app.services import payments

    paid = session.execute(select(func.count(), func.sum(Payment.amount)).where(
        Payment.paid_on >= p.start, Payment.paid_on <= p.end)).one()
    states = payments.status_totals(session)  # grouped in the database, not one instalment at a time
    payable, blocked = states[InstalmentStatus.PAYABLE], states[InstalmentStatus.BLOCKED]
    return PaymentFigures(int(paid[0] or 0), Decimal(paid[1] or 0).quantize(FEN), payable.count, payable.remaining,
                          blocked.count, blocked.remaining)


def assessment_figures(session: Session, p: Period) -> Any:
    from app.domain.assessment import DEFAULT_BANDS
    from app.models.assessment import Assessment

    rows = session.execute(select(Assessment.grade, func.count()).where(
        Assessment.state == "approved", Assessment.approved_on >= p.start, Assessment.approved_on <= p.end)
        .group_by(Assessment.grade)).all()
    counts = {g: int(n) for g, n in rows}
    order = [(b.label, counts.pop(b.grade, 0)) for b in DEFAULT_BANDS] + sorted(counts.items())
    return AssessmentFigures(sum(n for _g, n in order), tuple(order))


def objection_figures(session: Session, p: Period) -> Any:
    from app.models.assessment import Objection

    rows = list(session.scalars(select(Objection).where(Objection.received_on >= p.start,
                                                        Objection.received_on <= p.end)))
    replied = [o for o in rows if o.state == "replied"]
    on_time = [o for o in replied if o.replied_on and o.reply_due_on and o.replied_on <= o.reply_due_on]
    return ObjectionFigures(len(rows), len(replied), len(on_time), len(rows) - len(replied))


# --- The use case ----------------------------------------------------------------------------

def summarize(session: Session, actor: Actor | None, period: Period | str, today: date | None = None,
              deadline_rows: int | None = DEADLINE_ROWS) -> Summary:
    """The whole summary of one period (read only: nothing is written, not even an audit record).

    Every figure counts everything; of the open obligations only the first `deadline_rows` are read
    (overdue first; None: all of them), with how many there are and how many are overdue.
    """
    p = parse_period(period) if isinstance(period, str) else period
    today = today or date.today()
    as_of = min(p.end, today)
    _first, horizon = p.following_month if as_of == p.end else Period.month(as_of.year, as_of.month).following_month
    nxt_start, nxt_end = p.following_month
    page = deadline_page(session, as_of, horizon, deadline_rows)
    domains, orgs, methods = _parts(session, p)
    contacts = names_of(session, list(orgs))
    return Summary(
        office=settings_service.get(session, settings_service.OFFICE_NAME),
        period=p, as_of=as_of, totals=_total(domains), by_domain=_domain_rows(session, domains),
        by_org=_org_rows(orgs, contacts), by_method=_method_rows(methods),
        ending_next_month=ending_in(session, nxt_start, nxt_end),
        deadlines=page.items,
        payments=payments_figures(session, p), assessments=assessment_figures(session, p),
        objections=objection_figures(session, p), deadlines_total=page.total, deadlines_overdue=page.overdue,
        org_contacts=contacts)


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    signed_count: int
    signed_amount: Decimal


def monthly_trend(session: Session, actor: Actor | None, today: date | None = None, n: int = 12) -> list[TrendPoint]:
    """Signed agreements per month for the n months ending this month (one query)."""
    months = last_months(today or date.today(), n)
    start, end = months[0].start, months[-1].end
    month = func.substr(type_coerce(Agreement.effective_on, String), 1, 7)  # stored as YYYY-MM-DD
    rows = session.execute(select(month, func.count(), func.sum(type_coerce(Agreement.amount, Integer))).where(
        Agreement.effective_on >= start, Agreement.effective_on <= end).group_by(month))
    acc = {str(key): (int(count), from_fen(int(fen or 0))) for key, count, fen in rows}
    return [TrendPoint(m, *acc.get(m.key, (0, ZERO))) for m in months]

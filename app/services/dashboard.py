"""Figures for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from app.domain.lifecycle import AgreementState
from app.i18n import _
from app.models import Agreement, Organization, Project
from app.services import calendar as calendar_service
from app.services import settings as settings_service
from app.services import summary
from app.services.context import Actor


@dataclass(frozen=True)
class Overview:
    office_name: str
    organizations: int
    eligible: int
    ineligible: int
    support_orgs: int


def overview(session: Session, actor: Actor | None) -> Overview:
    by_state: dict[str, int] = {state: n for state, n in session.execute(
        select(Organization.eligibility, func.count()).group_by(Organization.eligibility))}
    support = session.scalar(select(func.count()).where(Organization.is_support_org.is_(True))) or 0
    return Overview(settings_service.get(session, settings_service.OFFICE_NAME),
                    sum(by_state.values()), by_state.get("eligible", 0), by_state.get("ineligible", 0), support)


# --- The working dashboard (工作台): what to do today, and the year's figures --------------------

@dataclass(frozen=True)
class TodoItem:
    kind: str  # "sign" | "announce" | "file" | "renew"
    record_kind: str  # "agreement" | "project": what one click opens
    record_id: int
    reference: str  # agreement number or project name
    undertaker: str
    due: date | None  # None: the holiday calendar does not cover the year
    overdue: bool
    working_days: bool  # the deadline counts working days on the official calendar

    @property
    def label(self) -> str:
        return todo_label(self.kind)


def todo_label(kind: str) -> str:
    return {"sign": _("Sign the agreement"), "announce": _("Announce the agreement"),
            "file": _("File the agreement with finance"), "renew": _("Prepare next year's agreement")}.get(kind, kind)


@dataclass(frozen=True)
class Board:
    office: str
    today: date
    in_force: summary.Figures  # this month
    signed_year: summary.Figures  # this calendar year
    organizations: int
    eligible_orgs: int
    by_domain: list[tuple[str, Decimal]]  # in-force amount by service domain, this year
    trend: list[summary.TrendPoint]
    grades: Any  # grade distribution, or summary.Unavailable
    payments: Any
    todo: list[TodoItem]  # the first TODO_ROWS of them
    todo_total: int  # all of them
    todo_overdue: int
    not_yet: list[str]  # to-do kinds that appear once their feature lands

    @property
    def overdue(self) -> int:
        return self.todo_overdue


RENEW_WINDOW_DAYS = 60
TODO_HORIZON_DAYS = 31
TODO_ROWS = 500  # the to-do table shows the first rows; the tile counts them all


@dataclass(frozen=True)
class TodoPage:
    items: list[TodoItem]  # the first `limit`, overdue first, soonest first
    total: int  # every obligation listed, shown or not
    overdue: int


def _order(t: TodoItem) -> tuple[bool, bool, date, str, str]:
    return (not t.overdue, t.due is None, t.due or date.max, t.kind, t.reference)


def todo(session: Session, actor: Actor | None, today: date | None = None) -> list[TodoItem]:
    """Obligations not met yet: overdue ones and those due within a month, soonest first (every one)."""
    return todo_page(session, actor, today, limit=None).items


def todo_page(session: Session, actor: Actor | None, today: date | None = None,
              limit: int | None = TODO_ROWS) -> TodoPage:
    """The first `limit` obligations of `todo` and how many there are in all (overdue among them).

    Announcing and filing are counted in the database per date of signing (a deadline depends only
    on that date), and only the rows that can be among the first `limit` are read.
    """
    today = today or date.today()
    horizon = today + timedelta(days=TODO_HORIZON_DAYS)
    cal = calendar_service.load(session)
    items = [TodoItem(d.kind, d.record_kind, d.record_id, d.reference, d.undertaker, d.due, d.overdue, False)
             for d in summary.sign_deadlines(session, today, horizon, cal)]
    # Agreements waiting for signatures whose project has no award deadline listed above.
    listed = {(t.record_kind, t.record_id) for t in items}
    waiting = session.execute(
        select(Agreement.id, Agreement.number, Organization.name, Agreement.project_id)
        .join(Organization, Organization.id == Agreement.undertaker_id)
        .where(Agreement.state == AgreementState.AWAITING_SIGNATURE.value).order_by(Agreement.id))
    for aid, number, who, pid in waiting:
        if ("project", pid) in listed:
            items = [TodoItem("sign", "agreement", aid, number, who, t.due, t.overdue, False)
                     if (t.record_kind, t.record_id) == ("project", pid) else t for t in items]
        else:
            items.append(TodoItem("sign", "agreement", aid, number, who, None, False, False))
    # Renewal: an agreement ending soon in a multi-year plan with no next year's agreement yet.
    following = aliased(Agreement)
    renew = session.execute(
        select(Agreement.id, Agreement.number, Organization.name, Agreement.period_end)
        .join(Project, Project.id == Agreement.project_id).join(Organization, Organization.id == Agreement.undertaker_id)
        .where(Agreement.state.in_(summary.IN_FORCE_STATES[:3]), Agreement.year_index < Project.plan_years,
               Agreement.period_end <= today + timedelta(days=RENEW_WINDOW_DAYS),
               ~exists().where(following.project_id == Agreement.project_id,
                               following.year_index == Agreement.year_index + 1))
        .order_by(Agreement.id))
    for aid, number, who, end in renew:
        items.append(TodoItem("renew", "agreement", aid, number, who, end, end < today, False))
    # Announce and file: counted per date of signing, only the rows that can be on the page read.
    signed, n_signed, n_overdue = summary.after_signing_page(session, today, horizon, cal, limit,
                                                             [t.due for t in items])
    total = len(items) + n_signed
    overdue = sum(1 for t in items if t.overdue) + n_overdue
    items += [TodoItem(d.kind, d.record_kind, d.record_id, d.reference, d.undertaker, d.due, d.overdue, True)
              for d in signed]
    items.sort(key=_order)
    return TodoPage(items if limit is None else items[:limit], total, overdue)


def board(session: Session, actor: Actor | None, today: date | None = None) -> Board:
    today = today or date.today()
    month = summary.Period.month(today.year, today.month)
    year = summary.Period.whole_year(today.year)
    eligible = session.scalar(select(func.count()).where(Organization.eligibility == "eligible")) or 0
    organizations = session.scalar(select(func.count()).select_from(Organization)) or 0
    domains = [(r.label, r.figures.in_force_amount) for r in summary.by_domain(session, year)]
    page = todo_page(session, actor, today, TODO_ROWS)
    return Board(
        office=settings_service.get(session, settings_service.OFFICE_NAME), today=today,
        in_force=summary.totals(session, month), signed_year=summary.totals(session, year),
        organizations=organizations, eligible_orgs=eligible,
        by_domain=domains, trend=summary.monthly_trend(session, actor, today=today),
        grades=summary.assessment_figures(session, year), payments=summary.payments_figures(session, year),
        todo=page.items, todo_total=page.total, todo_overdue=page.overdue,
        not_yet=[_("milestones due"), _("objections awaiting a reply"), _("payments payable")])

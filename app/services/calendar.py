"""The holiday calendar kept in the database, and deadlines computed from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.domain.dates import parse_date
from app.domain.errors import FieldProblem, ValidationError
from app.domain.text import normalize_text
from app.domain.workdays import (
    Calendar,
    DayKind,
    Deadline,
    add_calendar_days,
    add_working_days,
    seed_from_chinesecalendar,
)
from app.i18n import _
from app.models.calendar import CalendarYear, HolidayDay
from app.services import audit
from app.services.context import Actor
from app.services.permissions import Role, require

SEED_SOURCE = "chinesecalendar"


def ensure_seeded(session: Session) -> None:
    """Fill the calendar from the chinesecalendar package once (years it covers)."""
    if session.scalar(select(func.count()).select_from(CalendarYear)):
        return
    days, years = seed_from_chinesecalendar()
    session.add_all(HolidayDay(day=d, kind=k.value, name=n) for d, k, n in days)
    session.add_all(CalendarYear(year=y, source=SEED_SOURCE) for y in years)
    session.flush()


def load(session: Session) -> Calendar:
    """The calendar in the database; before anyone edited it, the package's data (read-only safe)."""
    years = list(session.scalars(select(CalendarYear.year)))
    if not years:
        seed_days, seed_years = seed_from_chinesecalendar()
        return Calendar.from_days([(d, k) for d, k, _n in seed_days], seed_years)
    days = [(r.day, DayKind(r.kind)) for r in session.scalars(select(HolidayDay))]
    return Calendar.from_days(days, years)


@dataclass(frozen=True)
class YearRow:
    year: int
    source: str
    holidays: int
    workdays: int


def list_years(session: Session, actor: Actor | None = None) -> list[YearRow]:
    if not session.scalar(select(func.count()).select_from(CalendarYear)):
        seed_days, seed_years = seed_from_chinesecalendar()
        return [YearRow(y, SEED_SOURCE, sum(1 for d, k, _n in seed_days if d.year == y and k == DayKind.HOLIDAY),
                        sum(1 for d, k, _n in seed_days if d.year == y and k == DayKind.WORKDAY))
                for y in sorted(seed_years, reverse=True)]
    rows = []
    for cy in session.scalars(select(CalendarYear).order_by(CalendarYear.year.desc())):
        kinds: dict[str, int] = {kind: n for kind, n in session.execute(select(HolidayDay.kind, func.count()).where(
            HolidayDay.day >= date(cy.year, 1, 1), HolidayDay.day <= date(cy.year, 12, 31)).group_by(HolidayDay.kind))}
        rows.append(YearRow(cy.year, cy.source, kinds.get("holiday", 0), kinds.get("workday", 0)))
    return rows


def set_year(session: Session, actor: Actor, year: int, holidays: list[tuple[object, str]],
             workdays: list[tuple[object, str]], source: str) -> None:
    """Enter (or replace) one year's official schedule, e.g. from the 国务院办公厅 notice."""
    require(actor, Role.ADMIN)
    ensure_seeded(session)
    problems: list[FieldProblem] = []
    label = _("Holiday calendar")
    if not 2000 <= int(year) <= 2100:
        problems.append(FieldProblem("year", _("Year"), _("year {year} is out of range").format(year=year)))
    parsed: list[tuple[date, DayKind, str]] = []
    for kind, items in ((DayKind.HOLIDAY, holidays), (DayKind.WORKDAY, workdays)):
        for raw, name in items:
            try:
                d = parse_date(raw)
            except ValueError:
                problems.append(FieldProblem("days", label, _("“{value}” is not a date").format(value=raw)))
                continue
            if d is None:
                continue
            if d.year != int(year):
                problems.append(FieldProblem("days", label, _("{date} is not in {year}").format(date=d, year=year)))
            elif kind == DayKind.WORKDAY and d.weekday() < 5:
                problems.append(FieldProblem("days", label, _("{date} is a weekday; only a weekend day can be a "
                                                                "make-up working day").format(date=d)))
            else:
                parsed.append((d, kind, normalize_text(name)))
    dup = {d for d, _k, _n in parsed if sum(1 for x, _a, _b in parsed if x == d) > 1}
    if dup:
        problems.append(FieldProblem("days", label, _("{date} is entered twice").format(date=min(dup))))
    if not normalize_text(source):
        problems.append(FieldProblem("source", _("Source document"), _("is required")))
    if problems:
        raise ValidationError(problems)
    session.execute(delete(HolidayDay).where(HolidayDay.day >= date(year, 1, 1), HolidayDay.day <= date(year, 12, 31)))
    old = session.get(CalendarYear, year)
    if old is None:
        session.add(CalendarYear(year=year, source=normalize_text(source)))
    else:
        old.source = normalize_text(source)
    session.add_all(HolidayDay(day=d, kind=k.value, name=n) for d, k, n in parsed)
    audit.record(session, actor, "update", "holiday_calendar", year, str(year),
                 {"days": (None, "; ".join(f"{d}:{k.value}:{n}" for d, k, n in sorted(parsed)))})


def working_days_after(session: Session, actor: Actor | None, start: date, n: int) -> Deadline:
    return add_working_days(load(session), start, n)


def calendar_days_after(session: Session, actor: Actor | None, start: date, n: int) -> Deadline:
    return add_calendar_days(load(session), start, n)

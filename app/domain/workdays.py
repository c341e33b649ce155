"""Working days under the official holiday calendar, with 调休 (make-up working days).

The calendar is data (kept in the database, seeded from chinesecalendar, editable for years the
package does not cover yet). A deadline that falls in a year with no calendar data is flagged, not
guessed: Monday–Friday is NOT assumed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class DayKind(StrEnum):
    HOLIDAY = "holiday"  # 法定节假日 (including weekend days inside a holiday)
    WORKDAY = "workday"  # 调休上班 (a weekend day that is a working day)


class UncoveredYear(Exception):
    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()  # years whose official schedule is known

    @classmethod
    def from_days(cls, days: Iterable[tuple[date, DayKind]], years: Iterable[int]) -> Calendar:
        hol: set[date] = set()
        work: set[date] = set()
        for d, kind in days:
            (hol if kind == DayKind.HOLIDAY else work).add(d)
        return cls(frozenset(hol), frozenset(work), frozenset(years))

    def is_workday(self, d: date) -> bool:
        if d.year not in self.years:
            raise UncoveredYear(d.year)
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    due: date | None  # None when the calendar does not cover the period
    uncovered_years: tuple[int, ...] = field(default=())

    @property
    def flagged(self) -> bool:
        return self.due is None


def add_working_days(cal: Calendar, start: date, n: int) -> Deadline:
    """The n-th working day after `start`; the start day itself is not counted (民法典第二百零一条).

    Unlike chinese_calendar.find_workday, a start on a rest day does not count that day's next
    working day as day 0 (that would count one day too many).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    d, k = start, 0
    try:
        while k < n:
            d += timedelta(days=1)
            if cal.is_workday(d):
                k += 1
    except UncoveredYear as exc:
        return Deadline(None, (exc.year,))
    return Deadline(d)


def add_calendar_days(cal: Calendar, start: date, n: int) -> Deadline:
    """n calendar days after `start`; if the last day is a rest day, the next working day (民法典第二百零三条)."""
    d = start + timedelta(days=n)
    try:
        while not cal.is_workday(d):
            d += timedelta(days=1)
    except UncoveredYear as exc:
        return Deadline(None, (exc.year,))
    return Deadline(d)


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed_from_chinesecalendar() -> tuple[list[tuple[date, DayKind, str]], list[int]]:
    """Holiday and make-up days of every year the chinesecalendar package covers."""
    from chinese_calendar import constants

    days: list[tuple[date, DayKind, str]] = []
    for d, name in constants.holidays.items():
        days.append((d, DayKind.HOLIDAY, HOLIDAY_NAMES_ZH.get(str(name), str(name))))
    for d, name in constants.workdays.items():
        days.append((d, DayKind.WORKDAY, HOLIDAY_NAMES_ZH.get(str(name), str(name))))
    years = sorted({d.year for d, _k, _n in days})
    return days, years

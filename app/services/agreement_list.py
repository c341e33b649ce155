"""The agreement list's row, and the list as the command line asks for it, in plain SQL.

No SQLAlchemy here: `spdesk agreements list` reads through the sqlite3 module alone (app.services.quick_read,
issue 17), so its rows are built here. The service (app.services.agreements.list_agreements) builds the
same rows through the ORM for every filter, search, order and page; this module covers the command
line's shape of it (a year, a state, the default order, the first LIMIT rows). Where the two say the same
thing twice (the year and state conditions, the order), tests/unit/test_quick_read.py compares their rows
on the office-scale sample database for many filters.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from app.domain import lifecycle as lc
from app.domain.money import from_fen
from app.domain.parties import in_print_order
from app.i18n import _

if TYPE_CHECKING:
    from app.services.paging import PageKey

LIMIT = 1000  # list_agreements' default: the command line lists the first thousand in the list's order


@dataclass(frozen=True)
class AgreementRow:
    id: int
    number: str
    project_id: int
    project: str
    year_index: int
    state: str
    purchaser: str
    undertaker: str
    parties_reversed: bool
    amount: Decimal
    period_start: date
    period_end: date
    free_of_charge: bool
    is_sample: bool
    paid: Decimal = Decimal("0.00")  # recorded payments (app.services.payments)
    sort_value: object = field(default=None, compare=False, repr=False)  # the value the list is ordered by

    @property
    def page_key(self) -> PageKey:
        """The row's place in the list's order (the sort value, then the id): keyset paging."""
        return (self.sort_value, self.id)

    @property
    def state_label(self) -> str:
        return _(lc.AGREEMENT_STATE_LABELS[lc.AgreementState(self.state)])

    @property
    def party_a(self) -> str:
        return in_print_order(self.purchaser, self.undertaker, self.parties_reversed)[0]

    @property
    def party_b(self) -> str:
        return in_print_order(self.purchaser, self.undertaker, self.parties_reversed)[1]


# The columns in AgreementRow's order, as list_agreements selects them (it also reads `paid`, which the
# command line does not print, and keeps the sort value for paging).
_SELECT = ("SELECT a.id, a.number, a.project_id, p.name, a.year_index, a.state, a.purchaser_name, o.name, "
           "a.parties_reversed, a.amount, a.period_start, a.period_end, a.free_of_charge, a.is_sample "
           "FROM agreements AS a JOIN projects AS p ON p.id = a.project_id "
           "JOIN organizations AS o ON o.id = a.undertaker_id")


def _date(value: object) -> date:
    return date.fromisoformat(str(value)[:10])


def plain_rows(conn: sqlite3.Connection, year: int | None = None, state: str = "",
               limit: int = LIMIT) -> list[AgreementRow]:
    """list_agreements(AgreementQuery(year=year, state=state)) through sqlite3: agreements running in `year`
    (starting or ending in it), in `state`, latest period first (ties: the higher id first); a negative
    `limit`: all of them."""
    where: list[str] = []
    params: list[object] = []
    if year is not None:
        where.append("(CAST(strftime('%Y', a.period_start) AS INTEGER) = ? "
                     "OR CAST(strftime('%Y', a.period_end) AS INTEGER) = ?)")
        params += [year, year]
    if state:
        where.append("a.state = ?")
        params.append(state)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + \
        " ORDER BY a.period_start DESC, a.id DESC LIMIT ?"
    rows = conn.execute(sql, [*params, limit]).fetchall()
    return [AgreementRow(int(r[0]), str(r[1]), int(r[2]), str(r[3]), int(r[4]), str(r[5]), str(r[6]), str(r[7]),
                         bool(r[8]), from_fen(int(r[9])), _date(r[10]), _date(r[11]), bool(r[12]), bool(r[13]),
                         sort_value=_date(r[10]))
            for r in rows]

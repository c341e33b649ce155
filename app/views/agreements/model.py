"""The agreement list: rows fetched from SQL in pages on the worker thread, filtered in SQL.

Answers to an old query are dropped (a generation number), so a slow answer to an old filter
never overwrites a newer one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.domain import lifecycle as lc
from app.i18n import N_, _, format_amount
from app.services import agreements as ag
from app.services.demo import SAMPLE_MARK
from app.views.paged_model import PAGE_SIZE, SORT_ROLE, PagedTableModel
from app.views.paged_model import ROW_ROLE as ROW_ROLE  # re-exported for the page and tests
from app.views.worker import Worker

# Foreground and background per state: amber while the text is worked on, blue until it is signed,
# green while it runs, grey when done, red when terminated.
_A = lc.AgreementState
STATE_COLORS: dict[str, tuple[str, str]] = {
    _A.DRAFT: ("#7a5200", "#fff4d6"),
    _A.REVIEW: ("#7a5200", "#fdebb8"),
    _A.AWAITING_SIGNATURE: ("#0b3d91", "#e3edfb"),
    _A.EFFECTIVE: ("#0f5223", "#dff0e3"),
    _A.PERFORMING: ("#0f5223", "#c9e7d1"),
    _A.FINAL_ACCEPTANCE: ("#4a2d7a", "#ece4f7"),
    _A.COMPLETED: ("#44546a", "#e8ebef"),
    _A.TERMINATED: ("#8c1d18", "#fbe9e7"),
}


class Column(IntEnum):
    NUMBER = 0
    PROJECT = 1
    YEAR_INDEX = 2
    PARTY_A = 3
    PARTY_B = 4
    AMOUNT = 5
    PAID = 6
    PERIOD = 7
    STATE = 8
    SAMPLE = 9


HEADERS = {
    Column.NUMBER: N_("Agreement number"),
    Column.PROJECT: N_("Project"),
    Column.YEAR_INDEX: N_("Plan year"),
    Column.PARTY_A: N_("Party A"),
    Column.PARTY_B: N_("Party B"),
    Column.AMOUNT: N_("Amount"),
    Column.PAID: N_("Paid"),
    Column.PERIOD: N_("Service period"),
    Column.STATE: N_("State"),
    Column.SAMPLE: N_("Sample"),
}


def year_label(n: int) -> str:
    return _("Year {n}").format(n=n)


def period_text(start: date, end: date) -> str:
    return f"{start.isoformat()} — {end.isoformat()}"


def amount_text(row: ag.AgreementRow) -> str:
    return _("Free of charge") if row.free_of_charge else format_amount(row.amount)


def strip_sample(name: str) -> str:
    return name.replace(SAMPLE_MARK, "")


class AgreementListModel(PagedTableModel):
    # Party A and B swap with the agreement's parties, paid comes from the payments: not sortable in SQL.
    sort_keys = {Column.NUMBER: ag.AgreementSort.NUMBER, Column.PROJECT: ag.AgreementSort.PROJECT,
                 Column.YEAR_INDEX: ag.AgreementSort.YEAR_INDEX, Column.AMOUNT: ag.AgreementSort.AMOUNT,
                 Column.PERIOD: ag.AgreementSort.PERIOD, Column.STATE: ag.AgreementSort.STATE}

    def __init__(self, worker: Worker, page_size: int = PAGE_SIZE, parent: Any = None) -> None:
        super().__init__(worker, query=ag.AgreementQuery(), first_page=ag.first_page, page=ag.next_page,
                         columns=Column, headers=HEADERS, page_size=page_size, parent=parent,
                         kind="agreement", rows_with_ids=ag.rows_with_ids)

    # -- the table --------------------------------------------------------------------------

    def header_data(self, col: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (Column.AMOUNT, Column.PAID):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return self.unsortable_tip(col, role)

    def cell_data(self, row: ag.AgreementRow, col: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == SORT_ROLE:
            return self._raw(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and col in (Column.NUMBER, Column.PROJECT, Column.PARTY_A,
                                                            Column.PARTY_B):
            return self._display(row, col) or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == Column.STATE:
                return QColor(STATE_COLORS[row.state][0])
            if col == Column.SAMPLE and row.is_sample:
                return QColor("#6b5900")
            return None
        if role == Qt.ItemDataRole.BackgroundRole and col == Column.STATE:
            return QColor(STATE_COLORS[row.state][1])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (Column.AMOUNT, Column.PAID):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col in (Column.YEAR_INDEX, Column.STATE, Column.SAMPLE):
                return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _display(row: ag.AgreementRow, col: Column) -> str:
        if col == Column.NUMBER:
            return row.number
        if col == Column.PROJECT:
            return strip_sample(row.project)
        if col == Column.YEAR_INDEX:
            return year_label(row.year_index)
        if col == Column.PARTY_A:
            return strip_sample(row.party_a)
        if col == Column.PARTY_B:
            return strip_sample(row.party_b)
        if col == Column.AMOUNT:
            return amount_text(row)
        if col == Column.PAID:
            return "" if row.free_of_charge else format_amount(row.paid)
        if col == Column.PERIOD:
            return period_text(row.period_start, row.period_end)
        if col == Column.STATE:
            return row.state_label
        return _("Sample") if row.is_sample else ""

    @staticmethod
    def _raw(row: ag.AgreementRow, col: Column) -> str | int | Decimal | date | bool:
        return {
            Column.NUMBER: row.number, Column.PROJECT: row.project, Column.YEAR_INDEX: row.year_index,
            Column.PARTY_A: row.party_a, Column.PARTY_B: row.party_b, Column.AMOUNT: row.amount,
            Column.PAID: row.paid, Column.PERIOD: row.period_start, Column.STATE: row.state, Column.SAMPLE: row.is_sample,
        }[col]

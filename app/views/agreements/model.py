"""The agreement list: rows fetched from SQL in pages on the worker thread, filtered in SQL.

Answers to an old query are dropped (a generation number), so a slow answer to an old filter
never overwrites a newer one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from app.domain import lifecycle as lc
from app.i18n import N_, _, format_amount
from app.services import agreements as ag
from app.services.context import Actor
from app.services.demo import SAMPLE_MARK
from app.views.messages import error_text
from app.views.worker import Worker

PAGE_SIZE = 200

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the AgreementRow record
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # raw value for sorting (str, int, Decimal, date)

_Index = QModelIndex | QPersistentModelIndex

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
    PERIOD = 6
    STATE = 7
    SAMPLE = 8


HEADERS = {
    Column.NUMBER: N_("Agreement number"),
    Column.PROJECT: N_("Project"),
    Column.YEAR_INDEX: N_("Plan year"),
    Column.PARTY_A: N_("Party A"),
    Column.PARTY_B: N_("Party B"),
    Column.AMOUNT: N_("Amount"),
    Column.PERIOD: N_("Service period"),
    Column.STATE: N_("State"),
    Column.SAMPLE: N_("Sample"),
}


def first_page(session: Any, actor: Actor, query: ag.AgreementQuery, limit: int) -> tuple[int, list[ag.AgreementRow]]:
    """Count and first page in one transaction, so the two agree."""
    return ag.count_agreements(session, actor, query), ag.list_agreements(session, actor, query, 0, limit)


def year_label(n: int) -> str:
    return _("Year {n}").format(n=n)


def period_text(start: date, end: date) -> str:
    return f"{start.isoformat()} — {end.isoformat()}"


def amount_text(row: ag.AgreementRow) -> str:
    return _("Free of charge") if row.free_of_charge else format_amount(row.amount)


def strip_sample(name: str) -> str:
    return name.replace(SAMPLE_MARK, "")


class AgreementListModel(QAbstractTableModel):
    count_changed = Signal(int)  # total rows matching the query
    loaded = Signal()  # the first page of a new query arrived
    failed = Signal(str)  # a query failed; the message is for the user

    def __init__(self, worker: Worker, page_size: int = PAGE_SIZE, parent: Any = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.page_size = page_size
        self._query = ag.AgreementQuery()
        self._rows: list[ag.AgreementRow] = []
        self._total = 0
        self._generation = 0
        self._loading = False
        self._fetching = False

    @property
    def query(self) -> ag.AgreementQuery:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    @property
    def busy(self) -> bool:
        return self._loading or self._fetching

    def set_query(self, query: ag.AgreementQuery) -> None:
        if query != self._query:
            self._query = query
            self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        self._loading = True
        self.worker.call(first_page, self._query, self.page_size,
                         on_done=lambda result: self._first_arrived(generation, result),
                         on_error=lambda error: self._failed(generation, error))

    def _first_arrived(self, generation: int, result: tuple[int, list[ag.AgreementRow]]) -> None:
        if generation != self._generation:
            return
        total, rows = result
        self.beginResetModel()
        self._rows = list(rows)
        self._total = max(total, len(rows))
        self._loading = self._fetching = False
        self.endResetModel()
        self.count_changed.emit(self._total)
        self.loaded.emit()

    def _failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self._loading = self._fetching = False
        self.failed.emit(error_text(error))

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt override
        if parent.isValid():
            return False
        return not self._loading and not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008, N802 - Qt override
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation, offset = self._generation, len(self._rows)
        self.worker.call(ag.list_agreements, self._query, offset, self.page_size,
                         on_done=lambda rows: self._more_arrived(generation, offset, rows),
                         on_error=lambda error: self._failed(generation, error))

    def _more_arrived(self, generation: int, offset: int, rows: list[ag.AgreementRow]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if offset != len(self._rows):
            return
        if not rows:
            self._total = len(self._rows)
            self.count_changed.emit(self._total)
            return
        first = len(self._rows)
        self._fetching = True
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self._fetching = False
        self.endInsertRows()

    # -- the table --------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(Column)

    def row_at(self, row: int) -> ag.AgreementRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, agreement_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == agreement_id), -1)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(HEADERS[Column(section)])
            if role == Qt.ItemDataRole.TextAlignmentRole and Column(section) == Column.AMOUNT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and section >= 0:
            return section + 1
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(Column):
            return None
        row = self._rows[index.row()]
        col = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == ROW_ROLE:
            return row
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
            if col == Column.AMOUNT:
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
            Column.PERIOD: row.period_start, Column.STATE: row.state, Column.SAMPLE: row.is_sample,
        }[col]

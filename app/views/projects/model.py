"""Table models of the project screens: the project list (paged from SQL on the worker thread) and a
project's agreements (a handful of rows, given whole).

As in the registry list, answers to an old query are dropped (a generation number), so a slow
answer never overwrites a newer one.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain import lifecycle as lc
from app.i18n import N_, _, format_amount
from app.services import projects
from app.services.demo import SAMPLE_MARK
from app.views.paged_model import PAGE_SIZE, ROW_ROLE, SORT_ROLE, Index, PagedTableModel
from app.views.worker import Worker

# Foreground and background of each state: grey before the money is there, amber while the
# requirement is worked on, blue during procurement, green while the work runs, red when it stopped.
_P = lc.ProjectState
STATE_COLORS: dict[str, tuple[str, str]] = {
    _P.PLANNED: ("#44546a", "#eef1f5"),
    _P.BUDGETED: ("#44546a", "#e4eaf2"),
    _P.REQUIREMENT_DRAFT: ("#7a5200", "#fff4d6"),
    _P.REQUIREMENT_APPROVED: ("#7a5200", "#fdebb8"),
    _P.SOLICITING: ("#0b3d91", "#e3edfb"),
    _P.AWARDED: ("#0b3d91", "#d2e3fa"),
    _P.IN_PERFORMANCE: ("#0f5223", "#e2f3e6"),
    _P.SETTLEMENT: ("#0f5223", "#eef6ef"),
    _P.CLOSED: ("#555555", "#f0f0f0"),
    _P.FAILED: ("#8c1d18", "#fbe9e7"),
    _P.CANCELLED: ("#8c1d18", "#f6e7e5"),
    _P.TERMINATED: ("#8c1d18", "#fbe0dc"),
}
_A = lc.AgreementState
AGREEMENT_STATE_COLORS: dict[str, tuple[str, str]] = {
    _A.DRAFT: ("#44546a", "#eef1f5"),
    _A.REVIEW: ("#7a5200", "#fff4d6"),
    _A.AWAITING_SIGNATURE: ("#7a5200", "#fdebb8"),
    _A.EFFECTIVE: ("#0b3d91", "#e3edfb"),
    _A.PERFORMING: ("#0f5223", "#e2f3e6"),
    _A.FINAL_ACCEPTANCE: ("#0f5223", "#d3ecd9"),
    _A.COMPLETED: ("#555555", "#f0f0f0"),
    _A.TERMINATED: ("#8c1d18", "#fbe9e7"),
}


def state_label(state: str) -> str:
    try:
        return _(lc.PROJECT_STATE_LABELS[lc.ProjectState(state)])
    except ValueError:
        return state


def agreement_state_label(state: str) -> str:
    try:
        return _(lc.AGREEMENT_STATE_LABELS[lc.AgreementState(state)])
    except ValueError:
        return state


class Column(IntEnum):
    NAME = 0
    YEAR = 1
    AMOUNT = 2
    METHOD = 3
    PLAN = 4
    UNDERTAKER = 5
    AGREEMENTS = 6
    STATE = 7


HEADERS = {
    Column.NAME: N_("Project name"),
    Column.YEAR: N_("Budget year"),
    Column.AMOUNT: N_("Budget amount"),
    Column.METHOD: N_("Procurement method"),
    Column.PLAN: N_("Plan (years)"),
    Column.UNDERTAKER: N_("Undertaker"),
    Column.AGREEMENTS: N_("Agreements"),
    Column.STATE: N_("State"),
}


def display_name(row: projects.ProjectRow) -> str:
    if row.is_sample and SAMPLE_MARK not in row.name:
        return _("[Sample] {name}").format(name=row.name)
    return row.name


def plan_text(years: int) -> str:
    return _("{n} yr").format(n=years)


class ProjectListModel(PagedTableModel):
    sort_keys = {Column.NAME: projects.ProjectSort.NAME, Column.YEAR: projects.ProjectSort.YEAR,
                 Column.AMOUNT: projects.ProjectSort.AMOUNT, Column.METHOD: projects.ProjectSort.METHOD,
                 Column.PLAN: projects.ProjectSort.PLAN, Column.UNDERTAKER: projects.ProjectSort.UNDERTAKER,
                 Column.AGREEMENTS: projects.ProjectSort.AGREEMENTS, Column.STATE: projects.ProjectSort.STATE}

    def __init__(self, worker: Worker, page_size: int = PAGE_SIZE, parent: Any = None) -> None:
        super().__init__(worker, query=projects.ProjectQuery(), first_page=projects.first_page, page=projects.next_page,
                         columns=Column, headers=HEADERS, page_size=page_size, parent=parent,
                         kind="project", rows_with_ids=projects.rows_with_ids)

    # -- the table --------------------------------------------------------------------------

    def cell_data(self, row: projects.ProjectRow, col: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == SORT_ROLE:
            return self._raw(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col in (Column.NAME, Column.UNDERTAKER):
                return self._display(row, col) or None
            if col == Column.STATE:
                return _("Double-click to open the project and see what can be done next")
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == Column.STATE:
                return QColor(STATE_COLORS.get(row.state, ("#333333", ""))[0])
            if col == Column.NAME and row.is_sample:
                return QColor("#6b5900")
            return None
        if role == Qt.ItemDataRole.BackgroundRole and col == Column.STATE:
            background = STATE_COLORS.get(row.state, ("", ""))[1]
            return QColor(background) if background else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == Column.AMOUNT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col in (Column.YEAR, Column.PLAN, Column.AGREEMENTS, Column.STATE):
                return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _display(row: projects.ProjectRow, col: Column) -> str:
        if col == Column.NAME:
            return display_name(row)
        if col == Column.AMOUNT:
            return format_amount(row.budget_amount)
        if col == Column.METHOD:
            return row.method_label
        if col == Column.PLAN:
            return plan_text(row.plan_years)
        if col == Column.STATE:
            return state_label(row.state)
        return str(ProjectListModel._raw(row, col))

    @staticmethod
    def _raw(row: projects.ProjectRow, col: Column) -> Any:
        return {
            Column.NAME: row.name, Column.YEAR: row.budget_year, Column.AMOUNT: row.budget_amount,
            Column.METHOD: row.procurement_method, Column.PLAN: row.plan_years, Column.UNDERTAKER: row.undertaker,
            Column.AGREEMENTS: row.agreements, Column.STATE: row.state,
        }[col]


class AgreementColumn(IntEnum):
    YEAR = 0
    NUMBER = 1
    STATE = 2


AGREEMENT_HEADERS = {
    AgreementColumn.YEAR: N_("Plan year"),
    AgreementColumn.NUMBER: N_("Agreement number"),
    AgreementColumn.STATE: N_("State"),
}


class ProjectAgreementsModel(QAbstractTableModel):
    """A project's agreements, one per plan year; read-only (the agreement screens edit them)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[int, str, int, str]] = []  # (id, number, year index, state)
        self._first_year = 0

    def set_rows(self, rows: list[tuple[int, str, int, str]], first_year: int) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._first_year = first_year
        self.endResetModel()

    def agreement_id(self, row: int) -> int | None:
        return self._rows[row][0] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(AgreementColumn)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(AgreementColumn):
            return _(AGREEMENT_HEADERS[AgreementColumn(section)])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(AgreementColumn):
            return None
        aid, number, year_index, state = self._rows[index.row()]
        col = AgreementColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if col == AgreementColumn.YEAR:
                year = self._first_year + year_index - 1 if self._first_year else 0
                return _("Year {n} ({year})").format(n=year_index, year=year) if year else str(year_index)
            if col == AgreementColumn.NUMBER:
                return number
            return agreement_state_label(state)
        if role == ROW_ROLE:
            return self._rows[index.row()]
        if role == SORT_ROLE:
            return (year_index, number, state)[col]
        if col == AgreementColumn.STATE:
            fg, bg = AGREEMENT_STATE_COLORS.get(state, ("#333333", "#ffffff"))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(fg)
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor(bg)
        return None

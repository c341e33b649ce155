"""The registry table: rows fetched from SQL in pages on the worker thread, sorted and filtered in SQL.

The model holds only the rows loaded so far. Counting and every page query run through
Worker.call; answers come back by signal and are dropped when the query changed meanwhile
(a generation number), so a slow answer to an old search never overwrites a newer one.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from app.domain.eligibility import Eligibility
from app.i18n import N_, _
from app.services import orgs
from app.services.context import Actor
from app.services.demo import SAMPLE_MARK
from app.views.messages import error_text
from app.views.worker import Worker

PAGE_SIZE = 200

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the OrgRow record
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # raw value for sorting (str, bool)

ELIGIBLE_COLOR = QColor("#1b7f3b")
INELIGIBLE_COLOR = QColor("#b3261e")
ELIGIBLE_BACKGROUND = QColor("#e7f4ea")
INELIGIBLE_BACKGROUND = QColor("#fbe9e7")

_Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    NAME = 0
    CODE = 1
    TYPE = 2
    DOMAINS = 3
    LEGAL_REP = 4
    CONTACT = 5
    PHONE = 6
    RATING = 7
    ELIGIBILITY = 8
    SUPPORT = 9


HEADERS = {
    Column.NAME: N_("Name"),
    Column.CODE: N_("Credit code"),
    Column.TYPE: N_("Org. type"),
    Column.DOMAINS: N_("Service domains"),
    Column.LEGAL_REP: N_("Legal rep."),
    Column.CONTACT: N_("Contact"),
    Column.PHONE: N_("Phone"),
    Column.RATING: N_("Rating"),
    Column.ELIGIBILITY: N_("Eligibility"),
    Column.SUPPORT: N_("Supporting org."),
}

# Columns the service can sort by; the others keep the current order when their header is clicked.
SORT_KEYS = {
    Column.NAME: orgs.SortKey.NAME,
    Column.CODE: orgs.SortKey.CODE,
    Column.TYPE: orgs.SortKey.TYPE,
    Column.LEGAL_REP: orgs.SortKey.LEGAL_REP,
    Column.RATING: orgs.SortKey.RATING,
    Column.ELIGIBILITY: orgs.SortKey.ELIGIBILITY,
}
COLUMN_OF_SORT = {v: k for k, v in SORT_KEYS.items()}


def first_page(session: Any, actor: Actor, query: orgs.OrgQuery, limit: int) -> tuple[int, list[orgs.OrgRow]]:
    """Count and first page in one transaction, so the two agree."""
    return orgs.count(session, actor, query), orgs.page(session, actor, query, 0, limit)


def display_name(row: orgs.OrgRow) -> str:
    if row.is_sample and SAMPLE_MARK not in row.name:
        return _("[Sample] {name}").format(name=row.name)
    return row.name


def short_type_label(label: str) -> str:
    """The table shows "社会服务机构", the tooltip and form the full "社会服务机构（民办非企业单位）"."""
    return re.split(r"[（(]", label, maxsplit=1)[0].strip() or label


class OrgListModel(QAbstractTableModel):
    count_changed = Signal(int)  # total rows matching the query
    loaded = Signal()  # the first page of a new query arrived
    failed = Signal(str)  # a query failed; the message is for the user

    def __init__(self, worker: Worker, page_size: int = PAGE_SIZE, parent: Any = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.page_size = page_size
        self._query = orgs.OrgQuery()
        self._rows: list[orgs.OrgRow] = []
        self._total = 0
        self._generation = 0
        self._loading = False
        self._fetching = False

    # -- the query --------------------------------------------------------------------------

    @property
    def query(self) -> orgs.OrgQuery:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    @property
    def busy(self) -> bool:
        return self._loading or self._fetching

    def set_query(self, query: orgs.OrgQuery) -> None:
        if query != self._query:
            self._query = query
            self.reload()

    def reload(self) -> None:
        """Ask again for the count and first page; the old rows stay until the answer arrives."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        self.worker.call(first_page, self._query, self.page_size,
                         on_done=lambda result: self._first_arrived(generation, result),
                         on_error=lambda error: self._failed(generation, error))

    def _first_arrived(self, generation: int, result: tuple[int, list[orgs.OrgRow]]) -> None:
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

    # -- lazy loading -----------------------------------------------------------------------

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt override
        if parent.isValid():
            return False
        return not self._loading and not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008, N802 - Qt override
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation, offset = self._generation, len(self._rows)
        self.worker.call(orgs.page, self._query, offset, self.page_size,
                         on_done=lambda rows: self._more_arrived(generation, offset, rows),
                         on_error=lambda error: self._failed(generation, error))

    def _more_arrived(self, generation: int, offset: int, rows: list[orgs.OrgRow]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if offset != len(self._rows):  # an answer that no longer fits; the view will ask again
            return
        if not rows:  # rows were deleted since the count: stop asking
            self._total = len(self._rows)
            self.count_changed.emit(self._total)
            return
        first = len(self._rows)
        self._fetching = True  # views and testers may ask for more while rows are being inserted
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self._fetching = False
        self.endInsertRows()

    # -- sorting ----------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(Column(column)) if 0 <= column < len(Column) else None
        if key is None:
            return
        self.set_query(self._query.with_sort(key, order == Qt.SortOrder.DescendingOrder))

    def sort_column(self) -> int:
        return int(COLUMN_OF_SORT.get(self._query.sort, Column.NAME))

    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._query.descending else Qt.SortOrder.AscendingOrder

    # -- the table --------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(Column)

    def row_at(self, row: int) -> orgs.OrgRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, org_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == org_id), -1)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(HEADERS[Column(section)])
            if role == Qt.ItemDataRole.ToolTipRole and Column(section) not in SORT_KEYS:
                return _("This column cannot be sorted")
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
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Column.TYPE:
                return row.org_type_label
            if col in (Column.NAME, Column.DOMAINS):
                return self._display(row, col) or None
            if col == Column.ELIGIBILITY:
                return _("Open the organization to see the reasons")
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == Column.ELIGIBILITY:
                return ELIGIBLE_COLOR if row.eligibility == Eligibility.ELIGIBLE else INELIGIBLE_COLOR
            if col == Column.NAME and row.is_sample:
                return QColor("#6b5900")
            return None
        if role == Qt.ItemDataRole.BackgroundRole and col == Column.ELIGIBILITY:
            return ELIGIBLE_BACKGROUND if row.eligibility == Eligibility.ELIGIBLE else INELIGIBLE_BACKGROUND
        if role == Qt.ItemDataRole.FontRole and col == Column.CODE:
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.TypeWriter)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (Column.RATING, Column.ELIGIBILITY, Column.SUPPORT):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _display(row: orgs.OrgRow, col: Column) -> str:
        if col == Column.NAME:
            return display_name(row)
        if col == Column.TYPE:
            return short_type_label(row.org_type_label)
        if col == Column.ELIGIBILITY:
            return row.eligibility_label
        if col == Column.SUPPORT:
            return _("Yes") if row.is_support_org else ""
        return str(OrgListModel._raw(row, col))

    @staticmethod
    def _raw(row: orgs.OrgRow, col: Column) -> str | bool:
        return {
            Column.NAME: row.name, Column.CODE: row.credit_code, Column.TYPE: row.org_type,
            Column.DOMAINS: row.domains, Column.LEGAL_REP: row.legal_representative,
            Column.CONTACT: row.contact_person, Column.PHONE: row.phone, Column.RATING: row.rating,
            Column.ELIGIBILITY: row.eligibility, Column.SUPPORT: row.is_support_org,
        }[col]

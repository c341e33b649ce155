"""A read-only table model whose rows come from SQL in pages, fetched on the worker thread.

The model holds only the rows loaded so far. When a write elsewhere changes records of the model's
kind (the worker's change bus), only those rows are asked for again and updated in place, removed
when they no longer match, or added at the top when new: selection and scroll stay where they were. The count with the first page, and every further
page, run through Worker.call; answers come back by signal and are dropped when the query changed
meanwhile (a generation number), so a slow answer to an old search never overwrites a newer one.

Further pages are asked for by the page key of the last row (keyset paging): any page costs what the
first does. Subclasses give the column enum, the headers and two service callables, and answer `cell_data`
for the roles they show (display text, colours, sort values); sorting hooks stay with them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.i18n import _
from app.services.changes import Changes
from app.services.paging import AtLeast
from app.views.messages import error_text
from app.views.worker import Worker

PAGE_SIZE = 200

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row record
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # raw value for sorting

Index = QModelIndex | QPersistentModelIndex

# first_page(session, actor, query, limit) -> (total, rows); page(session, actor, query, after, limit) -> the rows
# after the page key `after` (keyset paging, app/services/paging.py; every row has `.id` and `.page_key`)
# rows_with_ids(session, actor, query, ids) -> (total, the rows of those ids that match the query)
FirstPage = Callable[..., tuple[int, list[Any]]]
Page = Callable[..., list[Any]]
RowsWithIds = Callable[..., tuple[int, list[Any]]]


class PagedTableModel(QAbstractTableModel):
    count_changed = Signal(int)  # total rows matching the query
    loaded = Signal()  # the first page of a new query arrived
    failed = Signal(str)  # a query failed; the message is for the user

    def __init__(self, worker: Worker, *, query: Any, first_page: FirstPage, page: Page,
                 columns: type[IntEnum], headers: Mapping[Any, str],
                 page_size: int = PAGE_SIZE, parent: Any = None, kind: str | None = None,
                 rows_with_ids: RowsWithIds | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.page_size = page_size
        self.columns = columns
        self.headers = headers
        self._first_page = first_page
        self._page = page
        self._query = query
        self._rows: list[Any] = []
        self._total = 0
        self._exact = True  # False: the count stopped early (paging.AtLeast); pages load until one is short
        self._generation = 0
        self._loading = False
        self._fetching = False
        self._added: set[int] = set()  # ids of rows added at the top after a change, outside the pages' SQL order
        self._after: Any = None  # page key of the last row the pages gave: the next page starts after it
        self.kind = kind
        self._rows_with_ids = rows_with_ids
        if kind is not None:
            worker.bus.changed.connect(self.apply_changes)

    # -- the query --------------------------------------------------------------------------

    @property
    def query(self) -> Any:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    @property
    def exact(self) -> bool:
        """Whether `total` is the exact count, or only a lower bound (paging.AtLeast) until the last page."""
        return self._exact

    @property
    def busy(self) -> bool:
        return self._loading or self._fetching

    def set_query(self, query: Any) -> None:
        if query != self._query:
            self._query = query
            self.reload()

    def reload(self) -> None:
        """Ask again for the count and first page; the old rows stay until the answer arrives."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        self.worker.call(self._first_page, self._query, self.page_size,
                         on_done=lambda result: self._first_arrived(generation, result),
                         on_error=lambda error: self._failed(generation, error))

    def _first_arrived(self, generation: int, result: tuple[int, list[Any]]) -> None:
        if generation != self._generation:
            return
        total, rows = result
        self.beginResetModel()
        self._rows = list(rows)
        self._after = rows[-1].page_key if rows else None
        self._added = set()
        self._total = max(total, len(rows))
        self._exact = not isinstance(total, AtLeast) or len(rows) < self.page_size
        if not self._exact and len(rows) < self.page_size:
            self._total = len(rows)
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

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt override
        if parent.isValid():
            return False
        return not self._loading and not self._fetching and (len(self._rows) < self._total or not self._exact)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802 - Qt override
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        # Keyset paging: the rows after the last row the pages gave (its page key), never an OFFSET, so the
        # last page of 100,000 costs what the first does. Rows added at the top after a change may lie anywhere
        # in that order; when a page brings one again it is dropped as a duplicate.
        generation, after = self._generation, self._after
        self.worker.call(self._page, self._query, after, self.page_size,
                         on_done=lambda rows: self._more_arrived(generation, after, rows),
                         on_error=lambda error: self._failed(generation, error))

    def _more_arrived(self, generation: int, after: Any, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if after != self._after:  # an answer that no longer fits; the view will ask again
            return
        if not rows:  # rows were deleted since the count (or an early count ended here): stop asking
            self._total = len(self._rows)
            self._exact = True
            self.count_changed.emit(self._total)
            return
        self._after = rows[-1].page_key
        full = len(rows)  # the page's size before dropping rows shown already
        known = {r.id for r in self._rows}
        self._added -= {r.id for r in rows}  # their place in SQL order is in this page: no longer extra
        rows = [r for r in rows if r.id not in known]
        if not rows:  # only rows shown already (added at the top): go on from after them
            self.fetchMore()
            return
        first = len(self._rows)
        self._fetching = True  # views and testers may ask for more while rows are being inserted
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self._fetching = False
        self.endInsertRows()
        if not self._exact and (full < self.page_size or len(self._rows) > self._total):
            # An early count: the short page is the last one (now the count is exact), else at least these.
            self._exact = full < self.page_size
            self._total = len(self._rows) if self._exact else max(self._total, len(self._rows))
            self.count_changed.emit(self._total)

    # -- changes made elsewhere ---------------------------------------------------------------

    def apply_changes(self, changes: Changes) -> None:
        """Records of this model's kind changed: update just those rows (or ask again when ids are unknown)."""
        if self.kind is None or not changes.touches(self.kind):
            return
        ids = changes.ids(self.kind)
        if not ids or self._rows_with_ids is None:
            self.reload()
            return
        generation = self._generation
        self.worker.call(self._rows_with_ids, self._query, sorted(ids),
                         on_done=lambda result: self._rows_arrived(generation, ids, result),
                         on_error=lambda error: self._failed(generation, error))

    def _rows_arrived(self, generation: int, ids: frozenset[int], result: tuple[int, list[Any]]) -> None:
        if generation != self._generation:
            return
        total, rows = result
        fresh = {r.id: r for r in rows}
        last = self.columnCount() - 1
        for i in reversed(range(len(self._rows))):
            rid = self._rows[i].id
            if rid not in ids:
                continue
            if rid in fresh:
                self._rows[i] = fresh.pop(rid)
                self.dataChanged.emit(self.index(i, 0), self.index(i, last))
            else:  # deleted, or no longer matches the search
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self._added.discard(rid)
                self.endRemoveRows()
        if fresh:  # new, or newly matching: shown at the top until the next full load sorts them in
            added = list(fresh.values())
            self.beginInsertRows(QModelIndex(), 0, len(added) - 1)
            self._rows[0:0] = added
            self._added |= set(fresh)
            self.endInsertRows()
        self._total = max(total, len(self._rows))
        self._exact = not isinstance(total, AtLeast)
        self.count_changed.emit(self._total)

    # -- the table --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.columns)

    def row_at(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, row_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == row_id), -1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(self.headers[self.columns(section)])
            return self.header_data(self.columns(section), role)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and section >= 0:
            return section + 1
        return None

    def header_data(self, col: Any, role: int) -> Any:
        """A column header's other roles (tooltip, alignment); none by default."""
        return None

    # -- sorting, in SQL --------------------------------------------------------------------
    # A subclass whose service sorts sets `sort_keys` (column -> the query's sort key); a header click
    # then asks the service again with that order (`query.with_sort`), never re-sorts the loaded page.

    sort_keys: Mapping[Any, Any] = {}

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.sort_keys.get(self.columns(column)) if 0 <= column < len(self.columns) else None
        if key is None:
            return
        self.set_query(self._query.with_sort(key, order == Qt.SortOrder.DescendingOrder))

    def sort_column(self) -> int:
        """The column of the query's order (-1: none shown)."""
        return next((int(col) for col, key in self.sort_keys.items() if key == getattr(self._query, "sort", None)),
                    -1)

    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if getattr(self._query, "descending", False) else \
            Qt.SortOrder.AscendingOrder

    def unsortable_tip(self, col: Any, role: int) -> Any:
        if self.sort_keys and role == Qt.ItemDataRole.ToolTipRole and col not in self.sort_keys:
            return _("This column cannot be sorted")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self.columns):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        return self.cell_data(row, self.columns(index.column()), role)

    def cell_data(self, row: Any, col: Any, role: int) -> Any:
        """What one cell shows for a role other than ROW_ROLE."""
        raise NotImplementedError

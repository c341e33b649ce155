"""Pieces every list page builds the same way: the title row with the count, the search box with its
typing delay, the message line, and a read-only table whose columns are at least as wide as their
headers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from app.i18n import _
from app.views.paged_model import PagedTableModel
from app.views.pages import page_title

SEARCH_DELAY_MS = 250


def title_row(title: str, count_name: str) -> tuple[QHBoxLayout, QLabel]:
    """The page title on the left, the row count (object name `count_name`) on the right."""
    top = QHBoxLayout()
    top.addWidget(page_title(title))
    top.addStretch(1)
    count_label = QLabel()
    count_label.setObjectName(count_name)
    count_label.setStyleSheet("font-size: 11pt; color: #333;")
    top.addWidget(count_label)
    return top, count_label


def search_box(name: str, placeholder: str, min_width: int, fit_placeholder: bool = False) -> QLineEdit:
    """A search line; with `fit_placeholder` it is at least as wide as its placeholder text."""
    search = QLineEdit()
    search.setObjectName(name)
    search.setClearButtonEnabled(True)
    search.setPlaceholderText(placeholder)
    if fit_placeholder:
        min_width = max(min_width, search.fontMetrics().horizontalAdvance(search.placeholderText()) + 40)
    search.setMinimumWidth(min_width)
    return search


def search_timer(parent: QObject, search: QLineEdit, apply: Callable[[], object],
                 delay_ms: int = SEARCH_DELAY_MS) -> QTimer:
    """Runs `apply` once typing in `search` has paused for `delay_ms`."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(delay_ms)
    timer.timeout.connect(apply)
    search.textChanged.connect(lambda _text: timer.start())
    return timer


def is_filtered(query: object) -> bool:
    """Whether a list query narrows the list (a search or a filter; the order does not count)."""
    if not dataclasses.is_dataclass(query):
        return False
    return any(value not in (None, "", 0, False) for key, value in dataclasses.asdict(query).items()  # type: ignore[arg-type]
               if key not in ("sort", "descending"))


def nothing_found() -> str:
    return _("Nothing found: change the search or clear the filters.")


def message_label() -> QLabel:
    """The red line where a page says what went wrong."""
    message = QLabel()
    message.setObjectName("page_message")
    message.setStyleSheet("color: #b3261e;")
    message.setWordWrap(True)  # a long message wraps instead of widening the page
    return message


class MiddleElideDelegate(QStyledItemDelegate):
    """Elides in the middle: long agreement numbers differ at their end (…〔2026〕001号), which an
    elision at the right would hide on every row."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def list_table(name: str, model: QAbstractItemModel, widths: Mapping[int, int],
               selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
               header_room: int = 24, min_section: int | None = None, stretch: int | None = None,
               elide_middle: Iterable[int] = (), fit: Mapping[int, Iterable[str]] | None = None) -> QTableView:
    """A read-only table of whole rows; each column gets its width from `widths`, widened to fit its
    header text plus `header_room` pixels, and to fit every text of `fit[column]` (state names, so
    they show in full). The `stretch` column takes what is left (else the last one does: give a
    column with content, never an empty one). `elide_middle` columns shorten long text in the middle."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(selection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(28)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(stretch is None)
    if min_section is not None:
        header.setMinimumSectionSize(min_section)
    metrics = header.fontMetrics()
    for col, width in widths.items():
        title = str(model.headerData(col, Qt.Orientation.Horizontal))
        header.resizeSection(col, max(width, metrics.horizontalAdvance(title) + header_room))
    cell_metrics = table.fontMetrics()
    for col, texts in (fit or {}).items():
        widest = max((cell_metrics.horizontalAdvance(t) for t in texts), default=0) + 20
        header.resizeSection(col, max(header.sectionSize(col), widest))
    if elide_middle:
        delegate = MiddleElideDelegate(table)
        for col in elide_middle:
            table.setItemDelegateForColumn(col, delegate)
    if stretch is not None:
        table.viewport().installEventFilter(_Filler(table, stretch, header.sectionSize(stretch)))
    return table


class _Filler(QObject):
    """Gives the room a wide window leaves to one column with content (its width never goes below the
    default, so a narrow window scrolls instead of squeezing it)."""

    def __init__(self, table: QTableView, column: int, base: int) -> None:
        super().__init__(table)
        self.table, self.column, self.base = table, column, base

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize:
            header = self.table.horizontalHeader()
            others = sum(header.sectionSize(c) for c in range(header.count())
                         if c != self.column and not header.isSectionHidden(c))
            header.resizeSection(self.column, max(self.base, self.table.viewport().width() - others))
        return False


def sort_by_header(table: QTableView, model: PagedTableModel) -> None:
    """Header clicks order the list in SQL (the model's `sort` asks the service again) and the header
    shows the order the query has; a column the service cannot sort by leaves the indicator where it was."""
    header = table.horizontalHeader()
    # Indicator first: enabling sorting then asks the model for the order it already has (no new query).
    header.setSortIndicator(model.sort_column(), model.sort_order())
    table.setSortingEnabled(True)

    def snap_back(column: int, _order: Qt.SortOrder) -> None:
        if column != model.sort_column():
            header.blockSignals(True)
            header.setSortIndicator(model.sort_column(), model.sort_order())
            header.blockSignals(False)
            header.viewport().update()

    header.sortIndicatorChanged.connect(snap_back)

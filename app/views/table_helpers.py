"""Pieces every list page builds the same way: the title row with the count, the search box with its
typing delay, the message line, and a read-only table whose columns are at least as wide as their
headers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QAbstractItemModel, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QTableView

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


def message_label() -> QLabel:
    """The red line where a page says what went wrong."""
    message = QLabel()
    message.setObjectName("page_message")
    message.setStyleSheet("color: #b3261e;")
    message.setWordWrap(True)  # a long message wraps instead of widening the page
    return message


def list_table(name: str, model: QAbstractItemModel, widths: Mapping[int, int],
               selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
               header_room: int = 24, min_section: int | None = None) -> QTableView:
    """A read-only table of whole rows; each column gets its width from `widths`, widened to fit its
    header text plus `header_room` pixels; the last column takes what is left."""
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
    header.setStretchLastSection(True)
    if min_section is not None:
        header.setMinimumSectionSize(min_section)
    metrics = header.fontMetrics()
    for col, width in widths.items():
        title = str(model.headerData(col, Qt.Orientation.Horizontal))
        header.resizeSection(col, max(width, metrics.horizontalAdvance(title) + header_room))
    return table

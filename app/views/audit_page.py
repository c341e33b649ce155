"""The audit trail viewer: filters (person, record, dates, text) over a table paged from SQL.

Like the registry table, the model holds only the rows loaded so far; the count and every page
come through the worker, and answers to an older query are dropped (a generation number).
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_datetime, ngettext
from app.services import accounts, audit, audit_text
from app.views.layout_helpers import flow_row
from app.views.messages import error_text
from app.views.paged_model import PAGE_SIZE, SORT_ROLE, PagedTableModel
from app.views.paged_model import ROW_ROLE as ROW_ROLE  # re-exported for the tests
from app.views.table_helpers import search_box, search_timer, title_row
from app.views.worker import Worker

NO_DATE = QDate(2000, 1, 1)  # the date edits' "any date" value


class Column(IntEnum):
    TIME = 0
    USER = 1
    ACTION = 2
    RECORD = 3
    FIELD = 4
    CHANGE = 5


HEADERS = {
    Column.TIME: N_("Time"),
    Column.USER: N_("User"),
    Column.ACTION: N_("Action"),
    Column.RECORD: N_("Record"),
    Column.FIELD: N_("Field"),
    Column.CHANGE: N_("Old → new"),
}

def field_label(row: audit.AuditRow) -> str:
    return audit_text.field_label(row.entity, row.field)


def value_text(row: audit.AuditRow, value: str | None) -> str:
    """Stored codes in the user's language; everything else as stored."""
    return audit_text.value_text(row.entity, row.field, value, row.names)


def person(full_name: str, username: str) -> str:
    return _("{name} ({user})").format(name=full_name, user=username) if full_name and full_name != username \
        else username


def change_text(row: audit.AuditRow) -> str:
    return audit_text.change_text(row.entity, row.field, row.old_value, row.new_value, row.names)


class AuditModel(PagedTableModel):
    def __init__(self, worker: Worker, page_size: int = PAGE_SIZE, parent: Any = None) -> None:
        super().__init__(worker, query=audit.AuditQuery(), first_page=audit_text.first_page, page=audit_text.next_page,
                         columns=Column, headers=HEADERS, page_size=page_size, parent=parent)
        self.display_names: dict[str, str] = {}  # user name → full name

    def _more_arrived(self, generation: int, after: Any, rows: list[audit.AuditRow]) -> None:
        # Kept as it was, without the base class's guard during insertion: with the guard, the model
        # tester's fetchMore after the insert chains page after page (tests/gui/test_audit_page.py
        # counts exactly two pages). The trail only grows at the top, so there are no duplicates.
        if generation != self._generation or after != self._after:
            return
        self._fetching = False
        if not rows:
            self._total = len(self._rows)
            self.count_changed.emit(self._total)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()
        # Only now: a fetchMore made during the insertion still asks after the old key, and its answer,
        # no longer fitting, is dropped (as the offset check dropped it before keyset paging).
        self._after = rows[-1].page_key

    def user_text(self, row: audit.AuditRow) -> str:
        full = self.display_names.get(row.username, "")
        return person(full, row.username)

    def display(self, row: audit.AuditRow, col: Column) -> str:
        if col == Column.TIME:
            return format_datetime(accounts.local_time(row.at))
        if col == Column.USER:
            return self.user_text(row)
        if col == Column.ACTION:
            return row.action_label
        if col == Column.RECORD:
            return f"{row.entity_type_label} {row.entity_label or row.entity_id}".strip()
        if col == Column.FIELD:
            return field_label(row)
        return change_text(row)

    def cell_data(self, row: audit.AuditRow, col: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col in (Column.RECORD, Column.FIELD, Column.CHANGE):
                return self.display(row, col) or None
            if col == Column.TIME:
                return _("Record {id}").format(id=row.id)
            return None
        if role == SORT_ROLE:
            return row.id if col == Column.TIME else self.display(row, col)
        if role == Qt.ItemDataRole.ForegroundRole and row.action in ("login_failed", "lockout"):
            return QColor("#b3261e")
        if role == Qt.ItemDataRole.FontRole and col == Column.ACTION and row.action in ("delete", "lockout"):
            font = QFont()
            font.setBold(True)
            return font
        return None


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(_("any date"))
    edit.setDate(NO_DATE)
    edit.setMinimumWidth(118)
    return edit


def _date_of(edit: QDateEdit) -> date | None:
    d = edit.date()
    return None if d == NO_DATE else date(d.year(), d.month(), d.day())


class AuditPage(QWidget):
    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.model = AuditModel(worker, parent=self)
        self._choices_loaded = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        top, self.count_label = title_row(_("Audit trail"), "audit_count")
        layout.addLayout(top)

        filter_box, filters = flow_row()
        self.user_filter = QComboBox()
        self.user_filter.setObjectName("user_filter")
        self.user_filter.addItem(_("All people"), "")
        self.user_filter.setMinimumWidth(130)
        self.entity_filter = QComboBox()
        self.entity_filter.setObjectName("entity_filter")
        self.entity_filter.addItem(_("All records"), "")
        self.entity_filter.setMinimumWidth(130)
        self.date_from = _date_edit("date_from")
        self.date_to = _date_edit("date_to")
        self.search = search_box("audit_search", _("Search record, field or value"), 200)
        self.clear_button = QPushButton(_("Clear filters"))
        filters.addWidget(self.user_filter)
        filters.addWidget(self.entity_filter)
        self.from_label = QLabel(_("From"))
        self.to_label = QLabel(_("to"))
        filters.addWidget(self.from_label)
        filters.addWidget(self.date_from)
        filters.addWidget(self.to_label)
        filters.addWidget(self.date_to)
        filters.addWidget(self.search)
        filters.addWidget(self.clear_button)
        layout.addWidget(filter_box)

        self.table = QTableView()
        self.table.setObjectName("audit_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        for col, width in {Column.TIME: 130, Column.USER: 140, Column.ACTION: 128, Column.RECORD: 260,
                           Column.FIELD: 150}.items():
            self.table.setColumnWidth(col, width)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.verify_button = QPushButton(_("Verify the chain"))
        self.verify_button.setObjectName("verify_button")
        self.verify_label = QLabel()
        self.verify_label.setObjectName("verify_result")
        self.verify_label.setWordWrap(True)
        self.verify_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom.addWidget(self.verify_button)
        bottom.addWidget(self.verify_label, 1)
        layout.addLayout(bottom)

        self._search_timer = search_timer(self, self.search, self.apply_filters)
        for combo in (self.user_filter, self.entity_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.apply_filters())
        self.clear_button.clicked.connect(self.clear_filters)
        self.verify_button.clicked.connect(self.verify)
        self.model.count_changed.connect(self._show_count)
        self.model.failed.connect(self._show_failure)

    def refresh(self) -> None:
        if not self._choices_loaded:
            self.worker.call(audit.filter_choices, on_done=self._fill_choices, on_error=self._choices_failed)
            self.worker.call(accounts.usernames, on_done=self._names)
        self.model.reload()

    def _names(self, pairs: list[tuple[str, str]]) -> None:
        self.model.display_names = dict(pairs)
        self._relabel_users()
        if self.model.rowCount():
            self.model.dataChanged.emit(self.model.index(0, Column.USER),
                                        self.model.index(self.model.rowCount() - 1, Column.USER))

    def _relabel_users(self) -> None:
        for i in range(1, self.user_filter.count()):
            name = self.user_filter.itemData(i)
            full = self.model.display_names.get(name, "")
            self.user_filter.setItemText(i, person(full, name))

    def _fill_choices(self, choices: audit.FilterChoices) -> None:
        self._choices_loaded = True
        for combo in (self.user_filter, self.entity_filter):
            combo.blockSignals(True)
        for name in choices.usernames:
            self.user_filter.addItem(name, name)
        for entity in sorted(choices.entities, key=audit.entity_label):
            self.entity_filter.addItem(audit.entity_label(entity), entity)
        for combo in (self.user_filter, self.entity_filter):
            combo.blockSignals(False)
        self._relabel_users()

    def _choices_failed(self, error: Exception) -> None:
        self._show_failure(error_text(error))

    def current_query(self) -> audit.AuditQuery:
        return audit.AuditQuery(username=self.user_filter.currentData() or "",
                                entity=self.entity_filter.currentData() or "",
                                date_from=_date_of(self.date_from), date_to=_date_of(self.date_to),
                                text=self.search.text().strip())

    def apply_filters(self) -> None:
        self.model.set_query(self.current_query())

    def clear_filters(self) -> None:
        for w in (self.user_filter, self.entity_filter, self.date_from, self.date_to, self.search):
            w.blockSignals(True)
        self.user_filter.setCurrentIndex(0)
        self.entity_filter.setCurrentIndex(0)
        self.date_from.setDate(NO_DATE)
        self.date_to.setDate(NO_DATE)
        self.search.clear()
        for w in (self.user_filter, self.entity_filter, self.date_from, self.date_to, self.search):
            w.blockSignals(False)
        self.apply_filters()

    def _show_count(self, n: int) -> None:
        self.count_label.setText(ngettext("{n} record", "{n} records", n).format(n=n))

    def _show_failure(self, message: str) -> None:
        self.count_label.setText("")
        self.verify_label.setStyleSheet("color: #b3261e;")
        self.verify_label.setText(message)

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.verify_label.setText(_("Checking…"))

        def done(report: audit.ChainReport) -> None:
            self.verify_button.setEnabled(True)
            self.verify_label.setStyleSheet("color: #1b7f3b;" if report.ok else "color: #b3261e; font-weight: bold;")
            self.verify_label.setText(report.describe())

        def failed(error: Exception) -> None:
            self.verify_button.setEnabled(True)
            self._show_failure(error_text(error))

        self.worker.call(audit.verify_chain, on_done=done, on_error=failed)

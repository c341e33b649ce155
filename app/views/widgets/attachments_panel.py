"""One attachments panel for every record that owns files (an organization's licences, a signed agreement).

The files live in the database with their SHA-256 (`app/services/attachments.py`); the panel
loads its owner's files and whether the actor may change them, adds a file read on the worker
thread, saves a copy through `documents.output.write_atomic`, and removes with a confirmation.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_datetime
from app.services import attachments
from app.views.form_helpers import ERROR_STYLE, OK_STYLE
from app.views.messages import confirm, error_text
from app.views.worker import Worker

MUTED = "color: #555;"


def human_size(n: int) -> str:
    if n < 1024:
        return _("{n} bytes").format(n=n)
    if n < 1024 * 1024:
        return _("{n} KB").format(n=f"{n / 1024:.1f}")
    return _("{n} MB").format(n=f"{n / 1024 / 1024:.1f}")


class AttachmentsPanel(QWidget):
    changed = Signal()  # a file was added or removed

    def __init__(self, worker: Worker, owner_type: str, note: str, unsaved_note: str,
                 choose_title: str = "", file_filter: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.owner_type = owner_type
        self.owner_id: int | None = None
        self.unsaved_note = unsaved_note
        self.choose_title = choose_title or _("Choose a file to attach")
        self.file_filter = file_filter
        self.state: attachments.AttachmentsState | None = None
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        hint = QLabel(note)
        hint.setWordWrap(True)
        hint.setStyleSheet(MUTED)
        v.addWidget(hint)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("attachments")
        self.table.setHorizontalHeaderLabels([_("File"), _("Size"), _("SHA-256"), _("Added")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        h = self.table.horizontalHeader()
        h.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        h.setHighlightSections(False)
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((240, 90, 470, 140)):
            h.resizeSection(col, width)
        h.setStretchLastSection(True)
        v.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton(_("Add file…"))
        self.add_button.clicked.connect(self.choose_file)
        self.save_button = QPushButton(_("Save a copy…"))
        self.save_button.clicked.connect(lambda: self.save_copy())
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.clicked.connect(lambda: self.remove())
        for b in (self.add_button, self.save_button, self.remove_button):
            row.addWidget(b)
        self.message = QLabel()
        self.message.setObjectName("attachment_message")
        self.message.setWordWrap(True)
        row.addWidget(self.message, 1)
        v.addLayout(row)
        self._enable()

    # -- showing ----------------------------------------------------------------------------

    def set_owner(self, owner_id: int | None) -> None:
        """Show this record's files (None: a record not saved yet, which cannot own files)."""
        self.owner_id = owner_id
        if owner_id is None:
            self.state = None
            self.table.setRowCount(0)
            self.message.setStyleSheet("")
            self.message.setText(self.unsaved_note)
            self._enable()
            return
        self.reload()

    def reload(self) -> None:
        if self.owner_id is not None:
            self.worker.call(attachments.panel_state, self.owner_type, self.owner_id, on_done=self._show,
                             on_error=self._failed)

    def _show(self, state: attachments.AttachmentsState) -> None:
        self.state = state
        self.table.setRowCount(len(state.rows))
        for r, a in enumerate(state.rows):
            values = [a.filename, human_size(a.size), a.sha256, format_datetime(a.added_at)]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setData(Qt.ItemDataRole.UserRole, a.id)
                item.setToolTip(value)
                if col == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, col, item)
        self._enable()

    def _enable(self) -> None:
        has = self.owner_id is not None
        change = self.state.change if self.state is not None else None
        may = bool(has and change is not None and change.ok)
        reason = change.reason if change is not None and not change.ok else ""
        for b in (self.add_button, self.remove_button):
            b.setEnabled(may)
            b.setToolTip(reason or "")
        self.save_button.setEnabled(has)

    # -- acting -----------------------------------------------------------------------------

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.choose_title, "", self.file_filter)
        if path:
            self.add_file(path)

    def add_file(self, path: str) -> None:
        if self.owner_id is None:
            return
        self.message.setStyleSheet("")
        self.message.setText(_("Adding {name}…").format(name=Path(path).name))
        self.worker.call(attachments.add_file, self.owner_type, self.owner_id, path,
                         on_done=lambda _id: self._done(_("Added."), True), on_error=self._failed)

    def selected(self) -> tuple[int, str] | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return (int(item.data(Qt.ItemDataRole.UserRole)), item.text()) if item else None

    def save_copy(self, target: str = "") -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if not target:
            target, _filter = QFileDialog.getSaveFileName(self, _("Save a copy"), chosen[1])
        if target:
            self.worker.call(attachments.save_copy, chosen[0], target,
                             on_done=lambda p: self._done(_("Saved to {path}").format(path=p), False),
                             on_error=self._failed)

    def remove(self, ask: bool = True) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if ask and not confirm(self, _("Remove attachment"), _("Remove {name}?").format(name=chosen[1])):
            return
        self.worker.call(attachments.remove, chosen[0], on_done=lambda _r: self._done(_("Removed."), True),
                         on_error=self._failed)

    def _done(self, text: str, changed: bool) -> None:
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(text)
        if changed:
            self.reload()
            self.changed.emit()

    def _failed(self, error: Exception) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(error_text(error))

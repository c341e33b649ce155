"""Importing a ledger: choose a file, see what each row would become, then import the valid rows."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, ngettext
from app.services import ledger_import
from app.views.messages import error_text
from app.views.worker import Worker

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_COLORS = {
    ledger_import.IMPORTED: QColor("#1b7f3b"),
    ledger_import.DUPLICATE: QColor("#8a6d00"),
    ledger_import.INVALID: QColor("#b3261e"),
}
_Index = QModelIndex | QPersistentModelIndex


class ReportColumn(IntEnum):
    ROW = 0
    STATUS = 1
    NAME = 2
    CODE = 3
    REASONS = 4


REPORT_HEADERS = {
    ReportColumn.ROW: N_("Row"),
    ReportColumn.STATUS: N_("Status"),
    ReportColumn.NAME: N_("Name"),
    ReportColumn.CODE: N_("Unified social credit code"),
    ReportColumn.REASONS: N_("Reasons"),
}


class ImportReportModel(QAbstractTableModel):
    """The rows of one preview or import, as the service reported them (a few thousand at most)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ledger_import.RowResult] = []

    def set_report(self, report: ledger_import.ImportReport | None) -> None:
        self.beginResetModel()
        self._rows = list(report.rows) if report else []
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(ReportColumn)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(ReportColumn):
            return _(REPORT_HEADERS[ReportColumn(section)])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(ReportColumn):
            return None
        r = self._rows[index.row()]
        col = ReportColumn(index.column())
        if role == ROW_ROLE:
            return r
        if role == SORT_ROLE:
            return {ReportColumn.ROW: r.row, ReportColumn.STATUS: r.status, ReportColumn.NAME: r.name,
                    ReportColumn.CODE: r.credit_code, ReportColumn.REASONS: len(r.reasons)}[col]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = {ReportColumn.ROW: str(r.row), ReportColumn.STATUS: r.status_label, ReportColumn.NAME: r.name,
                    ReportColumn.CODE: r.credit_code, ReportColumn.REASONS: "；".join(r.reasons)}[col]
            if role == Qt.ItemDataRole.ToolTipRole:
                return "\n".join(r.reasons) if col == ReportColumn.REASONS and r.reasons else None
            return text
        if role == Qt.ItemDataRole.ForegroundRole and col == ReportColumn.STATUS:
            return STATUS_COLORS.get(r.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == ReportColumn.ROW:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ImportDialog(QDialog):
    imported = Signal(int)  # how many organizations were imported
    previewed = Signal()  # a preview (or an error) is shown

    def __init__(self, worker: Worker, path: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.path: str | None = None
        self.report: ledger_import.ImportReport | None = None
        self.done_importing = False
        self.setWindowTitle(_("Import an organization ledger"))
        self.resize(960, 600)

        layout = QVBoxLayout(self)
        intro = QLabel(_("Choose an Excel (.xlsx) or CSV ledger. First you see what each row would become; "
                         "nothing is saved until you press the import button."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("import_file")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(_("No file chosen"))
        self.choose_button = QPushButton(_("Choose file…"))
        self.choose_button.clicked.connect(self.choose_file)
        row.addWidget(self.file_edit, 1)
        row.addWidget(self.choose_button)
        layout.addLayout(row)

        self.info = QLabel()
        self.info.setObjectName("import_info")
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        self.model = ImportReportModel(self)
        self.table = QTableView()
        self.table.setObjectName("import_table")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        h = self.table.horizontalHeader()
        h.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for col, width in ((ReportColumn.ROW, 56), (ReportColumn.STATUS, 150), (ReportColumn.NAME, 230),
                           (ReportColumn.CODE, 175)):
            h.resizeSection(col, width)
        h.setSectionResizeMode(ReportColumn.REASONS, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

        self.message = QLabel()
        self.message.setObjectName("import_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton(_("Import"))
        self.import_button.setObjectName("import_button")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.run_import)
        self.close_button = QPushButton(_("Close"))
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        if path:
            self.load(path)

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose the ledger to import"), "", _("Ledgers (*.xlsx *.csv);;All files (*)"))
        if path:
            self.load(path)

    def load(self, path: str) -> None:
        """Preview on the worker thread: read and check every row, save nothing."""
        self.path = path
        self.done_importing = False
        self.file_edit.setText(path)
        self.report = None
        self.model.set_report(None)
        self.import_button.setEnabled(False)
        self.import_button.setText(_("Import"))
        self.info.setText("")
        self._say(_("Reading {name}…").format(name=Path(path).name), "#333")
        desk = self.worker.desk
        self.worker.submit(lambda: ledger_import.preview(desk, path), on_done=self._previewed,
                           on_error=self._failed)

    def _previewed(self, report: ledger_import.ImportReport) -> None:
        self.report = report
        self.model.set_report(report)
        parts = []
        if report.sheet:
            parts.append(_("Sheet: {sheet}").format(sheet=report.sheet))
        if report.header_row:
            parts.append(_("header in row {n}").format(n=report.header_row))
        if report.ignored_columns:
            parts.append(_("columns not used: {names}").format(names="、".join(report.ignored_columns)))
        parts.extend(report.notes)
        self.info.setText("；".join(parts))
        n = report.imported_count
        self.import_button.setText(ngettext("Import {n} valid record", "Import {n} valid records", n).format(n=n))
        self.import_button.setEnabled(n > 0)
        self._say(report.summary(), "#333")
        self.previewed.emit()

    def _failed(self, error: Exception) -> None:
        text = error.message if isinstance(error, ledger_import.LedgerError) else error_text(error)
        self.import_button.setEnabled(False)
        self._say(text, "#b3261e")
        self.previewed.emit()

    def run_import(self) -> None:
        if not self.path or self.report is None or self.done_importing:
            return
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self._say(_("Importing…"), "#333")
        desk, path = self.worker.desk, self.path
        self.worker.submit(lambda: ledger_import.import_file(desk, path), on_done=self._imported,
                           on_error=self._import_failed)

    def _imported(self, report: ledger_import.ImportReport) -> None:
        self.report = report
        self.done_importing = True
        self.model.set_report(report)
        self.choose_button.setEnabled(True)
        self.import_button.setText(_("Imported"))
        self._say(report.summary(), "#1b7f3b")
        self.imported.emit(report.imported_count)

    def _import_failed(self, error: Exception) -> None:
        self.choose_button.setEnabled(True)
        self._failed(error)
        self.message.setText(self.message.text() + "\n" + _("Nothing was imported."))

    def _say(self, text: str, color: str) -> None:
        self.message.setStyleSheet(f"color: {color}; font-size: 10.5pt;")
        self.message.setText(text)

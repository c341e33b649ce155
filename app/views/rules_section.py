"""Settings: the rule parameters an office sets (the annual-inspection filing deadline, the budget
range of each procurement method). The services validate and audit; this only shows and collects."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import settings as settings_service
from app.services import thresholds
from app.views.form_helpers import ERROR_STYLE, OK_STYLE
from app.views.messages import error_text
from app.views.worker import Worker

METHOD, LOWER, UPPER = range(3)


class RulesSection(QGroupBox):
    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(_("Rules"), parent)
        self.worker = worker
        v = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Annual inspection filing deadline")))
        self.deadline = QLineEdit()
        self.deadline.setObjectName("inspection_deadline")
        self.deadline.setPlaceholderText("06-30")
        self.deadline.setMaximumWidth(90)
        row.addWidget(self.deadline)
        hint = QLabel(_("Until this day (MM-DD) the year before last's result is enough."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        row.addWidget(hint, 1)
        v.addLayout(row)
        v.addWidget(QLabel(_("Budget range of each procurement method (yuan; empty = no limit). A budget "
                             "outside it needs a recorded reason.")))
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("thresholds")
        self.table.setHorizontalHeaderLabels([_("Procurement method"), _("From (inclusive)"), _("Below")])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(METHOD, QHeaderView.ResizeMode.Stretch)
        for col in (LOWER, UPPER):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(150)
        v.addWidget(self.table)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(_("Save rules"))
        self.save_button.setObjectName("save_rules")
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.message, 1)
        v.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.worker.call(settings_service.get_all, on_done=self._show_settings)
        self.worker.call(thresholds.list_thresholds, on_done=self._show_thresholds)

    def _show_settings(self, values: dict[str, str]) -> None:
        self.deadline.setText(values.get(settings_service.INSPECTION_DEADLINE, "06-30"))

    def _show_thresholds(self, rows: list[thresholds.ThresholdRow]) -> None:
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            name = QTableWidgetItem(row.method_label)
            name.setData(Qt.ItemDataRole.UserRole, row.method)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(r, METHOD, name)
            for col, value in ((LOWER, row.min_amount), (UPPER, row.max_amount)):
                item = QTableWidgetItem("" if value is None else f"{value:.2f}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, col, item)

    def collect(self) -> list[tuple[str, object, object]]:
        out: list[tuple[str, object, object]] = []
        for r in range(self.table.rowCount()):
            method = self.table.item(r, METHOD).data(Qt.ItemDataRole.UserRole)
            lo, hi = (self.table.item(r, c).text() if self.table.item(r, c) else "" for c in (LOWER, UPPER))
            out.append((str(method), lo, hi))
        return out

    def save(self) -> None:
        deadline, rows = self.deadline.text(), self.collect()

        def done(_r: object) -> None:
            self.message.setStyleSheet(OK_STYLE)
            self.message.setText(_("Saved."))
            self.refresh()

        def failed(error: Exception) -> None:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(error_text(error))

        self.worker.call(thresholds.save_rules, deadline, rows, on_done=done, on_error=failed)

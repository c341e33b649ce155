"""The Assessments page: every open deadline in one list, sorted by due date, and the assessments."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.i18n import N_, _
from app.services import assessments as asv
from app.services.capabilities import may
from app.views.messages import error_text
from app.views.pages import page_title
from app.views.table_helpers import list_table, message_label
from app.views.worker import Worker

RECORD_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class DeadlineColumn(IntEnum):
    DUE = 0
    KIND = 1
    AGREEMENT = 2
    WHAT = 3


class AssessmentColumn(IntEnum):
    AGREEMENT = 0
    UNDERTAKER = 1
    MILESTONE = 2
    KIND = 3
    TOTAL = 4
    GRADE = 5
    STATE = 6


DEADLINE_HEADERS = {DeadlineColumn.DUE: N_("Due date"), DeadlineColumn.KIND: N_("Kind"),
                    DeadlineColumn.AGREEMENT: N_("Agreement number"), DeadlineColumn.WHAT: N_("What")}
ASSESSMENT_HEADERS = {AssessmentColumn.AGREEMENT: N_("Agreement number"), AssessmentColumn.UNDERTAKER: N_("Undertaker"),
                      AssessmentColumn.MILESTONE: N_("Milestone"), AssessmentColumn.KIND: N_("Kind of assessment"),
                      AssessmentColumn.TOTAL: N_("Total score"), AssessmentColumn.GRADE: N_("Grade"),
                      AssessmentColumn.STATE: N_("State")}


class _RowsModel(QAbstractTableModel):
    """A short list of plain rows (deadlines or assessments): replaced whole when reloaded."""

    headers: dict[Any, str] = {}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.headers):
            return _(list(self.headers.values())[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == RECORD_ROLE:
            return row
        return self.cell(row, index.column(), role)

    def cell(self, row: Any, col: int, role: int) -> Any:  # pragma: no cover - overridden
        return None


class DeadlineModel(_RowsModel):
    headers = DEADLINE_HEADERS

    def cell(self, row: asv.DeadlineItem, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == DeadlineColumn.DUE:
                if row.due is None:
                    return _("no calendar for {year}").format(year=row.uncovered_year)
                return row.due.isoformat() + (_(" (overdue)") if row.overdue else "")
            return {DeadlineColumn.KIND: row.kind_label, DeadlineColumn.AGREEMENT: row.agreement,
                    DeadlineColumn.WHAT: row.what}.get(DeadlineColumn(col))
        if role == SORT_ROLE:
            return {DeadlineColumn.DUE: row.due.isoformat() if row.due else "9999", DeadlineColumn.KIND: row.kind,
                    DeadlineColumn.AGREEMENT: row.agreement, DeadlineColumn.WHAT: row.what}[DeadlineColumn(col)]
        if role == Qt.ItemDataRole.ForegroundRole and col == DeadlineColumn.DUE and (row.overdue or row.due is None):
            return QColor("#b3261e")
        return None


class AssessmentModel(_RowsModel):
    headers = ASSESSMENT_HEADERS

    def cell(self, row: asv.AssessmentRow, col: int, role: int) -> Any:
        c = AssessmentColumn(col)
        if role == Qt.ItemDataRole.DisplayRole:
            return {AssessmentColumn.AGREEMENT: row.agreement,
                    AssessmentColumn.UNDERTAKER: row.undertaker.replace("【示例】", ""),
                    AssessmentColumn.MILESTONE: row.milestone or "—", AssessmentColumn.KIND: row.kind_label,
                    AssessmentColumn.TOTAL: f"{row.total:.2f}", AssessmentColumn.GRADE: row.grade_label,
                    AssessmentColumn.STATE: row.state_label}[c]
        if role == SORT_ROLE:
            return {AssessmentColumn.TOTAL: row.total}.get(c, str(self.cell(row, col, Qt.ItemDataRole.DisplayRole)))
        if role == Qt.ItemDataRole.ForegroundRole and c == AssessmentColumn.GRADE and row.passed is not None:
            return QColor("#1b7f3b" if row.passed else "#b3261e")
        if role == Qt.ItemDataRole.TextAlignmentRole and c == AssessmentColumn.TOTAL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class AssessmentsPage(QWidget):
    agreement_opened = Signal(int)

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        v = QVBoxLayout(self)
        v.setContentsMargins(16, 12, 16, 12)
        top = QHBoxLayout()
        top.addWidget(page_title(_("Assessments")))
        top.addStretch(1)
        top.addWidget(QLabel(_("Show deadlines")))
        self.days = QComboBox()
        self.days.setObjectName("deadline_days")
        for text, value in ((_("all open"), None), (_("due within 7 days"), 7), (_("due within 30 days"), 30),
                            (_("due within 90 days"), 90)):
            self.days.addItem(text, value)
        self.days.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.days)
        v.addLayout(top)
        self.count = QLabel()
        self.count.setObjectName("deadline_count")
        v.addWidget(self.count)
        self.deadline_model = DeadlineModel(self)
        self.deadlines = list_table("deadline_table", self.deadline_model,
                                    {DeadlineColumn.DUE: 190, DeadlineColumn.KIND: 120, DeadlineColumn.AGREEMENT: 260})
        self.deadlines.doubleClicked.connect(self._open_deadline)
        self.assessment_model = AssessmentModel(self)
        self.assessments = list_table("assessment_table", self.assessment_model, {
            AssessmentColumn.AGREEMENT: 240, AssessmentColumn.UNDERTAKER: 170, AssessmentColumn.MILESTONE: 110,
            AssessmentColumn.KIND: 90, AssessmentColumn.TOTAL: 70, AssessmentColumn.GRADE: 70})
        self.assessments.doubleClicked.connect(self._open_assessment)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.deadlines)
        box = QWidget()
        bv = QVBoxLayout(box)
        bv.setContentsMargins(0, 6, 0, 0)
        bv.addWidget(QLabel(_("Assessments recorded")))
        bv.addWidget(self.assessments)
        split.addWidget(box)
        split.setSizes([300, 260])
        v.addWidget(split, 1)
        bottom = QHBoxLayout()
        self.message = message_label()
        bottom.addWidget(self.message, 1)
        self.open_button = QPushButton(_("Open the agreement"))
        self.open_button.setObjectName("open_deadline_agreement")
        self.open_button.clicked.connect(self._open_selected)
        bottom.addWidget(self.open_button)
        self.checklists_button = QPushButton(_("Assessment checklists…"))
        self.checklists_button.setObjectName("edit_checklists")
        self.checklists_button.setVisible(may(worker.desk.actor, "checklist:edit"))
        self.checklists_button.clicked.connect(self.edit_checklists)
        bottom.addWidget(self.checklists_button)
        v.addLayout(bottom)
        self.loaded = False

    def edit_checklists(self) -> None:
        from app.views.assessments.checklist_editor import ChecklistEditorDialog

        self.checklist_editor = ChecklistEditorDialog(self.worker, self)
        self.checklist_editor.open()

    def refresh(self) -> None:
        self.worker.call(asv.assessments_page, self.days.currentData(), on_done=self._loaded,
                         on_error=lambda e: self.message.setText(error_text(e)))

    def _loaded(self, data: tuple[list[asv.DeadlineItem], list[asv.AssessmentRow]]) -> None:
        deadlines, assessments = data
        self.deadline_model.set_rows(deadlines)
        self.assessment_model.set_rows(assessments)
        overdue = sum(1 for d in deadlines if d.overdue)
        self.count.setText(_("{n} open deadlines, {overdue} overdue; sorted by due date.").format(
            n=len(deadlines), overdue=overdue))
        self.message.setText("")
        self.loaded = True

    def _open_deadline(self, index: QModelIndex) -> None:
        row = self.deadline_model.data(index, RECORD_ROLE)
        if row is not None:
            self.agreement_opened.emit(row.agreement_id)

    def _open_assessment(self, index: QModelIndex) -> None:
        row = self.assessment_model.data(index, RECORD_ROLE)
        if row is not None:
            self.agreement_opened.emit(row.agreement_id)

    def _open_selected(self) -> None:
        index = self.deadlines.currentIndex()
        if index.isValid():
            self._open_deadline(index)
        else:
            self.message.setText(_("Select a deadline first."))

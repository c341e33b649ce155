"""The checklist form (考核评分表): one screen that works like the paper form.

Indicators in a tree with weight, maximum and score side by side. Typing a digit on a row starts
editing its score; Enter or Tab goes on to the next score, Shift+Tab back. The total and the grade
update on every keystroke from the same domain functions the service saves with. No per-row dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import assessment as asm
from app.domain.errors import ValidationError
from app.i18n import _
from app.services import assessments as asv
from app.services.forms import Allowed
from app.views.form_helpers import ERROR_STYLE, FORM_STYLE, OK_STYLE, FieldErrors, problem_box
from app.views.messages import error_text
from app.views.worker import Worker

NAME, WEIGHT, MAX, SCORE, NOTE = range(5)
KEY_ROLE = Qt.ItemDataRole.UserRole
BAD = QBrush(QColor("#fdecea"))


def _fmt(d: Decimal | None) -> str:
    return "" if d is None else f"{d.normalize():f}" if d == d.to_integral_value() else f"{d:.2f}".rstrip("0")


class _ScoreDelegate(QStyledItemDelegate):
    """A plain line editor whose every keystroke reaches the form (live total)."""

    def __init__(self, on_typed: Callable[[QTreeWidgetItem, int, str], None], tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.on_typed = on_typed
        self.tree = tree

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("score_editor" if index.column() == SCORE else "note_editor")
        item = self.tree.itemFromIndex(index)
        column = index.column()
        editor.textEdited.connect(lambda text: self.on_typed(item, column, text))
        return editor


class ScoreTree(QTreeWidget):
    """Enter and Tab go to the next score, Shift+Tab to the previous one; typing starts editing."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("checklist_tree")
        self.setColumnCount(5)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.SelectedClicked)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)

    def leaves(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []

        def walk(item: QTreeWidgetItem) -> None:
            if item.childCount() == 0:
                out.append(item)
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.topLevelItemCount()):
            walk(self.topLevelItem(i))
        return out

    def edit_score(self, item: QTreeWidgetItem) -> None:
        self.setCurrentItem(item, SCORE)
        self.scrollToItem(item)
        self.editItem(item, SCORE)

    def step(self, delta: int) -> None:
        leaves = self.leaves()
        current = self.currentItem()
        if not leaves or current is None or current not in leaves:
            return
        i = leaves.index(current) + delta
        if 0 <= i < len(leaves):
            self.edit_score(leaves[i])

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:  # noqa: N802
        H = QAbstractItemDelegate.EndEditHint
        super().closeEditor(editor, H.NoHint)
        if self.currentColumn() != SCORE:
            return
        # After the editor has fully closed (the key event is still being delivered to it).
        if hint in (H.SubmitModelCache, H.EditNextItem):
            QTimer.singleShot(0, lambda: self.step(1))
        elif hint == H.EditPreviousItem:
            QTimer.singleShot(0, lambda: self.step(-1))


class AssessmentDialog(QDialog):
    """Fill, submit, approve and issue one assessment of an agreement."""

    saved = Signal(int)  # assessment id (saved, submitted, approved, issued, corrected)

    def __init__(self, worker: Worker, agreement_id: int, assessment_id: int | None = None,
                 milestone_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assessment_dialog")
        self.worker = worker
        self.agreement_id = agreement_id
        self.assessment_id = assessment_id
        self.milestone_id = milestone_id
        self.state: asv.AssessmentFormState | None = None
        self.loaded = False
        self._filling = False
        self.setStyleSheet(FORM_STYLE)
        self.setWindowTitle(_("Assessment"))
        self.resize(1000, 720)

        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("assessment_heading")
        self.heading.setStyleSheet("font-size: 12pt; font-weight: bold;")
        layout.addWidget(self.heading)
        self.box = problem_box()
        layout.addWidget(self.box)
        self.errors = FieldErrors(self.box)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        left, right = QFormLayout(), QFormLayout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.milestone = QComboBox()
        self.checklist = QComboBox()
        self.checklist.activated.connect(self._checklist_chosen)
        self.kind = QComboBox()
        for code, text in asv.KINDS.items():
            self.kind.addItem(_(text), code)
        self.assessed_on = QLineEdit()
        self.assessed_on.setPlaceholderText("2026-09-01")
        self.staff = QLineEdit()
        self.third = QLineEdit()
        self.experts = QLineEdit()
        for w in (self.staff, self.third, self.experts):
            w.setPlaceholderText(_("names, separated by 、 or ,"))
        self.surveyed = QLineEdit()
        self.satisfied = QLineEdit()
        self.surveyed.textEdited.connect(self._update_rate)
        self.satisfied.textEdited.connect(self._update_rate)
        self.rate = QLabel()
        self.rate.setObjectName("satisfaction_rate")
        survey = QWidget()
        sv = QHBoxLayout(survey)
        sv.setContentsMargins(0, 0, 0, 0)
        sv.addWidget(self.surveyed)
        sv.addWidget(QLabel(_("satisfied")))
        sv.addWidget(self.satisfied)
        sv.addWidget(self.rate, 1)
        self.errors.add_row(left, "milestone", self.milestone, _("Milestone"))
        self.errors.add_row(left, "checklist", self.checklist, _("Checklist"))
        self.errors.add_row(left, "kind", self.kind, _("Kind of assessment"))
        self.errors.add_row(left, "assessed_on", self.assessed_on, _("Assessment date"))
        self.errors.add_row(right, "assessors", self.staff, _("Purchaser staff"))
        right.addRow(_("Third-party evaluator"), self.third)
        right.addRow(_("Experts"), self.experts)
        self.errors.add_row(right, "satisfied", survey, _("People surveyed"))
        self.errors.alias("surveyed", "satisfied")
        layout.addLayout(grid)
        self.findings = QPlainTextEdit()
        self.findings.setFixedHeight(52)
        self.findings.setPlaceholderText(_("Findings, problems and what must be corrected"))
        self.findings.setObjectName("field_findings")
        layout.addWidget(self.findings)

        self.tree = ScoreTree()
        self.tree.setHeaderLabels([_("Indicator"), _("Weight"), _("Maximum"), _("Score"), _("Evidence note")])
        self.tree.setItemDelegate(_ScoreDelegate(self._typed, self.tree))
        self.tree.itemChanged.connect(self._item_changed)
        header = self.tree.header()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for col, width in ((WEIGHT, 60), (MAX, 60), (SCORE, 80), (NOTE, 260)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, max(width, header.fontMetrics().horizontalAdvance(
                self.tree.headerItem().text(col)) + 24))
        header.setStretchLastSection(False)
        self.errors.register("scores", self.tree)
        layout.addWidget(self.tree, 1)

        figures = QHBoxLayout()
        self.total_label = QLabel()
        self.total_label.setObjectName("total_label")
        self.total_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        figures.addWidget(self.total_label)
        self.message = QLabel()
        self.message.setObjectName("assessment_message")
        self.message.setWordWrap(True)
        figures.addWidget(self.message, 1)
        layout.addLayout(figures)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("save", _("Save"), self.save), ("submit", _("Submit and lock"), self.submit),
                                ("approve", _("Approve the result"), self.approve),
                                ("issue", _("Issue and print the notice…"), self.issue),
                                ("objection", _("Objection…"), self.objection),
                                ("correct", _("Correct with a reason…"), self.correct)):
            b = QPushButton(text)
            b.setObjectName(f"assessment_{key}")
            b.clicked.connect(lambda _checked=False, f=slot: f())
            b.setEnabled(False)
            self.buttons[key] = b
            bottom.addWidget(b)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.reject)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.reload()

    # -- loading ----------------------------------------------------------------------------
    def reload(self, checklist_version_id: int | None = None) -> None:
        self.worker.call(asv.assessment_form_state, self.assessment_id, self.agreement_id, self.milestone_id,
                         checklist_version_id, on_done=self._loaded, on_error=self._failed)

    def _failed(self, error: Exception) -> None:
        self._say(error_text(error), False)

    def _loaded(self, st: asv.AssessmentFormState) -> None:
        self.state = st
        self._filling = True
        try:
            self._fill(st)
        finally:
            self._filling = False
        self.loaded = True
        self._recompute()

    def _fill(self, st: asv.AssessmentFormState) -> None:
        self.heading.setText(_("{number} · assessment ({state})").format(
            number=st.agreement_number, state=_(asv.STATES.get(st.state, st.state))))
        self.milestone.clear()
        self.milestone.addItem(_("(no milestone: an extra check)"), None)
        for m in st.milestones:
            self.milestone.addItem(f"{m.name}（{m.due_on.isoformat()}）", m.id)
        self.milestone.setCurrentIndex(max(0, self.milestone.findData(st.milestone_id)))
        self.checklist.clear()
        for r in st.checklists:
            self.checklist.addItem(r.name if r.version_id != st.checklist.version_id else st.checklist.name,
                                   r.version_id)
        if self.checklist.findData(st.checklist.version_id) < 0:
            self.checklist.addItem(st.checklist.name, st.checklist.version_id)
        self.checklist.setCurrentIndex(self.checklist.findData(st.checklist.version_id))
        self.kind.setCurrentIndex(max(0, self.kind.findData(st.kind)))
        self.assessed_on.setText(st.assessed_on.isoformat() if st.assessed_on else "")
        by_role: dict[str, list[str]] = {}
        for name, role in st.assessors:
            by_role.setdefault(role, []).append(name)
        self.staff.setText("、".join(by_role.get("purchaser_staff", [])))
        self.third.setText("、".join(by_role.get("third_party", [])))
        self.experts.setText("、".join(by_role.get("expert", [])))
        self.surveyed.setText("" if st.surveyed is None else str(st.surveyed))
        self.satisfied.setText("" if st.satisfied is None else str(st.satisfied))
        self.findings.setPlainText(st.findings)
        self._update_rate()
        self._fill_tree(st)
        editable = st.editable
        for w in (self.milestone, self.kind, self.assessed_on, self.staff, self.third, self.experts, self.surveyed,
                  self.satisfied):
            w.setEnabled(editable)
        self.checklist.setEnabled(editable and st.assessment_id is None)
        self.findings.setReadOnly(not editable)
        for key, b in self.buttons.items():
            allowed = st.actions.get(key, Allowed.no(""))
            b.setEnabled(allowed.ok)
            b.setToolTip(allowed.reason or "")
        self._say(st.locked_reason, True) if st.locked_reason else self._say("", True)

    def _fill_tree(self, st: asv.AssessmentFormState) -> None:
        self.tree.clear()
        items: dict[str, QTreeWidgetItem] = {}
        bold = QFont()
        bold.setBold(True)
        for line in st.lines:
            ind = line.indicator
            parent = items.get(ind.parent or "")
            item = QTreeWidgetItem(parent) if parent is not None else QTreeWidgetItem(self.tree)
            item.setText(NAME, f"{ind.key}  {ind.name}")
            item.setData(NAME, KEY_ROLE, ind.key)
            tip = "\n".join(x for x in (ind.scoring and _("How it is scored: {text}").format(text=ind.scoring),
                                        ind.evidence and _("Evidence: {text}").format(text=ind.evidence)) if x)
            item.setToolTip(NAME, tip)
            item.setText(WEIGHT, _fmt(ind.weight))
            item.setText(MAX, _fmt(ind.max_score) if line.is_leaf else "")
            for col in (WEIGHT, MAX, SCORE):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if line.is_leaf:
                item.setText(SCORE, _fmt(line.score))
                item.setText(NOTE, line.note)
                if st.editable or (st.state != "draft" and st.actions["correct"].ok):
                    flags |= Qt.ItemFlag.ItemIsEditable  # a submitted one: typed scores go in by "Correct…"
            else:
                item.setFont(NAME, bold)
                item.setFont(SCORE, bold)
            item.setFlags(flags)
            items[ind.key] = item
        self.tree.expandAll()
        leaves = self.tree.leaves()
        if leaves:
            self.tree.setCurrentItem(leaves[0], SCORE)

    # -- live figures -----------------------------------------------------------------------
    def _typed(self, item: QTreeWidgetItem, column: int, text: str) -> None:
        if column == SCORE:
            self._recompute({str(item.data(NAME, KEY_ROLE)): text})

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if not self._filling and column == SCORE:
            self._recompute()

    def raw_scores(self, pending: dict[str, str] | None = None) -> dict[str, str]:
        out = {str(it.data(NAME, KEY_ROLE)): it.text(SCORE) for it in self.tree.leaves()}
        out.update(pending or {})
        return out

    def _recompute(self, pending: dict[str, str] | None = None) -> None:
        """Total and grade from the domain functions, marking scores the service would refuse."""
        if self.state is None:
            return
        st = self.state
        detail = st.checklist
        values: dict[str, Decimal | None] = {}
        problems = []
        self._filling = True
        try:
            for it in self.tree.leaves():
                key = str(it.data(NAME, KEY_ROLE))
                raw = (pending or {}).get(key, it.text(SCORE))
                ind = detail.indicator(key)
                try:
                    value = asm.parse_score(raw)
                    why = asm.score_problem(ind, value)
                except ValueError:
                    value, why = None, _("is not a number")
                it.setBackground(SCORE, BAD if why else QBrush())
                it.setToolTip(SCORE, why)
                if why:
                    problems.append(f"{ind.name}：{why}")
                else:
                    values[key] = value
            for i in range(self.tree.topLevelItemCount()):
                self._subtotals(self.tree.topLevelItem(i), detail.indicators, values)
        finally:
            self._filling = False
        total = asm.total_score(detail.indicators, values)
        band = asm.grade_for(total, detail.bands)
        label, passing = band.label, band.passing
        verdict = _("passed") if passing else _("not passed")
        self.total_label.setText(_("Total {total} · {grade} ({verdict})").format(total=f"{total:.2f}", grade=label,
                                                                                verdict=verdict))
        self.total_label.setStyleSheet("font-size: 13pt; font-weight: bold;" + (OK_STYLE if passing else ERROR_STYLE))
        if problems:
            self._say("；".join(problems), False)

    def _subtotals(self, item: QTreeWidgetItem, indicators: tuple[asm.Indicator, ...],
                   values: dict[str, Decimal | None]) -> None:
        if item.childCount():
            key = str(item.data(NAME, KEY_ROLE))
            item.setText(SCORE, f"{asm.subtotal(indicators, key, values):.2f}")
            for i in range(item.childCount()):
                self._subtotals(item.child(i), indicators, values)

    def _update_rate(self) -> None:
        try:
            rate = asm.satisfaction_rate(int(self.surveyed.text() or 0), int(self.satisfied.text() or 0))
        except ValueError:
            self.rate.setText(_("check the counts"))
            self.rate.setStyleSheet(ERROR_STYLE)
            return
        self.rate.setStyleSheet("")
        self.rate.setText(_("satisfaction {rate}%").format(rate=rate) if rate is not None else "")

    # -- writing ----------------------------------------------------------------------------
    def collect(self) -> asv.AssessmentInput:
        assert self.state is not None
        assessors: list[tuple[str, str]] = []
        for widget, role in ((self.staff, "purchaser_staff"), (self.third, "third_party"), (self.experts, "expert")):
            for name in widget.text().replace(",", "、").replace("，", "、").split("、"):
                if name.strip():
                    assessors.append((name.strip(), role))
        return asv.AssessmentInput(
            agreement_id=self.agreement_id, milestone_id=self.milestone.currentData(),
            checklist_version_id=self.checklist.currentData(), kind=self.kind.currentData(),
            assessed_on=self.assessed_on.text(), assessors=assessors, findings=self.findings.toPlainText(),
            surveyed=self.surveyed.text(), satisfied=self.satisfied.text(),
            scores={k: v for k, v in self.raw_scores().items() if v.strip()},
            notes={str(it.data(NAME, KEY_ROLE)): it.text(NOTE) for it in self.tree.leaves() if it.text(NOTE)})

    def _checklist_chosen(self) -> None:
        if self.state is not None and self.state.assessment_id is None:
            self.reload(self.checklist.currentData())

    def save(self, then: Callable[[], None] | None = None) -> None:
        if self.tree.state() == QAbstractItemView.State.EditingState:
            self.tree.setFocus()  # commits the open editor
        data = self.collect()
        version = self.state.version if self.state else None

        def done(aid: int) -> None:
            self.assessment_id = aid
            self.errors.clear()
            self._say(_("Saved."), True)
            self.saved.emit(aid)
            if then is not None:
                then()
            else:
                self.reload()

        self.worker.call(asv.save_assessment, data, self.assessment_id, version, on_done=done, on_error=self._refused)

    def _refused(self, error: Exception) -> None:
        if isinstance(error, ValidationError):
            self.errors.show_problems(error.problems)
        self._say(error_text(error), False)

    def _after(self, text: str) -> Callable[[Any], None]:
        def done(_result: Any) -> None:
            self.errors.clear()
            self._say(text, True)
            if self.assessment_id is not None:
                self.saved.emit(self.assessment_id)
            self.reload()
        return done

    def submit(self) -> None:
        def go() -> None:
            self.worker.call(asv.submit_assessment, self.assessment_id, on_done=self._after(_("Submitted and locked.")),
                             on_error=self._refused)
        self.save(then=go) if self.state is not None and self.state.editable else go()

    def approve(self) -> None:
        self.worker.call(asv.approve_assessment, self.assessment_id, on_done=self._after(_("The result is approved.")),
                         on_error=self._refused)

    def issue(self) -> None:
        from app.views.printing import open_preview

        aid, xid = self.agreement_id, self.assessment_id

        def done(number: str) -> None:
            self._after(_("Notice {number} issued.").format(number=number))(number)
            self.preview = open_preview(self, self.worker, "assessment_notice", aid, record_id=xid)

        self.worker.call(asv.issue_notice, xid, on_done=done, on_error=self._refused)

    def objection(self) -> None:
        from app.views.assessments.dialogs import ObjectionDialog

        assert self.assessment_id is not None
        self.objection_dialog = ObjectionDialog(self.worker, self.assessment_id, self)
        self.objection_dialog.saved.connect(lambda: self._after(_("Objection recorded."))(None))
        self.objection_dialog.open()

    def correct(self) -> None:
        """Type the corrected scores in the tree first; the reason is asked here and kept with the old figures."""
        from app.views.agreements.dialogs import ReasonDialog

        dialog = ReasonDialog(_("Correct the scores"), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_correction(dialog.text())

    def apply_correction(self, reason: str) -> None:
        scores = {k: v for k, v in self.raw_scores().items() if v.strip()}
        self.worker.call(asv.correct_assessment, self.assessment_id, scores, reason,
                         on_done=self._after(_("Correction recorded; the old figures are kept.")),
                         on_error=self._refused)

    def _say(self, text: str, ok: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)

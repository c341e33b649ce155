"""Small dialogs of the project screens: an organization picker, the reason for a move, the
consortium editor (组团, "16+1+N") and the catalogue of purchasable services (administrators).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import procurement as pc
from app.domain.eligibility import ELIGIBILITY_LABELS, Eligibility
from app.domain.errors import ValidationError
from app.i18n import _
from app.services import orgs, projects
from app.views.form_helpers import FORM_STYLE, OK_STYLE, FieldErrors, problem_box
from app.views.messages import error_text
from app.views.worker import Worker

PICKER_LIMIT = 50
SEARCH_DELAY_MS = 250


def _buttons(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
    box.rejected.connect(dialog.reject)
    return box, ok


class OrgPicker(QWidget):
    """Choose an organization from the registry: type part of the name (or pinyin initials), pick one."""

    changed = Signal()

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._generation = 0
        self.loaded = False
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setObjectName("org_picker_search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search the registry"))
        self.search.setMaximumWidth(170)
        self.combo = QComboBox()
        self.combo.setObjectName("org_picker_choice")
        self.combo.setMinimumWidth(260)
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        row.addWidget(self.search)
        row.addWidget(self.combo, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.refresh()

    def refresh(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        query = orgs.OrgQuery(search=self.search.text().strip())
        self.worker.call(orgs.page, query, 0, PICKER_LIMIT,
                         on_done=lambda rows: self._fill(generation, rows),
                         on_error=lambda e: self._fill(generation, []))

    def _fill(self, generation: int, rows: list[orgs.OrgRow]) -> None:
        if generation != self._generation:
            return
        current = self.current_id()
        current_name = self.combo.currentText()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(_("(choose an organization)"), None)
        for r in rows:
            self.combo.addItem(r.name, r.id)
            if r.eligibility == Eligibility.INELIGIBLE.value:  # shown before the award, which refuses it
                index = self.combo.count() - 1
                self.combo.setItemData(index, QColor("#b3261e"), Qt.ItemDataRole.ForegroundRole)
                self.combo.setItemData(index, _(ELIGIBILITY_LABELS[Eligibility.INELIGIBLE]),
                                       Qt.ItemDataRole.ToolTipRole)
        if len(rows) == 1 and self.search.text().strip():
            self.combo.setCurrentIndex(1)  # the search found exactly one: take it
        elif current is not None:
            if self.combo.findData(current) < 0:
                self.combo.addItem(current_name, current)  # keep the chosen one even when the search hides it
            self.combo.setCurrentIndex(self.combo.findData(current))
        else:
            self.combo.setCurrentIndex(0)
        self.combo.blockSignals(False)
        self.loaded = True
        self.changed.emit()

    def current_id(self) -> int | None:
        value = self.combo.currentData()
        return int(value) if value is not None else None

    def current_name(self) -> str:
        return self.combo.currentText() if self.current_id() is not None else ""

    def set_current(self, org_id: int | None, name: str = "") -> None:
        if org_id is None:
            self.combo.setCurrentIndex(0)
            return
        index = self.combo.findData(org_id)
        if index < 0:
            self.combo.addItem(name, org_id)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)


# ---------------------------------------------------------------------------------------------
# Consortium editor


class ConsortiumDialog(QDialog):
    """组团: member organizations with their roles, and the steering group (seed 000 第一篇)."""

    saved = Signal(int)

    def __init__(self, worker: Worker, consortium_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.consortium_id = consortium_id
        self.loaded = False
        self.setWindowTitle(_("Consortia (16+1+N)"))
        self.setStyleSheet(FORM_STYLE)
        self.resize(860, 680)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Consortium")))
        self.chooser = QComboBox()
        self.chooser.setObjectName("consortium_chooser")
        self.chooser.setMinimumWidth(300)
        self.chooser.addItem(_("New consortium"), None)
        self.chooser.currentIndexChanged.connect(self._chosen)
        top.addWidget(self.chooser)
        top.addStretch(1)
        layout.addLayout(top)

        self.box = problem_box()
        layout.addWidget(self.box)
        self.f = FieldErrors(self.box)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.name = QLineEdit()
        self.f.add_row(form, "name", self.name, _("Consortium name *"))
        self.model_label = QLineEdit()
        self.model_label.setPlaceholderText(_("e.g. 16+1+N"))
        self.model_label.setMaximumWidth(200)
        self.f.add_row(form, "model_label", self.model_label, _("Model"))
        layout.addLayout(form)

        members = QGroupBox(_("Member organizations *"))
        mv = QVBoxLayout(members)
        self.members = QTableWidget(0, 2)
        self.members.setHorizontalHeaderLabels([_("Organization"), _("Role")])
        self._table_style(self.members, (0,))
        err = self.f.register("members", self.members)
        mv.addWidget(self.members, 1)
        add_row = QHBoxLayout()
        self.picker = OrgPicker(worker)
        self.member_role = QComboBox()
        self.member_role.setObjectName("member_role")
        for value, label in pc.MEMBER_ROLES.items():
            self.member_role.addItem(_(label), value)
        self.add_member_button = QPushButton(_("Add member"))
        self.add_member_button.setObjectName("add_member")
        self.add_member_button.clicked.connect(self.add_member_from_picker)
        remove = QPushButton(_("Remove"))
        remove.clicked.connect(lambda: self._remove_current(self.members))
        add_row.addWidget(self.picker, 1)
        add_row.addWidget(self.member_role)
        add_row.addWidget(self.add_member_button)
        add_row.addWidget(remove)
        mv.addLayout(add_row)
        mv.addWidget(err)
        layout.addWidget(members, 3)

        steering = QGroupBox(_("Steering group"))
        sv = QVBoxLayout(steering)
        self.steering = QTableWidget(0, 3)
        self.steering.setHorizontalHeaderLabels([_("Person"), _("Organization"), _("Source")])
        self._table_style(self.steering, (1,))
        self.steering.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.steering.horizontalHeader().resizeSection(0, 150)
        err = self.f.register("steering", self.steering)
        sv.addWidget(self.steering, 1)
        srow = QHBoxLayout()
        add_person = QPushButton(_("Add person"))
        add_person.setObjectName("add_steering")
        add_person.clicked.connect(lambda: self.add_steering())
        remove = QPushButton(_("Remove"))
        remove.clicked.connect(lambda: self._remove_current(self.steering))
        srow.addWidget(add_person)
        srow.addWidget(remove)
        srow.addStretch(1)
        sv.addLayout(srow)
        sv.addWidget(err)
        layout.addWidget(steering, 2)

        notes_form = QFormLayout()
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(64)
        self.notes.setPlaceholderText(_("e.g. the temporary Party branch, plans and documents"))
        self.f.add_row(notes_form, "notes", self.notes, _("Notes"))
        layout.addLayout(notes_form)

        self.message = QLabel()
        self.message.setObjectName("consortium_message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.save_button.setEnabled(False)
        self.load(consortium_id)

    @staticmethod
    def _table_style(table: QTableWidget, stretch: tuple[int, ...]) -> None:
        h = table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for col in stretch:
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setMinimumHeight(110)

    @staticmethod
    def _remove_current(table: QTableWidget) -> None:
        if table.currentRow() >= 0:
            table.removeRow(table.currentRow())

    def load(self, consortium_id: int | None) -> None:
        self.loaded = False
        self.worker.call(projects.consortia_and_detail, consortium_id, on_done=self._loaded,
                         on_error=lambda e: self.f.show_text(error_text(e)))

    def _loaded(self, result: tuple[list[projects.ConsortiumRow], projects.ConsortiumDetail | None]) -> None:
        rows, detail = result
        self.chooser.blockSignals(True)
        while self.chooser.count() > 1:
            self.chooser.removeItem(1)
        for r in rows:
            self.chooser.addItem(r.name, r.id)
        self.chooser.setCurrentIndex(max(0, self.chooser.findData(detail.id)) if detail else 0)
        self.chooser.blockSignals(False)
        self._fill(detail)
        self.loaded = True
        self.save_button.setEnabled(True)

    def _chosen(self, _index: int) -> None:
        self.load(self.chooser.currentData())

    def _fill(self, detail: projects.ConsortiumDetail | None) -> None:
        self.f.clear()
        self.consortium_id = detail.id if detail else None
        data = detail.data if detail else projects.ConsortiumInput()
        names = detail.member_names if detail else {}
        self.name.setText(data.name)
        self.model_label.setText(data.model_label)
        self.notes.setPlainText(data.notes)
        self.members.setRowCount(0)
        for m in data.members:
            self.add_member(m.org_id, names.get(m.org_id, str(m.org_id)), m.role)
        self.steering.setRowCount(0)
        for s in data.steering:
            self.add_steering(s.person, s.org_id, s.source, names)

    # -- rows -------------------------------------------------------------------------------

    def add_member_from_picker(self) -> None:
        org_id = self.picker.current_id()
        if org_id is None:
            self.f.mark("members", _("Choose an organization first"))
            return
        self.f.mark("members", "")
        self.add_member(org_id, self.picker.current_name(), self.member_role.currentData())

    def add_member(self, org_id: int, name: str, role: str) -> None:
        row = self.members.rowCount()
        self.members.insertRow(row)
        item = QTableWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, org_id)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.members.setItem(row, 0, item)
        combo = QComboBox()
        for value, label in pc.MEMBER_ROLES.items():
            combo.addItem(_(label), value)
        combo.setCurrentIndex(max(0, combo.findData(role)))
        self.members.setCellWidget(row, 1, combo)

    def _member_choices(self, names: dict[int, str] | None = None) -> list[tuple[int, str]]:
        found = [(int(self.members.item(r, 0).data(Qt.ItemDataRole.UserRole)), self.members.item(r, 0).text())
                 for r in range(self.members.rowCount())]
        known = {i for i, _n in found}
        return found + [(i, n) for i, n in (names or {}).items() if i not in known]

    def add_steering(self, person: str = "", org_id: int | None = None, source: str = "gov",
                     names: dict[int, str] | None = None) -> None:
        row = self.steering.rowCount()
        self.steering.insertRow(row)
        self.steering.setItem(row, 0, QTableWidgetItem(person))
        orgs_combo = QComboBox()
        orgs_combo.addItem(_("(none)"), None)
        for oid, name in self._member_choices(names):
            orgs_combo.addItem(name, oid)
        orgs_combo.setCurrentIndex(max(0, orgs_combo.findData(org_id)) if org_id is not None else 0)
        self.steering.setCellWidget(row, 1, orgs_combo)
        src = QComboBox()
        for value, label in pc.STEERING_SOURCES.items():
            src.addItem(_(label), value)
        src.setCurrentIndex(max(0, src.findData(source)))
        self.steering.setCellWidget(row, 2, src)
        if not person:
            self.steering.setCurrentCell(row, 0)
            self.steering.editItem(self.steering.item(row, 0))

    # -- saving -----------------------------------------------------------------------------

    def collect(self) -> projects.ConsortiumInput:
        members = []
        for r in range(self.members.rowCount()):
            combo = self.members.cellWidget(r, 1)
            role = combo.currentData() if isinstance(combo, QComboBox) else "other"
            members.append(projects.MemberInput(int(self.members.item(r, 0).data(Qt.ItemDataRole.UserRole)), role))
        steering = []
        for r in range(self.steering.rowCount()):
            item = self.steering.item(r, 0)
            org_combo, src = self.steering.cellWidget(r, 1), self.steering.cellWidget(r, 2)
            person = item.text() if item else ""
            if not person.strip() and isinstance(org_combo, QComboBox) and org_combo.currentData() is None:
                continue  # an empty row the user added and left
            steering.append(projects.SteeringInput(
                person, org_combo.currentData() if isinstance(org_combo, QComboBox) else None,
                src.currentData() if isinstance(src, QComboBox) else "gov"))
        return projects.ConsortiumInput(self.name.text(), self.model_label.text(), self.notes.toPlainText(),
                                        members, steering)

    def save(self) -> None:
        if not self.loaded:
            return
        self.save_button.setEnabled(False)
        self.worker.call(projects.save_consortium, self.collect(), consortium_id=self.consortium_id,
                         on_done=self._saved, on_error=self._failed)

    def _saved(self, consortium_id: int) -> None:
        self.f.clear()
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(_("Saved."))
        self.saved.emit(consortium_id)
        self.load(consortium_id)

    def _failed(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        self.message.setText("")
        if isinstance(error, ValidationError):
            self.f.show_problems(error.problems)
        else:
            self.f.show_text(error_text(error))


# ---------------------------------------------------------------------------------------------
# Catalogue of purchasable services (administrators)


class CatalogueDialog(QDialog):
    """购买服务目录: add items and rename them; the project form offers them."""

    changed = Signal()

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.rows: list[projects.CatalogueRow] = []
        self.loaded = False
        self.setWindowTitle(_("Catalogue of purchasable services"))
        self.setStyleSheet(FORM_STYLE)
        self.resize(680, 560)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("catalogue_table")
        self.table.setHorizontalHeaderLabels([_("Code"), _("Catalogue item"), _("Service category")])
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)

        self.box = problem_box()
        layout.addWidget(self.box)
        self.f = FieldErrors(self.box)
        editor = QGroupBox(_("Selected item"))
        form = QFormLayout(editor)
        self.code = QLineEdit()
        self.code.setMaximumWidth(160)
        self.f.add_row(form, "code", self.code, _("Code"))
        self.name = QLineEdit()
        self.f.add_row(form, "name", self.name, _("Name *"))
        self.category = QComboBox()
        for value, label in pc.SERVICE_CATEGORIES.items():
            self.category.addItem(_(label), value)
        self.category.setCurrentIndex(self.category.findData(3))
        self.f.add_row(form, "category", self.category, _("Service category"))
        row = QHBoxLayout()
        self.new_button = QPushButton(_("New item"))
        self.new_button.setObjectName("catalogue_new")
        self.new_button.clicked.connect(self.new_item)
        self.save_button = QPushButton(_("Save this item"))
        self.save_button.setObjectName("catalogue_save")
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        row.addWidget(self.new_button)
        row.addWidget(self.save_button)
        row.addWidget(self.message, 1)
        form.addRow(row)
        layout.addWidget(editor)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.item_id: int | None = None
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        self.worker.call(projects.list_catalogue, on_done=lambda rows: self._show(rows, select_id),
                         on_error=lambda e: self.f.show_text(error_text(e)))

    def _show(self, rows: list[projects.CatalogueRow], select_id: int | None) -> None:
        self.rows = rows
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for r, item in enumerate(rows):
            label = _(pc.SERVICE_CATEGORIES.get(item.category, str(item.category))).split("：")[0].split(":")[0]
            for c, text in enumerate((item.code, item.name, label)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.blockSignals(False)
        self.loaded = True
        if select_id is not None:
            row = next((i for i, r in enumerate(rows) if r.id == select_id), -1)
            if row >= 0:
                self.table.selectRow(row)

    def _selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            return
        item = self.rows[row]
        self.item_id = item.id
        self.code.setText(item.code)
        self.name.setText(item.name)
        self.category.setCurrentIndex(max(0, self.category.findData(item.category)))
        self.f.clear()
        self.message.setText("")

    def new_item(self) -> None:
        self.table.clearSelection()
        self.item_id = None
        self.code.setText(f"JD{len(self.rows) + 1:03d}")
        self.name.clear()
        self.name.setFocus()
        self.f.clear()
        self.message.setText("")

    def save(self) -> None:
        self.worker.call(projects.save_catalogue_item, self.code.text(), self.name.text(),
                         self.category.currentData(), item_id=self.item_id, on_done=self._saved,
                         on_error=self._failed)

    def _saved(self, item_id: int) -> None:
        self.item_id = item_id
        self.f.clear()
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(_("Saved."))
        self.changed.emit()
        self.reload(item_id)

    def _failed(self, error: Exception) -> None:
        self.message.setText("")
        if isinstance(error, ValidationError):
            self.f.show_problems(error.problems)
        else:
            self.f.show_text(error_text(error))

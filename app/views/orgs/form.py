"""The form for one organization: every field of OrgInput, the checklist and the attachments.

The form only lays out and collects; the service validates. Problems come back as a
ValidationError naming each field, and are shown next to those fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
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
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import eligibility as elig
from app.domain.dates import parse_date
from app.domain.errors import FieldProblem, NeedsConfirmation, StaleRecord, ValidationError
from app.domain.uscc import ORG_TYPE_LABELS, CodeProblem, OrgType, check_code, org_type_from_code
from app.i18n import _, format_datetime, format_iso_date
from app.services import orgs
from app.views import messages
from app.views.form_helpers import (
    ERROR_STYLE,
    FORM_STYLE,
    OK_STYLE,
    FieldErrors,
    problem_box,
    show_eligibility,
)
from app.views.layout_helpers import WrapCheckBox, scrolling
from app.views.messages import confirm, error_text, show_error
from app.views.widgets.attachments_panel import AttachmentsPanel
from app.views.worker import Worker

TAB_BASIC, TAB_QUALIFICATION, TAB_CHECKLIST, TAB_ATTACHMENTS = range(4)
COL_ITEM, COL_STATUS, COL_EVIDENCE, COL_BY, COL_ON, COL_UNTIL = range(6)
FIELD_OF_COLUMN = {COL_STATUS: "status", COL_EVIDENCE: "evidence", COL_UNTIL: "valid_until"}  # orgs.CHECK_FIELDS
VALUE_ROLE = Qt.ItemDataRole.UserRole  # the raw value of a cell (status value, ISO date; the item code in column 0)
CHOICES_ROLE = Qt.ItemDataRole.UserRole + 1  # (value, label) pairs the service offers for the status cell
TONE_COLOURS = {"ok": "#1b7f3b", "bad": "#b3261e", "open": "#8a6d00"}


class _CellDelegate(QStyledItemDelegate):
    """Edits the checklist's cells: the status with a drop-down of the choices the service states for
    that row, text as usual. Knows its open editor, so the form can commit it before leaving or saving."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor: QWidget | None = None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        if index.column() == COL_STATUS:
            combo = QComboBox(parent)
            for value, text in index.data(CHOICES_ROLE) or ():
                combo.addItem(text, value)
            self.editor = combo
        else:
            self.editor = super().createEditor(parent, option, index)
        return self.editor

    def destroyEditor(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if editor is self.editor:
            self.editor = None
        super().destroyEditor(editor, index)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox) and index.column() == COL_STATUS:
            editor.setCurrentIndex(max(0, editor.findData(index.data(VALUE_ROLE))))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox) and index.column() == COL_STATUS:
            if editor.currentIndex() >= 0:
                model.setData(index, editor.currentData(), VALUE_ROLE)  # first: the edit signal reads the value
                model.setData(index, editor.currentText(), Qt.ItemDataRole.DisplayRole)
        else:
            super().setModelData(editor, model, index)


def _date_text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))


class OrgFormDialog(QDialog):
    saved = Signal(int)  # the id of the saved organization

    def __init__(self, worker: Worker, org_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.org_id = org_id
        self.version: int | None = None
        self.detail: orgs.OrgDetail | None = None
        self.state: orgs.OrgFormState | None = None
        self.loaded = False
        self.saving = False
        self.check_edits: dict[str, dict[str, str]] = {}  # item code -> edited fields not saved yet
        self.check_failed: dict[str, str] = {}  # item code -> why its save failed
        self.check_saving: set[str] = set()
        self._filling = False
        self._baseline: orgs.OrgInput | None = None  # what the form held when loaded or last saved
        self.setWindowTitle(_("Edit organization") if org_id else _("New organization"))
        self.setStyleSheet(FORM_STYLE)
        self.resize(1000, 640)

        layout = QVBoxLayout(self)
        self.problem_box = problem_box()
        layout.addWidget(self.problem_box)
        self.tabs = QTabWidget()
        self.field_errors = FieldErrors(self.problem_box, self.tabs)
        self.fields = self.field_errors.fields
        self.errors = self.field_errors.errors
        self.tab_of = self.field_errors.tab_of
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(scrolling(self._basic_tab()), _("Basic information"))
        self.tabs.addTab(scrolling(self._qualification_tab()), _("Rating and inspections"))
        self.tabs.addTab(self._checklist_tab(), _("Eligibility review"))
        self.tabs.addTab(self._attachments_tab(), _("Attachments"))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.save_button.setEnabled(False)
        self._code_changed()
        self.worker.call(orgs.org_form_state, org_id, on_done=self._loaded, on_error=self._load_failed)

    # -- building ---------------------------------------------------------------------------

    def _field(self, form: QFormLayout, name: str, widget: QWidget, tab: int, label: str | None = None,
               extra: QWidget | None = None) -> None:
        """A row: the widget, optional extra lines, and an (initially hidden) error line under it."""
        self.field_errors.add_row(form, name, widget, label if label is not None else orgs.label(name), tab, extra)

    def _line(self, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        if placeholder:
            edit.setPlaceholderText(placeholder)
        return edit

    def _basic_tab(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        left, right = QFormLayout(), QFormLayout()
        for form in (left, right):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for i, form in enumerate((left, right)):
            column = QVBoxLayout()
            column.addLayout(form)
            column.addStretch(1)
            if i:
                row.addSpacing(16)
            row.addLayout(column, 1)
        t = TAB_BASIC

        self.name = self._line()
        self._field(left, "name", self.name, t, _("Name *"))

        self.code = self._line(_("18 characters, e.g. 52110105MJ0000011X"))
        self.code.setMaxLength(30)
        self.code_message = QLabel()
        self.code_message.setObjectName("code_message")
        self.code_message.setWordWrap(True)
        self.code.textChanged.connect(self._code_changed)
        self._field(left, "credit_code", self.code, t, _("Credit code *"), extra=self.code_message)

        self.override = WrapCheckBox(_("Accept this code anyway (an early pilot code that is genuine)"))
        self.override.setObjectName("code_override")
        self.override_reason = self._line(_("Why the code is genuine, e.g. checked against the original licence"))
        self.override_reason.setObjectName("field_code_override_reason")
        self.override_note = QLabel()
        self.override_note.setStyleSheet("color: #555;")
        self.override_box = QWidget()
        ob = QVBoxLayout(self.override_box)
        ob.setContentsMargins(0, 0, 0, 0)
        ob.addWidget(self.override)
        ob.addWidget(self.override_reason)
        ob.addWidget(self.override_note)
        self.override.toggled.connect(self._override_toggled)
        self._field(left, "code_override_reason", self.override_box, t, "")
        self.fields["code_override_reason"] = self.override_reason
        self.override_box.setObjectName("override_box")

        self.org_type_label = QLabel()
        self.org_type_label.setObjectName("org_type_from_code")
        self.org_type_label.setWordWrap(True)
        self.org_type = QComboBox()
        for value, label in ORG_TYPE_LABELS.items():
            self.org_type.addItem(_(label), value.value)
        self.org_type.setCurrentIndex(self.org_type.findData(OrgType.OTHER.value))
        type_box = QWidget()
        tb = QHBoxLayout(type_box)
        tb.setContentsMargins(0, 0, 0, 0)
        tb.addWidget(self.org_type_label, 1)
        tb.addWidget(self.org_type, 1)
        self._field(left, "org_type", type_box, t)
        self.fields["org_type"] = self.org_type
        self.org_type.setObjectName("field_org_type")
        type_box.setObjectName("org_type_box")

        self.registration_authority = self._line(_("e.g. the district civil affairs bureau"))
        self._field(left, "registration_authority", self.registration_authority, t)
        self.region = self._line(_("taken from the code when left empty"))
        self._field(left, "region", self.region, t)
        self.established_on = self._line(_("e.g. 2015-03-01 or 2015年3月1日"))
        self.established_on.textChanged.connect(lambda: self._check_date("established_on"))
        self._field(left, "established_on", self.established_on, t)
        self.domains = QListWidget()
        self.domains.setFixedHeight(96)
        self.domains.setFlow(QListWidget.Flow.LeftToRight)
        self.domains.setWrapping(True)
        self.domains.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.domains.setSpacing(2)
        self._field(left, "domains", self.domains, t)

        self.legal_representative = self._line()
        self._field(right, "legal_representative", self.legal_representative, t)
        self.contact_person = self._line()
        self._field(right, "contact_person", self.contact_person, t)
        self.phone = self._line(_("e.g. 010-64000100"))
        self._field(right, "phone", self.phone, t)
        self.address = self._line()
        self._field(right, "address", self.address, t)
        self.bank_name = self._line()
        self._field(right, "bank_name", self.bank_name, t)
        self.bank_account_name = self._line()
        self._field(right, "bank_account_name", self.bank_account_name, t)
        self.bank_account_no = self._line()
        self._field(right, "bank_account_no", self.bank_account_no, t)
        self.is_support_org = WrapCheckBox(_("Supporting organization (coordinates, trains and monitors others)"))
        self._field(right, "is_support_org", self.is_support_org, t, "")
        self.fiscally_funded = WrapCheckBox(_("Mass organization funded by the budget (cannot undertake purchases)"))
        self._field(right, "fiscally_funded_mass_org", self.fiscally_funded, t, "")
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(110)
        self._field(right, "notes", self.notes, t)
        return page

    def _qualification_tab(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        t = TAB_QUALIFICATION
        form = QFormLayout()
        self.rating = QComboBox()
        self.rating.addItem(_("No rating"), "")
        for r in orgs.RATINGS:
            self.rating.addItem(r, r)
        self.rating.setMaximumWidth(200)
        self._field(form, "rating", self.rating, t)
        self.rating_valid_until = self._line(_("e.g. 2027-12-31"))
        self.rating_valid_until.textChanged.connect(lambda: self._check_date("rating_valid_until"))
        self.rating_valid_until.setMaximumWidth(260)
        self._field(form, "rating_valid_until", self.rating_valid_until, t)
        v.addLayout(form)

        box = QGroupBox(_("Annual inspections"))
        bl = QVBoxLayout(box)
        self.inspections = QTableWidget(0, 2)
        self.inspections.setHorizontalHeaderLabels([_("Year"), _("Result")])
        self.inspections.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.inspections.verticalHeader().setVisible(False)
        self.inspections.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.inspections.setMaximumHeight(170)
        self.inspections.setMaximumWidth(460)
        self._register("inspections", self.inspections, t)
        bl.addWidget(self.inspections)
        bl.addLayout(self._table_buttons(self.add_inspection, self.inspections))
        bl.addWidget(self.errors["inspections"])
        v.addWidget(box)

        box = QGroupBox(_("Violation records"))
        bl = QVBoxLayout(box)
        self.violations = QTableWidget(0, 3)
        self.violations.setHorizontalHeaderLabels([_("Date"), _("Description"), _("Major")])
        h = self.violations.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        h.resizeSection(0, 120)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.resizeSection(2, 80)
        self.violations.verticalHeader().setVisible(False)
        self.violations.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.violations.setMaximumHeight(170)
        self._register("violations", self.violations, t)
        bl.addWidget(self.violations)
        bl.addLayout(self._table_buttons(self.add_violation, self.violations))
        bl.addWidget(self.errors["violations"])
        v.addWidget(box)
        v.addStretch(1)
        return page

    def _register(self, name: str, widget: QWidget, tab: int) -> None:
        self.field_errors.register(name, widget, tab)

    def _table_buttons(self, add: Any, table: QTableWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        add_b = QPushButton(_("Add"))
        add_b.clicked.connect(lambda: add())
        remove_b = QPushButton(_("Remove"))
        remove_b.clicked.connect(lambda: table.removeRow(table.currentRow()) if table.currentRow() >= 0 else None)
        row.addWidget(add_b)
        row.addWidget(remove_b)
        row.addStretch(1)
        return row

    def _checklist_tab(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        self.eligibility_banner = QLabel()
        self.eligibility_banner.setObjectName("eligibility_banner")
        self.eligibility_banner.setWordWrap(True)
        self.eligibility_banner.setTextFormat(Qt.TextFormat.RichText)
        v.addWidget(self.eligibility_banner)
        self.checks = QTableWidget(0, 6)
        self.checks.setObjectName("checks")
        self.checks.setHorizontalHeaderLabels([_("Checklist item"), _("Status"), _("Evidence"), _("Checked by"),
                                               _("Checked on"), _("Valid until")])
        h = self.checks.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((300, 90, 220, 80, 95, 95)):
            h.resizeSection(col, width)
        h.setStretchLastSection(True)
        self.checks.verticalHeader().setVisible(False)
        # Edited in place with the keyboard: arrows/Tab move, typing or F2 edits, each row is saved as it is left.
        self.checks.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                    | QAbstractItemView.EditTrigger.SelectedClicked
                                    | QAbstractItemView.EditTrigger.EditKeyPressed
                                    | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.checks.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.checks.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.checks.setAlternatingRowColors(True)
        self.check_delegate = _CellDelegate(self.checks)
        self.checks.setItemDelegate(self.check_delegate)
        self.checks.itemChanged.connect(self._check_edited)
        self.checks.currentCellChanged.connect(self._check_cell_changed)
        v.addWidget(self.checks, 1)
        self.check_message = QLabel()
        self.check_message.setObjectName("check_message")
        self.check_message.setWordWrap(True)
        v.addWidget(self.check_message)
        return page

    def _attachments_tab(self) -> QWidget:
        self.attachments_panel = AttachmentsPanel(
            self.worker, "organization",
            _("Scanned licences, certificates and other files are kept inside the database, each with its "
              "SHA-256 fingerprint."), _("Save the organization first, then add files."))
        self.attachments = self.attachments_panel.table
        self.attachments_panel.changed.connect(self.reload_detail)
        return self.attachments_panel

    # -- filling ----------------------------------------------------------------------------

    def _load_failed(self, error: Exception) -> None:
        self.loaded = True
        self._show_problems_text(error_text(error))

    def _loaded(self, state: orgs.OrgFormState) -> None:
        self.state = state
        domains, detail = state.domains, state.detail
        chosen = set(detail.data.domains) if detail else set()
        names = [d.name for d in domains] + [n for n in (detail.data.domains if detail else []) if
                                             n not in {d.name for d in domains}]
        self.domains.clear()
        for n in names:
            item = QListWidgetItem(n)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if n in chosen else Qt.CheckState.Unchecked)
            self.domains.addItem(item)
        if detail is not None:
            self._fill(detail)
        self._show_checklist(detail)
        self.attachments_panel.set_owner(self.org_id)
        self.loaded = True
        self._baseline = self.collect()
        save = state.allowed("save")
        self.save_button.setEnabled(save.ok)
        self.save_button.setToolTip(save.reason or "")

    def _fill(self, detail: orgs.OrgDetail) -> None:
        self.detail = detail
        self.version = detail.version
        d = detail.data
        self.name.setText(d.name)
        self.code.setText(d.credit_code)
        self.override.setChecked(bool(d.code_override_reason))
        self.override_reason.setText(d.code_override_reason)
        if d.code_override_reason and detail.code_override_at:
            self.override_note.setText(_("Accepted on {when}").format(when=format_datetime(detail.code_override_at)))
        self.org_type.setCurrentIndex(max(0, self.org_type.findData(detail.org_type)))
        for key in ("registration_authority", "region", "legal_representative", "contact_person", "phone",
                    "address", "bank_name", "bank_account_name", "bank_account_no"):
            getattr(self, key).setText(getattr(d, key))
        self.established_on.setText(_date_text(d.established_on))
        self.is_support_org.setChecked(d.is_support_org)
        self.fiscally_funded.setChecked(d.fiscally_funded_mass_org)
        self.rating.setCurrentIndex(max(0, self.rating.findData(d.rating)))
        self.rating_valid_until.setText(_date_text(d.rating_valid_until))
        self.notes.setPlainText(d.notes)
        self.inspections.setRowCount(0)
        for i in sorted(d.inspections, key=lambda i: int(str(i.year))):
            self.add_inspection(int(str(i.year)), str(i.result))
        self.violations.setRowCount(0)
        for v in d.violations:
            self.add_violation(_date_text(v.occurred_on), v.description, v.major)
        self._code_changed()

    def add_inspection(self, year: int | None = None, result: str = elig.InspectionResult.PASSED.value) -> None:
        row = self.inspections.rowCount()
        self.inspections.insertRow(row)
        spin = QSpinBox()
        spin.setRange(1990, date.today().year)
        if year is None:
            years = [self.inspections.cellWidget(r, 0).value() for r in range(row)]  # type: ignore[attr-defined]  # the QSpinBox put there by add_inspection
            year = min(max(years) + 1, date.today().year) if years else date.today().year - 1
        spin.setValue(year)
        combo = QComboBox()
        for value, label in elig.INSPECTION_LABELS.items():
            combo.addItem(_(label), value.value)
        combo.setCurrentIndex(max(0, combo.findData(result)))
        self.inspections.setCellWidget(row, 0, spin)
        self.inspections.setCellWidget(row, 1, combo)

    def add_violation(self, when: str = "", description: str = "", major: bool = True) -> None:
        row = self.violations.rowCount()
        self.violations.insertRow(row)
        self.violations.setItem(row, 0, QTableWidgetItem(when))
        self.violations.setItem(row, 1, QTableWidgetItem(description))
        flag = QTableWidgetItem(_("Major"))
        flag.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
        flag.setCheckState(Qt.CheckState.Checked if major else Qt.CheckState.Unchecked)
        self.violations.setItem(row, 2, flag)
        if not when:
            self.violations.setCurrentCell(row, 0)
            self.violations.editItem(self.violations.item(row, 0))

    def _show_checklist(self, detail: orgs.OrgDetail | None) -> None:
        """The rows as the service states them, updated in place (the current cell and scroll stay);
        a row with edits not yet saved keeps what was typed."""
        if detail is None:
            self.eligibility_banner.setText(_("Eligibility is decided from the records once the organization "
                                              "is saved. Save it first, then record the checklist here."))
            self.eligibility_banner.setStyleSheet("background: #f3f5f8; padding: 10px; border-radius: 4px;")
            self.checks.setRowCount(0)
            self.checks.setEnabled(False)
            return
        self.checks.setEnabled(True)
        show_eligibility(self.eligibility_banner, detail.eligibility, _("Eligible to undertake purchased services"),
                         _("Not eligible, because:"))
        self._filling = True
        try:
            if self.checks.rowCount() != len(detail.checks):
                self.checks.setRowCount(len(detail.checks))
            for r, c in enumerate(detail.checks):
                pending = self.check_edits.get(c.code, {})
                automatic = c.automatic and not c.editable
                values = {COL_ITEM: (c.label + ("  " + _("(automatic)") if automatic else ""), c.code),
                          COL_STATUS: (c.status_label, c.status), COL_EVIDENCE: (c.evidence, c.evidence),
                          COL_BY: (c.checked_by, None), COL_ON: (format_iso_date(c.checked_on), None),
                          COL_UNTIL: (format_iso_date(c.valid_until), _date_text(c.valid_until))}
                for col, (text, raw) in values.items():
                    item = self.checks.item(r, col)
                    if item is None:
                        item = QTableWidgetItem()
                        self.checks.setItem(r, col, item)
                    field = FIELD_OF_COLUMN.get(col)
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                    if field is not None and field in c.editable:
                        flags |= Qt.ItemFlag.ItemIsEditable
                    item.setFlags(flags)
                    if field is None or field not in pending:
                        item.setText(text)
                        item.setData(VALUE_ROLE, raw)
                    item.setData(CHOICES_ROLE, c.choices if col == COL_STATUS else None)
                    item.setToolTip(c.basis if col == COL_ITEM else (c.hint or text))
                    if col == COL_STATUS:
                        item.setForeground(QColor(TONE_COLOURS.get(c.tone, TONE_COLOURS["open"])))
                    elif c.automatic:
                        item.setForeground(QColor("#555555"))
                self._paint_row(r)
            self.checks.resizeRowsToContents()
        finally:
            self._filling = False
        self._show_check_hint(self.checks.currentRow())

    def _row_code(self, row: int) -> str | None:
        item = self.checks.item(row, COL_ITEM) if row >= 0 else None
        return None if item is None else str(item.data(VALUE_ROLE))

    def _check_row(self, row: int) -> orgs.CheckRow | None:
        code = self._row_code(row)
        return next((c for c in self.detail.checks if c.code == code), None) if self.detail else None

    def _paint_row(self, row: int) -> None:
        """A row with unsaved edits is tinted; one whose save failed is tinted red."""
        code = self._row_code(row)
        colour = ("#fdecea" if code in self.check_failed else "#fff6d6" if code in self.check_edits else None)
        filling, self._filling = self._filling, True  # a new background is an itemChanged too, not an edit
        try:
            for col in range(self.checks.columnCount()):
                item = self.checks.item(row, col)
                if item is not None:
                    item.setBackground(QColor(colour) if colour else QBrush())
        finally:
            self._filling = filling

    def _show_check_hint(self, row: int) -> None:
        code = self._row_code(row)
        if code is not None and code in self.check_failed:
            self.check_message.setStyleSheet(ERROR_STYLE)
            self.check_message.setText(self.check_failed[code])
            return
        check = self._check_row(row)
        self.check_message.setStyleSheet("color: #555;")
        if check is None:
            self.check_message.setText(_("Select a cell and type, or press F2, to edit it; each row is saved "
                                         "when you leave it."))
        elif code in self.check_edits:
            self.check_message.setText(_("Not saved yet: the row is saved when you leave it."))
        else:
            self.check_message.setText(check.hint if check.hint or not check.editable else
                                       _("Select a cell and type, or press F2, to edit it; each row is saved "
                                         "when you leave it."))

    def _check_edited(self, item: QTableWidgetItem) -> None:
        field = FIELD_OF_COLUMN.get(item.column())
        code = self._row_code(item.row())
        if self._filling or field is None or code is None:
            return
        value = item.data(VALUE_ROLE) if field == "status" else item.text()
        self.check_edits.setdefault(code, {})[field] = "" if value is None else str(value)
        self.check_failed.pop(code, None)
        self._paint_row(item.row())
        self._show_check_hint(item.row())

    def _check_cell_changed(self, row: int, _col: int, previous_row: int, _previous_col: int) -> None:
        if previous_row >= 0 and previous_row != row:
            self.save_check_row(previous_row)
        self._show_check_hint(row)

    def _commit_open_editor(self) -> None:
        """An editor still open in the checklist hands its value to the table (before leaving or saving)."""
        editor = self.check_delegate.editor
        if editor is not None and self.checks.state() == QAbstractItemView.State.EditingState:
            self.checks.commitData(editor)
            self.checks.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def save_check_row(self, row: int, then: Callable[[bool], None] | None = None) -> None:
        """Save one row's edits (through the worker); `then(ok)` afterwards. A failure stays on the row."""
        code = self._row_code(row)
        edits = dict(self.check_edits.get(code, {})) if code else {}
        if self.org_id is None or code is None or not edits or code in self.check_saving:
            if then is not None:
                then(code not in self.check_failed)
            return

        def cell(col: int) -> str:
            item = self.checks.item(row, col)
            value = None if item is None else item.data(VALUE_ROLE)
            return "" if value is None else str(value)

        status = edits.get("status", cell(COL_STATUS))
        evidence = edits.get("evidence", cell(COL_EVIDENCE))
        until = edits.get("valid_until", cell(COL_UNTIL))
        self.check_saving.add(code)

        def done(_r: object) -> None:
            self.check_saving.discard(code)
            if self.check_edits.get(code) == edits:
                self.check_edits.pop(code, None)
            self.check_failed.pop(code, None)
            label = self._check_row(row)
            self.reload_detail(then=lambda: self._row_saved(label.label if label else "", then))

        def failed(error: Exception) -> None:
            self.check_saving.discard(code)
            self.check_failed[code] = _("Not saved: {reason}").format(reason=error_text(error))
            self._paint_row(row)
            self._show_check_hint(row)
            if then is not None:
                then(False)

        self.worker.call(orgs.save_check_row, self.org_id, code, status, evidence, until or None,
                         on_done=done, on_error=failed)

    def _row_saved(self, label: str, then: Callable[[bool], None] | None) -> None:
        self.check_message.setStyleSheet(OK_STYLE)
        self.check_message.setText(_("Saved: {item}").format(item=label))
        if then is not None:
            then(True)

    def save_pending_checks(self, then: Callable[[bool], None]) -> None:
        """Every row with edits saved, one after another; `then(all_ok)`."""
        self._commit_open_editor()
        rows = [r for r in range(self.checks.rowCount()) if self._row_code(r) in self.check_edits]
        if not rows:
            then(not self.check_failed)
            return

        def next_row(ok: bool, rest: list[int]) -> None:
            if not ok:
                then(False)
            elif not rest:
                then(True)
            else:
                self.save_check_row(rest[0], then=lambda ok2: next_row(ok2, rest[1:]))

        next_row(True, rows)

    def reload_detail(self, then: Callable[[], None] | None = None) -> None:
        """After a checklist item or attachment changed: refresh the checklist, the version and the
        inspections it changed; keep every other edit."""
        if self.org_id is None:
            return

        def done(detail: orgs.OrgDetail) -> None:
            before = {int(str(i.year)): str(i.result) for i in self.detail.data.inspections} if self.detail else {}
            self.detail = detail
            self.version = detail.version
            for i in detail.data.inspections:
                year, result = int(str(i.year)), str(i.result)
                if before.get(year) != result:
                    self._set_inspection(year, result)
            self._show_checklist(detail)
            if then is not None:
                then()

        self.worker.call(orgs.get, self.org_id, on_done=done, on_error=lambda e: show_error(self, e))

    def _set_inspection(self, year: int, result: str) -> None:
        """The inspections table follows a result saved from the checklist (so the form's Save keeps it)."""
        for r in range(self.inspections.rowCount()):
            spin, combo = self.inspections.cellWidget(r, 0), self.inspections.cellWidget(r, 1)
            if isinstance(spin, QSpinBox) and isinstance(combo, QComboBox) and spin.value() == year:
                combo.setCurrentIndex(max(0, combo.findData(result)))
                break
        else:
            self.add_inspection(year, result)
        if self._baseline is not None:  # saved already: not an unsaved change of the form
            self._baseline = replace(self._baseline, inspections=self.collect().inspections)

    # -- live checks ------------------------------------------------------------------------

    def _code_changed(self) -> None:
        text = self.code.text()
        self._mark("credit_code", "")
        result = check_code(text)
        if not text.strip():
            self.code_message.setText("")
        elif result.ok:
            self.code_message.setText(_("The code is valid."))
            self.code_message.setStyleSheet(OK_STYLE)
        else:
            self.code_message.setText(result.message())
            self.code_message.setStyleSheet(ERROR_STYLE)
        wrong_check = result.problem is CodeProblem.CHECK
        self.override_box.setVisible(wrong_check)
        self.override_reason.setEnabled(self.override.isChecked())
        derived = org_type_from_code(result.code) if result.code else None
        if derived is not None:
            self.org_type_label.setText(_("{type} (from the code)").format(type=_(ORG_TYPE_LABELS[derived])))
        self.org_type_label.setVisible(derived is not None)
        self.org_type.setVisible(derived is None)

    def _override_toggled(self, on: bool) -> None:
        self.override_reason.setEnabled(on)
        if on:
            self.override_reason.setFocus()

    def _check_date(self, name: str) -> None:
        edit: QLineEdit = getattr(self, name)
        try:
            parse_date(edit.text())
        except (ValueError, OverflowError):
            self._mark(name, _("is not a date (write it like 2023-05-01)"))
            return
        self._mark(name, "")

    def _mark(self, name: str, reason: str) -> None:
        self.field_errors.mark(name, reason)

    # -- saving -----------------------------------------------------------------------------

    def collect(self) -> orgs.OrgInput:
        inspections = []
        for r in range(self.inspections.rowCount()):
            spin = self.inspections.cellWidget(r, 0)
            combo = self.inspections.cellWidget(r, 1)
            if isinstance(spin, QSpinBox) and isinstance(combo, QComboBox):
                inspections.append(orgs.InspectionInput(spin.value(), combo.currentData()))
        violations = []
        for r in range(self.violations.rowCount()):
            when, desc, flag = (self.violations.item(r, c) for c in range(3))
            texts = (when.text() if when else "", desc.text() if desc else "")
            if not any(t.strip() for t in texts):
                continue  # an empty row the user added and left
            violations.append(orgs.ViolationInput(texts[0], texts[1],
                                                  flag is not None and flag.checkState() == Qt.CheckState.Checked))
        domains = [self.domains.item(i).text() for i in range(self.domains.count())
                   if self.domains.item(i).checkState() == Qt.CheckState.Checked]
        return orgs.OrgInput(
            name=self.name.text(), credit_code=self.code.text(),
            code_override_reason=self.override_reason.text() if self.override.isChecked() and
            self.override_box.isVisibleTo(self) else "",
            org_type=self.org_type.currentData() or "",
            registration_authority=self.registration_authority.text(), region=self.region.text(),
            legal_representative=self.legal_representative.text(), contact_person=self.contact_person.text(),
            phone=self.phone.text(), address=self.address.text(), bank_name=self.bank_name.text(),
            bank_account_name=self.bank_account_name.text(), bank_account_no=self.bank_account_no.text(),
            established_on=self.established_on.text(), domains=domains,
            is_support_org=self.is_support_org.isChecked(), fiscally_funded_mass_org=self.fiscally_funded.isChecked(),
            rating=self.rating.currentData() or "", rating_valid_until=self.rating_valid_until.text(),
            inspections=inspections, violations=violations, notes=self.notes.toPlainText(),
            is_sample=bool(self.detail and self.detail.data.is_sample),
        )

    def has_unsaved(self) -> bool:
        """Edits that neither the form's Save nor a checklist row has saved yet."""
        self._commit_open_editor()
        return bool(self.check_edits) or (self._baseline is not None and self.collect() != self._baseline)

    def reject(self) -> None:
        """Cancel, Escape and closing the window: unsaved edits are saved, dropped or kept, as the user says."""
        if self.saving:
            return
        if self.has_unsaved() and not messages.may_close(self, self.save):
            return
        super().reject()

    def save(self, confirm_token: str = "") -> None:
        if not self.loaded or self.saving:
            return
        self._commit_open_editor()
        if self.check_edits:  # the checklist rows first, then the form with the version they leave
            self.saving = True
            self.save_button.setEnabled(False)
            self.save_pending_checks(lambda ok: self._checks_flushed(ok, confirm_token))
            return
        data = self.collect()
        if self.override.isChecked() and self.override_box.isVisibleTo(self) and not data.code_override_reason.strip():
            self.show_problems([FieldProblem("code_override_reason", orgs.label("code_override_reason"),
                                             _("is required when you accept a code that fails the check"))])
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self.worker.call(orgs.save, data, org_id=self.org_id, expected_version=self.version,
                         confirm=confirm_token, on_done=self._saved, on_error=self._save_failed)

    def _checks_flushed(self, ok: bool, confirm_token: str) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if ok:
            self.save(confirm_token)
        else:
            self.tabs.setCurrentIndex(TAB_CHECKLIST)

    def _saved(self, org_id: int) -> None:
        self.saving = False
        self.org_id = org_id
        self.saved.emit(org_id)
        self.accept()

    def _save_failed(self, error: Exception) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.show_problems(error.problems)
        elif isinstance(error, NeedsConfirmation):
            if confirm(self, _("Same name"), error.message):
                self.save(error.token)
        elif isinstance(error, StaleRecord):
            QMessageBox.warning(self, _("Changed by someone else"), str(error))
        else:
            show_error(self, error)

    def show_problems(self, problems: list[FieldProblem]) -> None:
        """Every problem next to its field, and all of them in the box at the top."""
        if any(p.field == "credit_code" for p in problems):
            self.code_message.setText("")  # the service's reason already says what the live check said
        self.field_errors.show_problems(problems)

    def _show_problems_text(self, text: str) -> None:
        self.field_errors.show_text(text)

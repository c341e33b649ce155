"""One purchase project: its fields in tabs, and a status area with the moves the user may make.

The form lays out and collects; the services validate and decide. A problem with the input comes
back as a ValidationError and is shown at its field; a refused move (wrong state, missing role,
separation of duties) is shown in the status area in the user's language, and nothing changes.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import lifecycle as lc
from app.domain import procurement as pc
from app.domain.errors import StaleRecord, ValidationError
from app.domain.money import parse_amount, rmb_upper
from app.i18n import _, format_date
from app.services import projects, requirement_print
from app.services.changes import Changes
from app.views import messages
from app.views.form_helpers import ERROR_STYLE, FORM_STYLE, OK_STYLE, FieldErrors, problem_box
from app.views.layout_helpers import WrapCheckBox, scrolling
from app.views.messages import error_text
from app.views.projects.dialogs import OrgPicker
from app.views.projects.model import STATE_COLORS, ProjectAgreementsModel, state_label
from app.views.widgets.reason_dialog import ReasonDialog
from app.views.worker import Worker

TAB_BASIC, TAB_REQUIREMENT, TAB_PROCUREMENT, TAB_AGREEMENTS = range(4)

AWARD_FIELDS = ("award_undertaker", "consortium", "award_notice_date", "award_price", "award_price_basis")


class ProjectFormDialog(QDialog):
    saved = Signal(int)  # the project was saved or moved; its id
    agreement_opened = Signal(int)  # the user asked to open one of the project's agreements

    def __init__(self, worker: Worker, project_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.project_id = project_id
        self.version: int | None = None
        self.detail: projects.ProjectDetail | None = None
        self.loaded = False
        self.busy = False
        self.dirty = False
        self._filling = False
        self.can_edit = False  # until the form state says so
        self.state: projects.ProjectFormState | None = None
        self.transition_buttons: dict[str, QPushButton] = {}
        self.setWindowTitle(_("New purchase project") if project_id is None else _("Purchase project"))
        self.setStyleSheet(FORM_STYLE)
        self.resize(1040, 720)

        layout = QVBoxLayout(self)
        self.problem_box = problem_box()
        layout.addWidget(self.problem_box)
        layout.addWidget(self._status_area())
        self.tabs = QTabWidget()
        self.f = FieldErrors(self.problem_box, self.tabs)
        self.tabs.addTab(scrolling(self._basic_tab()), _("Basic information"))
        self.tabs.addTab(scrolling(self._requirement_tab()), _("Requirement"))
        self.tabs.addTab(scrolling(self._procurement_tab()), _("Procurement and award"))
        self.tabs.addTab(self._agreements_tab(), _("Agreements"))
        layout.addWidget(self.tabs, 1)

        bottom = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("form_message")
        bottom.addWidget(self.message, 1)
        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("save_project")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save())
        self.close_button = QPushButton(_("Close"))
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)
        self.save_button.setEnabled(False)
        self.save_button.setVisible(False)  # until the form state says the user may save
        self._watch_edits()
        worker.bus.changed.connect(self._changed_elsewhere)
        self.reload()

    # -- building ---------------------------------------------------------------------------

    def _status_area(self) -> QWidget:
        frame = QFrame()
        frame.setObjectName("status_area")
        frame.setStyleSheet("QFrame#status_area { background: #f6f8fb; border: 1px solid #dfe4ec;"
                            " border-radius: 6px; }")
        v = QVBoxLayout(frame)
        v.setContentsMargins(12, 8, 12, 8)
        top = QHBoxLayout()
        caption = QLabel(_("Current state:"))
        caption.setStyleSheet("font-weight: bold;")
        top.addWidget(caption)
        self.state_chip = QLabel()
        self.state_chip.setObjectName("state_chip")
        top.addWidget(self.state_chip)
        self.state_reason = QLabel()
        self.state_reason.setObjectName("state_reason")
        self.state_reason.setStyleSheet("color: #555;")
        self.state_reason.setWordWrap(True)
        top.addWidget(self.state_reason, 1)
        v.addLayout(top)
        self.deadlines = QLabel()
        self.deadlines.setObjectName("deadlines")
        self.deadlines.setWordWrap(True)
        self.deadlines.setTextFormat(Qt.TextFormat.RichText)
        v.addWidget(self.deadlines)
        self.transitions_row = QHBoxLayout()
        self.transitions_row.setSpacing(6)
        self.next_steps = QLabel(_("Next steps:"))
        self.transitions_row.addWidget(self.next_steps)
        self.transitions_row.addStretch(1)
        v.addLayout(self.transitions_row)
        self.status_message = QLabel()
        self.status_message.setObjectName("status_message")
        self.status_message.setWordWrap(True)
        self.status_message.hide()
        v.addWidget(self.status_message)
        return frame

    @staticmethod
    def _two_columns(page: QWidget) -> tuple[QFormLayout, QFormLayout]:
        row = QHBoxLayout(page)
        left, right = QFormLayout(), QFormLayout()
        for i, form in enumerate((left, right)):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            column = QVBoxLayout()
            column.addLayout(form)
            column.addStretch(1)
            if i:
                row.addSpacing(16)
            row.addLayout(column, 1)
        return left, right

    @staticmethod
    def _combo(values: dict[Any, str]) -> QComboBox:
        combo = QComboBox()
        for value, label in values.items():
            combo.addItem(_(label), value)
        # A long choice shows elided, not a window wider than the screen.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(14)
        return combo

    def _basic_tab(self) -> QWidget:
        page = QWidget()
        left, right = self._two_columns(page)
        t = TAB_BASIC
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("e.g. 2026 community home-based elderly care service"))
        self.f.add_row(left, "name", self.name, _("Project name *"), t)
        self.purchaser_department = QLineEdit()
        self.purchaser_department.setPlaceholderText(_("e.g. community services section"))
        self.f.add_row(left, "purchaser_department", self.purchaser_department, projects.label("purchaser_department"), t)
        self.service_category = self._combo(pc.SERVICE_CATEGORIES)
        self.service_category.setCurrentIndex(self.service_category.findData(3))
        self.f.add_row(left, "service_category", self.service_category, projects.label("service_category"), t)
        self.catalogue_item = QComboBox()
        self.f.add_row(left, "catalogue_item", self.catalogue_item, projects.label("catalogue_item"), t)
        self.domain = QComboBox()
        self.f.add_row(left, "domain", self.domain, projects.label("domain"), t)
        self.budget_year = QSpinBox()
        self.budget_year.setRange(2000, 2100)
        self.budget_year.setValue(date.today().year)
        self.budget_year.setMaximumWidth(120)
        self.f.add_row(left, "budget_year", self.budget_year, _("Budget year *"), t)
        self.budget_amount = QLineEdit()
        self.budget_amount.setPlaceholderText(_("in yuan, e.g. 300000.00"))
        self.budget_amount.setMaximumWidth(260)
        self.amount_words = QLabel()
        self.amount_words.setObjectName("amount_words")
        self.amount_words.setStyleSheet("color: #555;")
        self.budget_amount.textChanged.connect(self._amount_changed)
        self.f.add_row(left, "budget_amount", self.budget_amount, _("Budget amount (yuan) *"), t,
                       extra=self.amount_words)
        self.funding_source = self._combo(pc.FUNDING_SOURCES)
        self.f.add_row(left, "funding_source", self.funding_source, projects.label("funding_source"), t)

        self.procurement_method = self._combo(pc.PROCUREMENT_METHODS)
        self.procurement_method.currentIndexChanged.connect(self._method_changed)
        self.f.add_row(right, "procurement_method", self.procurement_method, projects.label("procurement_method"), t)
        self.method_reason = QPlainTextEdit()
        self.method_reason.setFixedHeight(72)
        self.method_reason.setPlaceholderText(_("Why this method is used, e.g. the only organization licensed "
                                                "for this service in the district"))
        self.method_reason_row = self.f.add_row(right, "method_reason", self.method_reason,
                                                _("Reason for the method *"), t)
        self.right_form = right
        self.evaluation_method = self._combo(pc.EVALUATION_METHODS)
        self.f.add_row(right, "evaluation_method", self.evaluation_method, projects.label("evaluation_method"), t)
        self.plan_years = QSpinBox()
        self.plan_years.setRange(1, 3)
        self.plan_years.setSuffix(_(" year(s)"))
        self.plan_years.setMaximumWidth(120)
        self.plan_years.setToolTip(_("At most three years, one agreement a year (Chengdu procedure, art. 23)"))
        self.f.add_row(right, "plan_years", self.plan_years, projects.label("plan_years"), t)
        self.start_year = QSpinBox()
        self.start_year.setRange(2000, 2100)
        self.start_year.setValue(date.today().year)
        self.start_year.setMaximumWidth(120)
        self.f.add_row(right, "start_year", self.start_year, projects.label("start_year"), t)
        self.voucher_scheme = WrapCheckBox(_("Voucher scheme (residents choose the provider with a voucher)"))
        self.f.add_row(right, "voucher_scheme", self.voucher_scheme, "", t)
        self.budget_year.valueChanged.connect(self._budget_year_changed)
        self._method_changed()
        return page

    def _requirement_tab(self) -> QWidget:
        outer = QWidget()
        v = QVBoxLayout(outer)
        note = QLabel(_("The sections of the requirement (Chengdu procedure, art. 13). Sections marked * must be "
                        "filled in before the requirement goes to review."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        v.addWidget(note)
        self.requirement_people = QLabel()
        self.requirement_people.setObjectName("requirement_people")
        self.requirement_people.setWordWrap(True)
        self.print_requirement_button = QPushButton(_("Print the requirement…"))
        self.print_requirement_button.setObjectName("print_requirement")
        self.print_requirement_button.setToolTip(_("A PDF of the saved requirement for review and the file: its "
                                                   "sections, the method and the reasons, the confirmations"))
        self.print_requirement_button.clicked.connect(self.print_requirement)
        self.print_requirement_button.setEnabled(False)  # a saved project only
        self.requirement_message = QLabel()
        self.requirement_message.setObjectName("requirement_message")
        self.requirement_message.setWordWrap(True)
        self.requirement_message.hide()
        people_row = QHBoxLayout()
        people_row.addWidget(self.requirement_people, 1)
        people_row.addWidget(self.print_requirement_button)
        v.addLayout(people_row)
        v.addWidget(self.requirement_message)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        form = QFormLayout(inner)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.sections: dict[str, QPlainTextEdit] = {}
        for key, label in pc.REQUIREMENT_SECTIONS.items():
            if key == "req_assessment_standard":
                self.req_assessment_type = self._combo(pc.ASSESSMENT_TYPES)
                self.req_assessment_type.setMaximumWidth(240)
                self.req_assessment_type.setToolTip(_("Periodic assessment for continuing services; one-off "
                                                      "acceptance for deliverables (art. 13 (4))"))
                self.f.add_row(form, "req_assessment_type", self.req_assessment_type,
                               projects.label("req_assessment_type"), TAB_REQUIREMENT)
            edit = QPlainTextEdit()
            edit.setFixedHeight(58)
            edit.setTabChangesFocus(True)
            self.sections[key] = edit
            text = _(label) + (" *" if key in pc.REQUIRED_SECTIONS else "")
            self.f.add_row(form, key, edit, text, TAB_REQUIREMENT)
        # What may not be purchased, confirmed by the drafter; the public consultation of a class-3 service;
        # the reason for a budget outside the method's range (issue 15).
        self.exclusions: dict[str, WrapCheckBox] = {}
        for key in projects.EXCLUSIONS:
            box = WrapCheckBox(projects.label(key))
            box.setObjectName(key)
            self.exclusions[key] = box
            self.f.add_row(form, key, box, _("Confirmed *") if key == projects.EXCLUSIONS[0] else "",
                           TAB_REQUIREMENT)
        self.consultation_on = QLineEdit()
        self.consultation_on.setPlaceholderText(_("e.g. 2026-02-10"))
        self.consultation_on.setMaximumWidth(200)
        self.f.add_row(form, "consultation_on", self.consultation_on, projects.label("consultation_on"),
                       TAB_REQUIREMENT)
        self.consultation_method = QLineEdit()
        self.f.add_row(form, "consultation_method", self.consultation_method, projects.label("consultation_method"),
                       TAB_REQUIREMENT)
        self.consultation_result = QPlainTextEdit()
        self.consultation_result.setFixedHeight(58)
        self.consultation_result.setTabChangesFocus(True)
        self.f.add_row(form, "consultation_result", self.consultation_result, projects.label("consultation_result"),
                       TAB_REQUIREMENT)
        self.threshold_hint = QLabel()
        self.threshold_hint.setObjectName("threshold_hint")
        self.threshold_hint.setWordWrap(True)
        self.threshold_hint.setStyleSheet("color: #a15c00;")
        self.threshold_reason = QPlainTextEdit()
        self.threshold_reason.setFixedHeight(58)
        self.threshold_reason.setTabChangesFocus(True)
        self.f.add_row(form, "threshold_reason", self.threshold_reason, projects.label("threshold_reason"),
                       TAB_REQUIREMENT, extra=self.threshold_hint)
        scroll.setWidget(inner)
        v.addWidget(scroll, 1)
        return outer

    def _procurement_tab(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        docs = QGroupBox(_("Purchase documents (Chengdu procedure, art. 20)"))
        dv = QVBoxLayout(docs)
        hint = QLabel(_("Compiled by one person and re-checked by another (art. 17)."))
        hint.setStyleSheet("color: #555;")
        dv.addWidget(hint)
        grid = QFormLayout()
        self.compiled_by = QLabel()
        self.compiled_by.setObjectName("compiled_by")
        self.compile_button = QPushButton(_("Documents compiled"))
        self.compile_button.setObjectName("compile_documents")
        self.compile_button.clicked.connect(self.compile_documents)
        row = QHBoxLayout()
        row.addWidget(self.compiled_by, 1)
        row.addWidget(self.compile_button)
        grid.addRow(_("Compiled by"), row)
        self.checked_by = QLabel()
        self.checked_by.setObjectName("checked_by")
        self.recheck_button = QPushButton(_("Documents re-checked"))
        self.recheck_button.setObjectName("recheck_documents")
        self.recheck_button.clicked.connect(self.recheck_documents)
        row = QHBoxLayout()
        row.addWidget(self.checked_by, 1)
        row.addWidget(self.recheck_button)
        grid.addRow(_("Re-checked by"), row)
        dv.addLayout(grid)
        self.docs_message = QLabel()
        self.docs_message.setObjectName("docs_message")
        self.docs_message.setWordWrap(True)
        dv.addWidget(self.docs_message)
        v.addWidget(docs)

        self.award_box = QGroupBox(_("Award"))
        form = QFormLayout(self.award_box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        kinds = QWidget()
        kr = QHBoxLayout(kinds)
        kr.setContentsMargins(0, 0, 0, 0)
        self.award_to_org = QRadioButton(_("An organization"))
        self.award_to_org.setObjectName("award_to_org")
        self.award_to_consortium = QRadioButton(_("A consortium"))
        self.award_to_consortium.setObjectName("award_to_consortium")
        self.award_kind = QButtonGroup(self)
        self.award_kind.addButton(self.award_to_org)
        self.award_kind.addButton(self.award_to_consortium)
        self.award_to_org.setChecked(True)
        kr.addWidget(self.award_to_org)
        kr.addWidget(self.award_to_consortium)
        kr.addStretch(1)
        form.addRow(_("Awarded to"), kinds)
        self.award_org = OrgPicker(self.worker)
        self.award_consortium = QComboBox()
        self.award_consortium.setMinimumWidth(260)
        who = QWidget()
        wl = QHBoxLayout(who)
        wl.setContentsMargins(0, 0, 0, 0)
        wl.addWidget(self.award_org, 1)
        wl.addWidget(self.award_consortium, 1)
        self.award_undertaker_shown = QLabel()
        self.award_undertaker_shown.setObjectName("award_undertaker_shown")
        wl.addWidget(self.award_undertaker_shown, 1)
        self.f.add_row(form, "award_undertaker", who, _("Undertaker *"), TAB_PROCUREMENT)
        self.f.alias("consortium", "award_undertaker")
        self.award_kind.buttonToggled.connect(lambda *_a: self._award_kind_changed())
        self.award_notice_date = QLineEdit()
        self.award_notice_date.setPlaceholderText(_("e.g. 2026-02-10"))
        self.award_notice_date.setMaximumWidth(200)
        self.f.add_row(form, "award_notice_date", self.award_notice_date, _("Award notice date *"), TAB_PROCUREMENT)
        self.award_price = QLineEdit()
        self.award_price.setPlaceholderText(_("in yuan, e.g. 280000.00"))
        self.award_price.setMaximumWidth(200)
        self.f.add_row(form, "award_price", self.award_price, _("Award price (yuan) *"), TAB_PROCUREMENT)
        self.award_price_basis = self._combo(projects.PRICE_BASES)
        self.award_price_basis.setObjectName("award_price_basis")
        self.award_price_basis.insertItem(0, _("— choose —"), "")
        self.award_price_basis.setCurrentIndex(0)
        self.award_price_basis.setMaximumWidth(240)
        self.f.add_row(form, "award_price_basis", self.award_price_basis, projects.label("award_price_basis"),
                       TAB_PROCUREMENT)
        self.record_award_button = QPushButton(_("Record the award"))
        self.record_award_button.setObjectName("record_award")
        self.record_award_button.clicked.connect(self.record_award)
        self.award_hint = QLabel()
        self.award_hint.setStyleSheet("color: #555;")
        self.award_hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.record_award_button)
        row.addWidget(self.award_hint, 1)
        row.addStretch(0 if self.award_hint.text() else 1)
        form.addRow(row)
        v.addWidget(self.award_box)
        v.addStretch(1)
        self._award_kind_changed()
        return page

    def _agreements_tab(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        note = QLabel(_("One agreement for each year of the plan: draw up the next one with New agreement, "
                        "double-click one to open it."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        v.addWidget(note)
        self.agreements_model = ProjectAgreementsModel(self)
        self.agreements = QTableView()
        self.agreements.setObjectName("project_agreements")
        self.agreements.setModel(self.agreements_model)
        self.agreements.verticalHeader().setVisible(False)
        self.agreements.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.agreements.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.agreements.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        h = self.agreements.horizontalHeader()
        h.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        h.resizeSection(0, 160)
        h.resizeSection(1, 320)
        h.setStretchLastSection(True)
        self.agreements.doubleClicked.connect(self._agreement_double_clicked)
        v.addWidget(self.agreements, 1)
        row = QHBoxLayout()
        self.open_agreement_button = QPushButton(_("Open agreement"))
        self.open_agreement_button.setObjectName("open_agreement")
        self.open_agreement_button.clicked.connect(self.open_selected_agreement)
        self.new_agreement_button = QPushButton(_("New agreement…"))
        self.new_agreement_button.setObjectName("new_agreement")
        self.new_agreement_button.clicked.connect(self.new_agreement)
        self.no_agreements = QLabel()
        self.no_agreements.setStyleSheet("color: #555;")
        row.addWidget(self.new_agreement_button)
        row.addWidget(self.open_agreement_button)
        row.addWidget(self.no_agreements, 1)
        v.addLayout(row)
        return page

    def _watch_edits(self) -> None:
        for w in (self.name, self.purchaser_department, self.budget_amount):
            w.textChanged.connect(self._edited)
        for c in (self.service_category, self.catalogue_item, self.domain, self.funding_source,
                  self.procurement_method, self.evaluation_method, self.req_assessment_type):
            c.currentIndexChanged.connect(self._edited)
        for s in (self.budget_year, self.plan_years, self.start_year):
            s.valueChanged.connect(self._edited)
        self.voucher_scheme.toggled.connect(self._edited)
        for box in self.exclusions.values():
            box.toggled.connect(self._edited)
        for w in (self.consultation_on, self.consultation_method):
            w.textChanged.connect(self._edited)
        for e in (self.method_reason, *self.sections.values(), self.consultation_result, self.threshold_reason):
            e.textChanged.connect(self._edited)

    def _edited(self, *_args: object) -> None:
        if not self._filling:
            self.dirty = True

    # -- live hints -------------------------------------------------------------------------

    def _amount_changed(self) -> None:
        text = self.budget_amount.text()
        try:
            value = parse_amount(text)
        except (ValueError, TypeError):
            self.amount_words.setText(_("not an amount yet (write it like 300000.00)"))
            self.amount_words.setStyleSheet(ERROR_STYLE)
            return
        self.amount_words.setStyleSheet("color: #555;")
        try:
            self.amount_words.setText(rmb_upper(value) if value is not None and value >= 0 else "")
        except ValueError:
            self.amount_words.setText("")

    def _method_changed(self) -> None:
        needs = self.procurement_method.currentData() in pc.METHODS_NEEDING_REASON
        self.right_form.setRowVisible(self.method_reason_row, needs)

    def _budget_year_changed(self, year: int) -> None:
        if not self._filling and self.detail is None:
            self.start_year.setValue(year)

    def _award_kind_changed(self) -> None:
        to_org = self.award_to_org.isChecked()
        self.award_org.setVisible(to_org and not self.award_undertaker_shown.text())
        self.award_consortium.setVisible(not to_org and not self.award_undertaker_shown.text())

    # -- loading ----------------------------------------------------------------------------

    def _changed_elsewhere(self, changes: Changes) -> None:
        """Another screen changed this project, its agreements or consortia: show it, unless edits are pending."""
        if self.project_id is None or not self.loaded or self.busy or self.dirty:
            return
        if self.project_id in changes.ids("project") or changes.touches("agreement", "consortium"):
            self.reload()

    def reload(self) -> None:
        self.loaded = False  # until the answer is shown (no save of a half-filled form)
        self.worker.call(projects.project_form_state, self.project_id, on_done=self._loaded,
                         on_error=lambda e: self._load_failed(e))

    def _load_failed(self, error: Exception) -> None:
        self.loaded = True
        self.f.show_text(error_text(error))

    def _loaded(self, data: projects.ProjectFormState) -> None:
        self.state = data
        self.can_edit = data.allowed("save").ok
        self._filling = True
        try:
            self._fill_choices(data)
            if data.detail is not None:
                self._fill(data.detail, data)
            self._show_status(data.detail)
        finally:
            self._filling = False
        self.dirty = False
        self.loaded = True
        self.busy = False
        self.save_button.setVisible(self.can_edit)
        self.save_button.setEnabled(self.can_edit)

    def _fill_choices(self, data: projects.ProjectFormState) -> None:
        def refill(combo: QComboBox, none_text: str, items: list[tuple[int, str]]) -> None:
            current = combo.currentData()
            combo.clear()
            combo.addItem(none_text, None)
            for value, text in items:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)

        refill(self.catalogue_item, _("(not chosen)"),
               [(c.id, f"{c.code} {c.name}".strip()) for c in data.catalogue])
        refill(self.domain, _("(not chosen)"), [(d.id, d.name) for d in data.domains])
        refill(self.award_consortium, _("(choose a consortium)"), [(c.id, c.name) for c in data.consortia])

    def _fill(self, detail: projects.ProjectDetail, state: projects.ProjectFormState) -> None:
        drafted = [r.name for r in detail.duty_log if r.duty == "draft_requirement"]
        approved = [r.name for r in detail.duty_log if r.duty == "approve_requirement"]
        self.requirement_people.setText(_("Drafted by: {drafter}    Reviewed by: {reviewer}").format(
            drafter=drafted[-1] if drafted else "—", reviewer=approved[-1] if approved else "—"))
        self.detail = detail
        self.print_requirement_button.setEnabled(True)
        self.version = detail.version
        self.project_id = detail.id
        d = detail.data
        self.setWindowTitle(_("Purchase project: {name}").format(name=d.name))
        self.name.setText(d.name)
        self.purchaser_department.setText(d.purchaser_department)
        self._select(self.service_category, int(str(d.service_category)))
        self._select(self.catalogue_item, d.catalogue_item_id)
        self._select(self.domain, d.domain_id)
        self.budget_year.setValue(int(str(d.budget_year)))
        self.budget_amount.setText("" if d.budget_amount is None else f"{d.budget_amount:.2f}")
        self._select(self.funding_source, d.funding_source)
        self._select(self.procurement_method, d.procurement_method)
        self.method_reason.setPlainText(d.method_reason)
        self._select(self.evaluation_method, d.evaluation_method)
        self.plan_years.setValue(int(str(d.plan_years)))
        self.start_year.setValue(int(str(d.start_year or d.budget_year)))
        self.voucher_scheme.setChecked(bool(d.voucher_scheme))
        for key, edit in self.sections.items():
            edit.setPlainText(str(getattr(d, key) or ""))
        self._select(self.req_assessment_type, d.req_assessment_type)
        for key, box in self.exclusions.items():
            box.setChecked(bool(getattr(d, key)))
        self.consultation_on.setText(d.consultation_on.isoformat() if isinstance(d.consultation_on, date) else "")
        self.consultation_method.setText(d.consultation_method)
        self.consultation_result.setPlainText(d.consultation_result)
        self.threshold_reason.setPlainText(d.threshold_reason)
        self.threshold_hint.setText(detail.threshold_problem)
        self.threshold_hint.setVisible(bool(detail.threshold_problem))
        self._select(self.award_price_basis, detail.award_price_basis or "")
        self._method_changed()

        # Lock what the service would refuse to change.
        for name, fs in state.fields.items():
            widget = self.f.fields.get(name)
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(not fs.editable)
            elif widget is not None and name in projects.LOCKED_AFTER_APPROVAL:
                widget.setEnabled(fs.editable)
            if widget is not None:
                widget.setToolTip(fs.reason or "")
            box = self.exclusions.get(name)
            if box is not None:
                box.setEnabled(fs.editable)
                box.setToolTip(fs.reason or "")

        # Purchase documents.
        people = state.people
        self.compiled_by.setText(people.get(detail.docs_compiled_by, str(detail.docs_compiled_by))
                                 if detail.docs_compiled_by is not None else state.documents_note)
        self.checked_by.setText(people.get(detail.docs_checked_by, str(detail.docs_checked_by))
                                if detail.docs_checked_by is not None else state.documents_note)
        self.compile_button.setEnabled(state.allowed("compile_documents").ok)
        self.recheck_button.setEnabled(state.allowed("recheck_documents").ok)

        # The award: read-only once recorded, editable while procurement is under way.
        can_award = state.allowed("move:record_award").ok
        if detail.award_notice_date is not None:
            kind = _("Consortium") if detail.award_consortium_id else _("Organization")
            self.award_undertaker_shown.setText(f"{detail.award_undertaker}（{kind}）")
            (self.award_to_consortium if detail.award_consortium_id else self.award_to_org).setChecked(True)
            self.award_notice_date.setText(detail.award_notice_date.isoformat())
            self.award_price.setText("" if detail.award_price is None else f"{detail.award_price:.2f}")
        else:
            self.award_undertaker_shown.setText("")
        for w in (self.award_to_org, self.award_to_consortium, self.award_org, self.award_consortium,
                  self.award_notice_date, self.award_price, self.award_price_basis):
            w.setEnabled(can_award)
        self.record_award_button.setVisible(can_award)
        self.award_hint.setText(state.award_note)
        self.award_hint.setVisible(bool(self.award_hint.text()))
        self._award_kind_changed()

        self.agreements_model.set_rows(detail.agreements, int(str(d.start_year or d.budget_year)))
        self.open_agreement_button.setEnabled(bool(detail.agreements))
        self.no_agreements.setText("" if detail.agreements else _("No agreement yet."))
        new = state.allowed("new_agreement")
        self.new_agreement_button.setVisible(new.ok)
        self.new_agreement_button.setToolTip(new.reason or "")

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        combo.setCurrentIndex(max(0, combo.findData(value)))

    def _show_status(self, detail: projects.ProjectDetail | None) -> None:
        for b in self.transition_buttons.values():
            self.transitions_row.removeWidget(b)
            b.deleteLater()
        self.transition_buttons = {}
        if detail is None:
            self.state_chip.setText(_("Not saved yet"))
            self.state_chip.setStyleSheet("padding: 2px 10px; border-radius: 9px; background: #eef1f5;")
            self.state_reason.setText(_("Save the project first; then the budget approval and the next steps "
                                        "can be recorded here."))
            self.deadlines.hide()
            self.next_steps.hide()
            return
        fg, bg = STATE_COLORS.get(detail.state, ("#333333", "#eeeeee"))
        self.state_chip.setText(state_label(detail.state))
        self.state_chip.setStyleSheet(f"color: {fg}; background: {bg}; font-weight: bold; padding: 2px 10px;"
                                      " border-radius: 9px;")
        self.state_reason.setText(_("Reason: {reason}").format(reason=detail.state_reason)
                                  if detail.state_reason else "")
        self.deadlines.setText(self._deadlines_html(detail.deadlines))
        self.deadlines.setVisible(bool(detail.deadlines))
        self.next_steps.setVisible(True)
        if not detail.transitions:
            self.next_steps.setText(_("Next steps: none for your role in this state."))
        else:
            self.next_steps.setText(_("Next steps:"))
        for i, t in enumerate(detail.transitions):
            button = QPushButton(_(t.label) + ("…" if t.needs_reason else ""))
            button.setObjectName(f"transition_{t.name}")
            if t.name in ("cancel", "terminate", "procurement_failed", "return_requirement"):
                button.setStyleSheet("color: #8c1d18;")
            button.clicked.connect(lambda _c=False, name=t.name: self.run_transition(name))
            self.transitions_row.insertWidget(1 + i, button)
            self.transition_buttons[t.name] = button
        if self.state is not None and self.state.allowed("new_agreement").ok and not detail.agreements:
            # After the award the next step is the agreement: offered first, opening its form right here.
            button = QPushButton(_("New agreement…"))
            button.setObjectName("next_new_agreement")
            button.setStyleSheet("font-weight: bold;")
            button.clicked.connect(self.new_agreement)
            self.transitions_row.insertWidget(1, button)
            self.transition_buttons["new_agreement"] = button
            self.next_steps.setText(_("Next steps:"))

    @staticmethod
    def _deadlines_html(rows: list[projects.DeadlineRow]) -> str:
        lines = []
        for d in rows:
            if d.flagged_years:
                years = "、".join(str(y) for y in d.flagged_years)
                note = _("holiday calendar does not cover {year}").format(year=years)
                when = (_("due {date}").format(date=format_date(d.due)) + "; " if d.due else "") + note
                color = "#8a6d00"
            elif d.done_on is not None:
                when = _("due {date}, done on {done}").format(date=format_date(d.due), done=format_date(d.done_on))
                color = "#1b7f3b"
            elif d.overdue:
                when = _("due {date}, overdue").format(date=format_date(d.due))
                color = "#b3261e"
            else:
                when = _("due {date}").format(date=format_date(d.due))
                color = "#333333"
            text = _("{label}: {when}").format(label=d.label, when=when)
            lines.append(f"<span style='color:{color}'>{html.escape(text)}</span>")
        return "<br>".join(lines)

    # -- saving -----------------------------------------------------------------------------

    def collect(self) -> projects.ProjectInput:
        data = projects.ProjectInput(
            name=self.name.text(), purchaser_department=self.purchaser_department.text(),
            service_category=self.service_category.currentData(), catalogue_item_id=self.catalogue_item.currentData(),
            domain_id=self.domain.currentData(), budget_year=self.budget_year.value(),
            budget_amount=self.budget_amount.text(), funding_source=self.funding_source.currentData(),
            procurement_method=self.procurement_method.currentData(),
            method_reason=self.method_reason.toPlainText()
            if self.procurement_method.currentData() in pc.METHODS_NEEDING_REASON else "",
            evaluation_method=self.evaluation_method.currentData(), voucher_scheme=self.voucher_scheme.isChecked(),
            plan_years=self.plan_years.value(), start_year=self.start_year.value(),
            req_assessment_type=self.req_assessment_type.currentData(),
            is_sample=bool(self.detail and self.detail.data.is_sample))
        for key, edit in self.sections.items():
            setattr(data, key, edit.toPlainText())
        for key, box in self.exclusions.items():
            setattr(data, key, box.isChecked())
        data.consultation_on = self.consultation_on.text()
        data.consultation_method = self.consultation_method.text()
        data.consultation_result = self.consultation_result.toPlainText()
        data.threshold_reason = self.threshold_reason.toPlainText()
        return data

    def reject(self) -> None:
        """Close, Escape and the window's close button: unsaved edits are saved, dropped or kept, as asked."""
        if self.busy and self.dirty:
            return
        if self.dirty and self.can_edit and self.loaded and \
                not messages.may_close(self, lambda: self.save(then=lambda: QDialog.reject(self))):
            return
        super().reject()

    def save(self, then: Any = None) -> None:
        """Save the fields; `then` (a callable) runs after a successful save (e.g. the move asked for)."""
        if not self.loaded or self.busy or not self.can_edit:
            return
        self.busy = True
        self.save_button.setEnabled(False)
        self.message.setText("")

        def done(project_id: int) -> None:
            self.project_id = project_id
            self.dirty = False
            self.f.clear()
            self.saved.emit(project_id)
            if then is None:
                self._say(self.message, _("Saved."), ok=True)
                self.reload()
            else:
                self.busy = False
                then()

        self.worker.call(projects.save, self.collect(), project_id=self.project_id, expected_version=self.version,
                         on_done=done, on_error=self._save_failed)

    def _save_failed(self, error: Exception) -> None:
        self.busy = False
        self.save_button.setEnabled(self.can_edit)
        if isinstance(error, ValidationError):
            self.f.show_problems(error.problems)
        elif isinstance(error, StaleRecord):
            self.f.show_text(str(error))
        else:
            self.f.show_text(error_text(error))

    @staticmethod
    def _say(label: QLabel, text: str, ok: bool) -> None:
        label.setStyleSheet(OK_STYLE if ok else ERROR_STYLE + " font-weight: bold;")
        label.setText(text)
        label.setVisible(bool(text))

    # -- moves ------------------------------------------------------------------------------

    def ask_reason(self, t: lc.Transition) -> str | None:
        """The reason for a move that needs one; None when the user cancels."""
        dialog = ReasonDialog(_(t.label), _("“{action}” needs a reason. It is kept in the project's history.")
                              .format(action=_(t.label)), self)
        return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def run_transition(self, name: str) -> None:
        if self.project_id is None or self.busy:
            return
        t = lc.project_transition(name)
        self.status_message.hide()
        if name == "record_award":
            self.tabs.setCurrentIndex(TAB_PROCUREMENT)
            (self.award_org.search if self.award_to_org.isChecked() else self.award_consortium).setFocus()
            self._say(self.status_message, _("Enter the award below and press “Record the award”."), ok=True)
            return
        reason = ""
        if t.needs_reason:
            answer = self.ask_reason(t)
            if answer is None:
                return
            reason = answer
        self._move(name, reason=reason)

    def _move(self, name: str, **kwargs: Any) -> None:
        project_id = self.project_id

        def go() -> None:
            self.busy = True
            self.worker.call(projects.transition, project_id, name, on_done=lambda state: self._moved(name, state),
                             on_error=self._refused, **kwargs)

        if self.dirty and self.can_edit:
            self.save(then=go)  # the move works on what the user sees
        else:
            go()

    def record_award(self) -> None:
        if self.project_id is None:
            return
        award = projects.AwardInput(
            undertaker_id=self.award_org.current_id() if self.award_to_org.isChecked() else None,
            consortium_id=self.award_consortium.currentData() if self.award_to_consortium.isChecked() else None,
            notice_date=self.award_notice_date.text(), price=self.award_price.text(),
            price_basis=str(self.award_price_basis.currentData() or ""))
        self._move("record_award", award=award)

    def _moved(self, name: str, _state: str) -> None:
        self.busy = False
        for field in AWARD_FIELDS:
            self.f.mark(field, "")
        self.f.show_text("")
        self._say(self.status_message, _("Done: {action}.").format(action=_(lc.project_transition(name).label)),
                  ok=True)
        if self.project_id is not None:
            self.saved.emit(self.project_id)
        self.reload()

    def _refused(self, error: Exception) -> None:
        self.busy = False
        if isinstance(error, ValidationError):
            self.f.show_problems(error.problems)
            self._say(self.status_message, _("Not done; please correct the fields marked in red."), ok=False)
        else:
            self._say(self.status_message, error_text(error), ok=False)

    def print_requirement(self) -> None:
        """The saved requirement as a PDF (app.services.requirement_print), written by the worker."""
        if self.project_id is None or self.detail is None:
            return
        suggested = f"{self.detail.data.name}购买需求.pdf".replace("/", "-")
        path, _filter = QFileDialog.getSaveFileName(self, _("Save as PDF"), suggested, _("PDF files (*.pdf)"))
        if not path:
            return
        self.print_requirement_button.setEnabled(False)

        def done(_pdf: object) -> None:
            self.print_requirement_button.setEnabled(True)
            self._say(self.requirement_message, _("Saved to {path}.").format(path=path), ok=True)

        def failed(error: Exception) -> None:
            self.print_requirement_button.setEnabled(True)
            self._say(self.requirement_message, error_text(error), ok=False)

        self.worker.call(requirement_print.render, self.project_id, write_to=Path(path), on_done=done,
                         on_error=failed)

    def compile_documents(self) -> None:
        self._documents(projects.compile_documents)

    def recheck_documents(self) -> None:
        self._documents(projects.recheck_documents)

    def _documents(self, fn: Any) -> None:
        if self.project_id is None or self.busy:
            return
        self.busy = True
        self.docs_message.setText("")

        def done(_r: object) -> None:
            self.busy = False
            self._say(self.docs_message, _("Recorded."), ok=True)
            self.reload()

        def failed(error: Exception) -> None:
            self.busy = False
            self._say(self.docs_message, error_text(error), ok=False)

        self.worker.call(fn, self.project_id, on_done=done, on_error=failed)

    # -- agreements -------------------------------------------------------------------------

    def _agreement_double_clicked(self, index: QModelIndex) -> None:
        aid = self.agreements_model.agreement_id(index.row())
        if aid is not None:
            self.agreement_opened.emit(aid)

    def new_agreement(self) -> None:
        """The agreement form for this project, opened over the project form (the lists follow from the bus)."""
        if self.project_id is None:
            return
        from app.views.agreements.form import AgreementFormDialog

        dialog = AgreementFormDialog(self.worker, None, self.project_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.agreement_form = dialog

    def open_selected_agreement(self) -> None:
        rows = self.agreements.selectionModel().selectedRows()
        aid = self.agreements_model.agreement_id(rows[0].row() if rows else 0)
        if aid is not None:
            self.agreement_opened.emit(aid)

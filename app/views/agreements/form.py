"""One service agreement in tabs: parties, content, money and payments, period, clauses, attachments, history.

The form lays out and collects; the services validate and decide. A status strip at the top
shows the number and state and offers exactly the moves the user's roles allow; a refused move
says why and changes nothing. A signed agreement is read-only: changes are supplementary
agreements (补充协议), and next year's agreement is prepared from it once renewal is allowed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import lifecycle as lc
from app.domain import procurement as pc
from app.domain.dates import parse_date
from app.domain.errors import StaleRecord, ValidationError
from app.domain.money import parse_amount, rmb_upper
from app.domain.parties import in_print_order
from app.i18n import _, format_amount, format_datetime
from app.services import agreements as ag
from app.services.agreement_form import AgreementFormState, agreement_form_state
from app.services.changes import Changes
from app.views import messages
from app.views.agreements.common import date_text
from app.views.agreements.dialogs import AmendmentDialog, SigningDialog
from app.views.agreements.model import STATE_COLORS, strip_sample
from app.views.form_helpers import (
    ERROR_STYLE,
    FORM_STYLE,
    OK_STYLE,
    FieldErrors,
    problem_box,
    show_eligibility,
)
from app.views.layout_helpers import WrapCheckBox, scrolling
from app.views.messages import error_text
from app.views.widgets.attachments_panel import AttachmentsPanel
from app.views.widgets.instalment_editor import InstalmentEditor
from app.views.widgets.reason_dialog import ReasonDialog
from app.views.worker import Worker

TAB_PARTIES, TAB_CONTENT, TAB_MONEY, TAB_PERIOD, TAB_CLAUSES, TAB_ATTACHMENTS, TAB_HISTORY = range(7)
MUTED = "color: #555;"
# The reason the service asks for (ReasonRequired.field) -> the record_dates argument that carries it.
DATE_REASONS = {"late_announcement_reason": "announced_late_reason", "late_filing_reason": "filed_late_reason"}


def _text_edit(height: int = 84) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setFixedHeight(height)
    edit.setTabChangesFocus(True)
    return edit


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setVerticalSpacing(8)
    return form


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    t.horizontalHeader().setHighlightSections(False)
    return t


def _item(text: str, color: str = "", right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if color:
        item.setForeground(QColor(color))
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class AgreementFormDialog(QDialog):
    saved = Signal(int)  # the agreement was saved, moved, amended or renewed

    def __init__(self, worker: Worker, agreement_id: int | None = None, project_id: int | None = None,
                 today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.agreement_id = agreement_id
        self.project_id = project_id
        self.today = today
        self.data: AgreementFormState | None = None
        self.version: int | None = None
        self.loaded = False
        self.saving = False
        self._reloading = False
        self.editable = True
        self._baseline: ag.AgreementInput | None = None
        self._end_auto = True
        self._can_edit = False
        self._filled_key: object = None
        self.transition_buttons: dict[str, QPushButton] = {}
        self.reason_dialog: ReasonDialog | None = None
        self.signing_dialog: SigningDialog | None = None
        self.amendment_dialog: AmendmentDialog | None = None
        self.setStyleSheet(FORM_STYLE)
        self.setWindowTitle(_("Service agreement"))
        self.resize(1000, 720)

        layout = QVBoxLayout(self)
        layout.addWidget(self._status_strip())
        self.box = problem_box()
        layout.addWidget(self.box)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("agreement_tabs")
        self.errors = FieldErrors(self.box, self.tabs)
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(scrolling(self._parties_tab()), _("Parties"))
        self.tabs.addTab(scrolling(self._content_tab()), _("Service content"))
        self.tabs.addTab(scrolling(self._money_tab()), _("Amount and payments"))
        self.tabs.addTab(scrolling(self._period_tab()), _("Period and deadlines"))
        self.tabs.addTab(self._clauses_tab(), _("Clauses"))
        self.tabs.addTab(self._attachments_tab(), _("Attachments"))
        self.tabs.addTab(self._history_tab(), _("History"))
        if agreement_id is not None:
            from app.views.assessments.panels import AssessmentsTab, PaymentsTab

            self.assessments_tab = AssessmentsTab(worker, agreement_id, self)
            self.payments_tab = PaymentsTab(worker, agreement_id, self)
            self.assessments_tab.changed.connect(self._assessment_changed)
            self.payments_tab.changed.connect(lambda: self.saved.emit(agreement_id))
            self.tabs.addTab(self.assessments_tab, _("Assessments"))
            self.tabs.addTab(self.payments_tab, _("Payments"))

        bottom = QHBoxLayout()
        self.save_message = QLabel()
        self.save_message.setObjectName("save_message")
        bottom.addWidget(self.save_message, 1)
        self.save_button = QPushButton(_("Save draft"))
        self.save_button.setObjectName("save_agreement")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save())
        self.close_button = QPushButton(_("Close"))
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)
        self.save_button.setEnabled(False)
        worker.bus.changed.connect(self._changed_elsewhere)
        self.reload()

    # -- building ---------------------------------------------------------------------------

    def _status_strip(self) -> QWidget:
        strip = QFrame()
        strip.setObjectName("status_strip")
        strip.setStyleSheet("QFrame#status_strip { background: #f3f5f8; border: 1px solid #dde3ea;"
                            " border-radius: 6px; }")
        v = QVBoxLayout(strip)
        v.setContentsMargins(12, 8, 12, 8)
        v.setSpacing(4)
        row = QHBoxLayout()
        self.number_label = QLabel()
        self.number_label.setObjectName("agreement_number")
        self.number_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.number_label)
        self.state_label = QLabel()
        self.state_label.setObjectName("agreement_state")
        row.addWidget(self.state_label)
        self.project_label = QLabel()
        self.project_label.setStyleSheet(MUTED)
        self.project_label.setWordWrap(True)
        row.addWidget(self.project_label, 1)
        v.addLayout(row)
        # The actions go on a line of their own, which wraps: a signed agreement offers up to six.
        row = QHBoxLayout()
        self.moves = QHBoxLayout()
        self.moves.setSpacing(6)
        row.addLayout(self.moves)
        row.addStretch(1)
        self.amend_button = QPushButton(_("Supplementary agreement…"))
        self.amend_button.setObjectName("amend")
        self.amend_button.clicked.connect(self.open_amendment)
        row.addWidget(self.amend_button)
        self.renew_button = QPushButton(_("Prepare next year's agreement"))
        self.renew_button.setObjectName("renew")
        self.renew_button.clicked.connect(self.prepare_renewal)
        row.addWidget(self.renew_button)
        self.print_button = QToolButton()
        self.print_button.setObjectName("print")
        self.print_button.setText(_("Print…"))
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.print_button)
        for kind, text in (("agreement", _("Preview and print the agreement…")),
                           ("assessment_notice", _("Print the assessment-result notice…")),
                           ("acceptance_form", _("Print the acceptance form…"))):
            action = menu.addAction(text)
            action.setObjectName(f"print_{kind}")
            action.triggered.connect(lambda _checked=False, k=kind: self.open_print(k))
        self.print_button.setMenu(menu)
        row.addWidget(self.print_button)
        v.addLayout(row)
        self.renewal_note = QLabel()
        self.renewal_note.setObjectName("renewal_note")
        self.renewal_note.setWordWrap(True)
        self.renewal_note.setStyleSheet("color: #7a5200;")
        v.addWidget(self.renewal_note)
        self.action_message = QLabel()
        self.action_message.setObjectName("action_message")
        self.action_message.setWordWrap(True)
        self.action_message.hide()
        v.addWidget(self.action_message)
        return strip

    def _parties_tab(self) -> QWidget:
        page = QWidget()
        h = QHBoxLayout(page)
        left = _form()
        t = TAB_PARTIES
        self.party_a_label = QLabel()
        self.party_a_label.setObjectName("party_a")
        self.party_b_label = QLabel()
        self.party_b_label.setObjectName("party_b")
        for lab in (self.party_a_label, self.party_b_label):
            lab.setStyleSheet("font-size: 11pt; font-weight: bold;")
            lab.setWordWrap(True)
        left.addRow(_("Party A"), self.party_a_label)
        left.addRow(_("Party B"), self.party_b_label)
        self.purchaser_name = QLineEdit()
        self.purchaser_name.textChanged.connect(self._parties_changed)
        self.errors.add_row(left, "purchaser_name", self.purchaser_name, _("Purchaser"), t)
        self.undertaker = QComboBox()
        self.undertaker.currentIndexChanged.connect(self._parties_changed)
        self.errors.add_row(left, "undertaker", self.undertaker, _("Undertaker *"), t)
        self.parties_reversed = WrapCheckBox(_("Reverse the parties: the undertaker is Party A (as in the sample "
                                            "community service agreement)"))
        self.parties_reversed.toggled.connect(self._parties_changed)
        self.errors.add_row(left, "parties_reversed", self.parties_reversed, "", t)
        self.signatory_a = QLineEdit()
        self.errors.add_row(left, "signatory_a", self.signatory_a, _("Signatory of Party A"), t)
        self.signatory_b = QLineEdit()
        self.errors.add_row(left, "signatory_b", self.signatory_b, _("Signatory of Party B"), t)
        self.signing_label = QLabel()
        self.signing_label.setObjectName("signing_dates")
        self.signing_label.setWordWrap(True)
        left.addRow(_("Signing"), self.signing_label)
        column = QVBoxLayout()
        column.addLayout(left)
        column.addStretch(1)
        h.addLayout(column, 3)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>{}</b>".format(_("Eligibility of the undertaker"))))
        self.eligibility_banner = QLabel()
        self.eligibility_banner.setObjectName("eligibility_banner")
        self.eligibility_banner.setWordWrap(True)
        self.eligibility_banner.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.eligibility_banner)
        right.addStretch(1)
        h.addSpacing(16)
        h.addLayout(right, 2)
        return page

    def _content_tab(self) -> QWidget:
        page = QWidget()
        form = _form()
        t = TAB_CONTENT
        self.service_content = _text_edit(150)
        self.errors.add_row(form, "service_content", self.service_content, _("Service content *"), t)
        self.target_group = _text_edit(60)
        self.errors.add_row(form, "target_group", self.target_group, _("Target group *"), t)
        self.place = QLineEdit()
        self.errors.add_row(form, "place", self.place, _("Place of service"), t)
        form_box = QWidget()
        fb = QHBoxLayout(form_box)
        fb.setContentsMargins(0, 0, 0, 0)
        self.paid = QRadioButton(_("Paid service"))
        self.free = QRadioButton(_("Free of charge"))
        self.form_group = QButtonGroup(self)
        self.form_group.addButton(self.paid)
        self.form_group.addButton(self.free)
        self.paid.setChecked(True)
        fb.addWidget(self.paid)
        fb.addWidget(self.free)
        fb.addStretch(1)
        self.free.toggled.connect(self._free_toggled)
        self.errors.add_row(form, "free_of_charge", form_box, _("Form of service"), t)
        v = QVBoxLayout(page)
        v.addLayout(form)
        v.addStretch(1)
        return page

    def _money_tab(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        form = _form()
        t = TAB_MONEY
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(_("e.g. 280000.00"))
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount.setMaximumWidth(240)
        self.amount.textChanged.connect(self._amount_changed)
        self.amount_upper = QLabel()
        self.amount_upper.setObjectName("amount_upper")
        self.amount_upper.setStyleSheet("font-size: 11pt;")
        self.amount_upper.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plan_left = QLabel()
        self.plan_left.setObjectName("plan_left")
        self.plan_left.setStyleSheet(MUTED)
        amount_extra = QWidget()
        ae = QVBoxLayout(amount_extra)
        ae.setContentsMargins(0, 0, 0, 0)
        ae.setSpacing(2)
        ae.addWidget(self.amount_upper)
        ae.addWidget(self.plan_left)
        self.errors.add_row(form, "amount", self.amount, _("Amount (yuan) *"), t, extra=amount_extra)
        self.award_note = QLabel()
        self.award_note.setStyleSheet(MUTED)
        form.addRow("", self.award_note)
        v.addLayout(form)

        group = QGroupBox(_("Payment schedule"))
        gv = QVBoxLayout(group)
        hint = QLabel(_("Each instalment is an amount or a percentage of the agreement amount, payable on a "
                        "condition; payments follow the assessment results (Chengdu rules art. 28)."))
        hint.setWordWrap(True)
        hint.setStyleSheet(MUTED)
        gv.addWidget(hint)
        self.instalment_editor = InstalmentEditor()
        self.instalments = self.instalment_editor.table
        self.total_label = self.instalment_editor.total_label
        self.add_instalment = self.instalment_editor.add_row
        err = self.errors.register("instalments", self.instalments, t)
        gv.addWidget(self.instalment_editor, 1)
        gv.addWidget(err)
        v.addWidget(group, 1)
        return page

    def _period_tab(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        top = QHBoxLayout()
        form = _form()
        t = TAB_PERIOD
        self.year_index = QSpinBox()
        self.year_index.setRange(1, 3)
        self.year_index.setMaximumWidth(120)
        self.errors.add_row(form, "year_index", self.year_index, _("Plan year"), t)
        self.period_start = QLineEdit()
        self.period_start.setPlaceholderText(_("e.g. 2026-03-01"))
        self.period_start.setMaximumWidth(200)
        self.period_start.textChanged.connect(self._start_changed)
        self.errors.add_row(form, "period_start", self.period_start, _("Period start *"), t)
        self.period_end = QLineEdit()
        self.period_end.setMaximumWidth(200)
        self.period_end.textEdited.connect(self._end_edited)
        self.period_note = QLabel(_("One year from the start unless you enter another end."))
        self.period_note.setStyleSheet(MUTED)
        self.errors.add_row(form, "period_end", self.period_end, _("Period end"), t, extra=self.period_note)
        self.plan_note = QLabel()
        self.plan_note.setStyleSheet(MUTED)
        self.plan_note.setWordWrap(True)
        form.addRow("", self.plan_note)
        top.addLayout(form, 1)

        dates = QGroupBox(_("Announcement and filing"))
        dates.setMaximumWidth(420)
        df = _form()
        self.announced_on = QLineEdit()
        self.announced_on.setPlaceholderText(_("e.g. 2026-03-01"))
        self.errors.add_row(df, "announced_on", self.announced_on, _("Announced on"), t)
        self.filed_on = QLineEdit()
        self.filed_on.setPlaceholderText(_("e.g. 2026-03-01"))
        self.errors.add_row(df, "filed_on", self.filed_on, _("Filed with finance on"), t)
        self.record_dates_button = QPushButton(_("Record dates"))
        self.record_dates_button.setObjectName("record_dates")
        self.record_dates_button.clicked.connect(lambda: self.record_dates())
        self.dates_message = QLabel()
        self.dates_message.setWordWrap(True)
        br = QHBoxLayout()
        br.addWidget(self.record_dates_button)
        br.addWidget(self.dates_message, 1)
        df.addRow("", br)
        dates.setLayout(df)
        top.addWidget(dates)
        v.addLayout(top)

        group = QGroupBox(_("Deadlines"))
        gv = QVBoxLayout(group)
        self.deadlines = _table([_("Obligation"), _("Due"), _("Done on"), _("Status")])
        self.deadlines.setObjectName("deadlines")
        self.deadlines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        dh = self.deadlines.horizontalHeader()
        dh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 120), (2, 120), (3, 260)):
            dh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            dh.resizeSection(col, width)
        gv.addWidget(self.deadlines)
        note = QLabel(_("Working days follow the official holiday calendar; the signing day is not counted. "
                        "A year without an entered holiday schedule is flagged, not guessed."))
        note.setWordWrap(True)
        note.setStyleSheet(MUTED)
        gv.addWidget(note)
        v.addWidget(group)
        v.addStretch(1)
        return page

    def _clauses_tab(self) -> QWidget:
        page = QWidget()
        form = _form()
        t = TAB_CLAUSES
        self.acceptance_standard = _text_edit()
        self.errors.add_row(form, "acceptance_standard", self.acceptance_standard, _("Acceptance standard *"), t)
        self.rights_obligations = _text_edit()
        self.errors.add_row(form, "rights_obligations", self.rights_obligations, _("Rights and obligations *"), t)
        self.breach_liability = _text_edit()
        self.errors.add_row(form, "breach_liability", self.breach_liability, _("Breach liability *"), t)
        self.dispute_resolution = QComboBox()
        for value, text in pc.DISPUTE_RESOLUTIONS.items():
            self.dispute_resolution.addItem(_(text), value)
        self.dispute_resolution.setMaximumWidth(240)
        self.errors.add_row(form, "dispute_resolution", self.dispute_resolution, _("Dispute resolution"), t)
        self.no_subcontracting = WrapCheckBox(_("The undertaker may not subcontract the service to a third party"))
        self.no_subcontracting.setChecked(True)
        self.errors.add_row(form, "no_subcontracting", self.no_subcontracting, _("No subcontracting"), t)
        self.copies = QSpinBox()
        self.copies.setRange(1, 20)
        self.copies.setValue(2)
        self.copies.setMaximumWidth(120)
        self.errors.add_row(form, "copies", self.copies, _("Number of copies"), t)
        v = QVBoxLayout(page)
        v.addLayout(form)
        v.addStretch(1)
        return page

    def _attachments_tab(self) -> QWidget:
        self.attachments_panel = AttachmentsPanel(
            self.worker, "agreement",
            _("Attach the scan of the signed and sealed agreement. Each file is kept in the database "
              "with its SHA-256, so a copy can later be checked against it."),
            _("Save the agreement first, then add files."), _("Choose the scan of the signed agreement"),
            _("Scans (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;All files (*)"))
        self.attachments = self.attachments_panel.table
        self.attachments_panel.changed.connect(self.reload)
        return self.attachments_panel

    def _history_tab(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        group = QGroupBox(_("Supplementary agreements"))
        gv = QVBoxLayout(group)
        self.amendments = _table([_("No."), _("Signed on"), _("Reason"), _("Changes (before → after)")])
        self.amendments.setObjectName("amendments")
        self.amendments.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.amendments.setWordWrap(True)
        mh = self.amendments.horizontalHeader()
        mh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((60, 110, 260)):
            mh.resizeSection(col, width)
        mh.setStretchLastSection(True)
        gv.addWidget(self.amendments)
        self.print_amendment_button = QPushButton(_("Print the selected supplementary agreement…"))
        self.print_amendment_button.setObjectName("print_amendment")
        self.print_amendment_button.clicked.connect(self.print_selected_amendment)
        gv.addWidget(self.print_amendment_button, 0, Qt.AlignmentFlag.AlignLeft)
        v.addWidget(group, 1)
        group = QGroupBox(_("State changes"))
        gv = QVBoxLayout(group)
        self.history = _table([_("Time"), _("User"), _("From"), _("To"), _("Reason")])
        self.history.setObjectName("state_history")
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        hh = self.history.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((150, 110, 130, 130)):
            hh.resizeSection(col, width)
        hh.setStretchLastSection(True)
        gv.addWidget(self.history)
        v.addWidget(group, 1)
        return page

    # -- loading ----------------------------------------------------------------------------

    def _assessment_changed(self) -> None:
        """A result can open the renewal or unblock an instalment: refresh what shows it."""
        self.payments_tab.reload()
        self.reload()
        if self.agreement_id is not None:
            self.saved.emit(self.agreement_id)

    def _changed_elsewhere(self, changes: Changes) -> None:
        """This agreement changed (on another screen, or by a dialog of this one): show what is stored now."""
        if self.agreement_id is not None and self.loaded and not self.saving and not self._reloading \
                and self.agreement_id in changes.ids("agreement"):
            self.reload()

    def reload(self) -> None:
        self._reloading = True
        self.worker.call(agreement_form_state, self.agreement_id, self.project_id, self.today, on_done=self._loaded,
                         on_error=self._load_failed)

    def _load_failed(self, error: Exception) -> None:
        self._reloading = False
        self.errors.show_text(error_text(error))

    def _loaded(self, data: AgreementFormState) -> None:
        self._reloading = False
        d = data.detail
        key = (d.id, d.version) if d is not None else ("new", data.project.id)
        refill = key != self._filled_key
        self._filled_key = key
        self.data = data
        self.version = d.version if d else None
        p = data.project
        self.year_index.setMaximum(max(1, p.data.plan_years if isinstance(p.data.plan_years, int) else 1))
        self.undertaker.blockSignals(True)
        self.undertaker.clear()
        for oid, name in data.choices:
            self.undertaker.addItem(strip_sample(name), oid)
        self.undertaker.blockSignals(False)
        self._show_status(data)
        if refill:
            self._fill(data)
        self._show_deadlines(d)
        self.attachments_panel.set_owner(self.agreement_id)
        self._show_history(data)
        self._parties_changed()
        self.loaded = True
        if refill or self._baseline is None:
            self._baseline = self.collect()  # what "unsaved changes" are measured against

    def _fill(self, data: AgreementFormState) -> None:
        """Put the stored values (or the service's defaults for a new agreement) into the fields."""
        x = data.values
        p = data.project
        self.purchaser_name.setText(x.purchaser_name or data.office)
        self.undertaker.setCurrentIndex(max(0, self.undertaker.findData(x.undertaker_id)))
        self.parties_reversed.setChecked(x.parties_reversed)
        self.signatory_a.setText(x.signatory_a)
        self.signatory_b.setText(x.signatory_b)
        self.service_content.setPlainText(x.service_content)
        self.target_group.setPlainText(x.target_group)
        self.place.setText(x.place)
        (self.free if x.free_of_charge else self.paid).setChecked(True)
        self.amount.setText("" if x.amount is None else f"{x.amount:.2f}")
        self.instalment_editor.set_rows(
            ag.InstalmentInput(None if i.amount is None else f"{i.amount:.2f}",
                               None if i.percent is None else f"{i.percent.normalize():f}", i.condition, i.milestone)
            for i in x.instalments)
        self.year_index.setValue(x.year_index)
        self.period_start.setText(date_text(x.period_start))
        self._end_auto = x.period_end is None
        self.period_end.setText(date_text(x.period_end))
        self._start_changed()
        self.acceptance_standard.setPlainText(x.acceptance_standard)
        self.rights_obligations.setPlainText(x.rights_obligations)
        self.breach_liability.setPlainText(x.breach_liability)
        self.dispute_resolution.setCurrentIndex(max(0, self.dispute_resolution.findData(x.dispute_resolution)))
        self.no_subcontracting.setChecked(x.no_subcontracting)
        self.copies.setValue(x.copies)
        self.announced_on.setText(date_text(x.announced_on))
        self.filed_on.setText(date_text(x.filed_on))
        award = p.award_price
        self.award_note.setText(_("Award price: {price}").format(price=format_amount(award)) if award is not None
                                else "")
        self.plan_note.setText(_("The project's plan runs {years} year(s) from {year}; an agreement covers one "
                                 "year at most.").format(years=p.data.plan_years, year=p.data.start_year))
        self._amount_changed()
        self._free_toggled(self.free.isChecked())

    def _show_status(self, data: AgreementFormState) -> None:
        d = data.detail
        p = data.project
        self.project_label.setText(_("Project: {name}").format(name=strip_sample(p.data.name)))
        if d is None:
            self.setWindowTitle(_("New service agreement"))
            self.number_label.setText(_("New agreement (numbered when saved)"))
        else:
            self.setWindowTitle(_("Service agreement {number}").format(number=d.number))
            self.number_label.setText(d.number)
        fg, bg = STATE_COLORS[data.state]
        self.state_label.setText(data.state_text)
        self.state_label.setStyleSheet(f"color: {fg}; background: {bg}; border: 1px solid {fg};"
                                       " border-radius: 9px; padding: 2px 10px; font-weight: bold;")
        # One button per move the user's roles allow.
        while self.moves.count():
            w = self.moves.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.transition_buttons = {}
        for t in data.moves:
            b = QPushButton(_(t.label) + ("…" if t.needs_reason or t.name == "record_signing" else ""))
            b.setObjectName(f"move_{t.name}")
            if t.name == "terminate":
                b.setStyleSheet("color: #8c1d18;")
            b.clicked.connect(lambda _checked=False, name=t.name: self.run_transition(name))
            allowed = data.allowed(f"move:{t.name}")
            if not allowed.ok and allowed.reason:  # the service's refusal, before the click (e.g. no acceptance yet)
                b.setToolTip(allowed.reason)
            self.moves.addWidget(b)
            self.transition_buttons[t.name] = b
        save = data.allowed("save")
        self.editable = data.is_draft
        self._can_edit = save.ok
        self._set_editable(self._can_edit)
        self.save_button.setVisible(self.editable)
        self.save_button.setEnabled(save.ok)
        self.save_button.setToolTip(save.reason or "")
        amend = data.allowed("amend")
        self.amend_button.setVisible(amend.ok)
        renew = data.allowed("renew")
        self.renew_button.setVisible(data.locked)
        self.renew_button.setEnabled(renew.ok)
        self.renew_button.setToolTip(renew.reason or "")
        self.renewal_note.setText(_("Next year's agreement: {reason}").format(reason=renew.reason)
                                  if data.locked and not renew.ok and renew.reason else "")
        self.renewal_note.setVisible(bool(self.renewal_note.text()))
        left = d.plan_remaining if d is not None else None
        self.plan_left.setText(_("The award leaves {amount} for this agreement.").format(amount=format_amount(left))
                               if left is not None else "")
        self.plan_left.setVisible(left is not None)
        if d is not None:
            parts = []
            if d.signed_on_a or d.signed_on_b:
                parts.append(_("Party A signed on {a}, Party B on {b}").format(a=date_text(d.signed_on_a) or "—",
                                                                          b=date_text(d.signed_on_b) or "—"))
            if d.effective_on:
                parts.append(_("effective from {date}").format(date=date_text(d.effective_on)))
            if d.early_start_reason:
                parts.append(_("service began before the signing: {reason}").format(reason=d.early_start_reason))
            self.signing_label.setText("；".join(parts) or _("Not signed yet"))
        else:
            self.signing_label.setText(_("Not signed yet"))
        dates = data.allowed("record_dates")
        self.record_dates_button.setEnabled(dates.ok)
        self.record_dates_button.setToolTip(dates.reason or "")
        for e in (self.announced_on, self.filed_on):
            e.setReadOnly(not dates.ok)

    def _set_editable(self, on: bool) -> None:
        for e in (self.purchaser_name, self.signatory_a, self.signatory_b, self.place, self.amount,
                  self.period_start, self.period_end):
            e.setReadOnly(not on)
        for t in (self.service_content, self.target_group, self.acceptance_standard, self.rights_obligations,
                  self.breach_liability):
            t.setReadOnly(not on)
        for w in (self.undertaker, self.parties_reversed, self.paid, self.free, self.year_index,
                  self.dispute_resolution, self.no_subcontracting, self.copies):
            w.setEnabled(on)
        self.instalment_editor.set_editable(on)
        self._free_toggled(self.free.isChecked())

    def _show_deadlines(self, d: ag.AgreementDetail | None) -> None:
        rows = d.deadlines if d else []
        self.deadlines.setRowCount(len(rows))
        for r, dl in enumerate(rows):
            if dl.flagged_years:
                status, color = "；".join(_("Holiday schedule for {year} not entered").format(year=y)
                                         for y in dl.flagged_years), "#8a6d00"
            elif dl.done_on is not None:
                status, color = (_("Done late"), "#8a6d00") if dl.late else (_("Done"), "#1b7f3b")
                if dl.late and dl.late_reason:
                    status = _("Done late: {reason}").format(reason=dl.late_reason)
            elif dl.overdue:
                status, color = _("Overdue"), "#b3261e"
            else:
                status, color = _("Pending"), "#333333"
            self.deadlines.setItem(r, 0, _item(dl.label))
            self.deadlines.setItem(r, 1, _item(date_text(dl.due), "#b3261e" if dl.overdue else ""))
            self.deadlines.setItem(r, 2, _item(date_text(dl.done_on)))
            self.deadlines.setItem(r, 3, _item(status, color))
            self.deadlines.item(r, 3).setToolTip(status)
        self.deadlines.setFixedHeight(34 + 30 * max(3, len(rows)))

    def _show_history(self, data: AgreementFormState) -> None:
        d = data.detail
        rows = d.amendments if d else []
        self.amendments.setRowCount(len(rows))
        for r, m in enumerate(rows):
            changes = "\n".join(_("{field}: {before} → {after}").format(
                field=ag.label(str(c.get("field"))), before=c.get("before") or _("(empty)"),
                after=c.get("after") or _("(empty)")) for c in m.changes)
            for col, value in enumerate((str(m.seq), date_text(m.signed_on), m.reason, changes)):
                self.amendments.setItem(r, col, _item(value))
        self.amendments.resizeRowsToContents()
        self.history.setRowCount(len(data.history))
        for r, h in enumerate(data.history):
            values = (format_datetime(h.at), h.username, h.before_label or _("(new)"), h.after_label, h.reason)
            for col, value in enumerate(values):
                self.history.setItem(r, col, _item(value))

    # -- live updates -----------------------------------------------------------------------

    def _parties_changed(self) -> None:
        office = self.purchaser_name.text().strip() or (self.data.office if self.data else "")
        org = self.undertaker.currentText()
        a, b = in_print_order(office, org, self.parties_reversed.isChecked())
        self.party_a_label.setText(a or "—")
        self.party_b_label.setText(b or "—")
        self._show_eligibility()

    def _show_eligibility(self) -> None:
        oid = self.undertaker.currentData()
        result = self.data.eligibility.get(oid) if self.data and oid is not None else None
        if result is None:
            self.eligibility_banner.setText(_("Choose the undertaker."))
            self.eligibility_banner.setStyleSheet("background: #f3f5f8; padding: 10px; border-radius: 4px;")
        else:
            show_eligibility(self.eligibility_banner, result, _("Eligible to undertake purchased services"),
                             _("Not eligible: the agreement cannot be signed"),
                             _("Correct the records in the organization registry."))

    def _free_toggled(self, free: bool) -> None:
        if free:
            self.amount.setText("0.00")
        self.amount.setEnabled(not free)
        self.instalment_editor.set_free(free)

    def _amount(self) -> Decimal | None:
        try:
            return parse_amount(self.amount.text())
        except ValueError:
            return None

    def _amount_changed(self) -> None:
        text = self.amount.text().strip()
        try:
            value = parse_amount(text)
        except ValueError:
            self.amount_upper.setText(_("not an amount (write it like 123456.78)"))
            self.amount_upper.setStyleSheet(ERROR_STYLE + " font-size: 11pt;")
        else:
            ok = value is not None and value >= 0
            try:
                upper = rmb_upper(value) if ok and value is not None else ""
            except ValueError:
                upper = _("too large")
            self.amount_upper.setText(upper)
            self.amount_upper.setStyleSheet("font-size: 11pt; color: #0b3d91;")
        self.instalment_editor.set_amount(self._amount())

    def _start_changed(self) -> None:
        try:
            start = parse_date(self.period_start.text())
        except (ValueError, OverflowError):
            start = None
        if start is not None and self._end_auto:
            self.period_end.setPlaceholderText(ag.one_year_after(start).isoformat())
        elif not self.period_end.text():
            self.period_end.setPlaceholderText(_("one year after the start"))

    def _end_edited(self, text: str) -> None:
        self._end_auto = not text.strip()
        self._start_changed()

    # -- saving -----------------------------------------------------------------------------

    def collect(self) -> ag.AgreementInput:
        items = self.instalment_editor.rows()
        d = self.data.detail if self.data else None
        free = self.free.isChecked()
        return ag.AgreementInput(
            project_id=self.data.project.id if self.data else 0, undertaker_id=self.undertaker.currentData(),
            year_index=self.year_index.value(), purchaser_name=self.purchaser_name.text(),
            parties_reversed=self.parties_reversed.isChecked(), service_content=self.service_content.toPlainText(),
            target_group=self.target_group.toPlainText(), place=self.place.text(), free_of_charge=free,
            amount=self.amount.text() if not free else None, period_start=self.period_start.text(),
            period_end=self.period_end.text() or None, instalments=[] if free else items,
            acceptance_standard=self.acceptance_standard.toPlainText(),
            rights_obligations=self.rights_obligations.toPlainText(),
            breach_liability=self.breach_liability.toPlainText(),
            dispute_resolution=self.dispute_resolution.currentData(),
            no_subcontracting=self.no_subcontracting.isChecked(), copies=self.copies.value(),
            signatory_a=self.signatory_a.text(), signatory_b=self.signatory_b.text(),
            is_sample=bool(d and d.data.is_sample))

    def has_unsaved(self) -> bool:
        return self.loaded and self.editable and self._baseline is not None and self.collect() != self._baseline

    def reject(self) -> None:
        """Close, Escape and the window's close button: unsaved edits are saved, dropped or kept, as asked."""
        if self.saving:
            return
        if self.has_unsaved() and not messages.may_close(self, lambda: self.save(then=lambda: QDialog.reject(self))):
            return
        super().reject()

    def save(self, then: Any = None) -> None:
        if not self.loaded or self.saving or not self.editable:
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self.worker.call(ag.save, self.collect(), agreement_id=self.agreement_id, expected_version=self.version,
                         on_done=lambda aid: self._saved(aid, then), on_error=self._save_failed)

    def _saved(self, agreement_id: int, then: Any) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        self.agreement_id = agreement_id
        self.errors.clear()
        self.save_message.setStyleSheet(OK_STYLE)
        self.save_message.setText(_("Saved."))
        self.saved.emit(agreement_id)
        if then is not None:
            then()
        else:
            self.reload()

    def _save_failed(self, error: Exception) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        self.save_message.setText("")
        if isinstance(error, ValidationError):
            self.errors.show_problems(error.problems)
        elif isinstance(error, StaleRecord):
            self.errors.show_text(str(error))
        else:
            self.errors.show_text(_("Nothing was saved: {reason}").format(reason=error_text(error)))

    # -- moves ------------------------------------------------------------------------------

    def run_transition(self, name: str) -> None:
        """Make one move; a draft is saved first, so what goes to review is what is on screen."""
        self._say("", ok=True)
        if self.agreement_id is not None and self.data is not None and self.data.allowed("save").ok:
            self.save(then=lambda: self._move(name))
        else:
            self._move(name)

    def _move(self, name: str) -> None:
        t = lc.agreement_transition(name)
        if name == "record_signing":
            self._open_signing()
            return
        if t.needs_reason:
            dialog = ReasonDialog(_(t.label), _("“{action}” needs a reason. It is kept in the agreement's history.")
                                  .format(action=_(t.label)), self)
            dialog.accepted.connect(lambda: self._call_move(name, dialog.reason()))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.reason_dialog = dialog
            dialog.open()
            return
        self._call_move(name, "")

    def _call_move(self, name: str, reason: str) -> None:
        assert self.agreement_id is not None
        self.worker.call(ag.transition, self.agreement_id, name, reason=reason, today=self.today,
                         on_done=lambda state: self._moved(state), on_error=self._move_failed)

    def _moved(self, state: str) -> None:
        label = _(lc.AGREEMENT_STATE_LABELS[lc.AgreementState(state)])
        self._say(_("Done: the agreement is now “{state}”.").format(state=label), ok=True)
        self.saved.emit(self.agreement_id or 0)
        self.reload()

    def _move_failed(self, error: Exception) -> None:
        if isinstance(error, ValidationError):
            self.errors.show_problems(error.problems)
        self._say(_("Not done: {reason}").format(reason=error_text(error)), ok=False)
        self.reload()

    def _say(self, text: str, ok: bool) -> None:
        self.action_message.setText(text)
        self.action_message.setVisible(bool(text))
        self.action_message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE + " font-weight: bold;")

    def _open_signing(self) -> None:
        assert self.agreement_id is not None
        dialog = SigningDialog(self.worker, self.agreement_id, self.signatory_a.text(), self.signatory_b.text(),
                               self.party_a_label.text(), self.party_b_label.text(), self.today, self)
        dialog.signed.connect(lambda: self._moved(lc.AgreementState.EFFECTIVE.value))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.signing_dialog = dialog
        dialog.open()

    def open_amendment(self) -> None:
        if self.data is None or self.data.detail is None:
            return
        dialog = AmendmentDialog(self.worker, self.data.detail.id, self.data.detail.data, self)
        dialog.amended.connect(self._amended)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.amendment_dialog = dialog
        dialog.open()

    def _amended(self, n: int) -> None:
        self._say(_("Supplementary agreement no. {n} recorded.").format(n=n), ok=True)
        self.saved.emit(self.agreement_id or 0)
        self.reload()

    def open_print(self, kind: str, amendment_seq: int | None = None) -> QWidget | None:
        """The print preview shows the very PDF that will be printed (app.views.printing)."""
        if self.agreement_id is None:
            self._say(_("Save the draft first; then it can be printed."), False)
            return None
        from app.views.printing import open_preview

        return open_preview(self, self.worker, kind, self.agreement_id, amendment_seq=amendment_seq)

    def print_selected_amendment(self) -> QWidget | None:
        row = self.amendments.currentRow()
        item = self.amendments.item(row, 0) if row >= 0 else None
        if item is None:
            self._say(_("Choose a supplementary agreement in the list first."), False)
            return None
        return self.open_print("supplementary", int(item.text()))

    def prepare_renewal(self) -> None:
        if self.agreement_id is None:
            return
        self.worker.call(ag.prepare_renewal, self.agreement_id, on_done=self._renewed, on_error=self._move_failed)

    def _renewed(self, new_id: int) -> None:
        self.agreement_id = new_id
        self.saved.emit(new_id)
        self._say(_("Next year's agreement was prepared as a draft."), ok=True)
        self.reload()

    def record_dates(self, reasons: dict[str, str] | None = None) -> None:
        if self.agreement_id is None:
            return
        self.errors.mark("announced_on", "")
        self.errors.mark("filed_on", "")
        given = dict(reasons or {})

        def failed(error: Exception) -> None:
            if isinstance(error, ag.ReasonRequired) and error.field in DATE_REASONS:
                dialog = ReasonDialog(_("Record dates"), error_text(error), self)
                dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                dialog.accepted.connect(lambda: self.record_dates({**given, DATE_REASONS[error.field]: dialog.reason()}))
                self.reason_dialog = dialog
                dialog.open()
                return
            if isinstance(error, ValidationError):
                for p in error.problems:
                    self.errors.mark(p.field, p.reason)
            self.dates_message.setStyleSheet(ERROR_STYLE)
            self.dates_message.setText(error_text(error))

        def done(_r: object) -> None:
            self.dates_message.setStyleSheet(OK_STYLE)
            self.dates_message.setText(_("Saved."))
            self.reload()

        self.worker.call(ag.record_dates, self.agreement_id, self.announced_on.text() or None,
                         self.filed_on.text() or None, today=self.today, on_done=done, on_error=failed, **given)

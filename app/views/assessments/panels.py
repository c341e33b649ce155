"""The agreement form's "Assessments" and "Payments" tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.assessment import InstalmentStatus
from app.i18n import _
from app.services import assessments as asv
from app.services import payments
from app.views.form_helpers import ERROR_STYLE, OK_STYLE
from app.views.messages import error_text
from app.views.worker import Worker

STATUS_COLORS = {InstalmentStatus.PAID: "#1b7f3b", InstalmentStatus.PAYABLE: "#0b3d91",
                 InstalmentStatus.BLOCKED: "#b3261e", InstalmentStatus.NOT_DUE: "#5f6368"}


def _table(name: str, headers: list[str], stretch: int) -> QTableWidget:
    """A small read-only table of one agreement's rows (a handful, never paged)."""
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(26)
    h = t.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    h.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return t


def _cell(text: str, color: str = "", right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if color:
        item.setForeground(Qt.GlobalColor.black if not color else _color(color))
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _color(code: str):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor

    return QColor(code)


def _money(v: object) -> str:
    return f"¥{v:,.2f}"


class PaymentsTab(QWidget):
    """Paid, payable and outstanding at a glance; each instalment's status and reason; payments recorded."""

    changed = Signal()

    def __init__(self, worker: Worker, agreement_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("payments_tab")
        self.worker = worker
        self.agreement_id = agreement_id
        self.state: payments.PaymentsState | None = None
        v = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("money_summary")
        self.summary.setStyleSheet("font-size: 11pt;")
        v.addWidget(self.summary)
        self.instalments = _table("instalment_status_table", [
            _("No."), _("Amount"), _("Condition"), _("Status"), _("Reason"), _("Paid"), _("Last paid on")], 4)
        self.instalments.itemSelectionChanged.connect(self._selection_changed)
        self.instalments.doubleClicked.connect(lambda _i: self.open_payment())
        v.addWidget(self.instalments, 2)
        row = QHBoxLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        row.addWidget(self.message, 1)
        self.pay_button = QPushButton(_("Record a payment…"))
        self.pay_button.setObjectName("open_payment")
        self.pay_button.clicked.connect(self.open_payment)
        self.pay_button.setEnabled(False)
        row.addWidget(self.pay_button)
        v.addLayout(row)
        v.addWidget(QLabel(_("Payments recorded")))
        self.payments = _table("payments_table", [
            _("Payment date"), _("No."), _("Amount"), _("Voucher or reference number"), _("Payment channel"),
            _("Relies on")], 5)
        v.addWidget(self.payments, 1)
        self.reload()

    def reload(self) -> None:
        self.worker.call(payments.payments_state, self.agreement_id, on_done=self._loaded,
                         on_error=lambda e: self._say(error_text(e), False))

    def _loaded(self, st: payments.PaymentsState) -> None:
        self.state = st
        s = st.summary
        self.summary.setText(_("Agreement amount {amount} · paid {paid} · payable now {payable} · outstanding "
                               "{outstanding}").format(amount=_money(s.amount), paid=_money(s.paid),
                                                       payable=_money(s.payable), outstanding=_money(s.outstanding)))
        selected = self.instalments.currentRow()
        self.instalments.setRowCount(len(st.instalments))
        for r, i in enumerate(st.instalments):
            color = STATUS_COLORS[i.status]
            for c, item in enumerate((_cell(str(i.seq)), _cell(_money(i.amount), right=True),
                                      _cell(i.condition_label), _cell(i.status_label, color), _cell(i.reason),
                                      _cell(_money(i.paid), right=True),
                                      _cell(i.paid_on.isoformat() if i.paid_on else ""))):
                self.instalments.setItem(r, c, item)
        self.payments.setRowCount(len(st.payments))
        for r, p in enumerate(st.payments):
            for c, item in enumerate((_cell(p.paid_on.isoformat()), _cell(str(p.instalment_seq)),
                                      _cell(_money(p.amount), right=True), _cell(p.reference),
                                      _cell(p.channel_label), _cell(p.relies_on))):
                self.payments.setItem(r, c, item)
        if st.instalments:
            self.instalments.selectRow(selected if 0 <= selected < len(st.instalments) else 0)
        self._selection_changed()

    def selected(self) -> payments.InstalmentState | None:
        r = self.instalments.currentRow()
        if self.state is None or not 0 <= r < len(self.state.instalments):
            return None
        return self.state.instalments[r]

    def _selection_changed(self) -> None:
        inst = self.selected()
        if inst is None or self.state is None:
            self.pay_button.setEnabled(False)
            return
        allowed = self.state.actions[inst.seq]
        self.pay_button.setEnabled(allowed.ok)
        self.pay_button.setToolTip(allowed.reason or "")
        self._say(allowed.reason or "", allowed.ok)

    def open_payment(self) -> None:
        from app.views.assessments.dialogs import PaymentDialog

        inst = self.selected()
        if inst is None or not self.pay_button.isEnabled():
            return
        self.payment_dialog = PaymentDialog(self.worker, self.agreement_id, inst, self)
        self.payment_dialog.saved.connect(self._paid)
        self.payment_dialog.open()

    def _paid(self) -> None:
        self.changed.emit()
        self.reload()

    def _say(self, text: str, ok: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)


class AssessmentsTab(QWidget):
    """Milestones with their results, the assessments, final acceptance and this agreement's deadlines."""

    changed = Signal()

    def __init__(self, worker: Worker, agreement_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assessments_tab")
        self.worker = worker
        self.agreement_id = agreement_id
        self.state: asv.AgreementAssessments | None = None
        v = QVBoxLayout(self)
        self.milestones = _table("milestones_table", [
            _("No."), _("Milestone"), _("Kind"), _("Due date"), _("Instalment"), _("Result")], 1)
        self.milestones.doubleClicked.connect(lambda _i: self.assess())
        v.addWidget(self.milestones, 2)
        row = QHBoxLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        row.addWidget(self.message, 1)
        self.assess_button = QPushButton(_("Assess the milestone…"))
        self.assess_button.setObjectName("open_assessment")
        self.assess_button.clicked.connect(self.assess)
        self.acceptance_button = QPushButton(_("Final acceptance…"))
        self.acceptance_button.setObjectName("open_acceptance")
        self.acceptance_button.clicked.connect(self.acceptance)
        row.addWidget(self.assess_button)
        row.addWidget(self.acceptance_button)
        v.addLayout(row)
        self.assessments = _table("agreement_assessments_table", [
            _("Milestone"), _("Kind of assessment"), _("Assessment date"), _("Total score"), _("Grade"), _("State")], 0)
        self.assessments.doubleClicked.connect(lambda _i: self.open_selected_assessment())
        v.addWidget(self.assessments, 1)
        self.deadlines = QLabel()
        self.deadlines.setObjectName("agreement_deadlines")
        self.deadlines.setWordWrap(True)
        v.addWidget(self.deadlines)
        self.reload()

    def reload(self) -> None:
        self.worker.call(asv.agreement_assessments, self.agreement_id, on_done=self._loaded,
                         on_error=lambda e: self._say(error_text(e), False))

    def _loaded(self, st: asv.AgreementAssessments) -> None:
        self.state = st
        self.milestones.setRowCount(len(st.milestones))
        outcome_text = {"passed": _("passed"), "failed": _("not passed"), "pending": _("awaiting approval or reply"),
                        "none": ""}
        for r, m in enumerate(st.milestones):
            result = (f"{asv.grade_label(m.grade)}（{outcome_text[m.outcome]}）" if m.grade else
                      outcome_text[m.outcome])
            color = {"passed": "#1b7f3b", "failed": "#b3261e"}.get(m.outcome, "")
            for c, item in enumerate((_cell(str(m.seq)), _cell(m.name), _cell(m.kind_label), _cell(m.due_on.isoformat()),
                                      _cell(str(m.instalment_seq or "")), _cell(result, color))):
                self.milestones.setItem(r, c, item)
        self.assessments.setRowCount(len(st.assessments))
        for r, x in enumerate(st.assessments):
            for c, item in enumerate((_cell(x.milestone or "—"), _cell(x.kind_label),
                                      _cell(x.assessed_on.isoformat() if x.assessed_on else ""),
                                      _cell(f"{x.total:.2f}", right=True), _cell(x.grade_label),
                                      _cell(x.state_label))):
                self.assessments.setItem(r, c, item)
        for key, b in (("assess", self.assess_button), ("acceptance", self.acceptance_button)):
            allowed = st.actions[key]
            b.setEnabled(allowed.ok)
            b.setToolTip(allowed.reason or "")
        if st.milestones and self.milestones.currentRow() < 0:
            self.milestones.selectRow(0)
        lines = []
        for d in st.deadlines[:6]:
            due = d.due.isoformat() if d.due else _("no calendar for {year}").format(year=d.uncovered_year)
            late = _(" (overdue)") if d.overdue else ""
            lines.append(f"{due}{late}　{d.kind_label}：{d.what}")
        self.deadlines.setText((_("Open deadlines:") + "\n" + "\n".join(lines)) if lines else "")

    def assess(self) -> None:
        """Open the milestone's latest assessment, or a new one on it."""
        from app.views.assessments.checklist_form import AssessmentDialog

        if self.state is None or not self.assess_button.isEnabled() and self.milestones.currentRow() < 0:
            return
        r = self.milestones.currentRow()
        m = self.state.milestones[r] if 0 <= r < len(self.state.milestones) else None
        self.dialog = AssessmentDialog(self.worker, self.agreement_id, m.assessment_id if m else None,
                                       m.id if m else None, self)
        self.dialog.saved.connect(self._changed)
        self.dialog.open()

    def open_selected_assessment(self) -> None:
        from app.views.assessments.checklist_form import AssessmentDialog

        r = self.assessments.currentRow()
        if self.state is None or not 0 <= r < len(self.state.assessments):
            return
        self.dialog = AssessmentDialog(self.worker, self.agreement_id, self.state.assessments[r].id, None, self)
        self.dialog.saved.connect(self._changed)
        self.dialog.open()

    def acceptance(self) -> None:
        from app.views.assessments.dialogs import AcceptanceDialog

        self.acceptance_dialog = AcceptanceDialog(self.worker, self.agreement_id, self)
        self.acceptance_dialog.saved.connect(self._changed)
        self.acceptance_dialog.open()

    def _changed(self, *_args: object) -> None:
        self.changed.emit()
        self.reload()

    def _say(self, text: str, ok: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)

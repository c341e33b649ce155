"""Dialogs of the assessment chain: objection (receive and reply), payment, acceptance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
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

from app.domain.errors import ValidationError
from app.i18n import _
from app.services import assessments as asv
from app.services import payments
from app.services.forms import Allowed
from app.views.form_helpers import ERROR_STYLE, FORM_STYLE, OK_STYLE, FieldErrors, problem_box
from app.views.messages import error_text
from app.views.worker import Worker


class _Base(QDialog):
    saved = Signal()

    def __init__(self, worker: Worker, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.setWindowTitle(title)
        self.setStyleSheet(FORM_STYLE)
        self.layout_ = QVBoxLayout(self)
        self.box = problem_box()
        self.layout_.addWidget(self.box)
        self.errors = FieldErrors(self.box)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("dialog_message")

    def finish(self, buttons: list[QPushButton]) -> None:
        self.layout_.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        for b in buttons:
            row.addWidget(b)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.reject)
        row.addWidget(close)
        self.layout_.addLayout(row)

    def say(self, text: str, ok: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)

    def refused(self, error: Exception) -> None:
        if isinstance(error, ValidationError):
            self.errors.show_problems(error.problems)
        self.say(error_text(error), False)

    def done_then(self, text: str, after: Callable[[], None] | None = None) -> Callable[[Any], None]:
        def done(_result: Any) -> None:
            self.errors.clear()
            self.say(text, True)
            self.saved.emit()
            if after is not None:
                after()
        return done


class ObjectionDialog(_Base):
    """Record the undertaker's objection, or reply to the one awaiting its reply (five working days)."""

    def __init__(self, worker: Worker, assessment_id: int, parent: QWidget | None = None,
                 scores: Callable[[], dict[str, str]] | None = None) -> None:
        super().__init__(worker, _("Objection to the assessment result"), parent)
        self.setObjectName("objection_dialog")
        self.assessment_id = assessment_id
        self.scores = scores  # the corrected scores typed in the checklist form
        self.open_row: asv.ObjectionRow | None = None
        self.resize(620, 460)
        self.due = QLabel()
        self.due.setObjectName("objection_due")
        self.due.setWordWrap(True)
        self.received_on = QLineEdit(date.today().isoformat())
        self.content = QPlainTextEdit()
        self.content.setFixedHeight(90)
        self.replied_on = QLineEdit(date.today().isoformat())
        self.outcome = QComboBox()
        for code, text in asv.OBJECTION_OUTCOMES.items():
            self.outcome.addItem(_(text), code)
        self.reply = QPlainTextEdit()
        self.reply.setFixedHeight(90)
        self.errors.add_row(self.form, "received_on", self.received_on, _("Date received"))
        self.errors.add_row(self.form, "content", self.content, _("Content of the objection"))
        self.form.addRow("", self.due)
        self.errors.add_row(self.form, "replied_on", self.replied_on, _("Reply date"))
        self.errors.add_row(self.form, "outcome", self.outcome, _("Outcome"))
        self.errors.add_row(self.form, "reply", self.reply, _("Reply"))
        self.errors.alias("scores", "outcome")
        self.receive_button = QPushButton(_("Record the objection"))
        self.receive_button.setObjectName("receive_objection")
        self.receive_button.clicked.connect(self.receive)
        self.reply_button = QPushButton(_("Record the reply"))
        self.reply_button.setObjectName("reply_objection")
        self.reply_button.clicked.connect(self.send_reply)
        self.finish([self.receive_button, self.reply_button])
        self.reload()

    def reload(self) -> None:
        self.worker.call(asv.list_objections, self.assessment_id, on_done=self._loaded, on_error=self.refused)

    def _loaded(self, rows: list[asv.ObjectionRow]) -> None:
        self.open_row = next((r for r in rows if r.state == "received"), None)
        receiving = self.open_row is None
        for w in (self.received_on, self.content):
            w.setEnabled(receiving)
        for w in (self.replied_on, self.outcome, self.reply):
            w.setEnabled(not receiving)
        self.receive_button.setEnabled(receiving)
        self.reply_button.setEnabled(not receiving)
        if self.open_row is not None:
            r = self.open_row
            self.received_on.setText(r.received_on.isoformat())
            self.content.setPlainText(r.content)
            if r.reply_due_on is not None:
                self.due.setText(_("The reply is due by {date} (five working days after receipt).")
                                 .format(date=r.reply_due_on.isoformat()))
            else:
                self.due.setText(_("The holiday calendar has no data for {year}: the reply date cannot be counted. "
                                   "Enter that year's calendar in Settings.").format(year=r.uncovered_year))
        else:
            self.due.setText(_("The reply is due five working days after receipt (Chengdu rules art. 27)."))

    def receive(self) -> None:
        self.worker.call(asv.receive_objection, self.assessment_id, self.received_on.text(),
                         self.content.toPlainText(), on_done=self.done_then(_("Objection recorded."), self.reload),
                         on_error=self.refused)

    def send_reply(self) -> None:
        assert self.open_row is not None
        outcome = self.outcome.currentData()
        scores = self.scores() if (outcome == "corrected" and self.scores is not None) else None
        self.worker.call(asv.reply_objection, self.open_row.id, self.replied_on.text(), outcome,
                         self.reply.toPlainText(), scores,
                         on_done=self.done_then(_("Reply recorded."), self.reload), on_error=self.refused)


class PaymentDialog(_Base):
    """Record a payment of one instalment (finance role); every refusal says why."""

    def __init__(self, worker: Worker, agreement_id: int, instalment: payments.InstalmentState,
                 parent: QWidget | None = None) -> None:
        super().__init__(worker, _("Record a payment"), parent)
        self.setObjectName("payment_dialog")
        self.agreement_id = agreement_id
        self.instalment = instalment
        self.resize(560, 360)
        info = QLabel(_("Instalment {n}: {amount} · {condition} · {reason}").format(
            n=instalment.seq, amount=f"¥{instalment.amount:,.2f}", condition=instalment.condition_label,
            reason=instalment.reason))
        info.setWordWrap(True)
        self.form.addRow(info)
        self.paid_on = QLineEdit(date.today().isoformat())
        self.amount = QLineEdit(f"{instalment.remaining:.2f}")
        self.reference = QLineEdit()
        self.channel = QComboBox()
        for code, text in payments.CHANNELS.items():
            self.channel.addItem(_(text), code)
        self.note = QLineEdit()
        self.errors.add_row(self.form, "paid_on", self.paid_on, _("Payment date"))
        self.errors.add_row(self.form, "amount", self.amount, _("Amount"))
        self.errors.add_row(self.form, "reference", self.reference, _("Voucher or reference number"))
        self.errors.add_row(self.form, "channel", self.channel, _("Payment channel"))
        self.errors.add_row(self.form, "note", self.note, _("Note"))
        self.errors.alias("instalment", "amount")
        self.record_button = QPushButton(_("Record the payment"))
        self.record_button.setObjectName("record_payment")
        self.record_button.setDefault(True)
        self.record_button.clicked.connect(self.record)
        self.finish([self.record_button])

    def record(self) -> None:
        data = payments.PaymentInput(agreement_id=self.agreement_id, instalment_seq=self.instalment.seq,
                                     paid_on=self.paid_on.text(), amount=self.amount.text(),
                                     reference=self.reference.text(), channel=self.channel.currentData(),
                                     note=self.note.text())

        def done(_pid: int) -> None:
            self.saved.emit()
            self.accept()

        self.worker.call(payments.record_payment, data, on_done=done, on_error=self.refused)


SUPERVISOR_COLUMNS = 4


class AcceptanceDialog(_Base):
    """Final acceptance (验收): team, date, result and the beneficiaries who supervised it."""

    def __init__(self, worker: Worker, agreement_id: int, parent: QWidget | None = None) -> None:
        super().__init__(worker, _("Final acceptance"), parent)
        self.setObjectName("acceptance_dialog")
        self.agreement_id = agreement_id
        self.state: asv.AcceptanceState | None = None
        self.revealed = False
        self.resize(760, 680)
        self.accepted_on = QLineEdit()
        self.accepted_on.setPlaceholderText("2027-02-26")
        self.place = QLineEdit()
        self.team = QPlainTextEdit()
        self.team.setFixedHeight(60)
        self.team.setPlaceholderText(_("One member per line"))
        self.result = QComboBox()
        self.result.addItem("", "")
        for code, text in asv.ACCEPTANCE_RESULTS.items():
            self.result.addItem(_(text), code)
        self.score = QLineEdit()
        self.opinion = QPlainTextEdit()
        self.opinion.setFixedHeight(60)
        self.user = QCheckBox(_("The purchaser itself uses the service (no beneficiary supervisors needed)"))
        self.supervisors = QTableWidget(5, SUPERVISOR_COLUMNS)
        self.supervisors.setObjectName("supervisors_table")
        self.supervisors.setHorizontalHeaderLabels([_("Name"), _("Identity"), _("Phone"), _("ID number")])
        self.supervisors.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.supervisors.verticalHeader().setDefaultSectionSize(26)
        self.supervisors.setFixedHeight(26 * 5 + 30)
        self.errors.add_row(self.form, "accepted_on", self.accepted_on, _("Acceptance date"))
        self.form.addRow(_("Place"), self.place)
        self.errors.add_row(self.form, "team", self.team, _("Acceptance team"))
        self.errors.add_row(self.form, "result", self.result, _("Result"))
        self.errors.add_row(self.form, "score", self.score, _("Acceptance score"))
        self.form.addRow(_("Opinion"), self.opinion)
        self.form.addRow("", self.user)
        self.errors.add_row(self.form, "supervisors", self.supervisors, _("Beneficiary supervisors"))
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("save", _("Save"), self.save), ("complete", _("Complete the acceptance"),
                                                                  self.complete),
                                ("reveal", _("Show full numbers"), self.reveal),
                                ("print", _("Print the acceptance form…"), self.print_form)):
            b = QPushButton(text)
            b.setObjectName(f"acceptance_{key}")
            b.clicked.connect(lambda _checked=False, f=slot: f())
            self.buttons[key] = b
        self.finish(list(self.buttons.values()))
        self.reload()

    def reload(self) -> None:
        self.worker.call(asv.acceptance_state, self.agreement_id, self.revealed, on_done=self._loaded,
                         on_error=self.refused)

    def _loaded(self, st: asv.AcceptanceState) -> None:
        self.state = st
        self.accepted_on.setText(st.accepted_on.isoformat() if st.accepted_on else "")
        self.place.setText(st.place)
        self.team.setPlainText(st.team)
        self.result.setCurrentIndex(max(0, self.result.findData(st.result)))
        self.score.setText("" if st.score is None else f"{st.score:.2f}")
        self.opinion.setPlainText(st.opinion)
        self.user.setChecked(st.purchaser_is_user)
        rows = max(5, len(st.supervisors) + 1)
        self.supervisors.setRowCount(rows)
        for r in range(rows):
            s = st.supervisors[r] if r < len(st.supervisors) else None
            for c, text in enumerate((s.name, s.identity, s.phone, s.id_number) if s else ("", "", "", "")):
                self.supervisors.setItem(r, c, QTableWidgetItem(text))
        for w in (self.accepted_on, self.place, self.team, self.result, self.score, self.opinion, self.user,
                  self.supervisors):
            w.setEnabled(st.editable)
        for key, b in self.buttons.items():
            allowed = st.actions.get(key, Allowed.yes() if key == "print" else Allowed.no(""))
            if key == "print":
                allowed = Allowed(st.id is not None, None if st.id is not None else _("Save the acceptance record first."))
            b.setEnabled(allowed.ok)
            b.setToolTip(allowed.reason or "")
        complete = st.actions.get("complete")
        if st.state == "completed":
            self.say(_("The acceptance is completed and locked."), True)
        elif complete is not None and not complete.ok and st.id is not None:
            self.say(complete.reason or "", False)

    def collect(self) -> asv.AcceptanceInput:
        sups = []
        for r in range(self.supervisors.rowCount()):
            cells = [(self.supervisors.item(r, c).text() if self.supervisors.item(r, c) else "")
                     for c in range(SUPERVISOR_COLUMNS)]
            if any(x.strip() for x in cells):
                sups.append(asv.SupervisorInput(*cells))
        return asv.AcceptanceInput(agreement_id=self.agreement_id, accepted_on=self.accepted_on.text(),
                                   team=self.team.toPlainText(), place=self.place.text(),
                                   result=self.result.currentData(), score=self.score.text(),
                                   opinion=self.opinion.toPlainText(), purchaser_is_user=self.user.isChecked(),
                                   supervisors=sups)

    def save(self, then: Callable[[], None] | None = None) -> None:
        st = self.state
        self.worker.call(asv.save_acceptance, self.collect(), st.id if st else None, st.version if st else None,
                         on_done=self.done_then(_("Saved."), then or self.reload), on_error=self.refused)

    def complete(self) -> None:
        def go() -> None:
            assert self.state is not None
            self.worker.call(asv.acceptance_state, self.agreement_id, on_done=lambda st: self.worker.call(
                asv.complete_acceptance, st.id, on_done=self.done_then(_("The acceptance is completed."), self.reload),
                on_error=self.refused), on_error=self.refused)
        if self.state is not None and self.state.editable:
            self.save(then=go)
        else:
            go()

    def reveal(self) -> None:
        self.revealed = True
        self.reload()

    def print_form(self) -> None:
        from app.views.printing import open_preview

        if self.state is not None and self.state.id is not None:
            self.preview = open_preview(self, self.worker, "acceptance_form", self.agreement_id,
                                        record_id=self.state.id)

"""Small dialogs of the agreement form: the reason for a move, the signing, a supplementary agreement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationError
from app.i18n import _, format_amount
from app.services import agreements as ag
from app.views.agreements.common import date_text
from app.views.form_helpers import FORM_STYLE, FieldErrors, problem_box
from app.views.messages import error_text
from app.views.widgets.reason_dialog import ReasonDialog
from app.views.worker import Worker

# The reason the service asks for (ReasonRequired.field) -> the SigningInput field that carries it.
SIGNING_REASONS = {"late_signing_reason": "late_reason", "early_start_reason": "early_start_reason"}


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
    buttons.rejected.connect(dialog.reject)
    return buttons


class SigningDialog(QDialog):
    """Both signatories and both signing dates; the agreement takes effect on the later date."""

    signed = Signal()

    def __init__(self, worker: Worker, agreement_id: int, signatory_a: str = "", signatory_b: str = "",
                 party_a: str = "", party_b: str = "", today: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.agreement_id = agreement_id
        self.today = today
        self.busy = False
        self.reasons: dict[str, str] = {}  # reasons given for a rule departed from (late signing, early start)
        self.reason_dialog: ReasonDialog | None = None
        self.setWindowTitle(_("Record signing"))
        self.setStyleSheet(FORM_STYLE)
        self.resize(560, 330)
        v = QVBoxLayout(self)
        self.box = problem_box()
        v.addWidget(self.box)
        self.errors = FieldErrors(self.box)
        hint = QLabel(_("The agreement takes effect when both parties have signed and sealed it (the later date)."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        v.addWidget(hint)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        self.signatory_a = QLineEdit(signatory_a)
        self.signatory_b = QLineEdit(signatory_b)
        self.signed_on_a = QLineEdit()
        self.signed_on_b = QLineEdit()
        for e in (self.signed_on_a, self.signed_on_b):
            e.setPlaceholderText(_("e.g. 2026-03-01"))
        for col, (title, sig, when, sig_name, when_name) in enumerate((
                (_("Party A: {name}").format(name=party_a) if party_a else _("Party A"), self.signatory_a,
                 self.signed_on_a, "signatory_a", "signed_on_a"),
                (_("Party B: {name}").format(name=party_b) if party_b else _("Party B"), self.signatory_b,
                 self.signed_on_b, "signatory_b", "signed_on_b"))):
            group = QGroupBox(title)
            form = QFormLayout(group)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            self.errors.add_row(form, sig_name, sig, _("Signatory"))
            self.errors.add_row(form, when_name, when, _("Signing date"))
            grid.addWidget(group, 0, col)
        v.addLayout(grid)
        v.addStretch(1)
        self.buttons = _buttons(self, _("Record signing"))
        self.buttons.accepted.connect(self.submit)
        v.addWidget(self.buttons)

    def submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.errors.clear()
        signing = ag.SigningInput(self.signatory_a.text(), self.signatory_b.text(), self.signed_on_a.text(),
                                  self.signed_on_b.text(), **self.reasons)
        self.worker.call(ag.transition, self.agreement_id, "record_signing", signing=signing, today=self.today,
                         on_done=self._done, on_error=self._failed)

    def _done(self, _state: object) -> None:
        self.busy = False
        self.signed.emit()
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.busy = False
        if isinstance(error, ag.ReasonRequired) and error.field in SIGNING_REASONS:
            self._ask_reason(error)
        elif isinstance(error, ValidationError):
            self.errors.show_problems(error.problems)
        else:
            self.errors.show_text(error_text(error))

    def _ask_reason(self, error: ag.ReasonRequired) -> None:
        """A rule that may be departed from with a reason: ask for it, then record the signing with it."""
        dialog = ReasonDialog(_("Record signing"), error_text(error), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def given() -> None:
            self.reasons[SIGNING_REASONS[error.field]] = dialog.reason()
            self.submit()

        dialog.accepted.connect(given)
        self.reason_dialog = dialog
        dialog.open()


# The amendable fields, in the order the dialog shows them.
AMENDMENT_FIELDS = ("service_content", "target_group", "place", "amount", "period_end", "acceptance_standard",
                    "rights_obligations", "breach_liability", "signatory_a", "signatory_b")


def _shown(name: str, value: object) -> str:
    if name == "amount" and isinstance(value, Decimal | int | str) and str(value).strip():
        return format_amount(Decimal(str(value)))
    return date_text(value)


class AmendmentDialog(QDialog):
    """A supplementary agreement (补充协议): a typed reason and the changed fields, before → after."""

    amended = Signal(int)  # the amendment's number

    def __init__(self, worker: Worker, agreement_id: int, current: ag.AgreementInput,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.agreement_id = agreement_id
        self.current = current
        self.busy = False
        self.setWindowTitle(_("Supplementary agreement"))
        self.setStyleSheet(FORM_STYLE)
        self.resize(820, 640)
        v = QVBoxLayout(self)
        self.box = problem_box()
        v.addWidget(self.box)
        self.errors = FieldErrors(self.box)
        hint = QLabel(_("A signed agreement is not edited. Record each change as a supplementary agreement: "
                        "its reason and the new values. Leave a field empty to keep it."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        v.addWidget(hint)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(64)
        self.errors.add_row(form, "reason", self.reason, _("Reason *"))
        self.signed_on = QLineEdit()
        self.signed_on.setPlaceholderText(_("e.g. 2026-03-01"))
        self.signed_on.setMaximumWidth(200)
        self.errors.add_row(form, "signed_on", self.signed_on, _("Signing date"))
        v.addLayout(form)

        group = QGroupBox(_("Changes"))
        grid = QGridLayout(group)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        for col, title in enumerate((_("Field"), _("Now"), _("New value"))):
            head = QLabel(f"<b>{title}</b>")
            grid.addWidget(head, 0, col)
        self.new_values: dict[str, QLineEdit] = {}
        for r, name in enumerate(AMENDMENT_FIELDS, start=1):
            grid.addWidget(QLabel(ag.label(name)), r, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            now = QLabel(_shown(name, getattr(current, name)))
            now.setWordWrap(True)
            now.setStyleSheet("color: #444;")
            now.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(now, r, 1, Qt.AlignmentFlag.AlignTop)
            edit = QLineEdit()
            edit.setPlaceholderText(_("unchanged"))
            edit.textChanged.connect(self._preview)
            err = self.errors.register(name, edit)
            cell = QWidget()
            cv = QVBoxLayout(cell)
            cv.setContentsMargins(0, 0, 0, 0)
            cv.setSpacing(2)
            cv.addWidget(edit)
            cv.addWidget(err)
            grid.addWidget(cell, r, 2, Qt.AlignmentFlag.AlignTop)
            self.new_values[name] = edit
        v.addWidget(group, 1)
        self.preview = QLabel()
        self.preview.setObjectName("amendment_preview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setStyleSheet("background: #f3f5f8; padding: 8px; border-radius: 4px;")
        v.addWidget(self.preview)
        self.buttons = _buttons(self, _("Record the supplementary agreement"))
        self.buttons.accepted.connect(self.submit)
        v.addWidget(self.buttons)
        self._preview()

    def changes(self) -> dict[str, object]:
        return {name: edit.text().strip() for name, edit in self.new_values.items() if edit.text().strip()}

    def _preview(self) -> None:
        changes = self.changes()
        if not changes:
            self.preview.setText(_("No field changed yet."))
            return
        lines = [_("{field}: {before} → {after}").format(field=ag.label(k), before=_shown(k, getattr(
            self.current, k)) or _("(empty)"), after=v) for k, v in changes.items()]
        self.preview.setText("\n".join(lines))

    def submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.errors.clear()
        self.worker.call(ag.amend, self.agreement_id, self.reason.toPlainText(), self.changes(),
                         signed_on=self.signed_on.text() or None, on_done=self._done, on_error=self._failed)

    def _done(self, n: Any) -> None:
        self.busy = False
        self.amended.emit(int(n))
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.busy = False
        if isinstance(error, ValidationError):
            self.errors.show_problems(error.problems)
        else:
            self.errors.show_text(error_text(error))

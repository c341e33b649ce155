"""Checking a paper copy: the code printed on it against the current record."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_datetime
from app.services import printing
from app.views.messages import error_text
from app.views.printing.common import ERROR_STYLE, OK_STYLE, WARN_STYLE, banner, show_banner
from app.views.worker import Worker

HEADLINES = {
    "match": N_("The paper copy matches the record."),
    "changed": N_("The record has changed since this copy was printed."),
    "unknown": N_("No printed document has this code."),
}
STYLES = {"match": OK_STYLE, "changed": WARN_STYLE, "unknown": ERROR_STYLE}


def result_text(result: Any) -> str:
    """Plain words: the verdict, then which agreement and when it was printed."""
    lines = [_(HEADLINES.get(result.status, HEADLINES["unknown"]))]
    if result.number:
        lines.append(_("Agreement number: {number}").format(number=result.number))
    if result.printed_at:
        lines.append(_("Printed on: {when}").format(when=format_datetime(result.printed_at)))
    if (result.status not in HEADLINES or getattr(result, "version", "")) and result.message:
        lines.append(result.message)  # which version, whether in force, whether amended later
    return "\n".join(lines)


class VerifyDialog(QDialog):
    checked = Signal(object)  # printing.VerifyResult
    failed = Signal(str)

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verify_dialog")
        self.worker = worker
        self.result: Any = None
        self.setWindowTitle(_("Verify a paper copy"))
        self.setMinimumWidth(520)
        intro = QLabel(_("Type the verification code printed at the foot of the paper copy (next to the QR "
                         "code). The program tells whether the copy matches the current record."))
        intro.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setObjectName("verify_code")
        self.code.setPlaceholderText(_("Verification code"))
        self.code.setClearButtonEnabled(True)
        self.check_button = QPushButton(_("Verify"))
        self.check_button.setObjectName("verify_button")
        self.check_button.setDefault(True)
        self.outcome = banner("verify_outcome")
        self.outcome.setMinimumHeight(96)
        self.outcome.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Code:")))
        row.addWidget(self.code, 1)
        row.addWidget(self.check_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.check_button.clicked.connect(self.verify)
        self.code.returnPressed.connect(self.verify)
        self.code.textChanged.connect(lambda _t: self.check_button.setEnabled(bool(self.code.text().strip())))
        self.check_button.setEnabled(False)

    def verify(self) -> None:
        code = self.code.text().strip()
        if not code:
            return
        self.check_button.setEnabled(False)
        show_banner(self.outcome, _("Checking…"), OK_STYLE)
        self.worker.call(printing.verify, code, on_done=self._show, on_error=self._failed)

    def _show(self, result: Any) -> None:
        self.result = result
        self.check_button.setEnabled(True)
        show_banner(self.outcome, result_text(result), STYLES.get(result.status, ERROR_STYLE))
        self.adjustSize()
        self.checked.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.check_button.setEnabled(True)
        text = error_text(error)
        show_banner(self.outcome, text, ERROR_STYLE)
        self.failed.emit(text)


def open_verify(parent: QWidget | None, worker: Worker) -> VerifyDialog:
    dialog = VerifyDialog(worker, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog

"""One dialog for the reason a move needs (a return for revision, a cancellation, a termination).

OK stays disabled until a reason is typed; the reason is kept with the move in the record's history.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.i18n import _
from app.views.form_helpers import ERROR_STYLE


class ReasonDialog(QDialog):
    def __init__(self, action: str, prompt: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(action)
        self.resize(460, 220)
        v = QVBoxLayout(self)
        label = QLabel(prompt or _("“{action}” needs a reason.")
                       .format(action=action))
        label.setWordWrap(True)
        v.addWidget(label)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("reason_text")
        v.addWidget(self.editor, 1)
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        v.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(action)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        v.addWidget(self.buttons)
        self.ok.setEnabled(False)
        self.editor.textChanged.connect(self._edited)

    def reason(self) -> str:
        return self.editor.toPlainText().strip()

    def _edited(self) -> None:
        self.ok.setEnabled(bool(self.reason()))
        if self.reason():
            self.message.setText("")

    def _accept(self) -> None:
        if not self.reason():
            self.message.setText(_("Please give the reason."))
            return
        self.accept()

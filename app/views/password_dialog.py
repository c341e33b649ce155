"""The logged-in user changes their own password."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.i18n import _
from app.services import accounts
from app.views.login_dialog import _password_edit
from app.views.messages import error_text
from app.views.worker import Worker


class ChangePasswordDialog(QDialog):
    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.setWindowTitle(_("Change my password"))
        self.old = _password_edit("old_password")
        self.new = _password_edit("new_password")
        self.repeat = _password_edit("repeat_password")
        form = QFormLayout()
        form.addRow(_("Current password"), self.old)
        form.addRow(_("New password"), self.new)
        form.addRow(_("Repeat password"), self.repeat)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("At least {n} characters.").format(n=accounts.MIN_PASSWORD_LENGTH)))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(420, 220)

    def save(self) -> None:
        self.buttons.setEnabled(False)
        self.error.clear()
        self.worker.call(accounts.change_password, self.old.text(), self.new.text(), self.repeat.text(),
                         on_done=lambda _r: self.accept(), on_error=self._failed)

    def _failed(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(error_text(error))

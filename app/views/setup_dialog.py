"""First run: the office's name, the language, the administrator's account, the first clerk, reviewer
and finance officer if wanted, and whether to start with practice data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import LANGUAGES, _, current_language, set_language
from app.services import accounts, first_run
from app.services import settings as settings_service
from app.services.context import Actor, Desk
from app.services.permissions import ROLE_LABELS
from app.views.layout_helpers import WrapCheckBox
from app.views.messages import error_text
from app.views.worker import Worker


class SetupDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = Worker(desk, self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.office = QLineEdit()
        self.office.setObjectName("office_name")
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language())))
        self.sample = WrapCheckBox()
        self.admin_heading = QLabel()
        self.admin_heading.setStyleSheet("font-weight: bold; margin-top: 6px;")
        self.admin_note = QLabel()
        self.admin_note.setWordWrap(True)
        self.admin_note.setStyleSheet("color: #555;")
        self.username = QLineEdit()
        self.username.setObjectName("admin_username")
        self.username.setMaxLength(64)
        self.display_name = QLineEdit()
        self.display_name.setObjectName("admin_display_name")
        self.display_name.setMaxLength(accounts.DISPLAY_NAME_LENGTH)
        self.password = QLineEdit()
        self.password.setObjectName("admin_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("admin_repeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.staff_heading = QLabel()
        self.staff_heading.setStyleSheet("font-weight: bold; margin-top: 6px;")
        self.staff_note = QLabel()
        self.staff_note.setWordWrap(True)
        self.staff_note.setStyleSheet("color: #555;")
        # One row per role the setup offers (first_run.STAFF_ROLES): user name, full name, first password.
        self.staff: dict[str, tuple[QLineEdit, QLineEdit, QLineEdit]] = {}
        self.staff_labels: dict[str, QLabel] = {}
        self.staff_grid = QGridLayout()
        self.staff_headers = [QLabel() for _i in range(3)]
        for col, header in enumerate(self.staff_headers, start=1):
            self.staff_grid.addWidget(header, 0, col)
        for row, role in enumerate(first_run.STAFF_ROLES, start=1):
            edits = (QLineEdit(), QLineEdit(), QLineEdit())
            for col, (edit, part) in enumerate(zip(edits, ("username", "display_name", "password"), strict=True),
                                               start=1):
                edit.setObjectName(f"{role.value}_{part}")
                self.staff_grid.addWidget(edit, row, col)
            edits[0].setMaxLength(64)
            edits[1].setMaxLength(accounts.DISPLAY_NAME_LENGTH)
            edits[2].setEchoMode(QLineEdit.EchoMode.Password)
            self.staff[role.value] = edits
            self.staff_labels[role.value] = QLabel()
            self.staff_grid.addWidget(self.staff_labels[role.value], row, 0)
        self.admin: Actor | None = None  # the administrator, once saved
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        self.form = QFormLayout()
        # Labels are made here (addRow with an empty text makes none) so retranslate() can set them.
        self.labels: dict[str, QLabel] = {}
        for key, field in (("office", self.office), ("language", self.language), ("sample", self.sample)):
            self.labels[key] = QLabel()
            self.form.addRow(self.labels[key], field)
        self.form.addRow(self.admin_heading)
        self.form.addRow(self.admin_note)
        for key, field in (("username", self.username), ("display_name", self.display_name),
                           ("password", self.password), ("repeat", self.repeat)):
            self.labels[key] = QLabel()
            self.form.addRow(self.labels[key], field)
        self.form.addRow(self.staff_heading)
        self.form.addRow(self.staff_note)
        self.form.addRow(self.staff_grid)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.language.currentIndexChanged.connect(self._language_changed)
        self.retranslate()
        self.resize(600, 560)
        self.worker.call(lambda s, a: settings_service.get(s, settings_service.OFFICE_NAME), on_done=self._prefill)

    def _prefill(self, name: str) -> None:
        """A database set up before accounts existed keeps its office name."""
        try:
            if not self.office.text():
                self.office.setText(name)
        except RuntimeError:  # the dialog was closed before the answer came
            pass

    def retranslate(self) -> None:
        self.setWindowTitle(_("Welcome to Service Purchase Desk"))
        self.intro.setText(_("Before you start, tell the program which office it works for. "
                             "You can change this later in Settings."))
        self.labels["office"].setText(_("Office name"))
        self.labels["language"].setText(_("Language"))
        self.office.setPlaceholderText(_("for example: XX区XX街道办事处"))
        self.sample.setText(_("Start with practice data: sample records in a separate practice database (the "
                              "office's database stays empty; Settings switches between them)"))
        self.admin_heading.setText(_("Administrator"))
        self.admin_note.setText(_("The administrator manages users, templates and settings. Drafting, review "
                                  "and payment are done by other people under their own accounts (separation "
                                  "of duties)."))
        self.staff_heading.setText(_("Staff (optional)"))
        self.staff_note.setText(_("Create the first clerk, reviewer and finance officer now, or later in Settings. "
                                  "Each chooses a new password at the first log-in; leave a row empty to skip it."))
        for header, text in zip(self.staff_headers, (_("User name"), _("Full name"), _("First password")),
                                strict=True):
            header.setText(text)
        for role in first_run.STAFF_ROLES:
            self.staff_labels[role.value].setText(_(ROLE_LABELS[role]))
            self.staff[role.value][2].setPlaceholderText(
                _("at least {n} characters").format(n=accounts.MIN_PASSWORD_LENGTH))
        self.labels["username"].setText(_("User name"))
        self.labels["display_name"].setText(_("Full name"))
        self.labels["password"].setText(_("Password"))
        self.labels["repeat"].setText(_("Repeat password"))
        self.username.setPlaceholderText(_("for example: admin"))
        self.password.setPlaceholderText(_("at least {n} characters").format(n=accounts.MIN_PASSWORD_LENGTH))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Start"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))

    def _language_changed(self) -> None:
        set_language(self.language.currentData())
        self.retranslate()

    def save(self) -> None:
        name, lang = self.office.text(), self.language.currentData()
        user, display = self.username.text(), self.display_name.text()
        password, repeat = self.password.text(), self.repeat.text()
        self.buttons.setEnabled(False)
        self.error.clear()
        staff = [first_run.StaffInput(role, u.text(), d.text(), p.text()) for role, (u, d, p) in self.staff.items()]
        self.worker.call(first_run.complete, user, display, password, repeat, name, lang, staff,
                         on_done=self._saved, on_error=self._failed)

    def _saved(self, admin: Actor) -> None:
        self.admin = admin
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(error_text(error))
        self.office.setFocus(Qt.FocusReason.OtherFocusReason)

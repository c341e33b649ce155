"""Logging in at start, and choosing a new password when the administrator reset it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import login_start
from app.services.actors import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, Actor
from app.views.startup_check import RUNNING, StartupCheck
from app.views.worker import Worker

if TYPE_CHECKING:
    from app.services.accounts import LoginResult
    from app.services.login_start import LoginStart

ERROR_STYLE = "color: #b00020;"


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(MAX_PASSWORD_LENGTH)
    return edit


class LoginDialog(QDialog):
    """Asks for user name and password; `actor` holds who logged in once the dialog is accepted."""

    # Once, after the window first appeared (its first paint is queued before): the program's start opens
    # the database then, so that importing SQLAlchemy on the worker does not hold up the window (issue 17).
    first_shown = Signal()

    def __init__(self, worker: Worker, parent: QWidget | None = None, purpose: str = "start",
                 current: Actor | None = None, check: StartupCheck | None = None,
                 start: LoginStart | None = None) -> None:
        """`purpose`: "start" (program start), "switch" (log out / switch user) or "lock" (the window
        locked itself after idle time; `current` is who was working).

        `check`: the database's start-up checks, still running on the worker when the window opens; the
        password is checked once they have passed, and if they fail the dialog is rejected with
        `startup_error` set (the caller offers the recovery).

        `start`: the office name and user list, read before the database was opened (the program's start,
        app.services.login_start); without it they are read on the worker."""
        super().__init__(parent)
        self.worker = worker
        self.check = check
        self.startup_error: Exception | None = None
        self.actor: Actor | None = None
        self.purpose = purpose
        self._settings = QSettings("spdesk", "spdesk")
        self.setObjectName("login_dialog")
        self.setWindowTitle({"switch": _("Switch user"), "lock": _("Locked")}.get(purpose, _("Log in")))

        self.heading = QLabel(_("Service Purchase Desk"))
        self.heading.setObjectName("login_heading")
        self.heading.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.office = QLabel()
        self.office.setObjectName("login_office")
        self.office.setStyleSheet("color: #444; font-size: 11pt;")

        # Page 1: the person (picked from the active accounts by name, or a user name typed) and password.
        self.user_choice = QComboBox()
        self.user_choice.setObjectName("user_choice")
        self.user_choice.setEditable(True)
        self.user_choice.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.user_choice.setMinimumContentsLength(16)
        self.username = self.user_choice.lineEdit()
        self.username.setObjectName("username")
        self.username.setMaxLength(64)
        self.username.setPlaceholderText(_("Choose your name or type your user name"))
        last = current.username if current is not None else str(self._settings.value("login/last_user", "") or "")
        self.username.setText(last)
        self._names: dict[str, str] = {}  # text shown -> user name
        self.password = _password_edit("password")
        login_page = QWidget()
        form = QFormLayout(login_page)
        form.setContentsMargins(0, 8, 0, 0)
        form.addRow(_("User"), self.user_choice)
        form.addRow(_("Password"), self.password)

        # Page 2: a new password after a reset (or for a new account).
        self.change_note = QLabel(_("The administrator has set a temporary password for you. Choose your own "
                                    "password now (at least {n} characters).").format(n=MIN_PASSWORD_LENGTH))
        self.change_note.setWordWrap(True)
        self.new_password = _password_edit("new_password")
        self.repeat = _password_edit("repeat_password")
        change_page = QWidget()
        cform = QFormLayout(change_page)
        cform.setContentsMargins(0, 8, 0, 0)
        cform.addRow(self.change_note)
        cform.addRow(_("New password"), self.new_password)
        cform.addRow(_("Repeat password"), self.repeat)

        self.pages = QStackedWidget()
        self.pages.addWidget(login_page)
        self.pages.addWidget(change_page)

        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        # While the start-up checks run: a quiet line; once the person has asked to log in, it says
        # that the log-in goes on as soon as the check passes.
        self.check_status = QLabel(_("Checking the database…"))
        self.check_status.setObjectName("check_status")
        self.check_status.setStyleSheet("color: #555;")
        self.check_status.setWordWrap(True)
        self.check_progress = QProgressBar()
        self.check_progress.setObjectName("check_progress")
        self.check_progress.setRange(0, 0)
        self.check_progress.setTextVisible(False)
        self.check_progress.setMaximumHeight(6)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Log in") if purpose != "lock" else _("Unlock"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            _("Quit the program") if purpose == "lock" else _("Cancel"))
        if purpose == "lock" and current is not None:
            self.heading.setText(_("Locked after a time without use"))
            self.lock_note = QLabel(_("{name} was working here. Enter the password to go on, or choose "
                                      "another person.").format(name=current.label))
            self.lock_note.setWordWrap(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.addWidget(self.heading)
        layout.addWidget(self.office)
        if hasattr(self, "lock_note"):
            layout.addWidget(self.lock_note)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.check_status)
        layout.addWidget(self.check_progress)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)
        (self.password if self.username.text() else self.username).setFocus(Qt.FocusReason.OtherFocusReason)
        self._checking(check is not None and check.state == RUNNING)
        if check is not None:
            check.passed.connect(lambda: self._checking(False))
            check.failed.connect(self._check_failed)
        if start is not None:
            self._show_office(start.office_name)
            self._fill_users(start.choices)
        else:
            self.worker.call(login_start.window_contents, on_done=self._show_contents)
        # The dummy hash for unknown names, computed while the person types (not at import, not later); at
        # the program's start once the window is up (it imports the services).
        if start is None:
            self.worker.submit(login_start.prepare_login)
        else:
            self.first_shown.connect(lambda: self.worker.submit(login_start.prepare_login))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not getattr(self, "_shown_once", False):
            self._shown_once = True
            QTimer.singleShot(0, self, self.first_shown.emit)

    def _fill_users(self, choices: list[tuple[str, str]]) -> None:
        try:
            typed = self.username.text()
            self.user_choice.blockSignals(True)
            self.user_choice.clear()
            self._names.clear()
            shown_for: dict[str, str] = {}
            for username, name in choices:
                text = name if name == username else _("{name} ({username})").format(name=name, username=username)
                self._names[text] = username
                shown_for[username] = text
                self.user_choice.addItem(text, username)
            self.username.setText(shown_for.get(typed, typed))
            self.user_choice.blockSignals(False)
        except RuntimeError:  # the dialog was closed before the answer came
            pass

    def chosen_username(self) -> str:
        """The user name behind what the box shows (a chosen name, or a user name as typed)."""
        text = self.username.text()
        return self._names.get(text, text)

    def _show_contents(self, contents: tuple[str, list[tuple[str, str]]]) -> None:
        office, choices = contents
        self._show_office(office)
        self._fill_users(choices)

    def _show_office(self, name: str) -> None:
        try:
            self.office.setText(name)
        except RuntimeError:  # the dialog was closed before the answer came
            pass

    def _busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)

    def _checking(self, running: bool) -> None:
        try:
            self.check_status.setVisible(running)
            self.check_progress.setVisible(running)
        except RuntimeError:  # the dialog was closed before the check ended
            pass

    def _check_failed(self, error: Exception) -> None:
        """The database failed its start-up check: no log-in (it would write); the caller explains."""
        try:
            self.startup_error = error
            self.reject()
        except RuntimeError:
            pass

    def submit(self) -> None:
        if self.pages.currentIndex() == 1:
            self._change_password()
            return
        name, password = self.chosen_username(), self.password.text()
        if not name.strip() or not password:
            self.error.setText(_("Enter your user name and password."))
            return
        self.error.clear()
        if self.check is not None and self.check.state == RUNNING:
            # Checking a password writes (failure counter, audit trail): only into a file that passed.
            # Until then only Log in waits; Cancel still quits.
            self.check_status.setText(_("Checking the database… You are logged in as soon as the check has "
                                        "passed."))
            self.ok_button.setEnabled(False)
            self.check.when_passed(lambda: self._authenticate(name, password))
            return
        self._authenticate(name, password)

    def reject(self) -> None:
        self._closed = True  # a log-in still waiting for the start-up check is not made
        super().reject()

    def _authenticate(self, name: str, password: str) -> None:
        if getattr(self, "_closed", False):
            return
        try:
            self.ok_button.setEnabled(True)
            self._busy(True)
        except RuntimeError:  # the dialog was closed while the check ran
            return
        from app.services import accounts

        self.worker.call(accounts.authenticate, name, password, on_done=self._checked, on_error=self._failed)

    def _checked(self, result: LoginResult) -> None:
        self._busy(False)
        if not result.ok or result.actor is None:
            self.error.setText(result.message)
            self.password.clear()
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.actor = result.actor
        self._settings.setValue("login/last_user", result.actor.username)
        if result.must_change_password:
            self.pages.setCurrentIndex(1)
            self.ok_button.setText(_("Save and continue"))
            self.new_password.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.accept()

    def _change_password(self) -> None:
        actor, old = self.actor, self.password.text()
        new, repeat = self.new_password.text(), self.repeat.text()
        if actor is None:
            return
        self._busy(True)
        self.error.clear()
        from app.services import accounts

        self.worker.call(lambda s, _a: accounts.change_password(s, actor, old, new, repeat),
                         on_done=lambda _r: self.accept(), on_error=self._failed)

    def _failed(self, error: Exception) -> None:
        from app.views.messages import error_text

        self._busy(False)
        self.error.setText(error_text(error))

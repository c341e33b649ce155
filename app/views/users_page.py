"""User management for administrators (in Settings): add, edit roles, reset passwords, disable."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_datetime
from app.services import accounts
from app.services.permissions import ROLE_LABELS, Role
from app.views.messages import confirm, error_text
from app.views.worker import Worker

_Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    USERNAME = 0
    NAME = 1
    ROLES = 2
    STATE = 3


HEADERS = {Column.USERNAME: N_("User name"), Column.NAME: N_("Full name"), Column.ROLES: N_("Roles"),
           Column.STATE: N_("State")}


def state_text(row: accounts.UserRow) -> str:
    if not row.active:
        return _("Disabled")
    if row.locked and row.locked_until is not None:
        return _("Locked until {time}").format(time=format_datetime(accounts.local_time(row.locked_until)))
    if row.must_change_password:
        return _("Must change password")
    return _("Active")


class UserListModel(QAbstractTableModel):
    """A handful of accounts: loaded whole, no paging needed."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[accounts.UserRow] = []

    def set_rows(self, rows: list[accounts.UserRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> accounts.UserRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return _(HEADERS[Column(section)])
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(Column):
            return None
        row = self._rows[index.row()]
        col = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return {Column.USERNAME: row.username, Column.NAME: row.display_name, Column.ROLES: row.role_names,
                    Column.STATE: state_text(row)}[col]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and col == Column.STATE and not row.active:
            return QColor("#888888")
        return None


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class UserDialog(QDialog):
    """Add an account (with a first password), or edit its name and roles."""

    def __init__(self, worker: Worker, row: accounts.UserRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.row = row
        self.setWindowTitle(_("Add user") if row is None else _("Edit user {name}").format(name=row.username))
        self.username = QLineEdit(row.username if row else "")
        self.username.setObjectName("username")
        self.username.setReadOnly(row is not None)
        self.display_name = QLineEdit(row.display_name if row else "")
        self.display_name.setObjectName("display_name")
        self.roles: dict[str, QCheckBox] = {}
        roles_box = QWidget()
        rl = QHBoxLayout(roles_box)
        rl.setContentsMargins(0, 0, 0, 0)
        for role in Role:
            box = QCheckBox(_(ROLE_LABELS[role]))
            box.setObjectName(f"role_{role.value}")
            box.setChecked(row is not None and role.value in row.roles)
            self.roles[role.value] = box
            rl.addWidget(box)
        form = QFormLayout()
        form.addRow(_("User name"), self.username)
        form.addRow(_("Full name"), self.display_name)
        form.addRow(_("Roles"), roles_box)
        self.password = _password_edit("password")
        self.repeat = _password_edit("repeat")
        if row is None:
            form.addRow(_("First password"), self.password)
            form.addRow(_("Repeat password"), self.repeat)
            note = QLabel(_("The user must choose their own password at the first log-in."))
            note.setStyleSheet("color: #555;")
            form.addRow(note)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def chosen_roles(self) -> list[str]:
        return [code for code, box in self.roles.items() if box.isChecked()]

    def save(self) -> None:
        self.buttons.setEnabled(False)
        self.error.clear()
        done = {"on_done": lambda _r: self.accept(), "on_error": self._failed}
        if self.row is None:
            self.worker.call(accounts.create_user, self.username.text(), self.display_name.text(),
                             self.chosen_roles(), self.password.text(), self.repeat.text(), **done)
        else:
            self.worker.call(accounts.update_user, self.row.id, self.display_name.text(), self.chosen_roles(),
                             expected_version=self.row.version, **done)

    def _failed(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(error_text(error))


class ResetPasswordDialog(QDialog):
    def __init__(self, worker: Worker, row: accounts.UserRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.row = row
        self.setWindowTitle(_("Reset the password of {name}").format(name=row.label))
        note = QLabel(_("Give the person this temporary password; they must choose their own at the next log-in. "
                        "A lock-out is lifted too."))
        note.setWordWrap(True)
        self.password = _password_edit("password")
        self.repeat = _password_edit("repeat")
        form = QFormLayout()
        form.addRow(note)
        form.addRow(_("Temporary password"), self.password)
        form.addRow(_("Repeat password"), self.repeat)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Reset password"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def save(self) -> None:
        self.buttons.setEnabled(False)
        self.worker.call(accounts.reset_password, self.row.id, self.password.text(), self.repeat.text(),
                         on_done=lambda _r: self.accept(), on_error=self._failed)

    def _failed(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(error_text(error))


class UsersSection(QGroupBox):
    """The Settings page's user list; only shown to administrators (the services check again)."""

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(_("Users"), parent)
        self.setObjectName("users_section")
        self.worker = worker
        self.model = UserListModel(self)
        self.table = QTableView()
        self.table.setObjectName("users_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(Column.USERNAME, 120)
        self.table.setColumnWidth(Column.NAME, 120)
        self.table.setColumnWidth(Column.ROLES, 220)
        self.table.setMinimumHeight(160)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.add_button = QPushButton(_("Add user…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.reset_button = QPushButton(_("Reset password…"))
        self.toggle_button = QPushButton(_("Disable"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.reset_button.clicked.connect(self.reset_password)
        self.toggle_button.clicked.connect(self.toggle_active)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.reset_button, self.toggle_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self._update_buttons()

    def refresh(self) -> None:
        self.worker.call(accounts.list_users, on_done=self._show, on_error=lambda e: self.status.setText(error_text(e)))

    def _show(self, rows: list[accounts.UserRow]) -> None:
        self.model.set_rows(rows)
        self._update_buttons()

    def selected(self) -> accounts.UserRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        row = self.selected()
        for b in (self.edit_button, self.reset_button, self.toggle_button):
            b.setEnabled(row is not None)
        self.toggle_button.setText(_("Enable") if row is not None and not row.active else _("Disable"))

    def _after(self, dialog: QDialog, message: str) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.status.setText(message)
            self.refresh()

    def add(self) -> None:
        self._after(UserDialog(self.worker, None, self), _("User added."))

    def edit(self) -> None:
        row = self.selected()
        if row is not None:
            self._after(UserDialog(self.worker, row, self), _("Saved."))

    def reset_password(self) -> None:
        row = self.selected()
        if row is not None:
            self._after(ResetPasswordDialog(self.worker, row, self), _("Password reset."))

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.active and not confirm(self, _("Disable account"),
                                      _("{name} will no longer be able to log in. Continue?").format(name=row.label)):
            return
        self.worker.call(accounts.set_active, row.id, not row.active,
                         on_done=lambda _r: (self.status.setText(_("Saved.")), self.refresh()),
                         on_error=lambda e: self.status.setText(error_text(e)))


class UsersDialog(QDialog):
    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Users"))
        self.section = UsersSection(worker, self)
        self.section.setTitle("")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.section)
        layout.addWidget(close)
        self.resize(720, 420)
        self.section.refresh()


class UsersBox(QGroupBox):
    """The Settings page's entry to user management: small, so the page fits a low screen."""

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(_("Users"), parent)
        self.setObjectName("users_box")
        self.worker = worker
        note = QLabel(_("Add staff accounts, set their roles, reset passwords and disable accounts."))
        self.open_button = QPushButton(_("Manage users…"))
        self.open_button.setObjectName("manage_users")
        self.open_button.clicked.connect(self.open_dialog)
        row = QHBoxLayout(self)
        row.addWidget(note, 1)
        row.addWidget(self.open_button)

    def open_dialog(self) -> None:
        UsersDialog(self.worker, self).exec()

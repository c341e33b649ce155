"""The login dialog: wrong password message, lock-out message, success, forced password change; first-run setup."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from app.services import accounts
from app.services import settings as settings_service
from app.services.context import Desk
from app.views.login_dialog import LoginDialog
from app.views.setup_dialog import SetupDialog
from app.views.worker import Worker

PW = "admin-pass-1"
_KEEP: list = []  # widgets whose models the model tester checks again after the test


@pytest.fixture
def admin(desk):
    return desk.run(accounts.create_first_admin, "admin", "王主任", PW, PW)


@pytest.fixture
def dialog(qtbot, desk, admin):
    worker = Worker(desk)
    dlg = LoginDialog(worker)
    qtbot.addWidget(dlg)
    yield dlg
    worker.wait()


def _submit(qtbot, dlg: LoginDialog, user: str, password: str) -> None:
    dlg.error.clear()
    dlg.username.setText(user)
    dlg.password.setText(password)
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: dlg.buttons.isEnabled() and bool(dlg.error.text() or dlg.result()), timeout=10000)


def test_wrong_password_shows_a_message_and_stays_open(qtbot, dialog):
    _submit(qtbot, dialog, "admin", "not-the-password")
    assert "用户名或密码错误" in dialog.error.text() and "4" in dialog.error.text()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.actor is None
    assert dialog.password.text() == ""  # cleared for the next try


def test_fifth_failure_says_until_when(qtbot, dialog):
    for _i in range(5):
        _submit(qtbot, dialog, "admin", "not-the-password")
    assert "锁定至" in dialog.error.text()


def test_success_accepts_with_the_actor(qtbot, dialog, admin):
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.username.setText("admin")
        dialog.password.setText(PW)
        dialog.ok_button.click()
    assert dialog.actor == admin


def test_a_reset_password_must_be_changed_before_entering(qtbot, desk, dialog, admin):
    uid = Desk(desk.db, admin).run(accounts.create_user, "clerk1", "张经办", "clerk", "first-pass-1", "first-pass-1")
    assert uid
    dialog.username.setText("clerk1")
    dialog.password.setText("first-pass-1")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10000)
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.ok_button.text() == "保存并继续"
    dialog.new_password.setText("short")
    dialog.repeat.setText("short")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10000)
    assert "8" in dialog.error.text()
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.new_password.setText("my-own-pass-1")
        dialog.repeat.setText("my-own-pass-1")
        dialog.ok_button.click()
    assert dialog.actor is not None and dialog.actor.username == "clerk1"
    assert not desk.run(accounts.authenticate, "clerk1", "my-own-pass-1").must_change_password


def test_english_labels(qtbot, desk, admin):
    from app.i18n import set_language

    set_language("en")
    worker = Worker(desk)
    dlg = LoginDialog(worker)
    qtbot.addWidget(dlg)
    assert dlg.ok_button.text() == "Log in"
    worker.wait()


def _setup(qtbot, desk, repeat: str = PW) -> SetupDialog:
    """The first-run dialog with the office and the administrator filled in."""
    dlg = SetupDialog(desk)
    qtbot.addWidget(dlg)
    dlg.office.setText("东城区某街道办事处")
    dlg.username.setText("admin")
    dlg.display_name.setText("王主任")
    dlg.password.setText(PW)
    dlg.repeat.setText(repeat)
    return dlg


def test_first_run_creates_the_administrator(qtbot, desk):
    dlg = _setup(qtbot, desk, repeat=PW + "x")
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: bool(dlg.error.text()), timeout=10000)
    assert "不一致" in dlg.error.text() and not desk.run(accounts.has_users)
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.repeat.setText(PW)
        dlg.buttons.accepted.emit()
    assert dlg.admin is not None and "admin" in dlg.admin.roles
    assert desk.run(lambda s, a: settings_service.get(s, settings_service.OFFICE_NAME)) == "东城区某街道办事处"
    assert desk.run(accounts.authenticate, "admin", PW).ok
    dlg.worker.wait()


def test_user_management_lists_accounts(qtbot, qtmodeltester, desk, admin):
    from app.views.users_page import UsersDialog

    a = Desk(desk.db, admin)
    a.run(accounts.create_user, "clerk1", "张经办", "clerk", "first-pass-1", "first-pass-1")
    worker = Worker(a)
    dlg = UsersDialog(worker)  # not handed to qtbot: the model must outlive the model tester's cleanup
    model = dlg.section.model
    _KEEP.append(dlg)
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10000)
    qtmodeltester.check(model, force_py=True)
    assert model.index(1, 3).data() == "须修改密码" and model.index(0, 2).data().endswith("管理员")
    dlg.section.table.selectRow(1)
    assert dlg.section.toggle_button.isEnabled() and dlg.section.toggle_button.text() == "停用"
    worker.wait()


def test_first_run_creates_the_clerk_and_reviewer_beside_the_administrator(qtbot, desk):
    dlg = _setup(qtbot, desk)
    user, name, password = dlg.staff["clerk"]
    user.setText("zhangsan")
    name.setText("张三")
    password.setText("short")
    reviewer = dlg.staff["reviewer"]
    reviewer[0].setText("lisi")
    reviewer[1].setText("李四")
    reviewer[2].setText("review-pass-1")
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: bool(dlg.error.text()), timeout=10000)
    assert "经办人" in dlg.error.text() and "密码" in dlg.error.text()
    assert not desk.run(accounts.has_users)  # nothing half-saved
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        password.setText("clerk-pass-1")
        dlg.buttons.accepted.emit()
    assert desk.run(accounts.authenticate, "zhangsan", "clerk-pass-1").must_change_password
    assert desk.run(accounts.authenticate, "lisi", "review-pass-1").ok
    assert dlg.admin is not None and dlg.admin.roles == frozenset({"admin"})

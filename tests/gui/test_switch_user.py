"""Log out and switch user in one session: a clerk and a reviewer take turns at one window and carry a
project through review (the separation of duties needs a second person), without restarting; the
log-in box offers the active people by name; the window locks after the idle time."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.domain import lifecycle as lc
from app.services import accounts
from app.services import settings as settings_service
from app.services.context import Desk
from app.views.login_dialog import LoginDialog
from app.views.main_window import MainWindow
from app.views.projects.form import ProjectFormDialog
from app.views.projects.page import ProjectsPage
from tests.gui.test_project_form import REQUIRED_TEXT

PASSWORD = "Office-pass-2026"


@pytest.fixture
def office(desk: Desk) -> dict[str, object]:
    """An administrator, a clerk and a reviewer with their own passwords; one user disabled."""
    admin = desk.run(accounts.create_first_admin, "admin", "管理员", PASSWORD, PASSWORD)
    as_admin = Desk(desk.db, admin)
    ids = {}
    for username, name, roles in (("wang", "王经办", "clerk"), ("li", "李审核", "reviewer"),
                                  ("gone", "已停用", "clerk")):
        ids[username] = as_admin.run(accounts.create_user, username, name, roles, PASSWORD)
    with desk.db.session() as s:  # as if they had chosen their own passwords at their first log-in
        from app.models import User

        for u in s.query(User).all():
            u.must_change_password = False
    as_admin.run(accounts.disable_user, ids["gone"])
    return {"admin": admin, "desk": as_admin}


def _find_actor(desk: Desk, username: str):  # type: ignore[no-untyped-def]
    return desk.run(accounts.find_actor, username)


@pytest.fixture
def window(qtbot, desk: Desk, office) -> Iterator[MainWindow]:
    w = MainWindow(Desk(desk.db, _find_actor(desk, "wang")))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.shutdown()


def answer_login(qtbot, window: MainWindow, username: str, password: str = PASSWORD,
                 check: Callable[[LoginDialog], None] | None = None) -> None:
    """When the log-in box comes up: pick the person from the list, type the password, log in."""
    def fill() -> None:
        dlg = getattr(window, "_login", None)
        if dlg is None or not dlg.isVisible() or dlg.user_choice.count() == 0:
            QTimer.singleShot(20, fill)
            return
        if check is not None:
            check(dlg)
        index = dlg.user_choice.findData(username)
        assert index >= 0, [dlg.user_choice.itemText(i) for i in range(dlg.user_choice.count())]
        dlg.user_choice.setCurrentIndex(index)
        dlg.password.setText(password)
        dlg.submit()

    QTimer.singleShot(0, fill)


def _open_project(qtbot, window: MainWindow, project_id: int | None) -> ProjectFormDialog:
    page = window.pages["projects"]
    assert isinstance(page, ProjectsPage)
    window.go_to("projects")
    page.open_form(project_id)
    d = page.form
    assert isinstance(d, ProjectFormDialog)
    qtbot.waitUntil(lambda: d.loaded and not d.busy, timeout=20000)
    return d


def _move(qtbot, d: ProjectFormDialog, name: str) -> str:
    assert name in d.transition_buttons, (name, list(d.transition_buttons))
    before = d.detail.state if d.detail else None
    d.transition_buttons[name].click()
    qtbot.waitUntil(lambda: d.loaded and not d.busy and d.detail is not None and d.detail.state != before,
                    timeout=20000)
    return d.detail.state


def test_clerk_and_reviewer_take_turns_and_carry_a_project_through_review(qtbot, window: MainWindow) -> None:
    seen: list[list[str]] = []

    def names(dlg: LoginDialog) -> None:
        seen.append([dlg.user_choice.itemText(i) for i in range(dlg.user_choice.count())])

    # The clerk drafts the requirement.
    d = _open_project(qtbot, window, None)
    d.name.setText("社区居家养老服务项目")
    d.purchaser_department.setText("社区服务科")
    d.budget_year.setValue(2026)
    d.budget_amount.setText("300,000")
    d.plan_years.setValue(1)
    for key, text in REQUIRED_TEXT.items():
        d.sections[key].setPlainText(text)
    for box in d.exclusions.values():  # what may not be purchased, confirmed (issue 15)
        box.setChecked(True)
    d.consultation_on.setText("2026-01-20")  # a class-3 service consults the public first
    d.consultation_method.setText("社区居民问卷")
    d.consultation_result.setPlainText("多数居民支持")
    d.save_button.click()
    qtbot.waitUntil(lambda: d.detail is not None and d.loaded and not d.busy, timeout=20000)
    pid = d.project_id
    assert _move(qtbot, d, "approve_budget") == lc.ProjectState.BUDGETED
    assert _move(qtbot, d, "draft_requirement") == lc.ProjectState.REQUIREMENT_DRAFT
    assert "approve_requirement" not in d.transition_buttons  # a clerk cannot approve
    d.reject()

    # The reviewer takes over the same window (Ctrl+Shift+L), by name, without a restart.
    answer_login(qtbot, window, "li", check=names)
    window.switch_action.trigger()
    assert window.desk.actor.username == "li" and window.worker.desk.actor.username == "li"
    assert "李审核" in window.user_label.text()
    assert seen and "王经办" in " ".join(seen[0]) and "已停用" not in " ".join(seen[0])  # active people only
    r = _open_project(qtbot, window, pid)
    assert set(r.transition_buttons) >= {"approve_requirement", "return_requirement"}
    assert not r.save_button.isVisible()
    assert _move(qtbot, r, "approve_requirement") == lc.ProjectState.REQUIREMENT_APPROVED
    r.reject()

    # And back to the clerk, who goes on with the approved requirement.
    answer_login(qtbot, window, "wang")
    window.switch_action.trigger()
    assert window.desk.actor.username == "wang"
    c = _open_project(qtbot, window, pid)
    assert c.detail is not None and c.detail.state == lc.ProjectState.REQUIREMENT_APPROVED
    assert "approve_requirement" not in c.transition_buttons
    c.reject()


def test_the_window_locks_after_the_idle_time_and_the_same_person_goes_on(qtbot, window: MainWindow) -> None:
    window.apply_idle_lock(1)
    assert window.idle_timer.isActive() and window.idle_timer.interval() == 60_000
    locked: list[bool] = []

    def check(dlg: LoginDialog) -> None:
        locked.append(not window.centralWidget().isVisible())
        assert dlg.purpose == "lock" and "王经办" in dlg.lock_note.text()
        assert dlg.username.text().startswith("王经办")  # the person who was working is chosen

    answer_login(qtbot, window, "wang", check=check)
    window.idle_timer.timeout.emit()  # as if the minutes had passed
    assert locked == [True]  # the pages were hidden while the box was up
    assert window.centralWidget().isVisible() and window.desk.actor.username == "wang"
    assert window.idle_timer.isActive()


def test_a_wrong_password_at_the_lock_keeps_it_locked(qtbot, window: MainWindow) -> None:
    messages: list[str] = []

    def wrong_then_right() -> None:
        dlg = getattr(window, "_login", None)
        if dlg is None or not dlg.isVisible() or dlg.user_choice.count() == 0:
            QTimer.singleShot(20, wrong_then_right)
            return
        dlg.password.setText("wrong")
        dlg.submit()
        qtbot.waitUntil(lambda: bool(dlg.error.text()), timeout=20000)
        messages.append(dlg.error.text())
        assert dlg.isVisible() and not window.centralWidget().isVisible()
        dlg.password.setText(PASSWORD)
        dlg.submit()

    QTimer.singleShot(0, wrong_then_right)
    window.lock_action.trigger()
    assert messages and window.desk.actor.username == "wang" and window.centralWidget().isVisible()


def test_idle_minutes_are_a_setting_with_a_checked_range(desk: Desk, office) -> None:
    admin = office["desk"]
    assert admin.run(settings_service.idle_lock_minutes) == settings_service.IDLE_LOCK_DEFAULT
    admin.run(settings_service.set_idle_lock_minutes, "30")
    assert admin.run(settings_service.idle_lock_minutes) == 30
    from app.domain.errors import ValidationError

    with pytest.raises(ValidationError) as err:
        admin.run(settings_service.set_idle_lock_minutes, "9999")
    assert err.value.problems[0].field == settings_service.IDLE_LOCK_MINUTES


def test_quitting_from_the_log_in_box_closes_the_window(qtbot, window: MainWindow) -> None:
    def cancel() -> None:
        dlg = getattr(window, "_login", None)
        if dlg is None or not dlg.isVisible():
            QTimer.singleShot(20, cancel)
            return
        dlg.reject()

    QTimer.singleShot(0, cancel)
    assert window.log_out("switch") is False
    QApplication.processEvents()
    assert not window.isVisible()

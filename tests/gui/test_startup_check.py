"""Start-up with the database's scans on the worker (issue 17): the log-in window appears before the
integrity and foreign-key scans have finished, a scan that fails after the window is up refuses the
log-in and nothing is written, a scan that passes lets the person in."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from app.services import accounts
from app.services.context import Desk
from app.store import startup
from app.store.startup import DamagedDatabase, open_database, open_unchecked
from app.views import app as app_module
from app.views.login_dialog import LoginDialog
from app.views.startup_check import FAILED, PASSED, RUNNING, StartupCheck
from app.views.worker import Worker

PW = "admin-pass-1"


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "office.sqlite3"
    database = open_database(path, daily_backup=False)
    Desk(database).run(accounts.create_first_admin, "admin", "王主任", PW, PW)
    database.dispose()
    return path


@pytest.fixture
def slow_scan(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The quick check waits for the test to release it, then runs the real scan."""
    release = threading.Event()
    real = startup._quick_check

    def blocked(engine):  # noqa: ANN001, ANN202
        assert release.wait(30), "the test never released the scan"
        return real(engine)

    monkeypatch.setattr(startup, "_quick_check", blocked)
    return release


def _orphan(path: Path) -> None:
    """A record pointing to an organization that does not exist (what a direct edit of the file leaves)."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("INSERT INTO annual_inspections (org_id, year, result) VALUES (999999, 2025, 'passed')")


def _audit_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT id, action FROM audit_log ORDER BY id").fetchall()


def _opened(qtbot, path: Path):  # noqa: ANN001, ANN202
    """The window's start: the file opened unchecked, the log-in window built, then the checks queued."""
    db, report = open_unchecked(path)
    worker = Worker(Desk(db))
    check = StartupCheck(worker, db, report)
    dialog = LoginDialog(worker, check=check)
    qtbot.addWidget(dialog)
    check.start()
    dialog.show()
    return db, check, dialog


def _submit(dialog: LoginDialog, password: str) -> None:
    dialog.username.setText("admin")
    dialog.password.setText(password)
    dialog.ok_button.click()


def test_store_refuses_writes_until_the_checks_have_passed(db_file: Path) -> None:
    db, report = open_unchecked(db_file)
    try:
        desk = Desk(db)
        assert db.writes_held and not report.migration_pending
        assert desk.run(accounts.has_users)  # reading is allowed meanwhile
        before = _audit_rows(db_file)
        with pytest.raises(Exception, match="readonly|read-only"):
            desk.run(accounts.authenticate, "admin", PW)
        assert _audit_rows(db_file) == before
        startup.finish_checks(db, report)
        assert not db.writes_held
        assert desk.run(accounts.authenticate, "admin", PW).ok
        assert len(_audit_rows(db_file)) == len(before) + 1
    finally:
        db.dispose()


def test_login_window_is_shown_before_the_scans_finish_and_a_passing_scan_lets_the_user_in(
        qtbot, db_file: Path, slow_scan: threading.Event) -> None:
    db, check, dialog = _opened(qtbot, db_file)
    try:
        assert dialog.isVisible() and check.state == RUNNING
        assert dialog.check_status.isVisible() and dialog.check_progress.isVisible()
        assert dialog.check_status.text() == "正在检查数据库…"
        # The user list is read before the scans (queued first on the worker).
        qtbot.waitUntil(lambda: dialog.user_choice.count() == 1, timeout=10000)
        assert dialog.ok_button.isEnabled()
        _submit(dialog, PW)
        assert "登录" in dialog.check_status.text() and not dialog.ok_button.isEnabled()
        assert dialog.buttons.button(dialog.buttons.StandardButton.Cancel).isEnabled()
        assert dialog.result() != QDialog.DialogCode.Accepted
        slow_scan.set()
        with qtbot.waitSignal(dialog.accepted, timeout=20000):
            pass
        assert check.state == PASSED and dialog.actor is not None and dialog.actor.username == "admin"
        assert not dialog.check_status.isVisible()
        assert _audit_rows(db_file)[-1][1] == "login"
    finally:
        slow_scan.set()
        check.wait()
        db.dispose()


def test_damaged_database_found_after_the_window_is_up_refuses_the_login_and_writes_nothing(
        qtbot, db_file: Path, slow_scan: threading.Event) -> None:
    _orphan(db_file)
    before = _audit_rows(db_file)
    db, check, dialog = _opened(qtbot, db_file)
    try:
        assert dialog.isVisible()
        _submit(dialog, PW)
        _submit(dialog, "a wrong password")  # neither counts nor is recorded
        with qtbot.waitSignal(dialog.rejected, timeout=20000):
            slow_scan.set()
        assert check.state == FAILED and isinstance(dialog.startup_error, DamagedDatabase)
        assert "损坏" in dialog.startup_error.message
        assert dialog.actor is None and db.writes_held
        check.wait()
        assert _audit_rows(db_file) == before
        with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as conn:
            assert conn.execute("SELECT failed_attempts FROM users").fetchall() == [(0,)]
    finally:
        slow_scan.set()
        check.wait()
        db.dispose()


def test_program_start_on_a_damaged_file_shows_the_recovery_dialog(
        qtbot, qapp, db_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole start (`_run_once`): the scans fail while the log-in window waits; the window closes
    and the recovery dialog explains and offers the backup; the file is not written."""
    from app.views.recovery_dialog import RecoveryDialog

    _orphan(db_file)
    before = _audit_rows(db_file)
    shown: list[object] = []
    logins: list[LoginDialog] = []
    real_exec = LoginDialog.exec

    def login_exec(self: LoginDialog) -> int:
        logins.append(self)
        return real_exec(self)

    def recovery_exec(self: RecoveryDialog) -> int:
        shown.append(self.damage)
        return RecoveryDialog.DialogCode.Rejected

    monkeypatch.setattr(LoginDialog, "exec", login_exec)
    monkeypatch.setattr(RecoveryDialog, "exec", recovery_exec)
    code, restart, _next, _user = app_module._run_once(qapp, db_file)
    assert code == 1 and not restart
    assert len(logins) == 1 and len(shown) == 1 and isinstance(shown[0], DamagedDatabase)
    assert "records point to records that do not exist" in shown[0].detail or "不存在" in shown[0].detail
    assert _audit_rows(db_file) == before
    open_unchecked(db_file)[0].dispose()  # the lock was released


def test_program_start_on_a_new_file_migrates_before_the_setup_dialog(
        qtbot, qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No schema yet: the migration (a pending one) runs first, then the setup dialog opens on a
    database that accepts writes."""
    from app.store import migrate
    from app.views.setup_dialog import SetupDialog

    path = tmp_path / "new.sqlite3"
    seen: list[tuple[bool, str | None]] = []

    def setup_exec(self: SetupDialog) -> int:
        db = self.worker.desk.db
        seen.append((db.writes_held, migrate.current_revision(db.engine)))
        return SetupDialog.DialogCode.Rejected

    monkeypatch.setattr(SetupDialog, "exec", setup_exec)
    code, restart, _next, _user = app_module._run_once(qapp, path)
    assert (code, restart) == (0, False)
    assert seen == [(False, migrate.head_revision())]


def test_program_start_shows_the_login_window_before_the_database_is_opened(
        qtbot, qapp, db_file: Path, slow_scan: threading.Event, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole start (`_run_once`) on a file in order: the log-in window is up with the user list and the
    office's name read through sqlite3 while the database is not yet opened (the worker has no desk); it
    opens and checks the file once the window is up; a log-in waits for the check and then goes in."""
    seen: dict[str, object] = {}

    def login_exec(self: LoginDialog) -> int:
        self.show()
        seen["desk_at_show"] = self.worker.desk
        seen["users"] = [self.user_choice.itemData(i) for i in range(self.user_choice.count())]
        qtbot.waitUntil(lambda: self.worker.desk is not None, timeout=20000)  # opened once the window is up
        seen["writes_held"] = self.worker.desk.db.writes_held
        _submit(self, PW)
        slow_scan.set()
        qtbot.waitUntil(lambda: self.actor is not None, timeout=20000)
        seen["actor"] = self.actor.username
        self.hide()
        return LoginDialog.DialogCode.Rejected  # stop before the main window

    monkeypatch.setattr(LoginDialog, "exec", login_exec)
    code, restart, _next, _user = app_module._run_once(qapp, db_file)
    assert (code, restart) == (0, False)
    assert seen == {"desk_at_show": None, "users": ["admin"], "writes_held": True, "actor": "admin"}
    assert _audit_rows(db_file)[-1][1] == "login"
    open_unchecked(db_file)[0].dispose()  # the lock was released


def test_program_start_on_a_file_in_use_says_so(qtbot, qapp, db_file: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.store.lock import InstanceLock

    said: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text: said.append((title, text)))
    held = InstanceLock(db_file).acquire()
    try:
        code, restart, _next, _user = app_module._run_once(qapp, db_file)
    finally:
        held.release()
    assert (code, restart) == (1, False)
    assert len(said) == 1
    assert "正在使用中" in said[0][1] or "in use by another running copy" in said[0][1]


def test_login_window_is_shown_before_sqlalchemy_is_imported(db_file: Path, tmp_path: Path) -> None:
    """In a fresh interpreter, as the program starts (and the bench child `login` measures): SQLAlchemy and
    the models are not imported when the log-in window is shown; afterwards the checks pass on the worker."""
    import json
    import os
    import subprocess
    import sys

    script = f"""
import json, sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from app.i18n import set_language
from app.services import login_start
from app.views.app import install_qt_translations, make_application, show_login
from app.views.startup_check import RUNNING, StartupCheck
from app.views.worker import Worker

qapp = make_application(["spdesk"])
start = login_start.read(Path({str(db_file)!r}))
set_language(start.language)
install_qt_translations(qapp, start.language)
worker = Worker(None)
check = StartupCheck.opening(worker, start.path, start.lock)
dialog = show_login(worker, check, start)
dialog.show()
at_show = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic", "argon2")
                 or m.startswith("app.models"))
visible, users = dialog.isVisible(), dialog.user_choice.count()
deadline = time.monotonic() + 60
while check.state == RUNNING and time.monotonic() < deadline:
    QApplication.processEvents()
    time.sleep(0.01)
check.wait()
print(json.dumps({{"at_show": at_show, "visible": visible, "users": users, "state": check.state,
                  "later": "sqlalchemy" in sys.modules}}))
dialog.close()
check.close()
"""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=root,
                         check=True, timeout=120)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found == {"at_show": [], "visible": True, "users": 1, "state": "passed", "later": True}

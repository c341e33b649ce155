"""Backups from the window: to a folder or USB stick, and restore (the program then starts again)."""

from __future__ import annotations

from pathlib import Path

from app.services import maintenance, orgs
from app.services.context import Desk
from app.store.startup import open_database
from app.views.main_window import MainWindow
from tests.factories import org_input


def _settings(qtbot, desk: Desk) -> tuple[MainWindow, object]:
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.show()
    w.go_to("settings")
    return w, w.pages["settings"]


def test_backup_to_a_folder(qtbot, desk, tmp_path: Path):
    desk.run(orgs.save, org_input("备份测试中心"))
    w, page = _settings(qtbot, desk)
    stick = tmp_path / "usb"
    stick.mkdir()
    page.backups.backup_to(stick)
    qtbot.waitUntil(lambda: "1" in page.backups.status.text() and page.backups.backup_button.isEnabled(), timeout=10000)
    files = list(stick.iterdir())
    assert len(files) == 1 and files[0].suffix == ".sqlite3"
    assert maintenance.inspect_backup(files[0]).organizations == 1
    assert str(files[0]) in page.backups.status.text()
    w.worker.wait()


def test_backup_to_a_vanished_stick_says_so(qtbot, desk, tmp_path: Path):
    w, page = _settings(qtbot, desk)
    gone = tmp_path / "pulled-out"
    page.backups.backup_to(gone)
    qtbot.waitUntil(lambda: page.backups.backup_button.isEnabled(), timeout=10000)
    assert page.backups.status.text().startswith("备份未完成")
    assert not gone.exists()
    w.worker.wait()


def test_a_file_that_is_not_a_backup_is_refused(qtbot, desk, tmp_path: Path):
    w, page = _settings(qtbot, desk)
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("这不是数据库", encoding="utf-8")
    with qtbot.assertNotEmitted(page.backups.restore_requested):
        page.backups.request_restore(bogus)
        qtbot.waitUntil(lambda: page.backups.restore_button.isEnabled(), timeout=10000)
    assert page.backups.status.text()
    w.worker.wait()


def test_restore_replaces_the_data_and_restarts(qtbot, desk, db, tmp_path: Path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    desk.run(orgs.save, org_input("备份前的组织"))
    made = maintenance.backup(db.path, tmp_path)
    desk.run(orgs.save, org_input("备份后新增的组织"))
    w, _page = _settings(qtbot, desk)
    w.restore_backup(made.path)
    qtbot.waitUntil(lambda: w.restart_requested, timeout=20000)
    again = open_database(db.path)
    try:
        names = [r.name for r in Desk(again).run(orgs.page, orgs.OrgQuery(), 0, 10)]
    finally:
        again.dispose()
    assert names == ["备份前的组织"]


def test_change_my_own_password(qtbot, db):
    from app.services import accounts
    from app.services.context import SYSTEM
    from app.views.password_dialog import ChangePasswordDialog
    from app.views.worker import Worker

    admin = Desk(db).run(accounts.create_first_admin, "wangzr", "王主任", "old-secret-1", "old-secret-1")
    worker = Worker(Desk(db, admin))
    dlg = ChangePasswordDialog(worker)
    qtbot.addWidget(dlg)
    dlg.old.setText("wrong-password")
    dlg.new.setText("new-secret-22")
    dlg.repeat.setText("new-secret-22")
    dlg.save()
    qtbot.waitUntil(lambda: dlg.error.text() != "", timeout=10000)
    assert "当前密码" in dlg.error.text() or "密码" in dlg.error.text()
    dlg.old.setText("old-secret-1")
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.save()
    result = Desk(db, SYSTEM).run(accounts.authenticate, "wangzr", "new-secret-22")
    assert result.actor is not None
    worker.wait()

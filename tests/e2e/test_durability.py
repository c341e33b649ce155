"""Start-up safety: pragmas, one program per database file, a damaged or foreign file never
opened silently, and the recovery dialog that offers the newest good backup."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from app.cli import main
from app.services import maintenance
from app.store import backup as bk
from app.store.lock import DatabaseInUse
from app.store.startup import CannotOpen, DamagedDatabase, NotADatabase, SchemaTooNew, open_database, start
from tests.e2e import sample

ROOT = Path(__file__).resolve().parents[2]
SCREENS = Path("/work/notes/screens")


def _make(path: Path) -> None:
    db = open_database(path)
    sample.fill(db)
    db.dispose()


def _damage(path: Path) -> None:
    """Overwrite a few pages in the middle, as a failing disk does."""
    bk.checkpoint(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for n in (3, 5, 8):
        data[page * n: page * n + 300] = os.urandom(300)
    path.write_bytes(bytes(data))


def test_every_connection_has_wal_full_sync_and_foreign_keys(db) -> None:  # noqa: ANN001
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_a_second_start_on_the_same_file_is_refused_and_the_first_keeps_working(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    first = open_database(path)
    try:
        with pytest.raises(DatabaseInUse) as info:
            open_database(path)
        assert "正在使用" in info.value.message and info.value.holder is not None
        assert info.value.holder.pid == os.getpid()
        # a read-only second opener may read, but cannot write
        reader = open_database(path, read_only=True)
        with reader.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM organizations").scalar() == 0
            with pytest.raises(Exception, match="readonly|read-only|attempt to write"):
                conn.exec_driver_sql("INSERT INTO settings(key, value) VALUES('x', 'y')")
        reader.dispose()
    finally:
        first.dispose()
    open_database(path).dispose()  # released with the first program


def test_the_command_line_refuses_to_write_while_another_program_holds_the_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "desk.sqlite3"
    _make(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from app.store.startup import open_database; "
         "db = open_database(sys.argv[1]); print('open', flush=True); time.sleep(60)", str(path)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(SystemExit) as info:
            main(["--db", str(path), "demo"])
        assert info.value.code == 3
        assert "正在使用" in capsys.readouterr().err
        # reading commands still work while the window is open: backup and check
        assert main(["--db", str(path), "backup"]) == 0
        assert main(["--db", str(path), "check"]) == 0
    finally:
        holder.kill()
        holder.wait()
    open_database(path).dispose()  # the killed holder's lock died with it


def test_a_damaged_file_is_never_opened_and_the_newest_good_backup_is_offered(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    _make(path)
    older = maintenance.backup(path).path  # the day's backup exists already; this is a newer one
    _damage(path)
    before = path.read_bytes()
    with pytest.raises(DamagedDatabase) as info:
        open_database(path)
    assert "损坏" in info.value.message
    assert info.value.newest_backup is not None and info.value.newest_backup.path == older
    assert path.read_bytes() == before  # not touched
    open_database(tmp_path / "other.sqlite3").dispose()  # and the lock was let go
    with pytest.raises(DamagedDatabase):
        open_database(path)


def test_not_a_database_unreadable_and_too_new_give_clear_messages(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite3"
    text.write_text("这不是数据库" * 100, encoding="utf-8")
    with pytest.raises(NotADatabase) as info:
        open_database(text)
    assert "不是" in info.value.message
    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()
    with pytest.raises(CannotOpen):
        open_database(folder)
    newer = tmp_path / "newer.sqlite3"
    open_database(newer).dispose()
    with closing(sqlite3.connect(newer)) as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999_future'")
        conn.commit()
    with pytest.raises(SchemaTooNew) as too_new:
        open_database(newer)
    assert "9999_future" in too_new.value.message


def test_a_foreign_key_problem_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    _make(path)
    with closing(sqlite3.connect(path)) as conn:  # foreign keys are off on a plain connection
        conn.execute("INSERT INTO qualification_checks(org_id, item_code, status, evidence, checked_by_name) "
                     "VALUES (99999, 'x', 'ok', '', '')")
        conn.commit()
    with pytest.raises(DamagedDatabase) as info:
        open_database(path)
    assert "qualification_checks" in info.value.message


@pytest.mark.parametrize("damage", ["page", "link"])
def test_reading_commands_run_the_same_start_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    damage: str) -> None:
    """A list, an export or a backup made from a damaged file, or one whose records point nowhere,
    must not look sound: a reading program runs quick_check and the foreign-key check too."""
    path = tmp_path / "desk.sqlite3"
    _make(path)
    if damage == "page":
        _damage(path)
    else:
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("INSERT INTO qualification_checks(org_id, item_code, status, evidence, checked_by_name) "
                         "VALUES (99999, 'x', 'ok', '', '')")
            conn.commit()
    with pytest.raises(DamagedDatabase) as info:
        open_database(path, read_only=True)
    if damage == "link":
        assert "qualification_checks" in info.value.message
    db, report = start(tmp_path / "sound.sqlite3")
    db.dispose()
    db, report = start(tmp_path / "sound.sqlite3", read_only=True)
    db.dispose()
    assert {"quick_check", "foreign_key_check"} <= set(report.seconds)
    for command in (["orgs", "list", "--json"], ["agreements", "list", "--json"], ["audit", "verify"]):
        try:
            code = main(["--db", str(path), *command])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        assert code == 3 and out == "" and "Traceback" not in err, (command, code, out, err)


def test_start_up_sequence_reports_its_steps(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    _make(path)
    db, report = start(path)
    db.dispose()
    assert {"lock", "quick_check", "foreign_key_check", "total"} <= set(report.seconds)
    assert report.snapshot is None  # no migration pending, so no snapshot


def _recovery_dialog(qtbot, tmp_path: Path):  # noqa: ANN001, ANN202
    from app.views.recovery_dialog import RecoveryDialog

    path = tmp_path / "desk.sqlite3"
    _make(path)
    maintenance.backup(path)  # after the sample data, so the offered backup holds it
    _damage(path)
    with pytest.raises(DamagedDatabase) as info:
        open_database(path)
    assert info.value.newest_backup is not None and info.value.newest_backup.organizations == 25
    dlg = RecoveryDialog(path, info.value)
    qtbot.addWidget(dlg)
    return path, dlg


def test_recovery_dialog_restores_the_newest_good_backup_and_keeps_the_damaged_file(qtbot, tmp_path: Path) -> None:
    path, dlg = _recovery_dialog(qtbot, tmp_path)
    dlg.show()
    assert "恢复" in dlg.restore_button.text() and dlg.quit_button.text() == "退出"
    SCREENS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SCREENS / "recovery_dialog_zh.png"))
    with qtbot.waitSignal(dlg.restored, timeout=20000):
        dlg.restore_button.click()
    assert dlg.result() == dlg.DialogCode.Accepted
    assert "损坏" in dlg.result_message or str(path) in dlg.result_message
    aside = [p for p in tmp_path.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1 and bk.integrity(aside[0]) != "ok"
    db = open_database(path)  # opens cleanly now, with the backup's records
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM organizations").scalar() == 25
    db.dispose()


def test_recovery_dialog_in_english(qtbot, tmp_path: Path) -> None:
    from app.i18n import set_language

    set_language("en")
    path, dlg = _recovery_dialog(qtbot, tmp_path)
    dlg.show()
    assert dlg.restore_button.text() == "Restore the newest good backup"
    SCREENS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SCREENS / "recovery_dialog_en.png"))
    dlg.quit_button.click()
    assert dlg.result() == dlg.DialogCode.Rejected
    assert bk.integrity(path) != "ok"  # quitting leaves everything as it was


def test_recovery_dialog_without_a_backup_only_offers_to_quit(qtbot, tmp_path: Path) -> None:
    from app.views.recovery_dialog import RecoveryDialog

    path = tmp_path / "desk.sqlite3"
    path.write_bytes(b"")
    damage = DamagedDatabase(path, "database disk image is malformed", None)
    dlg = RecoveryDialog(path, damage)
    qtbot.addWidget(dlg)
    assert dlg.restore_button is None
    assert [b.text() for b in dlg.buttons.buttons()] == ["退出"]
    assert "没有" in dlg.offer.text() or "未找到" in dlg.offer.text()
    dlg.quit_button.click()
    assert dlg.result() == dlg.DialogCode.Rejected

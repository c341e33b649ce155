"""Backup and restore: round trip, an older schema upgraded, a newer one refused, the day's
backup and its rotation, and a manual backup to a full, read-only or vanished target."""

from __future__ import annotations

import errno
import sqlite3
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.services import audit, maintenance, orgs
from app.services.context import SYSTEM, Desk
from app.store import backup as bk
from app.store import migrate
from app.store.startup import open_database, start
from tests.e2e import sample
from tests.e2e.test_migrations import make_older_database
from tests.factories import org_input


def _names(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM organizations")}


def _finals(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if not p.name.startswith(".")]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite3"
    db = open_database(path)
    sample.fill(db)
    db.dispose()
    return path


def test_round_trip_brings_back_exactly_what_was_saved_and_keeps_the_current_one(
        db_path: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    made = maintenance.backup(db_path, stick)
    assert made.path.parent == stick and made.organizations == 25
    assert _finals(stick) == [made.path]
    saved = _names(db_path)

    db = open_database(db_path)
    desk = Desk(db)
    desk.run(orgs.save, org_input("备份之后新增的社会组织"))
    db.dispose()
    assert _names(db_path) == saved | {"备份之后新增的社会组织"}

    result = maintenance.restore(db_path, made.path, SYSTEM)
    assert _names(db_path) == saved
    assert result.previous_kept is not None and "备份之后新增的社会组织" in _names(result.previous_kept)
    assert not any(p.exists() for p in bk.sidecars(db_path) if p.name.endswith("-journal"))
    # the restore is audited in the restored database, and the chain holds
    db = open_database(db_path)
    with db.read_session() as s:
        assert audit.verify_chain(s).ok
        labels = [r.entity_label for r in s.scalars(select(audit.AuditRecord)) if r.action == "restore"]
    db.dispose()
    assert set(labels) == {made.path.name}  # one row per recorded field
    assert all(r.ok for r in maintenance.check(db_path))


def test_a_backup_of_an_older_schema_is_upgraded_when_restored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old_file = tmp_path / "old.sqlite3"
    old, create = make_older_database(old_file, monkeypatch, tmp_path / "extra")
    create()
    with closing(sqlite3.connect(old_file)) as conn:
        conn.execute("INSERT INTO settings(key, value) VALUES('old.marker', 'from the old schema')")
        conn.commit()
    backup_file = tmp_path / "old-backup.sqlite3"
    bk.write_backup(old_file, backup_file)
    assert bk.inspect(backup_file).revision == old != migrate.head_revision()

    db_path = tmp_path / "desk.sqlite3"
    open_database(db_path).dispose()
    result = maintenance.restore(db_path, backup_file, SYSTEM)
    assert (result.from_revision, result.to_revision) == (old, migrate.head_revision())
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT value FROM settings WHERE key='old.marker'").fetchone() == ("from the old schema",)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (migrate.head_revision(),)
    assert bk.inspect(backup_file).revision == old  # the backup itself is never changed


def test_a_backup_of_a_newer_schema_is_refused_and_nothing_changes(db_path: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite3"
    bk.write_backup(db_path, newer)
    with closing(sqlite3.connect(newer)) as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999_future'")
        conn.commit()
    before = bk.checkpoint(db_path) or db_path.read_bytes()
    with pytest.raises(maintenance.BackupError, match="9999_future") as info:
        maintenance.restore(db_path, newer, SYSTEM)
    assert "较新版本" in info.value.message or "newer" in info.value.message
    assert db_path.read_bytes() == before
    assert not [p for p in db_path.parent.iterdir() if p.name.endswith(".partial")]


def test_a_damaged_or_foreign_file_is_refused(db_path: Path, tmp_path: Path) -> None:
    junk = tmp_path / "not-a-backup.sqlite3"
    junk.write_bytes(b"PK\x03\x04 this is a zip file" * 100)
    with pytest.raises(maintenance.BackupError):
        maintenance.restore(db_path, junk, SYSTEM)
    damaged = tmp_path / "damaged.sqlite3"
    bk.write_backup(db_path, damaged)
    data = bytearray(damaged.read_bytes())
    data[4096 * 3: 4096 * 3 + 200] = b"\xff" * 200
    damaged.write_bytes(bytes(data))
    assert not bk.inspect(damaged).ok
    with pytest.raises(maintenance.BackupError):
        maintenance.restore(db_path, damaged, SYSTEM)
    assert len(_names(db_path)) == 25


def test_restore_refuses_while_the_database_is_open(db_path: Path, tmp_path: Path) -> None:
    made = maintenance.backup(db_path, tmp_path)
    db = open_database(db_path)
    try:
        from app.store.lock import DatabaseInUse

        with pytest.raises(DatabaseInUse):
            maintenance.restore(db_path, made.path, SYSTEM)
    finally:
        db.dispose()


def test_a_failure_during_restore_leaves_the_database_as_it_was(
        db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = maintenance.backup(db_path, tmp_path)
    db = open_database(db_path)
    Desk(db).run(orgs.save, org_input("恢复失败时必须保留的组织"))
    db.dispose()

    def cut(prepared: Path, target: Path) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(bk, "replace_database", cut)
    with pytest.raises(maintenance.BackupError):
        maintenance.restore(db_path, made.path, SYSTEM)
    assert "恢复失败时必须保留的组织" in _names(db_path)
    assert not [p for p in db_path.parent.iterdir() if ".restore-" in p.name]


def test_the_first_start_of_a_day_backs_up_once_and_rotation_keeps_30_daily_and_12_monthly(
        tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    db, report = start(path, today=date(2026, 6, 15))
    db.dispose()
    assert report.daily_backup is not None and report.daily_backup.name == "desk-daily-20260615.sqlite3"
    db, report = start(path, today=date(2026, 6, 15))
    db.dispose()
    assert report.daily_backup is None
    folder = bk.backups_dir()
    day = date(2024, 1, 1)
    while day < date(2026, 6, 15):  # two and a half years of daily backups
        (folder / bk.backup_name("desk", bk.KIND_DAILY, datetime.combine(day, datetime.min.time()))).write_bytes(b"")
        day += timedelta(days=1)
    (folder / "other-daily-20240101.sqlite3").write_bytes(b"")  # another database's: not touched
    (folder / ".desk-daily-20260616.sqlite3.abcd.partial").write_bytes(b"half")
    bk.rotate(folder, "desk")
    kept = sorted(b.when.date() for b in bk.list_backups(folder, "desk"))
    assert kept[-30:] == [date(2026, 6, 15) - timedelta(days=i) for i in range(29, -1, -1)]
    months = sorted({(d.year, d.month) for d in kept})
    assert len(months) == 12 and months[-1] == (2026, 6) and months[0] == (2025, 7)
    assert len(kept) == 30 + 10  # June and May 2026 are already among the 30 days
    assert (folder / "other-daily-20240101.sqlite3").exists()
    assert not list(folder.glob(".*partial"))


def test_spdesk_backup_check_and_restore_from_the_command_line(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stick = tmp_path / "U盘"
    stick.mkdir()
    assert main(["--db", str(db_path), "backup", "--to", str(stick)]) == 0
    out = capsys.readouterr().out
    made = _finals(stick)
    assert len(made) == 1 and str(made[0]) in out and "备份" in out
    assert main(["--db", str(db_path), "backup"]) == 0  # the day's backup, for a scheduled task
    assert list(bk.backups_dir().glob("desk-*.sqlite3"))
    capsys.readouterr()
    assert main(["--db", str(db_path), "check"]) == 0
    out = capsys.readouterr().out
    assert out.count("[") >= 4 and "审计" in out
    assert main(["--db", str(db_path), "restore", str(made[0])]) == 0
    assert "恢复" in capsys.readouterr().out
    assert main(["--db", str(db_path), "restore", str(tmp_path / "missing.sqlite3")]) == 1
    assert "不存在" in capsys.readouterr().err


def test_spdesk_check_exits_non_zero_on_a_broken_audit_chain_or_link(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        conn.execute("UPDATE audit_log SET new_value='篡改' WHERE id=5")
        conn.commit()
    assert main(["--db", str(db_path), "check"]) == 1
    assert "5" in capsys.readouterr().out
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("INSERT INTO qualification_checks(org_id, item_code, status, evidence, checked_by_name) "
                     "VALUES (99999, 'x', 'ok', '', '')")  # foreign keys are off on this plain connection
        conn.commit()
    results = maintenance.check(db_path)
    assert [r.ok for r in results][:2] == [True, False]


# --- manual backup to a full, read-only or vanished target --------------------------------------

def test_manual_backup_to_a_vanished_folder_says_so_and_writes_nothing(db_path: Path, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    gone = tmp_path / "stick-pulled"
    assert main(["--db", str(db_path), "backup", "--to", str(gone)]) == 1
    assert "U盘" in capsys.readouterr().err
    assert not gone.exists()


def test_manual_backup_to_a_full_disk_leaves_no_partial_file(
        db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stick = tmp_path / "full"
    stick.mkdir()
    real = bk.snapshot

    def fills_up(source: Path, dest: Path) -> None:
        real(source, dest)
        with open(dest, "r+b") as f:  # half of it reached the stick, then the space ran out
            f.truncate(dest.stat().st_size // 2)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(bk, "snapshot", fills_up)
    with pytest.raises(maintenance.BackupError) as info:
        maintenance.backup(db_path, stick)
    assert "空间" in info.value.message
    assert list(stick.iterdir()) == []


def test_manual_backup_to_a_read_only_target_gives_a_clear_message(
        db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stick = tmp_path / "locked"
    stick.mkdir()

    def read_only(path: Path) -> None:  # root ignores folder permissions, so the OS's answer is simulated
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(bk, "_create", read_only)
    with pytest.raises(maintenance.BackupError) as info:
        maintenance.backup(db_path, stick)
    assert "只读" in info.value.message
    assert list(stick.iterdir()) == []


def test_a_stick_pulled_during_the_rename_leaves_no_file_under_the_final_name(
        db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stick = tmp_path / "pulled"
    stick.mkdir()

    def pulled(src: object, dst: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(bk.os, "replace", pulled)
    with pytest.raises(maintenance.BackupError) as info:
        maintenance.backup(db_path, stick)
    assert "U盘" in info.value.message
    assert list(stick.iterdir()) == []


def test_spdesk_restore_needs_the_users_password_and_is_audited_under_that_user(
        db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from app.services import accounts

    db = open_database(db_path)
    Desk(db).run(accounts.create_first_admin, "wangfang", "王芳", "Ab12345678!")
    db.dispose()
    made = maintenance.backup(db_path, tmp_path)
    monkeypatch.delenv("SPDESK_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    with pytest.raises(SystemExit):
        main(["--db", str(db_path), "--user", "wangfang", "restore", str(made.path)])
    assert "SPDESK_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("SPDESK_PASSWORD", "Ab12345678!")
    assert main(["--db", str(db_path), "--user", "wangfang", "restore", str(made.path)]) == 0
    with closing(sqlite3.connect(db_path)) as conn:
        who = {r[0] for r in conn.execute("SELECT username FROM audit_log WHERE action='restore'")}
    assert who == {"wangfang"}

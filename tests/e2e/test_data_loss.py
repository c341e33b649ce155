"""Issue 14, data loss: each finding reproduced and shown handled.

Pre-restore copies survive any number of restores and rotations; `print --out` never writes over
the database, its sidecars or a non-PDF file; a -wal beside a backup is folded into the restore;
a killed restore's working copy is removed at the next start; a print is on record only when its
file was written.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models.printing import PrintRecord
from app.services import maintenance, orgs
from app.services.context import SYSTEM, Desk
from app.store import backup as bk
from app.store.db import add_functions
from app.store.startup import open_database
from tests.db_templates import DatabaseTemplates, sample_data
from tests.e2e import sample
from tests.e2e.cli import run_cli
from tests.factories import org_input

# Every test here runs the command line as a script would: no credentials, no terminal.
pytestmark = pytest.mark.usefixtures("no_credentials")


def _names(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM organizations")}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite3"
    db = open_database(path)
    sample.fill(db)
    db.dispose()
    return path


def test_eleven_restores_and_a_rotation_keep_every_pre_restore_copy(db_path: Path, tmp_path: Path) -> None:
    db = open_database(db_path)
    Desk(db).run(orgs.save, org_input("今天录入的社会组织"))
    db.dispose()
    stick = tmp_path / "stick"
    stick.mkdir()
    made = maintenance.backup(db_path, stick)
    first = maintenance.restore(db_path, made.path, SYSTEM)
    for _i in range(10):
        maintenance.restore(db_path, made.path, SYSTEM)
    # and the days go by: daily backups rotate
    for d in range(40):
        maintenance.backup(db_path, None, now=datetime(2026, 1, 1) + timedelta(days=d))
    assert first.previous_kept is not None and first.previous_kept.exists()
    assert first.previous_kept.parent == bk.prerestore_dir()
    assert len(list(bk.prerestore_dir().iterdir())) == 11
    assert "今天录入的社会组织" in _names(first.previous_kept)
    # an old-style pre-restore copy among the rotated backups is not removed either
    legacy = bk.backups_dir() / bk.backup_name(db_path.stem, bk.KIND_PRERESTORE, datetime(2020, 1, 1))
    shutil.copy(first.previous_kept, legacy)
    bk.rotate(bk.backups_dir(), db_path.stem, keep_other=0)
    assert legacy.exists()


def test_restore_includes_the_wal_beside_a_copy_of_a_live_database(db_path: Path, tmp_path: Path) -> None:
    live = tmp_path / "live" / "office.sqlite3"
    live.parent.mkdir()
    shutil.copy(db_path, live)
    with closing(sqlite3.connect(live, isolation_level=None)) as conn:
        add_functions(conn)  # the program's own connection has the search index's function
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("UPDATE organizations SET name = name || '（最新）' WHERE id = (SELECT min(id) FROM "
                     "organizations)")
        # copied while the program still runs: the newest transaction is only in the -wal
        copy = tmp_path / "usb" / "office.sqlite3"
        copy.parent.mkdir()
        shutil.copy(live, copy)
        shutil.copy(live.with_name(live.name + "-wal"), copy.with_name(copy.name + "-wal"))
    assert not any(n.endswith("（最新）") for n in _names_without_wal(copy))
    wal_before = copy.with_name(copy.name + "-wal").read_bytes()
    result = maintenance.restore(db_path, copy, SYSTEM)
    assert result.wal_included and "-wal" in result.message()
    assert any(n.endswith("（最新）") for n in _names(db_path))
    assert copy.with_name(copy.name + "-wal").read_bytes() == wal_before  # the backup is left as it was


def _names_without_wal(path: Path) -> set[str]:
    bare = path.with_name("bare-" + path.name)
    shutil.copy(path, bare)
    try:
        return _names(bare)
    finally:
        bare.unlink()


def test_a_killed_restores_working_copy_is_removed_at_the_next_start(db_path: Path) -> None:
    partial = db_path.with_name(f".{db_path.name}.restore-0123abcd{bk.PARTIAL}")
    partial.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4096)
    partial.with_name(partial.name + "-wal").write_bytes(b"x")
    other = db_path.with_name(".other.sqlite3.restore-0123abcd.partial")  # another database's: not ours to remove
    other.write_bytes(b"x")
    open_database(db_path).dispose()
    assert not partial.exists() and not partial.with_name(partial.name + "-wal").exists()
    assert other.exists()


@pytest.fixture
def demo_db(tmp_path: Path, db_templates: DatabaseTemplates) -> Path:
    """The sample data (copied from the template made once per process), opened once by the program's start-up."""
    path = db_templates.copy(tmp_path / "demo.sqlite3", sample_data(None))
    open_database(path).dispose()
    return path


def _number(demo_db: Path) -> str:
    with closing(sqlite3.connect(demo_db)) as conn:
        return str(conn.execute("SELECT number FROM agreements WHERE state='performing' LIMIT 1").fetchone()[0])


def _prints(demo_db: Path) -> int:
    db = open_database(demo_db, read_only=True)
    try:
        with db.read_session() as s:
            return int(s.scalar(select(func.count()).select_from(PrintRecord)) or 0)
    finally:
        db.dispose()


def test_print_out_refuses_the_database_and_its_sidecars(capsys: pytest.CaptureFixture[str], demo_db: Path) -> None:
    number = _number(demo_db)
    before = demo_db.read_bytes()
    for target in (demo_db, demo_db.with_name(demo_db.name + "-wal"), demo_db.with_name(demo_db.name + "-shm"),
                   demo_db.with_name(demo_db.name + "-journal")):
        for extra in ((), ("--force",)):
            code, _out, err = run_cli(capsys, demo_db, "print", "agreement", number, "--out", str(target), *extra)
            assert code == 2 and "数据库" in err and "Traceback" not in err
    assert demo_db.read_bytes() == before
    assert not demo_db.with_name(demo_db.name + "-journal").exists()
    # the same file reached by another name
    code, _out, err = run_cli(capsys, demo_db, "print", "agreement", number, "--out",
                           str(demo_db.parent / "." / demo_db.name))
    assert code == 2
    assert _prints(demo_db) == 0


def test_print_out_refuses_an_existing_non_pdf_unless_forced(capsys: pytest.CaptureFixture[str], demo_db: Path,
                                                            tmp_path: Path) -> None:
    number = _number(demo_db)
    notes = tmp_path / "工作笔记.docx"
    notes.write_bytes(b"PK\x03\x04 important notes")
    code, _out, err = run_cli(capsys, demo_db, "print", "agreement", number, "--out", str(notes))
    assert code == 2 and "--force" in err
    assert notes.read_bytes() == b"PK\x03\x04 important notes" and _prints(demo_db) == 0
    code, _out, err = run_cli(capsys, demo_db, "print", "agreement", number, "--out", str(notes), "--force")
    assert code == 0, err
    assert notes.read_bytes().startswith(b"%PDF") and _prints(demo_db) == 1
    # an existing PDF is replaced without --force (printing again)
    code, _out, err = run_cli(capsys, demo_db, "print", "agreement", number, "--out", str(notes))
    assert code == 0, err


def test_print_to_a_missing_folder_says_so_and_records_nothing(capsys: pytest.CaptureFixture[str],
                                                               demo_db: Path, tmp_path: Path) -> None:
    number = _number(demo_db)
    code, _out, err = run_cli(capsys, demo_db, "print", "agreement", number, "--out",
                           str(tmp_path / "没有的文件夹" / "合同.pdf"))
    assert code != 0 and "没有的文件夹" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert _prints(demo_db) == 0


def test_a_print_is_recorded_only_after_its_file_is_written(capsys: pytest.CaptureFixture[str], demo_db: Path,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    number = _number(demo_db)
    real_replace = os.replace

    def disk_full(src: object, dst: object) -> None:
        if str(dst).endswith(".pdf"):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", disk_full)
    code, _out, err = run_cli(capsys, demo_db, "print", "agreement", number, "--out", str(tmp_path / "合同.pdf"))
    assert code != 0 and "空间" in err and "Traceback" not in err
    monkeypatch.setattr(os, "replace", real_replace)
    assert _prints(demo_db) == 0
    assert [p for p in tmp_path.iterdir() if p.suffix in (".pdf", ".tmp")] == []


# --- restore validation ----------------------------------------------------------------------

def _doctored_backup(db_path: Path, tmp_path: Path, *sql: str) -> Path:
    stick = tmp_path / "stick"
    stick.mkdir(exist_ok=True)
    made = maintenance.backup(db_path, stick).path
    with closing(sqlite3.connect(made, isolation_level=None)) as conn:
        for statement in sql:
            conn.execute(statement)
    return made


def _trigger_sql(db_path: Path, name: str) -> str:
    with closing(sqlite3.connect(db_path)) as conn:
        return str(conn.execute("SELECT sql FROM sqlite_master WHERE name=?", (name,)).fetchone()[0])


PLANTED = ("CREATE TRIGGER promote AFTER INSERT ON users BEGIN "
           "UPDATE users SET roles = 'admin,finance' WHERE id = NEW.id; END")


@pytest.mark.parametrize(("sql", "words"), [
    ((PLANTED,), ["promote", "触发器"]),
    (("CREATE VIEW everything AS SELECT * FROM users",), ["everything", "视图"]),
    (("DROP TABLE print_records",), ["print_records", "缺少"]),
    (("DROP TABLE print_records", "DROP TABLE template_versions"), ["print_records", "template_versions"]),
    (("DROP TRIGGER audit_log_no_update",), ["audit_log_no_update"]),
    (("CREATE INDEX ix_sneaky ON organizations(name)",), ["ix_sneaky"]),
])
def test_restore_refuses_a_schema_that_is_not_exactly_ours(db_path: Path, tmp_path: Path, sql: tuple[str, ...],
                                                           words: list[str]) -> None:
    bad = _doctored_backup(db_path, tmp_path, *sql)
    before = db_path.read_bytes()
    with pytest.raises(maintenance.BackupError) as caught:
        maintenance.restore(db_path, bad, SYSTEM)
    for word in words:
        assert word in caught.value.message
    assert "未做任何更改" in caught.value.message
    assert db_path.read_bytes() == before
    assert bk.restore_partials(db_path) == []


def test_restore_refuses_a_broken_audit_chain_and_broken_links(db_path: Path, tmp_path: Path) -> None:
    upd = _trigger_sql(db_path, "audit_log_no_update")
    bad = _doctored_backup(db_path, tmp_path, "DROP TRIGGER audit_log_no_update",
                           "UPDATE audit_log SET new_value = '假的' WHERE id = 3", upd)
    with pytest.raises(maintenance.BackupError) as caught:
        maintenance.restore(db_path, bad, SYSTEM)
    assert "审计" in caught.value.message and "3" in caught.value.message
    bad.unlink()
    bad = _doctored_backup(db_path, tmp_path, "PRAGMA foreign_keys=OFF",
                           "UPDATE qualification_checks SET org_id = 99999 "
                           "WHERE id = (SELECT min(id) FROM qualification_checks)")
    with pytest.raises(maintenance.BackupError) as caught:
        maintenance.restore(db_path, bad, SYSTEM)
    assert "qualification_checks" in caught.value.message


def test_restore_of_a_file_with_only_the_version_table_is_refused_in_one_sentence(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = tmp_path / "bare.sqlite3"
    with closing(sqlite3.connect(bare)) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('0004')")
        conn.commit()
    code, _out, err = run_cli(capsys, db_path, "restore", str(bare))
    assert code == 1 and "Traceback" not in err and "bare.sqlite3" in err
    assert len(err.strip().splitlines()) == 1


def test_check_reports_a_dropped_protective_trigger_and_a_planted_one(db_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert all(r.ok for r in maintenance.check(db_path))
    with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute(PLANTED)
    code, out, _err = run_cli(capsys, db_path, "check")
    assert code == 1 and "audit_log_no_delete" in out and "promote" in out


# --- audit evidence ---------------------------------------------------------------------------

def _sql(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for statement in statements:
            conn.execute(statement)


def test_check_reports_direct_edits_of_an_agreement_amount_and_a_users_roles(
        demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.services import accounts

    db = open_database(demo_db)
    desk = Desk(db)
    desk.run(accounts.create_first_admin, "admin", "管理员", "Ab12345678!", "Ab12345678!")
    uid = desk.run(accounts.create_user, "caiwu", "财务", ["finance"], "Cd12345678!", "Cd12345678!")
    db.dispose()
    code, out, _err = run_cli(capsys, demo_db, "check")
    assert code == 0, out
    with closing(sqlite3.connect(demo_db)) as conn:
        aid, amount = conn.execute("SELECT id, amount FROM agreements WHERE state='performing' LIMIT 1").fetchone()
    _sql(demo_db, f"UPDATE agreements SET amount = amount * 10 WHERE id = {aid}",
         f"UPDATE users SET roles = 'admin,finance' WHERE id = {uid}")
    code, out, _err = run_cli(capsys, demo_db, "check")
    assert code == 1
    assert f"agreements，记录 {aid}，字段 amount" in out and f"users，记录 {uid}，字段 roles" in out
    # a row slipped in without any audit record, and one removed without one
    _sql(demo_db, "INSERT INTO settings(key, value) VALUES ('x', 'y')")
    with closing(sqlite3.connect(demo_db)) as conn:
        org_id = conn.execute("SELECT max(id) FROM organizations").fetchone()[0]
    _sql(demo_db, "PRAGMA foreign_keys=OFF", f"DELETE FROM organizations WHERE id = {org_id}")
    code, out, _err = run_cli(capsys, demo_db, "check")
    assert code == 1 and f"organizations，记录 {org_id}" in out


def test_check_reports_a_password_hash_written_into_the_file(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A known password put on the administrator's account with SQL is reported, as other direct edits
    are; changing it through the program is not. An account from before fingerprints were recorded
    gets its fingerprint at its next log-in and is watched from then on."""
    from app.services import accounts

    db = open_database(db_path)
    desk = Desk(db)
    admin = desk.run(accounts.create_first_admin, "admin", "管理员", "Ab12345678!", "Ab12345678!")
    uid = desk.run(accounts.create_user, "caiwu", "财务", ["finance"], "Cd12345678!", "Cd12345678!")
    Desk(db, desk.run(accounts.authenticate, "caiwu", "Cd12345678!").actor).run(
        accounts.change_password, "Cd12345678!", "Ef12345678!")
    desk.run(accounts.reset_password, uid, "Gh12345678!", "Gh12345678!")
    assert desk.run(accounts.authenticate, "caiwu", "Gh12345678!").ok
    with db.session() as s:
        from app.models import User

        known = s.get(User, uid).password_hash  # a hash whose password the intruder knows
    db.dispose()
    code, out, _err = run_cli(capsys, db_path, "check")
    assert code == 0, out
    _sql(db_path, f"UPDATE users SET password_hash = '{known}' WHERE id = {admin.id}")
    code, out, _err = run_cli(capsys, db_path, "check")
    assert code == 1 and f"users，记录 {admin.id}，字段 password_fingerprint" in out, out
    assert f"记录 {uid}，" not in out


def test_an_account_from_before_fingerprints_is_watched_from_its_next_log_in(db_path: Path) -> None:
    from app.models import User
    from app.services import accounts, audit, audit_replay

    db = open_database(db_path)
    with db.session() as s:  # as the program wrote accounts before it recorded fingerprints
        u = User(username="old", display_name="老用户", roles="admin", active=True,
                 password_hash=accounts._hasher().hash("Ab12345678!"))
        s.add(u)
        s.flush()
        audit.record(s, SYSTEM, "create", "user", u.id, u.username,
                     {"username": (None, u.username), "display_name": (None, u.display_name), "roles": (None, u.roles)})
        uid = u.id
    with db.read_session() as s:
        assert audit_replay.direct_edits(s) == []  # nothing recorded yet, nothing compared
    assert Desk(db).run(accounts.authenticate, "old", "Ab12345678!").ok  # records the fingerprint
    with db.read_session() as s:
        assert audit_replay.direct_edits(s) == []
    db.dispose()
    _sql(db_path, f"UPDATE users SET password_hash = 'x' || password_hash WHERE id = {uid}")
    db = open_database(db_path)
    with db.read_session() as s:
        assert [(e.table, e.record, e.field) for e in audit_replay.direct_edits(s)] == \
            [("users", str(uid), accounts.PASSWORD_FINGERPRINT)]
    db.dispose()


def test_check_finds_nothing_on_a_database_changed_only_through_the_program(db_path: Path) -> None:
    db = open_database(db_path)
    with db.read_session() as s:
        from app.services import audit_replay

        assert audit_replay.direct_edits(s) == []
    db.dispose()


def _rewrite_chain(path: Path, change_id: int | None = None, drop_after: int | None = None) -> None:
    """What a person with the file and this program's source can do: edit or cut, then recompute."""
    from app.models import AuditRecord
    from app.services import audit

    with closing(sqlite3.connect(path)) as conn:
        triggers = [r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type='trigger' "
                                                "AND tbl_name='audit_log'")]
    _sql(path, "DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete")
    if drop_after is not None:
        _sql(path, f"DELETE FROM audit_log WHERE id > {drop_after}")
    db = open_database(path, daily_backup=False)
    with db.session() as s:
        prev = audit.GENESIS
        for r in s.scalars(select(AuditRecord).order_by(AuditRecord.id)):
            if r.id == change_id:
                r.new_value = "改写过的值"
            r.prev_hash = prev
            r.hash = audit.row_digest(r)
            prev = r.hash
    db.dispose()
    _sql(path, *triggers)


@pytest.mark.parametrize("attack", ["truncate", "recompute"])
def test_audit_verify_against_a_backup_catches_truncation_and_recomputation(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], attack: str) -> None:
    stick = tmp_path / "U盘"
    stick.mkdir()
    made = maintenance.backup(db_path, stick).path
    db = open_database(db_path)
    Desk(db).run(orgs.save, org_input("备份之后录入的社会组织"))
    db.dispose()
    code, out, _err = run_cli(capsys, db_path, "audit", "verify", "--against", str(stick))
    assert code == 0, out
    with closing(sqlite3.connect(made)) as conn:
        anchored = conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    if attack == "truncate":
        _rewrite_chain(db_path, drop_after=anchored - 3)
    else:
        _rewrite_chain(db_path, change_id=anchored - 3)
    code, out, _err = run_cli(capsys, db_path, "audit", "verify")
    assert code == 0  # the chain alone looks intact: that is the attack
    code, out, _err = run_cli(capsys, db_path, "audit", "verify", "--against", str(made))
    assert code == 1 and str(anchored) in out
    assert ("删除" in out) if attack == "truncate" else ("改写" in out)
    code, out, _err = run_cli(capsys, db_path, "audit", "verify", "--against", str(stick))
    assert code == 1


@pytest.mark.parametrize("attack", ["truncate", "recompute"])
def test_each_print_records_the_chain_head_and_the_trail_must_extend_it(
        demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], attack: str) -> None:
    """The verification record of a print keeps where the chain stood (issue 14): cutting the trail back
    past it, or rewriting an earlier record and recomputing, is caught by `audit verify` and named by
    `spdesk verify` of that print's code."""
    number = _number(demo_db)
    with closing(sqlite3.connect(demo_db)) as conn:
        before_id, before_head = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    code, out, err = run_cli(capsys, demo_db, "print", "agreement", number, "--out", str(tmp_path / "a.pdf"))
    assert code == 0, err
    assert f"记录 {before_id}" in out and before_head in out  # shown, to be noted down with the copy
    with closing(sqlite3.connect(demo_db)) as conn:
        printed_code, last_id, head = conn.execute(
            "SELECT code, audit_last_id, audit_head FROM print_records ORDER BY id DESC LIMIT 1").fetchone()
    assert (last_id, head) == (before_id, before_head)
    code, out, _err = run_cli(capsys, demo_db, "audit", "verify")
    assert code == 0 and "1" in out.splitlines()[-1], out
    code, out, _err = run_cli(capsys, demo_db, "verify", printed_code)
    assert code == 0 and "审计" not in out, out
    code, out, _err = run_cli(capsys, demo_db, "check")
    assert code == 0 and "打印件的审计锚点" in out, out
    if attack == "truncate":
        _rewrite_chain(demo_db, drop_after=last_id - 2)
    else:
        _rewrite_chain(demo_db, change_id=last_id - 2)
    code, out, _err = run_cli(capsys, demo_db, "audit", "verify")
    assert code == 1 and number in out and str(last_id) in out, out
    assert ("删除" in out) if attack == "truncate" else ("改写" in out)
    code, out, _err = run_cli(capsys, demo_db, "verify", printed_code)
    assert "审计记录" in out and str(last_id) in out, out
    code, out, _err = run_cli(capsys, demo_db, "check")
    assert code == 1 and f"[有问题] 打印件的审计锚点: {number}" in out, out


def test_a_manifest_anchor_and_a_folder_without_anchors(db_path: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from app.services import audit

    db = open_database(db_path)
    with db.read_session() as s:
        anchor = audit.current_anchor(s)
    db.dispose()
    manifest = tmp_path / "export" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text(json.dumps({"month": "2026-05", "audit": anchor.as_manifest()}), encoding="utf-8")
    code, out, _err = run_cli(capsys, db_path, "audit", "verify", "--against", str(manifest))
    assert code == 0 and str(anchor.last_id) in out
    _rewrite_chain(db_path, drop_after=anchor.last_id - 1)
    code, out, _err = run_cli(capsys, db_path, "audit", "verify", "--against", str(manifest.parent))
    assert code == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _out, err = run_cli(capsys, db_path, "audit", "verify", "--against", str(empty))
    assert code == 2 and "empty" in err

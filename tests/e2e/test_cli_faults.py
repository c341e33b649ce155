"""Issue 14: every subcommand on a read-only folder and on a full disk ends in one clear sentence
and a non-zero exit (or, for a command that only reads and can, in its normal output) — never a
traceback.

The faults are real, not simulated: a small tmpfs is mounted (and for the read-only case remounted
read-only), and for the full disk the rest of its space is taken by a filler file. Mounting needs
root (CAP_SYS_ADMIN), which the test machines and CI containers have; elsewhere these tests are
skipped with that reason. To reproduce by hand:
    mount -t tmpfs -o size=8m tmpfs /mnt/full && cp desk.sqlite3 /mnt/full/ &&
    dd if=/dev/zero of=/mnt/full/filler bs=64k ; spdesk --db /mnt/full/desk.sqlite3 users add …
    mount -o remount,ro /mnt/ro
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.services.context import Desk
from app.store.startup import open_database
from tests.db_templates import DatabaseTemplates, sample_data

PASSWORD = "Ab12345678!"
LEDGER = Path(__file__).resolve().parents[1] / "data" / "ledgers" / "gbk.csv"


def _mount(folder: Path, size_kb: int) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, db_templates: DatabaseTemplates) -> Path:
    """A database with sample agreements (copied from the template made once per process) and an
    administrator, made on an ordinary disk."""
    folder = tmp_path_factory.mktemp("office")
    path = db_templates.copy(folder / "desk.sqlite3", sample_data(None))
    old = os.environ.get("SPDESK_DATA_DIR")
    os.environ["SPDESK_DATA_DIR"] = str(folder / "data")
    try:
        db = open_database(path)
        desk = Desk(db)
        from app.services import accounts

        desk.run(accounts.create_first_admin, "admin", "管理员", PASSWORD, PASSWORD)
        desk.run(accounts.create_user, "clerk1", "经办人", ["clerk"], PASSWORD, PASSWORD)
        db.dispose()
    finally:
        if old is None:
            os.environ.pop("SPDESK_DATA_DIR", None)
        else:
            os.environ["SPDESK_DATA_DIR"] = old
    return path


def _number(db: Path) -> str:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return str(conn.execute("SELECT number FROM agreements WHERE state='performing' LIMIT 1").fetchone()[0])


def _commands(number: str, out: Path, backup: Path) -> list[list[str]]:
    return [
        ["demo"], ["orgs", "list"], ["orgs", "import", str(LEDGER)], ["orgs", "import", str(LEDGER), "--dry-run"],
        ["agreements", "list"], ["agreements", "show", number],
        ["print", "agreement", number, "--out", str(out / "合同.pdf")],
        ["print", "agreement", number, "--out", str(out / "预览.pdf"), "--preview"], ["verify", "ABCD-EFGH"],
        ["users", "list"], ["users", "add", "clerk9", "--roles", "clerk", "--password-stdin"],
        ["users", "reset-password", "clerk1", "--password-stdin"], ["users", "disable", "clerk1"],
        ["users", "enable", "clerk1"], ["users", "passwd", "--password-stdin"],
        ["audit", "verify"], ["audit", "head"], ["audit", "list"],
        ["backup"], ["backup", "--to", str(out)], ["restore", str(backup)], ["check"],
    ]


@pytest.fixture
def faulty(tmp_path: Path, office: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    kind = request.param
    mnt = tmp_path / kind
    size = office.stat().st_size // 1024 + 3000
    if not _mount(mnt, size):
        pytest.skip("mounting a tmpfs needs root (CAP_SYS_ADMIN); see the module docstring")
    try:
        (mnt / "data").mkdir()
        shutil.copy(office, mnt / "desk.sqlite3")
        if kind == "full":
            with open(mnt / "filler", "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            # and the last few blocks too
            try:
                with open(mnt / "filler2", "wb") as f:
                    while True:
                        f.write(b"\0" * 512)
                        f.flush()
            except OSError:
                pass
        else:
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True, capture_output=True)
        yield kind, mnt
    finally:
        _umount(mnt)


@pytest.mark.slow
@pytest.mark.parametrize("faulty", ["read-only", "full"], indirect=True)
def test_every_subcommand_on_a_faulty_disk_ends_in_one_sentence(
        faulty: tuple[str, Path], office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    kind, mnt = faulty
    db = mnt / "desk.sqlite3"
    monkeypatch.setenv("SPDESK_DATA_DIR", str(mnt / "data"))
    monkeypatch.setenv("SPDESK_USER", "admin")
    monkeypatch.setenv("SPDESK_PASSWORD", PASSWORD)
    number = _number(office)
    good_backup = tmp_path / "good-backup.sqlite3"
    shutil.copy(office, good_backup)
    failures = []
    for args in _commands(number, mnt, good_backup):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n{PASSWORD}\nXy98765432!\nXy98765432!\n"))
        try:
            code = main(["--db", str(db), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        except BaseException as exc:  # noqa: BLE001 - the point of the test
            failures.append(f"{' '.join(args)}: raised {type(exc).__name__}: {exc}")
            continue
        out, err = capsys.readouterr()
        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
        if "Traceback" in err or "Error:" in err:
            failures.append(f"{' '.join(args)}: {err}")
        elif args == ["check"]:  # a report on standard output, one line per check, and exit 1
            if code == 0 or "[" not in out:
                failures.append(f"check: exit {code}: {out!r}")
        elif code != 0 and len(lines) != 1:
            failures.append(f"{' '.join(args)}: exit {code} with {len(lines)} lines: {err!r}")
        elif code == 0 and args[0] not in ("orgs", "agreements", "verify", "users", "audit", "check") \
                and args[-1] != "--dry-run" and "--preview" not in args:
            failures.append(f"{' '.join(args)}: succeeded on a {kind} disk: {out!r}")
    assert not failures, "\n".join(failures)
    if kind == "read-only":  # a backup of a database on read-only media blames the database, not the stick
        stick = tmp_path / "stick"
        stick.mkdir()
        code = main(["--db", str(db), "backup", "--to", str(stick)])
        err = capsys.readouterr().err
        assert code == 1 and "无法读取数据库" in err and list(stick.iterdir()) == []

"""`spdesk export month` and `spdesk export verify` end to end: exit codes, messages, database untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.services.orgs import ensure_default_domains
from app.store.startup import open_database
from tests.e2e.cli import run_cli
from tests.summary_data import seed

# Every test here runs the command line as a script would: no credentials, no terminal.
pytestmark = pytest.mark.usefixtures("no_credentials")


@pytest.fixture
def dbfile(tmp_path) -> Path:
    path = tmp_path / "desk.sqlite3"
    db = open_database(path)
    with db.session() as s:
        ensure_default_domains(s)
    seed(db, n=30)
    db.dispose()
    return path


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.parent.glob(path.name + "*")):
        if not p.name.endswith(".lock"):
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def test_export_month_all_formats_then_verify(capsys, dbfile, tmp_path):
    out_dir = tmp_path / "stick"
    out_dir.mkdir()
    before = _digest(dbfile)
    code, out, err = run_cli(capsys, dbfile, "export", "month", "2026-05", "--to", str(out_dir))
    assert code == 0, err
    assert _digest(dbfile) == before  # the database is never touched by an export
    pkg = next(out_dir.iterdir())
    suffixes = {p.suffix for p in pkg.iterdir()}
    assert suffixes == {".xlsx", ".pdf", ".csv", ".json"}
    code, out, err = run_cli(capsys, dbfile, "export", "verify", str(pkg))
    assert code == 0 and "完好" in out
    code, out, err = run_cli(capsys, dbfile, "audit", "verify", "--against", str(pkg / "manifest.json"))
    assert code == 0, err  # the manifest's audit anchor: the trail still extends it
    code, out, err = run_cli(capsys, dbfile, "export", "verify", str(out_dir))  # the stick holding packages
    assert code == 0
    victim = next(p for p in pkg.iterdir() if p.suffix == ".xlsx")
    victim.write_bytes(victim.read_bytes()[:-10])
    (pkg / "汇总-2026-05.json").unlink()
    code, out, err = run_cli(capsys, dbfile, "export", "verify", str(pkg))
    assert code == 1 and victim.name in err and "汇总-2026-05.json" in err and "Traceback" not in err


def test_export_some_formats(capsys, dbfile, tmp_path):
    code, _o, err = run_cli(capsys, dbfile, "export", "month", "2026-04", "--to", str(tmp_path), "--formats", "xlsx,csv")
    assert code == 0, err
    pkg = next(p for p in tmp_path.iterdir() if p.is_dir() and "月度汇总" in p.name)
    assert {p.suffix for p in pkg.iterdir()} == {".xlsx", ".csv", ".json"}  # .json: the manifest


@pytest.mark.parametrize("args, code, words", [
    (["2026-13"], 2, "2026-03"),
    (["March"], 2, "2026-03"),
    (["2026-05", "--formats", "docx"], 2, "docx"),
])
def test_bad_input_exits_non_zero_with_a_message(capsys, dbfile, tmp_path, args, code, words):
    got, _out, err = run_cli(capsys, dbfile, "export", "month", *args, "--to", str(tmp_path))
    assert got == code and words in err and "Traceback" not in err


def test_missing_target(capsys, dbfile, tmp_path):
    got, _out, err = run_cli(capsys, dbfile, "export", "month", "2026-05", "--to", str(tmp_path / "gone"))
    assert got == 1 and "不可用" in err


def test_verify_a_folder_without_manifest(capsys, dbfile, tmp_path):
    got, _out, err = run_cli(capsys, dbfile, "export", "verify", str(tmp_path / "nothing"))
    assert got == 1
    (tmp_path / "empty").mkdir()
    got, _out, err = run_cli(capsys, dbfile, "export", "verify", str(tmp_path / "empty"))
    assert got == 1 and "manifest.json" in err

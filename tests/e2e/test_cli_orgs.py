"""`spdesk orgs import` and `spdesk orgs list` from the command line, with a temporary database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]
LEDGERS = ROOT / "tests" / "data" / "ledgers"


def _run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _listed(capsys, db: Path) -> list[dict]:
    code, out, _err = _run(capsys, db, "orgs", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def test_import_json_one_object_per_data_row(capsys, tmp_path):
    db = tmp_path / "desk.sqlite3"
    code, out, err = _run(capsys, db, "orgs", "import", str(LEDGERS / "street_ledger.xlsx"), "--json")
    assert code == 1, err  # some rows are invalid
    rows = _lines(out)
    assert [r["row"] for r in rows] == [5, 6, 8, 9, 10, 11, 12, 13, 14, 15]
    assert {r["row"]: r["status"] for r in rows if r["status"] != "invalid"} == {
        5: "imported", 6: "imported", 8: "imported", 12: "duplicate", 13: "imported"}
    assert all(r["reasons"] for r in rows if r["status"] != "imported")
    assert any("统一社会信用代码" in reason for r in rows if r["row"] == 9 for reason in r["reasons"])
    listed = _listed(capsys, db)
    assert sorted(r["name"] for r in listed) == sorted(
        ["阳光社会工作服务中心", "邻里互助协会", "夕阳红养老服务中心", "社区矫正帮教服务社"])
    assert all(len(r["credit_code"]) == 18 for r in listed)


def test_clean_file_exits_zero_and_reimport_adds_nothing(capsys, tmp_path):
    db = tmp_path / "desk.sqlite3"
    code, out, _err = _run(capsys, db, "orgs", "import", str(LEDGERS / "utf8_bom.csv"), "--json")
    assert code == 0
    assert [r["status"] for r in _lines(out)] == ["imported", "imported"]
    code, out, _err = _run(capsys, db, "orgs", "import", str(LEDGERS / "utf8_bom.csv"), "--json")
    assert code == 0
    assert [r["status"] for r in _lines(out)] == ["duplicate", "duplicate"]
    assert len(_listed(capsys, db)) == 2


def test_dry_run_saves_nothing(capsys, tmp_path):
    db = tmp_path / "desk.sqlite3"
    code, out, _err = _run(capsys, db, "orgs", "import", str(LEDGERS / "gbk.csv"), "--dry-run", "--json")
    assert code == 1
    assert {r["row"]: r["status"] for r in _lines(out)} == {
        4: "imported", 5: "imported", 6: "invalid", 7: "duplicate", 8: "imported"}
    assert _listed(capsys, db) == []


def test_plain_output_has_a_line_per_row_and_a_summary(capsys, tmp_path):
    db = tmp_path / "desk.sqlite3"
    code, out, _err = _run(capsys, db, "orgs", "import", str(LEDGERS / "english.csv"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("2\t已导入\tHarmony Community Centre")
    assert lines[-1].startswith("已导入2个组织")


def test_unreadable_file_exits_two_with_a_message(capsys, tmp_path):
    db = tmp_path / "desk.sqlite3"
    # utf16.csv is read since issue 14 (the encoding is detected per file); see test_ledger_hardening.
    for name, words in (("protected.xlsx", "密码"), ("missing.csv", "不存在")):
        code, out, err = _run(capsys, db, "orgs", "import", str(LEDGERS / name), "--json")
        assert code == 2 and out == ""
        assert words in err and "Traceback" not in err


def test_real_entry_point_in_english(tmp_path):
    """The installed command path: a separate process, English messages, exit codes."""
    db = tmp_path / "desk.sqlite3"
    env = {**os.environ, "SPDESK_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app", "--lang", "en", "--db", str(db), *args],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    done = run("orgs", "import", str(LEDGERS / "vertical_header.xlsx"), "--json")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["status"] for line in done.stdout.splitlines()] == ["imported"] * 3
    done = run("orgs", "import", str(LEDGERS / "protected.xlsx"))
    assert done.returncode == 2 and "password" in done.stderr and "Traceback" not in done.stderr
    done = run("orgs", "list", "--json")
    assert done.returncode == 0
    assert {r["name"] for r in json.loads(done.stdout)} == {"睦邻志愿者协会", "银龄互助服务中心", "社区书香读书会"}

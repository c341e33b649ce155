"""`spdesk print …` and `spdesk verify CODE` end to end, with their exit codes."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from app.services import agreements as ag
from app.services.context import Desk
from app.store.startup import open_database
from tests.db_templates import DatabaseTemplates, sample_data
from tests.e2e.cli import run_cli

# Every test here runs the command line as a script would: no credentials, no terminal.
pytestmark = pytest.mark.usefixtures("no_credentials")


@pytest.fixture
def db(tmp_path, db_templates: DatabaseTemplates) -> Path:
    """Sample agreements in every state (made through the services: `spdesk demo` keeps its lock until exit),
    copied from the template made once per process, and opened once by the program's start-up."""
    path = db_templates.copy(tmp_path / "desk.sqlite3", sample_data(None))
    open_database(path).dispose()
    return path


def _code(out: str) -> str:
    m = re.search(r"[A-Z2-7]{4}-[A-Z2-7]{4}", out)
    assert m, out
    return m.group(0)


def _numbers(capsys, db: Path) -> dict[str, str]:
    code, out, _err = run_cli(capsys, db, "agreements", "list", "--json")
    assert code == 0
    return {r["state"]: r["number"] for r in json.loads(out)}


def test_print_then_verify_genuine_after_an_amendment_and_changed_only_when_no_version_matches(capsys, db, tmp_path):
    number = _numbers(capsys, db)["performing"]
    out_pdf = tmp_path / "out" / "合同.pdf"
    out_pdf.parent.mkdir()
    code, out, err = run_cli(capsys, db, "print", "agreement", number, "--out", str(out_pdf))
    assert code == 0, err
    assert out_pdf.read_bytes().startswith(b"%PDF") and list(out_pdf.parent.iterdir()) == [out_pdf]
    code_text = _code(out)
    fonts = subprocess.run(["pdffonts", str(out_pdf)], capture_output=True, text=True, check=True).stdout
    assert "no " not in "".join(line[60:70] for line in fonts.splitlines()[2:])
    text = subprocess.run(["pdftotext", str(out_pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert number in "".join(text.split())

    code, out, _err = run_cli(capsys, db, "verify", code_text)
    assert code == 0 and number in out

    database = open_database(db)
    try:
        desk = Desk(database)
        aid = desk.run(ag.find_by_number, number)
        desk.run(ag.amend, aid, "服务地点调整", {"place": "本街道党群服务中心"})
    finally:
        database.dispose()
    # The signed copy stays genuine (exit 0); the answer says a supplementary agreement amends it.
    code, out, _err = run_cli(capsys, db, "verify", code_text)
    assert code == 0 and number in out and "补充协议" in out
    code, _out, _err = run_cli(capsys, db, "verify", "ZZZZ-ZZZZ")
    assert code == 2
    # A draft printed and then edited matches no recorded version: exit 1.
    draft = _numbers(capsys, db)["draft"]
    code, out, err = run_cli(capsys, db, "print", "agreement", draft, "--out", str(tmp_path / "draft.pdf"))
    assert code == 0, err
    draft_code = _code(out)
    database = open_database(db)
    try:
        desk = Desk(database)
        aid = desk.run(ag.find_by_number, draft)
        data = desk.run(ag.get, aid).data
        data.place = "本街道党群服务中心"
        desk.run(ag.save, data, aid)
    finally:
        database.dispose()
    code, out, _err = run_cli(capsys, db, "verify", draft_code)
    assert code == 1 and draft in out

    for kind in ("supplementary", "notice", "acceptance"):
        code, _out, err = run_cli(capsys, db, "print", kind, number, "--out", str(tmp_path / f"{kind}.pdf"))
        assert code == 0, err


def test_preview_records_nothing_and_unknown_number_fails(capsys, db, tmp_path):
    number = _numbers(capsys, db)["draft"]
    code, out, err = run_cli(capsys, db, "print", "agreement", number, "--out", str(tmp_path / "d.pdf"), "--preview")
    assert code == 0, err
    code_text = _code(out)
    assert run_cli(capsys, db, "verify", code_text)[0] == 2
    code, _out, err = run_cli(capsys, db, "print", "agreement", "不存在的编号", "--out", str(tmp_path / "x.pdf"))
    assert code == 1 and err
    assert not (tmp_path / "x.pdf").exists()
    code, _out, err = run_cli(capsys, db, "print", "supplementary", number, "--out", str(tmp_path / "s.pdf"))
    assert code == 1 and err

"""`spdesk audit ...` and `spdesk users ...`, and acting as a named user from the command line."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
LEDGERS = ROOT / "tests" / "data" / "ledgers"
ADMIN_PW = "admin-pass-1"


# Every test here runs the command line as a script would: no credentials, no terminal.
pytestmark = pytest.mark.usefixtures("no_credentials")


def _with_stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


@pytest.fixture
def db(tmp_path, capsys, monkeypatch) -> Path:
    """A database with some organizations and an administrator (made by the CLI before any account existed)."""
    path = tmp_path / "desk.sqlite3"
    code, _out, err = run_cli(capsys, path, "orgs", "import", str(LEDGERS / "street_ledger.xlsx"))
    assert code == 1, err  # no accounts yet: the system actor, no password (some rows are invalid)
    _with_stdin(monkeypatch, ADMIN_PW + "\n")
    code, _out, err = run_cli(capsys, path, "users", "add", "boss", "--name", "王主任", "--roles", "admin",
                           "--password-stdin")
    assert code == 0, err
    # The first password was set by someone else: the administrator chooses a new one.
    monkeypatch.setenv("SPDESK_PASSWORD", ADMIN_PW)
    monkeypatch.setenv("SPDESK_NEW_PASSWORD", ADMIN_PW + "x")
    code, _out, err = run_cli(capsys, path, "users", "passwd")
    assert code == 0, err
    monkeypatch.delenv("SPDESK_PASSWORD")
    monkeypatch.delenv("SPDESK_NEW_PASSWORD")
    return path


def test_verify_ok_prints_count_and_head(capsys, db):
    code, out, _err = run_cli(capsys, db, "--lang", "en", "audit", "verify")
    assert code == 0 and "OK" in out
    code, head, _err = run_cli(capsys, db, "audit", "head")
    assert code == 0 and head.strip() in out and len(head.strip()) == 64
    code, out, _err = run_cli(capsys, db, "audit", "verify", "--json")
    report = json.loads(out)
    assert report["ok"] and report["count"] > 40 and report["head"] == head.strip()


def _tamper(db: Path, statement: str) -> None:
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute(statement)
    con.commit()
    con.close()


@pytest.mark.parametrize("statement, reason", [
    ("UPDATE audit_log SET new_value = '13900000000' WHERE id = 40", "content"),
    ("DELETE FROM audit_log WHERE id = 40", "missing row"),
])
def test_verify_finds_the_first_broken_link_and_exits_non_zero(capsys, db, statement, reason):
    _tamper(db, statement)
    code, out, _err = run_cli(capsys, db, "--lang", "en", "audit", "verify")
    assert code == 1 and "40" in out and "broken" in out
    code, out, _err = run_cli(capsys, db, "audit", "verify", "--json")
    report = json.loads(out)
    assert code == 1 and report["broken_at"] == 40 and report["reason"] == reason and report["count"] == 39


def test_reading_needs_no_password_but_writing_does(capsys, db, monkeypatch):
    assert run_cli(capsys, db, "orgs", "list", "--json")[0] == 0
    assert run_cli(capsys, db, "users", "list")[0] == 0
    assert run_cli(capsys, db, "audit", "list", "--limit", "3")[0] == 0
    code, _out, err = run_cli(capsys, db, "--lang", "en", "demo")
    assert code == 4 and "SPDESK_PASSWORD" in err
    code, _out, err = run_cli(capsys, db, "orgs", "import", str(LEDGERS / "utf8_bom.csv"))
    assert code == 4
    assert run_cli(capsys, db, "orgs", "import", str(LEDGERS / "utf8_bom.csv"), "--dry-run")[0] == 0
    monkeypatch.setenv("SPDESK_PASSWORD", "wrong-password")
    code, _out, err = run_cli(capsys, db, "orgs", "import", str(LEDGERS / "utf8_bom.csv"))
    assert code == 4 and "密码" in err
    monkeypatch.setenv("SPDESK_PASSWORD", ADMIN_PW + "x")
    code, _out, err = run_cli(capsys, db, "orgs", "import", str(LEDGERS / "utf8_bom.csv"))
    assert code == 0, err
    # The import is audited under the administrator, as is the failed attempt before it.
    code, out, _err = run_cli(capsys, db, "audit", "list", "--by", "boss", "--json", "--limit", "500")
    actions = {json.loads(line)["action"] for line in out.splitlines()}
    assert {"import", "create", "login", "login_failed"} <= actions


def test_user_management_from_the_command_line(capsys, db, monkeypatch):
    monkeypatch.setenv("SPDESK_PASSWORD", ADMIN_PW + "x")
    _with_stdin(monkeypatch, "clerk-pass-1\n")
    code, _out, err = run_cli(capsys, db, "users", "add", "wang", "--name", "王经办", "--roles", "clerk",
                           "--password-stdin")
    assert code == 0, err
    _with_stdin(monkeypatch, "short\n")
    code, _out, err = run_cli(capsys, db, "users", "add", "li", "--roles", "clerk", "--password-stdin")
    assert code == 2 and "8" in err
    code, out, _err = run_cli(capsys, db, "users", "list", "--json")
    users = {u["username"]: u for u in json.loads(out)}
    assert users["wang"]["roles"] == ["clerk"] and users["wang"]["must_change_password"]

    # The clerk may read but not manage users; a clerk's write names the missing role.
    monkeypatch.setenv("SPDESK_PASSWORD", "clerk-pass-1")
    code, _out, err = run_cli(capsys, db, "--user", "wang", "demo")
    assert code == 4 and "users passwd" in err  # a new account must choose its own password first
    monkeypatch.setenv("SPDESK_NEW_PASSWORD", "clerk-pass-2")
    assert run_cli(capsys, db, "--user", "wang", "users", "passwd")[0] == 0
    monkeypatch.delenv("SPDESK_NEW_PASSWORD")
    monkeypatch.setenv("SPDESK_PASSWORD", "clerk-pass-2")
    code, _out, err = run_cli(capsys, db, "--user", "wang", "users", "disable", "boss")
    assert code == 4 and "管理员" in err
    monkeypatch.setenv("SPDESK_USER", "wang")
    code, _out, err = run_cli(capsys, db, "users", "list")
    assert code == 4 and "管理员" in err

    # The administrator resets, disables and enables.
    monkeypatch.delenv("SPDESK_USER")
    monkeypatch.setenv("SPDESK_PASSWORD", ADMIN_PW + "x")
    monkeypatch.setenv("SPDESK_NEW_PASSWORD", "temporary-9")
    assert run_cli(capsys, db, "users", "reset-password", "wang")[0] == 0
    assert run_cli(capsys, db, "users", "disable", "wang")[0] == 0
    code, _out, err = run_cli(capsys, db, "users", "disable", "boss")
    assert code == 4  # oneself, and the last administrator
    monkeypatch.setenv("SPDESK_PASSWORD", "temporary-9")
    code, _out, err = run_cli(capsys, db, "--user", "wang", "demo")
    assert code == 4 and "停用" in err
    monkeypatch.setenv("SPDESK_PASSWORD", ADMIN_PW + "x")
    assert run_cli(capsys, db, "users", "enable", "wang")[0] == 0
    assert run_cli(capsys, db, "users", "disable", "nobody")[0] == 4
    code, _out, err = run_cli(capsys, db, "--user", "nobody", "orgs", "list")
    assert code == 4 and "nobody" in err


def test_a_fresh_database_acts_as_the_system_actor(capsys, tmp_path):
    path = tmp_path / "fresh.sqlite3"
    assert run_cli(capsys, path, "orgs", "import", str(LEDGERS / "utf8_bom.csv"))[0] == 0
    code, out, _err = run_cli(capsys, path, "audit", "list", "--json")
    assert code == 0 and {json.loads(line)["user"] for line in out.splitlines()} == {"system"}
    code, _out, err = run_cli(capsys, path, "--user", "boss", "orgs", "list")
    assert code == 4 and err

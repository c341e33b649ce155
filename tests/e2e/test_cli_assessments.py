"""`spdesk assessments list`, `spdesk payments list`, `spdesk deadlines` on the sample data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.store.startup import open_database
from tests.db_templates import DatabaseTemplates, sample_data
from tests.e2e.cli import run_cli

# Every test here runs the command line as a script would: no credentials, no terminal.
pytestmark = pytest.mark.usefixtures("no_credentials")


@pytest.fixture(scope="module")
def db(tmp_path_factory, db_templates: DatabaseTemplates) -> Path:
    """The sample data (copied from the template made once per process), opened once by the program's start-up."""
    path = db_templates.copy(tmp_path_factory.mktemp("cli") / "desk.sqlite3", sample_data(None))
    open_database(path).dispose()
    return path


def test_assessments_list_json_has_the_named_fields(capsys, db):
    code, out, _err = run_cli(capsys, db, "assessments", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(set(r) == {"agreement", "milestone", "kind", "total", "grade", "state"} for r in rows)
    failed = [r for r in rows if r["grade"] == "fail"]
    assert failed and failed[0]["total"] == "50.00" and failed[0]["state"] == "approved"
    number = failed[0]["agreement"]
    code, out, _err = run_cli(capsys, db, "assessments", "list", "--agreement", number, "--json")
    assert code == 0 and {r["agreement"] for r in json.loads(out)} == {number}
    code, _out, err = run_cli(capsys, db, "assessments", "list", "--agreement", "没有这个编号")
    assert code == 1 and "没有这个编号" in err


def test_payments_list_json_has_every_status(capsys, db):
    code, out, _err = run_cli(capsys, db, "payments", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert all(set(r) == {"agreement", "instalment", "amount", "condition", "status", "reason", "paid_on",
                          "assessment_grade"} for r in rows)
    assert {r["status"] for r in rows} == {"not_due", "payable", "blocked", "paid"}
    blocked = next(r for r in rows if r["status"] == "blocked")
    assert blocked["assessment_grade"] == "fail" and blocked["condition"] == "milestone_passed"
    paid = next(r for r in rows if r["status"] == "paid")
    assert paid["paid_on"] and paid["instalment"] == 1
    code, out, _err = run_cli(capsys, db, "--lang", "en", "payments", "list")
    assert code == 0 and "Blocked" in out


def test_deadlines_sorted_and_limited(capsys, db):
    code, out, _err = run_cli(capsys, db, "deadlines", "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(set(r) == {"kind", "agreement", "due", "overdue"} for r in rows)
    dues = [r["due"] for r in rows if r["due"]]
    assert dues == sorted(dues)
    assert {"milestone", "objection", "payment"} <= {r["kind"] for r in rows}
    code, out, _err = run_cli(capsys, db, "deadlines", "--days", "0", "--json")
    assert code == 0 and len(json.loads(out)) < len(rows)
    code, _out, err = run_cli(capsys, db, "deadlines", "--days", "-1")
    assert code == 2 and err

"""Reading commands work while the window has the database open; writing ones are refused."""

from __future__ import annotations

import json

from app.cli import main
from app.services import orgs
from tests.factories import org_input


def test_list_reads_while_the_database_is_open_and_import_is_refused(desk, db, tmp_path, capsys):
    desk.run(orgs.save, org_input("打开期间可读中心"))  # `db` holds the instance lock, like the window
    assert main(["--db", str(db.path), "orgs", "list", "--json"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["打开期间可读中心"]
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("名称,统一社会信用代码\n新组织,52110105MJ0123AB3M\n", encoding="utf-8")
    try:
        code = main(["--db", str(db.path), "orgs", "import", str(ledger)])
    except SystemExit as exc:
        code = exc.code
    assert code == 3
    assert "正在使用" in capsys.readouterr().err
    assert desk.run(orgs.count, orgs.OrgQuery()) == 1

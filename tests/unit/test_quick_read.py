"""The quick reading path of `spdesk agreements list` (sqlite3 alone, issue 17) says exactly what the
services say, refuses nothing itself, and is the path taken when the file is in order.

The rows are compared with app.services.agreements.list_agreements on the office-scale sample database
(2,000 agreements, Chinese names) with some agreements made free of charge and some with the parties
reversed, for every state and several years; the printed output with the output of the ordinary path.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.cli import main
from app.cli.users import resolve_actor
from app.domain.lifecycle import AgreementState
from app.services import accounts, quick_read, scale_data
from app.services import agreements as ag
from app.services.context import SYSTEM, Desk
from app.store import db as store_db
from app.store import integrity, reading
from app.store.startup import open_database

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 6, 15)
PASSWORD = "Correct-Horse-9"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("office")
    old = os.environ.get("SPDESK_DATA_DIR")
    os.environ["SPDESK_DATA_DIR"] = str(folder / "data")
    try:
        path = folder / "office.sqlite3"
        database = open_database(path, daily_backup=False)
        Desk(database, SYSTEM).run(scale_data.generate, "office", 17, today=TODAY)
        desk = Desk(database, SYSTEM)
        admin = desk.run(accounts.create_first_admin, "admin", "管理员", PASSWORD)
        desk = Desk(database, admin)
        desk.run(accounts.create_user, "clerk2", "王小明", "clerk", PASSWORD, PASSWORD)
        desk.run(accounts.create_user, "gone", "", "admin", PASSWORD, PASSWORD)
        gone = next(u.id for u in desk.run(accounts.list_users) if u.username == "gone")
        desk.run(accounts.set_active, gone, False)
        database.dispose()
        # What the sample data lacks: free-of-charge agreements, reversed parties, a purchaser named in
        # Latin letters and full-width marks (straight into the file: the list only reads them).
        with closing(sqlite3.connect(path)) as conn:
            store_db.add_functions(conn)
            conn.execute("UPDATE agreements SET parties_reversed = 1 WHERE id % 7 = 0")
            conn.execute("UPDATE agreements SET free_of_charge = 1, amount = 0 WHERE id % 11 = 0")
            conn.execute("UPDATE agreements SET purchaser_name = 'Chaoyang（朝阳）街道办事处 ＃2' WHERE id % 13 = 0")
            conn.commit()
        yield path
    finally:
        if old is None:
            os.environ.pop("SPDESK_DATA_DIR", None)
        else:
            os.environ["SPDESK_DATA_DIR"] = old


FILTERS = [(None, ""), *[(None, s.value) for s in AgreementState], (2017, ""), (2024, ""), (2025, ""), (2026, ""),
           (2030, ""), (2025, "performing"), (2026, "draft"), (2025, "completed"), (2019, "terminated")]


def test_the_rows_are_those_of_the_service(office: Path) -> None:
    database = open_database(office, read_only=True)
    try:
        with database.read_session() as s:
            expected = {f: ag.list_agreements(s, None, ag.AgreementQuery(year=f[0], state=f[1])) for f in FILTERS}
    finally:
        database.dispose()
    with closing(reading.connect_read_only(office)) as conn:
        for (year, state), want in expected.items():
            got = quick_read.agreement_list.plain_rows(conn, year, state)
            # every field but `paid`, which the command line does not print (the quick path does not read it)
            assert [(replace(r, paid=Decimal(0)), r.sort_value) for r in got] == \
                [(replace(r, paid=Decimal(0)), r.sort_value) for r in want], (year, state)
    everything = expected[(None, "")]
    assert len(everything) == 1000  # the command line's first thousand (list_agreements' default limit)
    # the comparison covered what it should
    assert any(r.free_of_charge for r in everything) and any(r.parties_reversed for r in everything)
    assert any(r.party_a != r.purchaser for r in everything) and any("（" in r.purchaser for r in everything)
    assert sum(1 for f in FILTERS if expected[f]) >= len(FILTERS) - 3  # most filters found some rows


def _cli(db: Path, *args: str, quick: bool = True) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        if not quick:
            original = quick_read.agreement_rows
            quick_read.agreement_rows = lambda *a, **k: None  # type: ignore[assignment,misc]
        try:
            code = main(["--db", str(db), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            if not quick:
                quick_read.agreement_rows = original  # type: ignore[assignment]
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("args", [["--json"], [], ["--year", "2025", "--json"], ["--state", "performing"],
                                  ["--year", "2026", "--state", "draft", "--json"], ["--state", "nonsense"],
                                  ["--lang", "en"], ["--limit", "0", "--json"], ["--limit", "7"],
                                  ["--limit", "-1"]])
def test_the_command_prints_what_the_ordinary_path_prints(office: Path, args: list[str]) -> None:
    lang = ["--lang", "en"] if "--lang" in args else []
    rest = [a for a in args if a not in ("--lang", "en")]
    quick = _cli(office, *lang, "agreements", "list", *rest)
    ordinary = _cli(office, *lang, "agreements", "list", *rest, quick=False)
    assert quick == ordinary
    assert quick[1] or quick[2]
    if "--json" in args and quick[0] == 0:
        assert isinstance(json.loads(quick[1]), list)


@pytest.mark.parametrize("user", ["", "admin", " ＡＤＭＩＮ ", "clerk2", "CLERK2", "gone", "nobody"])
def test_the_actor_is_the_one_the_command_line_resolves(office: Path, user: str) -> None:
    """Found: the same actor. Refused by the ordinary path: None, so that path refuses with its message."""
    database = open_database(office, read_only=True)
    try:
        try:
            want = resolve_actor(Desk(database), argparse.Namespace(user=user or None), write=False)
        except SystemExit:
            want = None
    finally:
        database.dispose()
    with closing(reading.connect_read_only(office)) as conn:
        assert quick_read.reading_actor(conn, user) == want
    assert (want is None) == (user in ("gone", "nobody"))


def test_without_an_administrator_the_ordinary_path_decides(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    open_database(path, daily_backup=False).dispose()
    with closing(reading.connect_read_only(path)) as conn:
        assert quick_read.reading_actor(conn, "") is None  # no accounts: the system actor, by the ordinary path
    assert _cli(path, "agreements", "list", "--json") == (0, "[]\n", "")
    assert _cli(path, "--user", "admin", "agreements", "list")[0] == 4  # refused there, with its message


def test_a_file_not_at_the_programs_revision_takes_the_ordinary_path(office: Path, tmp_path: Path) -> None:
    for revision in ("0009", "9999"):
        copy = tmp_path / f"at-{revision}.sqlite3"
        copy.write_bytes(office.read_bytes())
        with closing(sqlite3.connect(copy)) as conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
            conn.commit()
        assert reading.open_current(copy) is None
        assert quick_read.agreement_rows(copy, "") is None
        code, out, err = _cli(copy, "agreements", "list")
        assert (code, out) == (3, "") and err  # "must be upgraded" / "written by a newer version"
    assert reading.open_current(tmp_path / "missing.sqlite3") is None
    (tmp_path / "text.sqlite3").write_text("not a database")
    assert reading.open_current(tmp_path / "text.sqlite3") is None


def test_the_quick_path_writes_nothing_into_the_file(office: Path) -> None:
    before = office.read_bytes()
    st = office.stat()
    assert _cli(office, "agreements", "list", "--json")[0] == 0
    assert office.read_bytes() == before and office.stat().st_mtime_ns == st.st_mtime_ns
    with closing(reading.connect_read_only(office)) as conn, pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM agreements")


def test_the_busy_timeout_is_the_programs() -> None:
    assert reading.BUSY_TIMEOUT_S * 1000 == store_db.BUSY_TIMEOUT_MS


def test_the_command_reads_without_sqlalchemy(office: Path, tmp_path: Path) -> None:
    """In a fresh process, on a file in order: no SQLAlchemy, no service of the ordinary path; on a file
    whose state changed, the scans run again (and still no SQLAlchemy)."""
    script = ("import sys, json, contextlib, io\nfrom app.cli import main\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              "    code = main(sys.argv[1:])\n"
              "print(json.dumps([code, sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'app.')))]))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPDESK_DATA_DIR": str(tmp_path / "data")}
    for _run in range(2):  # scanned, then remembered (or scanned again when the file is seconds old)
        out = subprocess.run([sys.executable, "-c", script, "--db", str(office), "agreements", "list", "--json"],
                             capture_output=True, text=True, env=env, cwd=ROOT, check=True, timeout=120)
        code, loaded = json.loads(out.stdout.strip().splitlines()[-1])
        assert code == 0
        assert not [m for m in loaded if m.startswith("sqlalchemy")]
        assert "app.services.agreement_list" in loaded and "app.services.agreements" not in loaded
    assert integrity.SETTLE_SECONDS > 0


def test_a_cut_list_says_so_and_limit_0_lists_every_agreement(office: Path) -> None:
    """The office sample has 2,000 agreements: the default first 1,000 say on stderr that there are more."""
    code, out, err = _cli(office, "agreements", "list", "--json")
    assert code == 0 and len(json.loads(out)) == 1000
    assert "只列出了前 1,000 份协议" in err and "--limit 0" in err
    code, out, err = _cli(office, "agreements", "list", "--json", "--limit", "0")
    assert code == 0 and err == ""
    everything = json.loads(out)
    assert len(everything) == 2000 and len({r["number"] for r in everything}) == 2000
    code, out, err = _cli(office, "agreements", "list", "--year", "2024", "--json", "--limit", "0")
    few = json.loads(out)
    code, out, err = _cli(office, "agreements", "list", "--year", "2024", "--json", "--limit", str(len(few)))
    assert json.loads(out) == few and err == ""  # exactly the limit: nothing cut, nothing said
    code, out, err = _cli(office, "agreements", "list", "--limit", "-1")
    assert code == 2 and out == "" and "--limit" in err

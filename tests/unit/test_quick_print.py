"""The quick preview of a frozen text (sqlite3 alone, issue 17) prints the bytes the ordinary print prints, says
what it says, and leaves everything else to the ordinary path.

The sample agreements went through the services (approved, so frozen); the ordinary path's PDF
(app.services.printing.render) is the oracle, byte for byte: the renderer's invariant mode makes the same
spec give the same bytes, so nothing differs legitimately between the two.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.documents.spec import content_hash
from app.models import User
from app.models.printing import FrozenDocument, PrintRecord
from app.services import agreements as ag
from app.services import demo, printing, quick_print
from app.services.context import Desk
from app.store.db import Database
from tests.db_templates import sample_data

TODAY = date(2026, 6, 15)
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.db_content(sample_data(TODAY))


@pytest.fixture
def sample(db: Database, desk: Desk) -> dict[str, tuple[int, str]]:
    """(id, number) of a performing (frozen) agreement with a supplementary agreement, and of a draft, with an
    administrator for the reading commands to act as."""
    assert desk.run(demo.load_sample, today=TODAY) == 0
    rows = desk.run(ag.list_agreements)
    performing = next(r for r in rows if r.state == "performing")
    draft = next(r for r in rows if r.state == "draft")
    desk.run(ag.amend, performing.id, "服务对象增加服务量相应调整", {"target_group": "辖区6至12岁儿童"})
    with db.session() as s:
        s.add(User(username="admin1", display_name="管理员", roles="admin"))
        s.add(User(username="gone", display_name="", roles="admin", active=False))
    return {"performing": (performing.id, performing.number), "draft": (draft.id, draft.number)}


def _frozen(db: Database, aid: int) -> list[tuple[str, int]]:
    with db.session() as s:
        return [(d.kind, d.amendment_seq) for d in s.scalars(select(FrozenDocument).where(
            FrozenDocument.agreement_id == aid))]


@pytest.mark.parametrize(("kind", "seq"), [("agreement", None), ("supplementary", None), ("supplementary", 1)])
def test_the_quick_preview_prints_the_bytes_of_the_ordinary_one(db, desk, sample, tmp_path, kind, seq):
    aid, number = sample["performing"]
    assert ("agreement", 0) in _frozen(db, aid) and ("supplementary", 1) in _frozen(db, aid)
    out = tmp_path / "quick.pdf"
    quick = quick_print.preview(db.path, "", kind, number, seq, out)
    assert quick is not None
    ordinary = desk.run(printing.render, kind, aid, amendment_seq=seq)
    assert out.read_bytes() == ordinary.pdf
    assert (quick.code, quick.pages, quick.draft) == (ordinary.code, ordinary.pages, ordinary.draft)
    with db.session() as s:  # a preview records nothing
        assert s.scalar(select(func.count()).select_from(PrintRecord)) == 0


def test_the_command_says_what_the_ordinary_path_says(db, sample, tmp_path, monkeypatch):
    _aid, number = sample["performing"]

    def run(out: Path) -> tuple[int, str]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = main(["--db", str(db.path), "print", "agreement", f"  {number} ", "--out", str(out), "--preview"])
        return code, buf.getvalue().replace(str(out), "OUT")

    taken: list[object] = []
    real = quick_print.preview
    monkeypatch.setattr(quick_print, "preview", lambda *a: taken.append(real(*a)) or taken[-1])
    quick = run(tmp_path / "quick.pdf")
    assert taken and taken[0] is not None  # the quick path printed it
    monkeypatch.setattr(quick_print, "preview", lambda *a: None)
    assert run(tmp_path / "ordinary.pdf") == quick
    assert quick[0] == 0 and "验证码" in quick[1]
    assert (tmp_path / "quick.pdf").read_bytes() == (tmp_path / "ordinary.pdf").read_bytes()


def test_a_final_print_never_takes_the_quick_path(db, sample, tmp_path, monkeypatch):
    _aid, number = sample["performing"]
    monkeypatch.setattr(quick_print, "preview", lambda *a: pytest.fail("a final print took the quick path"))
    monkeypatch.delenv("SPDESK_PASSWORD", raising=False)
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit):
        main(["--db", str(db.path), "print", "agreement", number, "--out", str(tmp_path / "f.pdf")])


def test_everything_not_plainly_a_frozen_text_takes_the_ordinary_path(db, sample, tmp_path):
    _aid, number = sample["performing"]
    _draft_id, draft = sample["draft"]
    out = tmp_path / "x.pdf"
    refused = [
        ("", "agreement", draft, None),  # not frozen: the ordinary path builds it from the template
        ("", "notice", number, None),  # notices and forms are never frozen
        ("", "acceptance", number, None),
        ("", "agreement", "没有这个编号", None),  # the ordinary path says there is none
        ("", "supplementary", number, 7),  # no such supplementary agreement
        ("", "supplementary", draft, None),  # none at all
        ("gone", "agreement", number, None),  # a disabled user: refused in the ordinary words
        ("nobody", "agreement", number, None),
    ]
    for user, kind, num, seq in refused:
        assert quick_print.preview(db.path, user, kind, num, seq, out) is None, (user, kind, num, seq)
    assert not out.exists()
    assert quick_print.preview(db.path, "admin1", "contract", number, None, out) is not None  # an alias


def test_a_file_not_at_this_revision_takes_the_ordinary_path(db, sample, tmp_path):
    _aid, number = sample["performing"]
    copy = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(db.path)) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
        dst.execute("UPDATE alembic_version SET version_num = '0001'")
        dst.commit()
    assert quick_print.preview(copy, "", "agreement", number, None, tmp_path / "x.pdf") is None


def test_a_preview_in_a_fresh_interpreter_loads_no_sqlalchemy(db, sample, tmp_path):
    _aid, number = sample["performing"]
    db.dispose()
    out = tmp_path / "p.pdf"
    code = (f"import contextlib, io, json, sys\nfrom app.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main(['--db', {str(db.path)!r}, 'print', 'agreement', {number!r}, '--out', {str(out)!r}, "
            f"'--preview']) == 0\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', "
            f"'argon2') or m.startswith('app.models'))))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          check=True, timeout=120)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("damage", ["changed", "unreadable"])
def test_a_frozen_text_changed_outside_the_program_is_refused_in_words(db, sample, tmp_path, damage, capsys):
    """A copy for signature must be the frozen text exactly: a stored text that no longer matches the hash it
    was frozen with (edited in the file), or that cannot be read at all, is printed by neither path; the
    command says which agreement and why, with no traceback."""
    aid, number = sample["performing"]
    with closing(sqlite3.connect(db.path)) as conn:
        content, = conn.execute("SELECT content FROM frozen_documents WHERE agreement_id = ? AND kind = 'agreement'",
                                (aid,)).fetchone()
        if damage == "changed":  # a sum changed in the text, still a text this program can read
            data = json.loads(content)
            data["title"] = data["title"] + "（改）"
            altered = json.dumps(data, ensure_ascii=False)
            digest = None  # the hash it was frozen with stays
        else:  # cut short, its hash recomputed to match (as a careful forger would)
            altered = content[: len(content) // 2]
            digest = content_hash(number, altered)
        conn.execute("UPDATE frozen_documents SET content = ?, content_hash = coalesce(?, content_hash) "
                     "WHERE agreement_id = ? AND kind = 'agreement'", (altered, digest, aid))
        conn.commit()
    out = tmp_path / "x.pdf"
    assert quick_print.preview(db.path, "", "agreement", number, None, out) is None
    assert main(["--db", str(db.path), "print", "agreement", number, "--out", str(out), "--preview"]) == 2
    err = capsys.readouterr().err
    assert number in err and "spdesk check" in err and "Traceback" not in err
    assert ("冻结时的记录" in err) == (damage == "changed")
    assert not out.exists()

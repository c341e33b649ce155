"""Practice data lives in its own database file: preparing and using it never touches the office's
database (no rows, no audit entries, no agreement numbers, no credit codes)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from app.models import Organization
from app.models.project import Agreement
from app.models.system import AuditRecord
from app.services import accounts, practice
from app.services import agreements as ag
from app.services import settings as settings_service
from app.services.context import Desk
from app.store.startup import open_database
from tests.factories import agreement_input, awarded_project, eligible_org

TODAY = date(2026, 6, 15)
PW = "Office-pass-2026"


def _fingerprint(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:  # beside the open program, as another reader would
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("organizations", "projects", "agreements", "audit_log", "users", "settings",
                          "qualification_checks", "duty_log")}


def test_practice_data_never_touches_the_office_database(desk: Desk, db) -> None:
    desk.run(settings_service.complete_setup, "桃源街道办事处", "zh_CN")
    admin = desk.run(accounts.create_first_admin, "boss", "张主任", PW, PW)
    office_file = Path(db.path)
    before = _fingerprint(office_file)
    before_bytes_audit = before["audit_log"]

    path = practice.prepare(db, admin, today=TODAY)
    assert path == practice.practice_path(office_file) and path != office_file and path.exists()
    assert practice.office_path(path) == office_file
    assert _fingerprint(office_file) == before  # nothing written to the office's database
    assert before_bytes_audit == before["audit_log"]

    practice_db = open_database(path, daily_backup=False)
    try:
        with practice_db.read_session() as s:
            assert practice.is_practice(s)
            assert s.scalar(select(func.count()).select_from(Organization)) == 25
            assert s.scalar(select(func.count()).select_from(Agreement)) >= 10
        # The person logs in there with their own password; the practice colleagues use it too.
        for username in ("boss", "practice_clerk", "practice_reviewer"):
            result = Desk(practice_db).run(accounts.authenticate, username, PW)
            assert result.ok, username
    finally:
        practice_db.dispose()
    # Preparing again adds nothing and still leaves the office alone.
    assert practice.prepare(db, admin, today=TODAY) == path
    assert _fingerprint(office_file) == before
    with db.read_session() as s:
        assert not practice.is_practice(s)


def test_the_offices_first_agreement_is_number_one_whatever_was_practised(desk: Desk, db) -> None:
    from tests.factories import make_user

    desk.run(settings_service.complete_setup, "桃源街道办事处", "zh_CN")
    admin = desk.run(accounts.create_first_admin, "boss", "张主任", PW, PW)
    practice.prepare(db, admin, today=TODAY)
    people = {n: Desk(db, make_user(db, n, r)) for n, r in (("clerk", "clerk"), ("clerk2", "clerk"),
                                                          ("reviewer", "reviewer"))}
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    aid = people["clerk"].run(ag.save, agreement_input(pid, org))
    number = desk.run(ag.get, aid).number
    assert number.endswith("001号"), number
    with db.read_session() as s:
        assert not s.scalar(select(func.count()).where(Organization.is_sample.is_(True)))
        assert not s.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.username.like("示例%")))


def test_a_file_with_other_data_is_never_turned_into_practice_data(desk: Desk, db, tmp_path: Path) -> None:
    admin = desk.run(accounts.create_first_admin, "boss", "张主任", PW, PW)
    other = open_database(practice.practice_path(db.path))
    Desk(other).run(accounts.create_first_admin, "someone", "某人", PW, PW)
    other.dispose()
    try:
        practice.prepare(db, admin)
    except practice.NotAPracticeDatabase as exc:
        assert "练习" in exc.message or "practice" in exc.message
    else:
        raise AssertionError("a database with other data was taken as practice data")

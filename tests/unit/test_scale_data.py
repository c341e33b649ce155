"""The practice-data generator (issue 17): valid, realistic, reproducible, and never into a used database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.errors import ValidationError
from app.domain.uscc import check_code
from app.models import Organization
from app.models.project import Agreement, Instalment, Project
from app.services import agreements as ag
from app.services import audit, orgs, scale_data
from tests.factories import org_input

TODAY = date(2026, 6, 15)
SMALL = scale_data.Scale("test", 60, 300)


def _snapshot(db) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    with db.read_session() as s:
        return [tuple(r) for r in s.execute(select(Organization.name, Organization.credit_code,
                                                   Organization.name_initials).order_by(Organization.id))] + \
               [tuple(r) for r in s.execute(select(Agreement.number, Agreement.amount, Agreement.state,
                                                   Agreement.undertaker_id).order_by(Agreement.id))]


def test_generated_records_are_valid_and_realistic(desk, db) -> None:
    counts = desk.run(scale_data.generate, SMALL, 7, today=TODAY)
    assert counts["organizations"] == 60 and counts["agreements"] == 300
    with db.read_session() as s:
        names = s.scalars(select(Organization.name)).all()
        codes = s.scalars(select(Organization.credit_code)).all()
        assert len(set(names)) == 60 and all(n.startswith("北京市") for n in names)
        assert all(check_code(c).ok for c in codes) and len(set(codes)) == 60
        # Search keys: one initial per character (pinyin of each name part, so 长青 is "cq" wherever it stands).
        sample = s.execute(select(Organization.id, Organization.name, Organization.name_initials,
                                  Organization.name_pinyin).limit(10)).all()
        for _id, name, initials, full in sample:
            assert len(initials) == len(name) and initials.isascii()
            assert full.startswith("beijingshi") and full.isalpha()
        # Every agreement's schedule adds up to its amount; undertaker is the project's awardee.
        for a in s.scalars(select(Agreement).limit(50)):
            assert sum((i.amount for i in a.instalments), Decimal(0)) == a.amount
            assert s.get(Project, a.project_id).award_org_id == a.undertaker_id
        assert s.scalar(select(func.count()).select_from(Instalment)) == 900
        assert s.scalar(select(func.count()).where(Organization.is_sample.is_(False))) == 0
        # A completed agreement was completed on a passed acceptance with three supervising beneficiaries.
        from app.models import Acceptance

        completed = set(s.scalars(select(Agreement.id).where(Agreement.state == "completed")))
        accepted = s.scalars(select(Acceptance)).all()
        assert completed and {x.agreement_id for x in accepted} == completed == \
            {x.agreement_id for x in accepted if x.state == "completed" and x.result == "passed"}
        assert counts["acceptances"] == len(accepted) and all(len(x.supervisors) == 3 for x in accepted)
        for aid in list(completed)[:5]:
            assert ag.completion_refusal(s, s.get(Agreement, aid)) == ""
        report = audit.verify_chain(s)
        assert report.ok and report.count == counts["audit"] + 1 > 300  # and the office name setting
    # The services read the generated rows like their own.
    rows = desk.run(ag.list_agreements, ag.AgreementQuery(), 0, 20, today=TODAY)
    assert len(rows) == 20 and {r.state for r in rows} <= {"draft", "review", "awaiting_signature", "effective",
                                                           "performing"}
    assert desk.run(orgs.count, orgs.OrgQuery(search="北京市")) == 60
    for org_id, _name, initials, _full in sample:
        found = desk.run(orgs.page, orgs.OrgQuery(search=initials[3:]), 0, 100)
        assert org_id in {r.id for r in found}


def test_the_same_seed_gives_the_same_data(tmp_path, desk, db) -> None:
    from app.services.context import SYSTEM, Desk
    from app.store.startup import open_database

    desk.run(scale_data.generate, SMALL, 7, today=TODAY)
    other = open_database(tmp_path / "other.sqlite3")
    try:
        Desk(other, SYSTEM).run(scale_data.generate, SMALL, 7, today=TODAY)
        assert _snapshot(db) == _snapshot(other)
    finally:
        other.dispose()


def test_never_into_a_database_that_holds_records(desk, db) -> None:
    desk.run(orgs.save, org_input("已有的社会工作服务中心"))
    with pytest.raises(ValidationError):
        desk.run(scale_data.generate, SMALL, 7, today=TODAY)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Organization)) == 1


def test_the_command_refuses_the_default_database(tmp_path, monkeypatch, capsys) -> None:
    from app.cli import main

    monkeypatch.setenv("SPDESK_DB", str(tmp_path / "office.sqlite3"))
    assert main(["demo", "--scale", "office"]) == 2
    assert "--db" in capsys.readouterr().err
    assert not (tmp_path / "office.sqlite3").exists()


def test_a_number_with_full_width_brackets_is_found(desk) -> None:
    """The generated office name has full-width brackets, so its agreement numbers do too."""
    desk.run(scale_data.generate, scale_data.Scale("t", 5, 3), 7, today=TODAY)
    row = desk.run(ag.list_agreements, ag.AgreementQuery(), 0, 1, today=TODAY)[0]
    assert "（" in row.number
    assert desk.run(ag.find_by_number, row.number) == row.id

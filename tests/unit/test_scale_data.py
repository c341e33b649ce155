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
    from app.models import AuditRecord
    from app.models.assessment import Assessment, AssessmentScore, Milestone, Objection, Payment

    with db.read_session() as s:
        return [tuple(r) for r in s.execute(select(Organization.name, Organization.credit_code,
                                                   Organization.name_initials).order_by(Organization.id))] + \
               [tuple(r) for r in s.execute(select(Agreement.number, Agreement.amount, Agreement.state,
                                                   Agreement.undertaker_id).order_by(Agreement.id))] + \
               [tuple(r) for r in s.execute(select(Milestone.agreement_id, Milestone.name, Milestone.due_on)
                                            .order_by(Milestone.id))] + \
               [tuple(r) for r in s.execute(select(Assessment.agreement_id, Assessment.milestone_id, Assessment.kind,
                                                   Assessment.assessed_on, Assessment.total, Assessment.grade,
                                                   Assessment.state, Assessment.assessors).order_by(Assessment.id))] + \
               [tuple(r) for r in s.execute(select(AssessmentScore.assessment_id, AssessmentScore.indicator_key,
                                                   AssessmentScore.score).order_by(AssessmentScore.id))] + \
               [tuple(r) for r in s.execute(select(Objection.assessment_id, Objection.received_on, Objection.outcome)
                                            .order_by(Objection.id))] + \
               [tuple(r) for r in s.execute(select(Payment.agreement_id, Payment.instalment_seq, Payment.paid_on,
                                                   Payment.amount, Payment.reference, Payment.assessment_id)
                                            .order_by(Payment.id))] + \
               [tuple(r) for r in s.execute(select(AuditRecord.entity, AuditRecord.entity_id, AuditRecord.field,
                                                   AuditRecord.new_value).where(AuditRecord.entity != "setting")
                                            .order_by(AuditRecord.id))]


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


def test_assessments_and_payments_follow_the_rules(desk, db) -> None:
    """Milestones as signing plans them; totals and grades the domain's; a payment only on a final, passed record."""
    import json

    from app.domain import assessment as asm
    from app.models.assessment import Assessment, AssessmentScore, Milestone, Objection, Payment
    from app.services import checklists
    from app.services import payments as pay

    counts = desk.run(scale_data.generate, SMALL, 7, today=TODAY)
    assert counts["assessments"] > 4 * counts["agreements"] // 2 and counts["payments"] > counts["agreements"]
    with db.read_session() as s:
        signed = {a.id: a for a in s.scalars(select(Agreement).where(Agreement.effective_on.is_not(None)))}
        assert set(s.scalars(select(Milestone.agreement_id).distinct())) == set(signed)
        for a in list(signed.values())[:40]:
            planned = asm.plan_milestones(a.period_start, a.period_end, [asm.PlannedInstalment(
                i.seq, i.condition, i.milestone) for i in a.instalments])
            got = s.scalars(select(Milestone).where(Milestone.agreement_id == a.id).order_by(Milestone.seq)).all()
            assert [(m.seq, m.name, m.kind, m.due_on, m.instalment_seq) for m in got] == \
                [(p.seq, p.name, p.kind.value, p.due_on, p.instalment_seq) for p in planned]
        milestones = {m.id: m for m in s.scalars(select(Milestone))}
        scores: dict[int, dict[str, object]] = {}
        for x_id, key, score in s.execute(select(AssessmentScore.assessment_id, AssessmentScore.indicator_key,
                                                 AssessmentScore.score)):
            scores.setdefault(x_id, {})[key] = score
        versions: dict[int, checklists.ChecklistDetail] = {}
        kinds = set()
        for x in s.scalars(select(Assessment)):
            detail = versions.setdefault(x.checklist_version_id, checklists.get_version(s, x.checklist_version_id))
            assert set(scores[x.id]) == {i.key for i in asm.leaves(detail.indicators)}
            assert x.total == asm.total_score(detail.indicators, scores[x.id])
            assert x.grade == asm.grade_for(x.total, detail.bands).grade and x.passed == (x.grade != "fail")
            a = signed[x.agreement_id]
            assert a.period_start <= x.assessed_on <= TODAY and x.state in ("submitted", "approved")
            assert (x.approved_on is not None) == (x.state == "approved") and json.loads(x.assessors)
            if x.milestone_id is not None:
                m = milestones[x.milestone_id]
                assert m.agreement_id == a.id and m.due_on <= x.assessed_on
                # The final assessment is scored on the year-end checklist; it passed wherever a next year followed.
                assert (detail.code == "chengdu_art32") == (m.kind == "final")
            kinds.add(x.kind)
        assert {"routine", "random_check", "citizen_rating"} <= kinds
        assert 0 < s.scalar(select(func.count()).select_from(Objection)) < counts["assessments"] // 20
        # Every instalment is paid exactly when the program's own status says so, on the record the status names.
        paid = {(p.agreement_id, p.instalment_seq): p for p in s.scalars(select(Payment))}
        assert len(paid) == counts["payments"]
        statuses = pay.instalment_statuses(s)
        assert {st.status for st in statuses} >= {asm.InstalmentStatus.PAID, asm.InstalmentStatus.NOT_DUE}
        for st in statuses:
            p = paid.get((st.agreement_id, st.seq))
            inst = next(i for i in s.get(Agreement, st.agreement_id).instalments if i.seq == st.seq)
            if p is None:
                assert st.status != asm.InstalmentStatus.PAID and inst.paid_on is None
                continue
            assert st.status == asm.InstalmentStatus.PAID and p.amount == st.amount and inst.paid_on == p.paid_on
            assert p.paid_on <= TODAY and p.paid_on >= signed[st.agreement_id].effective_on
            if st.condition == "milestone_passed":
                x = s.get(Assessment, p.assessment_id)
                assert x.state == "approved" and x.passed and x.approved_on <= p.paid_on
                assert milestones[x.milestone_id].instalment_seq == st.seq and st.assessment_id == x.id
            elif st.condition == "final_acceptance":
                assert p.acceptance_id == st.acceptance_id is not None
            else:
                assert p.assessment_id is None and p.acceptance_id is None
        # The program's reads of one agreement with its assessments and payments.
        from app.services import assessments as asm_service

        completed = next(a.id for a in signed.values() if a.state == "completed")
    view = desk.run(asm_service.agreement_assessments, completed, today=TODAY)
    assert len(view.assessments) >= 4 and all(m.outcome == "passed" for m in view.milestones if m.kind == "final")
    state = desk.run(pay.payments_state, completed)
    assert len(state.payments) == 3 and state.summary.outstanding == 0
    # The dashboard, the deadlines and the monthly export read the generated records.
    from app.services import dashboard, exports

    board = desk.run(dashboard.board, today=TODAY)
    assert board.organizations == 60 and board.grades and board.payments
    assert {d.kind for d in desk.run(asm_service.deadlines, today=TODAY)} >= {"milestone"}
    assert desk.run(exports.build, "2026-05", today=TODAY).report.sections


def test_an_office_database_passes_the_programs_own_checks(tmp_path) -> None:
    """At office scale (200 organizations, 2,000 agreements): integrity, links, schema, the records agreeing with
    the audit trail (every generated record audited as its service audits it) and the chain."""
    from app.services import maintenance
    from app.services.context import SYSTEM, Desk
    from app.store.startup import open_database

    path = tmp_path / "office.sqlite3"
    db = open_database(path)
    try:
        counts = Desk(db, SYSTEM).run(scale_data.generate, "office", 17, today=TODAY)
    finally:
        db.dispose()
    assert counts["organizations"] == 200 and counts["agreements"] == 2_000 and counts["assessments"] > 8_000
    results = maintenance.check(path)
    assert all(r.ok for r in results), [(r.name, r.detail) for r in results if not r.ok]
    assert len(results) >= 6  # integrity, links, schema, tables, records against the trail, the chain

"""Assessments, objections, acceptance, payments and the renewal gate through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import lifecycle as lc
from app.domain.assessment import InstalmentStatus
from app.domain.errors import ValidationError
from app.models import AuditRecord, Payment
from app.services import agreements as ag
from app.services import assessments as asv
from app.services import checklists, payments, projects
from app.services.context import Desk
from app.services.duties import SeparationOfDutiesViolation
from app.services.permissions import PermissionDenied
from tests.db_templates import sample_data
from tests.factories import agreement_input, awarded_project, eligible_org, make_user

TODAY = date(2026, 6, 15)
LATER = date(2026, 9, 15)


@pytest.fixture
def people(db):
    return {
        "clerk": Desk(db, make_user(db, "clerk1", "clerk")),
        "clerk2": Desk(db, make_user(db, "clerk2", "clerk")),
        "reviewer": Desk(db, make_user(db, "rev1", "reviewer")),
        "reviewer2": Desk(db, make_user(db, "rev2", "reviewer")),
        "finance": Desk(db, make_user(db, "fin1", "finance")),
        "admin": Desk(db, make_user(db, "adm1", "admin")),
    }


def signed(desk, people, **kw) -> int:
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    c, r = people["clerk"], people["reviewer"]
    aid = c.run(ag.save, agreement_input(pid, org, **kw))
    c.run(ag.transition, aid, "submit_review")
    r.run(ag.transition, aid, "approve")
    r.run(ag.transition, aid, "record_signing", signing=ag.SigningInput("王主任", "李涛", "2026-02-26", "2026-02-27"),
          today=TODAY)
    c.run(ag.transition, aid, "start_performance", today=TODAY)
    return aid


def community(desk) -> checklists.ChecklistDetail:
    return desk.run(checklists.by_code, "community_social")


def full_scores(detail: checklists.ChecklistDetail, fraction: Decimal) -> dict[str, object]:
    from app.domain.assessment import leaves

    return {i.key: str((i.max_score * fraction).quantize(Decimal("0.01"))) for i in leaves(detail.indicators)}


def assess(people, aid: int, milestone_kind: str, fraction: Decimal, filler: str = "clerk",
           approver: str = "reviewer2") -> int:
    c = people[filler]
    ms = c.run(asv.milestones, aid)
    m = next(m for m in ms if m.kind == milestone_kind)
    detail = community(c)
    xid = c.run(asv.save_assessment, asv.AssessmentInput(
        agreement_id=aid, milestone_id=m.id, checklist_version_id=detail.version_id, kind="routine",
        assessed_on="2026-09-01", assessors=[("张评估", "purchaser_staff"), ("刘专家", "expert")],
        findings="服务记录齐全。\n个别活动延期。", surveyed="40", satisfied="37", scores=full_scores(detail, fraction)))
    c.run(asv.submit_assessment, xid)
    if approver:
        people[approver].run(asv.approve_assessment, xid, today=LATER)
    return xid


def status(desk, aid: int, seq: int) -> payments.InstalmentState:
    with desk.db.session() as session:  # the shared status function takes a session only
        return next(s for s in payments.instalment_statuses(session, [aid]) if s.seq == seq)


# --- checklists ------------------------------------------------------------------------------


def test_two_checklists_are_shipped_and_valid(desk):
    rows = desk.run(checklists.list_checklists)
    assert {r.code for r in rows} == {"community_social", "chengdu_art32"}
    art32 = desk.run(checklists.by_code, "chengdu_art32")
    assert len(art32.indicators) == 8 and art32.purpose == "year_end"
    assert sum(i.weight for i in art32.indicators) == 100
    names = [i.name for i in community(desk).indicators if i.level == 1]
    assert names == ["过程管理", "服务产出", "服务效果", "满意度"]


def test_saving_a_checklist_checks_weights_per_level_and_makes_a_version(people):
    admin = people["admin"]
    bad = [{"key": "1", "level": 1, "name": "过程", "weight": "60"}, {"key": "2", "level": 1, "name": "产出", "weight": "30"}]
    with pytest.raises(ValidationError) as err:
        admin.run(checklists.save_checklist, None, "自定义考核表", bad)
    assert "一级指标" in err.value.message and "90" in err.value.message
    good = [*bad[:1], {"key": "2", "level": 1, "name": "产出", "weight": "40"}]
    vid = admin.run(checklists.save_checklist, None, "自定义考核表", good)
    d = admin.run(checklists.checklist, vid)
    assert d.version == 1
    vid2 = admin.run(checklists.save_checklist, d.template_id, "自定义考核表（修订）", good)
    assert admin.run(checklists.checklist, vid2).version == 2
    assert admin.run(checklists.checklist, vid).name == "自定义考核表"  # old version unchanged
    with pytest.raises(PermissionDenied):
        people["clerk"].run(checklists.save_checklist, None, "x", good)


# --- milestones, assessments, duties -----------------------------------------------------------


def test_milestones_come_from_period_and_schedule_and_are_editable_until_assessed(desk, people):
    aid = signed(desk, people)
    c = people["clerk"]
    ms = c.run(asv.milestones, aid)
    assert [m.kind for m in ms].count("mid_term") == 1 and ms[-1].kind == "final"
    assert ms[-1].due_on == date(2027, 2, 28)
    mid = next(m for m in ms if m.kind == "mid_term")
    assert mid.instalment_seq == 2 and mid.name == "中期考核"
    c.run(asv.update_milestone, mid.id, "中期考核", "2026-09-10")
    with pytest.raises(ValidationError):
        c.run(asv.update_milestone, mid.id, "中期考核", "2027-05-01")
    assess(people, aid, "mid_term", Decimal("0.9"))
    with pytest.raises(lc.TransitionRefused):
        c.run(asv.update_milestone, mid.id, "改名", "2026-09-12")


def test_total_and_grade_are_computed_and_submitted_is_locked(desk, people):
    aid = signed(desk, people)
    xid = assess(people, aid, "mid_term", Decimal("0.85"), approver="")
    c = people["clerk"]
    st = c.run(asv.assessment_form_state, xid)
    assert st.total == Decimal("85.00") and st.grade == "good" and st.grade_label == "良好"
    assert st.state == "submitted" and not st.editable and not st.actions["save"].ok
    assert st.findings == "服务记录齐全。\n个别活动延期。"
    with pytest.raises(lc.TransitionRefused):
        c.run(asv.save_assessment, asv.AssessmentInput(agreement_id=aid, checklist_version_id=st.checklist.version_id),
              xid)


def test_a_score_above_the_maximum_names_the_indicator(desk, people):
    aid = signed(desk, people)
    detail = community(desk)
    scores = full_scores(detail, Decimal(1))
    scores["1.1"] = "13"
    with pytest.raises(ValidationError) as err:
        people["clerk"].run(asv.save_assessment, asv.AssessmentInput(
            agreement_id=aid, checklist_version_id=detail.version_id, scores=scores))
    assert "组织实施" in err.value.message and "12" in err.value.message


def test_the_filler_cannot_approve_the_result(desk, people):
    aid = signed(desk, people)
    both = Desk(desk.db, make_user(desk.db, "both", "clerk,reviewer"))
    people["both"] = both
    xid = assess(people, aid, "mid_term", Decimal("0.9"), filler="both", approver="")
    st = both.run(asv.assessment_form_state, xid)
    assert not st.actions["approve"].ok and "不同人员" in (st.actions["approve"].reason or "")
    with pytest.raises(SeparationOfDutiesViolation):
        both.run(asv.approve_assessment, xid, today=LATER)
    people["reviewer"].run(asv.approve_assessment, xid, today=LATER)


# --- payments ----------------------------------------------------------------------------------


def test_instalment_statuses_and_payment_refusals(desk, people):
    aid = signed(desk, people)
    fin, c = people["finance"], people["clerk"]
    assert status(desk, aid, 1).status == InstalmentStatus.PAYABLE
    s2 = status(desk, aid, 2)
    assert s2.status == InstalmentStatus.NOT_DUE and "中期考核" in s2.reason
    # only finance records payments
    pay = payments.PaymentInput(agreement_id=aid, instalment_seq=1, paid_on="2026-03-05", amount="84000",
                                reference="国库支付凭证 0001", channel="treasury_direct")
    with pytest.raises(PermissionDenied):
        c.run(payments.record_payment, pay, today=TODAY)
    assert not c.run(payments.payments_state, aid).actions[1].ok
    # more than the instalment
    with pytest.raises(ValidationError) as err:
        fin.run(payments.record_payment, payments.PaymentInput(**{**pay.__dict__, "amount": "84000.01"}), today=TODAY)
    assert "84,000.00" in err.value.message
    # an instalment that is not payable
    with pytest.raises(lc.TransitionRefused) as refused:
        fin.run(payments.record_payment, payments.PaymentInput(**{**pay.__dict__, "instalment_seq": 2}), today=TODAY)
    assert "中期考核" in refused.value.message
    # missing reference, unknown channel, future date
    with pytest.raises(ValidationError) as err:
        fin.run(payments.record_payment, payments.PaymentInput(agreement_id=aid, instalment_seq=1, paid_on="2026-07-01",
                                                               amount="1", reference=" ", channel="cash"), today=TODAY)
    assert {"reference", "channel", "paid_on"} <= err.value.fields()
    fin.run(payments.record_payment, payments.PaymentInput(**{**pay.__dict__, "amount": "40000"}), today=TODAY)
    assert status(desk, aid, 1).status == InstalmentStatus.PAYABLE and status(desk, aid, 1).paid == Decimal("40000.00")
    fin.run(payments.record_payment, payments.PaymentInput(**{**pay.__dict__, "amount": "44000.00"}), today=TODAY)
    s1 = status(desk, aid, 1)
    assert s1.status == InstalmentStatus.PAID and s1.paid_on == date(2026, 3, 5)
    with pytest.raises(lc.TransitionRefused):
        fin.run(payments.record_payment, pay, today=TODAY)
    with desk.db.session() as session:
        summary = payments.money_summary(session, [aid])[aid]
    assert (summary.paid, summary.payable, summary.outstanding) == (Decimal("84000.00"), Decimal(0), Decimal("196000.00"))
    # the mid-term assessment passes: instalment 2 is payable and the payment names the assessment
    xid = assess(people, aid, "mid_term", Decimal("0.9"))
    s2 = status(desk, aid, 2)
    assert s2.status == InstalmentStatus.PAYABLE and s2.assessment_id == xid and s2.assessment_grade == "excellent"
    assert s2.assessment_grade_label == "优秀"
    pid = fin.run(payments.record_payment, payments.PaymentInput(agreement_id=aid, instalment_seq=2, paid_on="2026-09-15",
                                                                 amount="112000", reference="P-2", channel="dept_budget"),
                  today=LATER)
    with desk.db.session() as s:
        assert s.get(Payment, pid).assessment_id == xid
        audited = s.scalars(select(AuditRecord).where(AuditRecord.entity == "payment")).all()
        assert any(r.field == "amount" and r.new_value == "112000.00" for r in audited)


def test_the_paid_total_never_exceeds_the_agreement_amount(desk, people):
    aid = signed(desk, people)
    with desk.db.session() as s:  # an earlier payment recorded against the whole amount (e.g. imported)
        s.add(Payment(agreement_id=aid, instalment_seq=3, paid_on=date(2026, 3, 1), amount=Decimal("200000"),
                      reference="旧账", channel="dept_budget"))
    with pytest.raises(ValidationError) as err:
        people["finance"].run(payments.record_payment, payments.PaymentInput(
            agreement_id=aid, instalment_seq=1, paid_on="2026-03-05", amount="84000", reference="X",
            channel="dept_budget"), today=TODAY)
    assert "284,000.00" in err.value.message and "280,000.00" in err.value.message


def test_a_failed_assessment_blocks_its_instalment_with_the_reason(desk, people):
    aid = signed(desk, people)
    assess(people, aid, "mid_term", Decimal("0.5"))
    s2 = status(desk, aid, 2)
    assert s2.status == InstalmentStatus.BLOCKED and "未通过" in s2.reason
    with pytest.raises(lc.TransitionRefused) as refused:
        people["finance"].run(payments.record_payment, payments.PaymentInput(
            agreement_id=aid, instalment_seq=2, paid_on="2026-09-15", amount="1", reference="X",
            channel="dept_budget"), today=LATER)
    assert "未通过" in refused.value.message


# --- objections ----------------------------------------------------------------------------------


def test_objection_reply_due_across_national_day_and_a_correction_recomputes_the_grade(desk, people):
    aid = signed(desk, people)
    xid = assess(people, aid, "mid_term", Decimal("0.5"))
    c, r = people["clerk"], people["reviewer"]
    oid = c.run(asv.receive_objection, xid, "2026-09-29", "满意度调查样本不足，附证据。", today=date(2026, 9, 30))
    o = c.run(asv.list_objections, assessment_id=xid)[0]
    assert o.reply_due_on == date(2026, 10, 12)  # 9/30, 10/8, 10/9, 10/10 (make-up Saturday), 10/12
    assert status(desk, aid, 2).status == InstalmentStatus.NOT_DUE  # not final while the objection is open
    items = c.run(asv.deadlines, today=date(2026, 10, 13))
    obj = [d for d in items if d.kind == "objection"]
    assert obj and obj[0].overdue and obj[0].due == date(2026, 10, 12)
    with pytest.raises(ValidationError):
        r.run(asv.reply_objection, oid, "2026-10-09", "corrected", "核实后更正", today=date(2026, 10, 9))
    detail = community(desk)
    new = full_scores(detail, Decimal("0.7"))
    r.run(asv.reply_objection, oid, "2026-10-09", "corrected", "核实后更正满意度得分", corrected_scores=new,
          today=date(2026, 10, 9))
    st = c.run(asv.assessment_form_state, xid)
    assert st.grade == "pass" and st.total == Decimal("70.00")
    assert st.corrections[0].old_grade == "fail" and st.corrections[0].old_total == Decimal("50.00")
    assert st.corrections[0].by_objection
    assert status(desk, aid, 2).status == InstalmentStatus.PAYABLE
    with desk.db.session() as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.entity == "assessment",
                                                   AuditRecord.action == "correct")).all()
        assert any(rw.field == "grade" and rw.old_value == "fail" and rw.new_value == "pass" for rw in rows)


def test_objection_received_on_a_weekend_and_in_a_year_without_calendar_data(desk, people):
    aid = signed(desk, people)
    xid = assess(people, aid, "mid_term", Decimal("0.9"))
    c, r = people["clerk"], people["reviewer"]
    c.run(asv.receive_objection, xid, "2026-09-19", "异议", today=date(2026, 9, 30))  # Saturday
    o = c.run(asv.list_objections, assessment_id=xid)[0]
    # 9/20 is a make-up Sunday: 20, 21, 22, 23, 24
    assert o.reply_due_on == date(2026, 9, 24)
    r.run(asv.reply_objection, o.id, "2026-09-22", "upheld", "维持原结果", today=date(2026, 9, 30))
    c.run(asv.receive_objection, xid, "2026-12-28", "再次异议", today=date(2026, 12, 28))
    o2 = c.run(asv.list_objections, assessment_id=xid, open_only=True)[0]
    assert o2.reply_due_on is None and o2.uncovered_year == 2027
    flagged = [d for d in c.run(asv.deadlines, today=date(2026, 12, 28)) if d.kind == "objection"]
    assert flagged[0].due is None and flagged[0].uncovered_year == 2027


# --- acceptance and renewal ----------------------------------------------------------------------


def _acceptance(supervisors: int, aid: int) -> asv.AcceptanceInput:
    return asv.AcceptanceInput(
        agreement_id=aid, accepted_on="2027-02-26", team="王主任\n张科长\n第三方评估 陈工", place="示例社区", result="passed",
        score="88", opinion="服务完成，同意验收。",
        supervisors=[asv.SupervisorInput(f"居民{n}", "服务对象", f"1381234567{n}", "11010519491231002X" if n == 0 else "")
                     for n in range(supervisors)])


def test_acceptance_needs_three_supervisors_and_a_different_person_from_the_signer(desk, people):
    aid = signed(desk, people)
    c, r, r2 = people["clerk"], people["reviewer"], people["reviewer2"]
    c.run(ag.transition, aid, "start_final_acceptance")
    acc = c.run(asv.save_acceptance, _acceptance(2, aid))
    st = r2.run(asv.acceptance_state, aid)
    assert not st.actions["complete"].ok and "三" in (st.actions["complete"].reason or "")
    with pytest.raises(lc.TransitionRefused) as refused:
        r2.run(asv.complete_acceptance, acc)
    assert "第二十五条" in refused.value.message or "art. 25" in refused.value.message
    c.run(asv.save_acceptance, _acceptance(3, aid), acc)
    st = c.run(asv.acceptance_state, aid)
    assert st.supervisors[0].phone == "138****5670" and st.supervisors[0].id_number == "110105********002X"
    with pytest.raises(PermissionDenied):
        c.run(asv.acceptance_state, aid, reveal=True)
    assert people["admin"].run(asv.acceptance_state, aid, reveal=True).supervisors[0].phone == "13812345670"
    with pytest.raises(SeparationOfDutiesViolation):  # rev1 recorded the signing
        r.run(asv.complete_acceptance, acc)
    r2.run(asv.complete_acceptance, acc)
    assert status(desk, aid, 3).status == InstalmentStatus.PAYABLE
    with desk.db.session() as s:  # the audit trail holds masked numbers only
        texts = " ".join(x.new_value or "" for x in s.scalars(select(AuditRecord).where(
            AuditRecord.entity == "acceptance")))
        assert "13812345670" not in texts and "138****5670" in texts


def test_the_agreement_completes_only_on_a_passed_acceptance(desk, people):
    aid = signed(desk, people)
    c, r2 = people["clerk"], people["reviewer2"]
    c.run(ag.transition, aid, "start_final_acceptance")

    def refused() -> str:
        with pytest.raises(lc.TransitionRefused) as info:
            r2.run(ag.transition, aid, "complete")
        assert c.run(ag.get, aid).state == lc.AgreementState.FINAL_ACCEPTANCE  # nothing changed
        return info.value.message

    assert "尚未登记验收" in refused()  # no acceptance at all
    from app.services.agreement_form import agreement_form_state

    before = r2.run(agreement_form_state, aid).actions["move:complete"]  # what the window knows beforehand
    assert not before.ok and "尚未登记验收" in (before.reason or "")
    acc = c.run(asv.save_acceptance, _acceptance(3, aid))
    assert "验收尚未办结" in refused()  # a draft acceptance is not enough
    data = _acceptance(3, aid)
    data.result = "failed"
    c.run(asv.save_acceptance, data, acc)
    r2.run(asv.complete_acceptance, acc)
    assert "验收未通过" in refused()  # a failed one neither
    again = c.run(asv.save_acceptance, _acceptance(3, aid))  # rectified: a new acceptance that passes
    r2.run(asv.complete_acceptance, again)
    assert r2.run(agreement_form_state, aid).actions["move:complete"].ok
    assert r2.run(ag.transition, aid, "complete") == lc.AgreementState.COMPLETED


def test_the_completion_refusal_is_translated(desk, people):
    from app import i18n

    aid = signed(desk, people)
    people["clerk"].run(ag.transition, aid, "start_final_acceptance")
    i18n.set_language("en")
    try:
        with pytest.raises(lc.TransitionRefused) as info:
            people["reviewer2"].run(ag.transition, aid, "complete")
    finally:
        i18n.set_language("zh_CN")
    assert "no acceptance" in info.value.message


def test_purchaser_as_user_needs_no_supervisors(desk, people):
    aid = signed(desk, people)
    people["clerk"].run(ag.transition, aid, "start_final_acceptance")
    data = _acceptance(0, aid)
    data.purchaser_is_user = True
    acc = people["clerk"].run(asv.save_acceptance, data)
    people["reviewer2"].run(asv.complete_acceptance, acc)


def test_renewal_opens_through_a_passed_final_assessment(desk, people):
    aid = signed(desk, people)
    c = people["clerk"]
    c.run(ag.transition, aid, "start_final_acceptance")
    assert "终期考核" in c.run(ag.get, aid, today=TODAY).renewal_refusal
    xid = assess(people, aid, "final", Decimal("0.92"), approver="")
    assert c.run(ag.get, aid, today=TODAY).renewal_refusal  # submitted, not approved: still closed
    people["reviewer2"].run(asv.approve_assessment, xid, today=LATER)
    assert c.run(ag.get, aid, today=TODAY).renewal_refusal == ""
    assert any(d.kind == "renewal" for d in c.run(asv.deadlines, today=LATER))
    nid = c.run(ag.prepare_renewal, aid)
    assert c.run(ag.get, nid, today=TODAY).data.year_index == 2


def test_a_failed_final_assessment_closes_the_project_with_the_reason(desk, people):
    aid = signed(desk, people)
    c = people["clerk"]
    c.run(ag.transition, aid, "start_final_acceptance")
    assess(people, aid, "final", Decimal("0.4"))
    d = c.run(ag.get, aid, today=TODAY)
    assert "不合格" in d.renewal_refusal
    pid = c.run(ag.get, aid, today=TODAY).data.project_id
    p = c.run(projects.get, pid)
    assert p.state == lc.ProjectState.SETTLEMENT
    assert "不合格" in p.state_reason and "第二十三条" in p.state_reason
    with pytest.raises(lc.TransitionRefused):
        c.run(ag.prepare_renewal, aid)


def test_deadlines_are_sorted_by_due_date_and_limited_by_days(desk, people):
    aid = signed(desk, people)
    items = people["clerk"].run(asv.deadlines, today=TODAY)
    dues = [d.due for d in items]
    assert dues == sorted(dues)
    kinds = {d.kind for d in items}
    assert {"milestone", "payment"} <= kinds
    assert all(d.agreement_id == aid for d in items)
    near = people["clerk"].run(asv.deadlines, days=30, today=TODAY)
    assert all(d.due is None or (d.due - TODAY).days <= 30 for d in near) and len(near) < len(items)


@pytest.mark.db_content(sample_data(date(2026, 11, 23)))
def test_sample_data_reaches_every_case_through_the_services(desk, db):
    from app.models import Acceptance
    from app.services import demo

    today = date(2026, 11, 23)
    assert desk.run(demo.load_sample, today=today) == 0  # there already: the db_content marker
    with db.session() as s:
        states = payments.instalment_statuses(s)
        completed = s.scalars(select(Acceptance).where(Acceptance.state == "completed")).all()
        assert completed and all(len(a.supervisors) >= 3 for a in completed)
    assert any(st.status == InstalmentStatus.PAID for st in states)
    blocked = [st for st in states if st.status == InstalmentStatus.BLOCKED]
    assert blocked and "未通过" in blocked[0].reason
    rows = desk.run(asv.list_assessments)
    assert any(r.milestone_kind == "routine" and r.passed and r.final for r in rows)
    assert desk.run(asv.list_objections, open_only=True)
    # the three-year project reached year 2 through a passed final assessment of year 1
    year1 = [r for r in rows if r.milestone_kind == "final" and r.passed]
    assert year1
    agreements = desk.run(ag.list_agreements, today=today)
    assert any(a.year_index == 2 and a.project_id == next(x.project_id for x in agreements
                                                           if x.number == year1[0].agreement) for a in agreements)


# --- printing ------------------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    import io
    import re

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_the_printed_notice_carries_the_recorded_figures_and_its_own_number(desk, people):
    from app.services import printing

    aid = signed(desk, people)
    xid = assess(people, aid, "mid_term", Decimal("0.85"))
    c = people["clerk"]
    number = c.run(asv.issue_notice, xid, "2026-09-15", today=LATER)
    assert number.endswith("考核告〔2026〕001号")
    r = c.run(printing.render, "assessment_notice", aid, final=True, record_id=xid)
    text = _pdf_text(r.pdf)
    assert "考核结果告知书" in text and number in text and "文书编号" in text
    assert "85.00分" in text and "良好" in text and "2026年9月1日" in text
    assert "过程管理" in text and "25.50分" in text  # 30 × 0.85
    assert "满意率92.50%" in text and "个别活动延期" in text
    assert "五个工作日内" in text
    assert c.run(printing.verify, r.code).status == "match"
    # a correction changes the figures, so the paper copy no longer matches
    people["reviewer"].run(asv.correct_assessment, xid, {"1.1": "12"}, "复核台账后更正")
    assert c.run(printing.verify, r.code).status == "changed"


def test_the_printed_acceptance_form_carries_team_result_and_supervisors(desk, people):
    from app.services import printing

    aid = signed(desk, people)
    people["clerk"].run(ag.transition, aid, "start_final_acceptance")
    acc = people["clerk"].run(asv.save_acceptance, _acceptance(3, aid))
    people["reviewer2"].run(asv.complete_acceptance, acc)
    text = _pdf_text(people["clerk"].run(printing.render, "acceptance_form", aid).pdf)
    assert "政府购买服务项目验收单" in text
    assert "2027年2月26日" in text and "示例社区" in text
    assert "王主任、张科长、第三方评估陈工" in text
    assert "合格（√）" in text and "88.00分" in text and "同意验收" in text
    assert "居民0" in text and "居民2" in text and "138****5672" in text and "13812345672" not in text


def test_the_monthly_summary_reads_payments_assessments_and_objections(desk, people):
    from app.services import summary

    aid = signed(desk, people)
    people["finance"].run(payments.record_payment, payments.PaymentInput(
        agreement_id=aid, instalment_seq=1, paid_on="2026-03-05", amount="84000", reference="P-1",
        channel="dept_budget"), today=TODAY)
    xid = assess(people, aid, "mid_term", Decimal("0.5"))  # approved 2026-09-15, fails
    oid = people["clerk"].run(asv.receive_objection, xid, "2026-09-29", "异议", today=date(2026, 9, 30))
    people["reviewer"].run(asv.reply_objection, oid, "2026-10-09", "upheld", "维持", today=date(2026, 10, 9))
    march = desk.run(summary.summarize, "2026-03", today=date(2026, 12, 1))
    assert (march.payments.paid_count, march.payments.paid_amount) == (1, Decimal("84000.00"))
    assert march.payments.blocked_count == 1 and march.payments.blocked_amount == Decimal("112000.00")
    sept = desk.run(summary.summarize, "2026-09", today=date(2026, 12, 1))
    assert sept.assessments.completed == 1 and ("不合格", 1) in sept.assessments.by_grade
    assert (sept.objections.received, sept.objections.replied, sept.objections.replied_on_time) == (1, 1, 1)
    section = sept.objections.as_section()
    assert section.key == "objections" and ("按时答复（五个工作日内）", 1) in section.rows


def test_the_audit_trail_names_every_assessment_acceptance_payment_and_objection_record(desk, people):
    """Every entry these records write reads in the reader's language: the kind of record, the action,
    the field and coded values (states, kinds, results, channels, assessors' roles) by their labels,
    and records referred to by id (milestone, checklist version, assessment, acceptance) by name."""
    import re

    from app.i18n import set_language
    from app.services import audit, audit_text

    admin, c, r2, fin = people["admin"], people["clerk"], people["reviewer2"], people["finance"]
    good = [{"key": "1", "level": 1, "name": "过程", "weight": "60"}, {"key": "2", "level": 1, "name": "产出", "weight": "40"}]
    tid = admin.run(checklists.checklist, admin.run(checklists.save_checklist, None, "自定义考核表", good)).template_id
    admin.run(checklists.save_checklist, tid, "自定义考核表（修订）", good)
    aid = signed(desk, people)
    mid = next(m for m in c.run(asv.milestones, aid) if m.kind == "mid_term")
    c.run(asv.update_milestone, mid.id, "中期考核", "2026-09-10")
    fin.run(payments.record_payment, payments.PaymentInput(agreement_id=aid, instalment_seq=1, paid_on="2026-03-05",
                                                           amount="84000", reference="国库支付凭证 0001",
                                                           channel="treasury_direct"), today=TODAY)
    xid = assess(people, aid, "mid_term", Decimal("0.5"))
    c.run(asv.issue_notice, xid, "2026-09-15", today=LATER)
    oid = c.run(asv.receive_objection, xid, "2026-09-29", "满意度调查样本不足，附证据。", today=date(2026, 9, 30))
    r2.run(asv.reply_objection, oid, "2026-10-09", "corrected", "核实后更正满意度得分",
           corrected_scores=full_scores(community(desk), Decimal("0.7")), today=date(2026, 10, 9))
    fin.run(payments.record_payment, payments.PaymentInput(agreement_id=aid, instalment_seq=2, paid_on="2026-10-20",
                                                           amount="112000", reference="国库支付凭证 0002",
                                                           channel="dept_budget"), today=date(2026, 10, 20))
    c.run(ag.transition, aid, "start_final_acceptance")
    acc = c.run(asv.save_acceptance, _acceptance(3, aid))
    admin.run(asv.acceptance_state, aid, reveal=True)
    r2.run(asv.complete_acceptance, acc)
    fin.run(payments.record_payment, payments.PaymentInput(agreement_id=aid, instalment_seq=3, paid_on="2027-03-01",
                                                           amount="84000", reference="国库支付凭证 0003"),
            today=date(2027, 3, 1))
    kinds = ("assessment", "acceptance", "payment", "objection", "checklist", "milestone")
    code = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b(?:draft|submitted|approved|received|replied|passed|failed|"
                      r"completed|routine|expert|upheld|corrected|fail|pass|good|excellent|dept|treasury)\b")
    typed = {"findings", "content", "reply", "opinion", "team", "place", "reference", "name", "correction"}
    latin = re.compile(r"[A-Za-z]")
    with desk.db.session() as s:
        rows = audit_text.describe(s, [row for row in audit.page(s, admin.actor, audit.AuditQuery(), 0, 10000)
                                       if row.entity in kinds])
        seen = {(row.entity, row.action) for row in rows}
        assert {("checklist", "create"), ("checklist", "update"), ("milestone", "update"), ("assessment", "create"),
                ("assessment", "state"), ("assessment", "issue"), ("assessment", "correct"), ("objection", "create"),
                ("objection", "reply"), ("acceptance", "create"), ("acceptance", "reveal"), ("acceptance", "state"),
                ("payment", "create")} <= seen
        problems: list[str] = []
        for row in rows:  # Chinese: no stored code, no English word, no bare id
            label = audit_text.field_label(row.entity, row.field)
            change = audit_text.change_text(row.entity, row.field, row.old_value, row.new_value, row.names)
            for text in (row.entity_type_label, row.action_label, label):
                if latin.search(text):
                    problems.append(f"{row.entity}.{row.action}.{row.field}: {text}")
            if row.field not in typed and code.search(change):
                problems.append(f"{row.entity}.{row.field}: {change}")
            if row.field.endswith("_id") and row.new_value:
                assert not change.split(" → ")[-1].isdigit(), (row.entity, row.field, change)
            assert row.entity_label and not row.entity_label.isdigit(), (row.entity, row.action)
        assert not problems, "\n".join(sorted(set(problems)))
        by = {(row.entity, row.field): row for row in rows}
        assessors = by[("assessment", "assessors")]
        assert audit_text.change_text("assessment", "assessors", None, assessors.new_value) == \
            "— → 张评估（购买主体人员）、刘专家（专家）"
        pay = [row for row in rows if row.entity == "payment" and row.field == "acceptance_id" and row.new_value]
        assert pay and audit_text.value_text("payment", "acceptance_id", pay[0].new_value, pay[0].names) == \
            c.run(ag.get, aid).number
        set_language("en")
        try:  # English: every label is a word, not the stored field name
            for row in rows:
                assert row.entity_type_label != row.entity and row.action_label != row.action
                if row.field:
                    assert "_" not in audit_text.field_label(row.entity, row.field), row.field
            assert audit_text.value_text("payment", "channel", "dept_budget").startswith("Departmental budget")
        finally:
            set_language("zh_CN")

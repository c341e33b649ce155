"""The seeds' rules where they bind (issue 15): each refused, or needing its reason, on one side of its
boundary and passing on the other."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain import lifecycle as lc
from app.domain.errors import ValidationError
from app.domain.rules import RULES
from app.services import agreements as ag
from app.services import projects, thresholds
from app.services.context import Desk
from app.services.duties import SeparationOfDutiesViolation
from app.services.permissions import PermissionDenied
from tests.factories import agreement_input, awarded_project, eligible_org, make_user, project_input

TODAY = date(2026, 12, 20)
NOTICE = date(2026, 2, 10)  # the factory's award notice


@pytest.fixture
def people(db):
    return {
        "clerk": Desk(db, make_user(db, "clerk1", "clerk")),
        "clerk2": Desk(db, make_user(db, "clerk2", "clerk")),
        "reviewer": Desk(db, make_user(db, "rev1", "reviewer")),
        "both": Desk(db, make_user(db, "both1", "clerk,reviewer")),
        "admin": Desk(db, make_user(db, "admin1", "admin")),
    }


@pytest.fixture
def awarded(people):
    org = eligible_org(people["clerk"], today=date(2026, 6, 15))
    return awarded_project(people, org), org


def _approved(people, pid: int, org: int, **kw: object) -> int:
    aid = people["clerk"].run(ag.save, agreement_input(pid, org, **kw))
    people["clerk"].run(ag.transition, aid, "submit_review")
    people["reviewer"].run(ag.transition, aid, "approve")
    return aid


def _sign(people, aid: int, on: date, **reasons: str) -> None:
    people["clerk"].run(ag.transition, aid, "record_signing", today=TODAY,
                        signing=ag.SigningInput("王主任", "李涛", on.isoformat(), on.isoformat(), **reasons))


# --- Signing: after the award, within 30 days, no work before signing (政府采购法第四十六条) --------


def test_signing_before_the_award_notice_is_refused_and_on_its_day_allowed(people, awarded):
    pid, org = awarded
    aid = _approved(people, pid, org, period_start="2026-03-01")
    with pytest.raises(ValidationError) as info:
        _sign(people, aid, NOTICE - timedelta(days=1))
    assert {p.field for p in info.value.problems} == {"signed_on_a", "signed_on_b"}
    assert "第四十六条" in info.value.problems[0].reason
    _sign(people, aid, NOTICE)
    assert people["clerk"].run(ag.get, aid).state == lc.AgreementState.EFFECTIVE


def test_signing_after_30_days_needs_a_reason_and_is_marked_late(people, awarded):
    pid, org = awarded
    aid = _approved(people, pid, org, period_start="2026-04-01")
    last_day = NOTICE + timedelta(days=30)
    with pytest.raises(ag.ReasonRequired) as info:
        _sign(people, aid, last_day + timedelta(days=1))
    assert info.value.field == "late_signing_reason" and "第四十六条" in str(info.value)
    assert people["clerk"].run(ag.get, aid).state == lc.AgreementState.AWAITING_SIGNATURE  # nothing saved
    _sign(people, aid, last_day + timedelta(days=1), late_reason="乙方法定代表人出差，延期用印")
    detail = people["clerk"].run(ag.get, aid)
    signing = detail.deadlines[0]
    assert signing.late and signing.late_reason == "乙方法定代表人出差，延期用印"


def test_signing_on_the_30th_day_needs_no_reason(people, awarded):
    pid, org = awarded
    aid = _approved(people, pid, org, period_start="2026-04-01")
    _sign(people, aid, NOTICE + timedelta(days=30))
    row = people["clerk"].run(ag.get, aid).deadlines[0]
    assert not row.late and row.late_reason == ""


def test_service_period_starting_before_the_signing_needs_a_reason(people, awarded):
    pid, org = awarded
    aid = _approved(people, pid, org, period_start="2026-03-01")
    with pytest.raises(ag.ReasonRequired) as info:
        _sign(people, aid, date(2026, 3, 2))
    assert info.value.field == "early_start_reason" and "2026-03-01" in str(info.value)
    _sign(people, aid, date(2026, 3, 2), early_start_reason="春节后服务不能中断，经主任办公会同意先行服务")
    detail = people["clerk"].run(ag.get, aid)
    assert detail.early_start_reason.startswith("春节后") and detail.effective_on == date(2026, 3, 2)


def test_service_starting_on_the_signing_day_needs_no_reason(people, awarded):
    pid, org = awarded
    aid = _approved(people, pid, org, period_start="2026-03-01")
    _sign(people, aid, date(2026, 3, 1))
    assert people["clerk"].run(ag.get, aid).early_start_reason == ""


# --- Announcement (实施条例第五十条) and filing after their working-day deadlines ---------------------


def test_announcement_across_national_day_needs_a_reason_one_working_day_late(people, awarded, db):
    pid, org = awarded
    aid = _approved(people, pid, org, period_start="2026-03-01")
    _sign(people, aid, date(2026, 2, 26))
    # Move the signing to the eve of the National Day holiday: two working days then end after it.
    from app.models.project import Agreement

    with db.session() as s:
        a = s.get(Agreement, aid)
        a.effective_on = date(2026, 9, 30)
        due = ag.obligation_dues(s, a)["announced_on"]
    assert due is not None and due > date(2026, 10, 7)  # the holiday week is not counted
    clerk = people["clerk"]
    with pytest.raises(ag.ReasonRequired) as info:
        clerk.run(ag.record_dates, aid, announced_on=(due + timedelta(days=1)).isoformat(), today=TODAY)
    assert info.value.field == "late_announcement_reason" and "第五十条" in str(info.value)
    clerk.run(ag.record_dates, aid, announced_on=due.isoformat(), today=TODAY)  # on the due day: no reason
    row = next(d for d in clerk.run(ag.get, aid).deadlines if d.done_on == due)
    assert not row.late
    clerk.run(ag.record_dates, aid, filed_on=(due + timedelta(days=30)).isoformat(), today=TODAY,
              filed_late_reason="财政部门系统升级，延后受理")
    rows = clerk.run(ag.get, aid).deadlines
    assert any(r.late and r.late_reason == "财政部门系统升级，延后受理" for r in rows)


# --- Duties bind to the content (成都规程第十七条) ------------------------------------------------


def test_every_writer_of_the_requirement_is_a_drafter_and_may_not_approve(people):
    writer, submitter, reviewer = people["both"], people["clerk"], people["reviewer"]
    pid = writer.run(projects.save, project_input())
    submitter.run(projects.transition, pid, "approve_budget")
    submitter.run(projects.transition, pid, "draft_requirement")
    with pytest.raises(SeparationOfDutiesViolation):
        writer.run(projects.transition, pid, "approve_requirement")  # wrote the text, did not submit it
    reviewer.run(projects.transition, pid, "approve_requirement")


def test_submitter_and_drafter_of_an_agreement_may_not_approve_it(people, awarded):
    pid, org = awarded
    both = people["both"]
    aid = both.run(ag.save, agreement_input(pid, org))
    both.run(ag.transition, aid, "submit_review")
    with pytest.raises(SeparationOfDutiesViolation) as info:
        both.run(ag.transition, aid, "approve")  # holds the reviewer role, but drafted and submitted
    assert isinstance(info.value, PermissionDenied)
    people["reviewer"].run(ag.transition, aid, "return_draft", reason="补充服务地点")
    people["clerk"].run(ag.save, agreement_input(pid, org, place="某社区服务站"), aid)
    people["clerk"].run(ag.transition, aid, "submit_review")
    people["reviewer"].run(ag.transition, aid, "approve")


def test_an_edit_by_the_reviewer_makes_the_reviewer_a_drafter(people, awarded):
    pid, org = awarded
    aid = people["clerk"].run(ag.save, agreement_input(pid, org))
    people["both"].run(ag.save, agreement_input(pid, org, place="另一服务站"), aid)
    people["clerk"].run(ag.transition, aid, "submit_review")
    with pytest.raises(SeparationOfDutiesViolation):
        people["both"].run(ag.transition, aid, "approve")


def test_the_first_administrator_holds_the_administrator_role_only(desk):
    from app.services import accounts

    admin = desk.run(accounts.create_first_admin, "chief", "王主任", "Ab12345678!", "Ab12345678!")
    assert admin.roles == {"admin"}


# --- Yearly totals against the award (成都规程第二十三条) -------------------------------------------


def _consortium_award(people, basis: str) -> tuple[int, int, int]:
    c = people["clerk"]
    a = eligible_org(c, "甲社工中心", today=date(2026, 6, 15))
    b = eligible_org(c, "乙社工中心", today=date(2026, 6, 15))
    cons = c.run(projects.save_consortium, projects.ConsortiumInput(
        name="测试组团", members=[projects.MemberInput(a, "operator"), projects.MemberInput(b, "operator")]))
    pid = c.run(projects.save, project_input())
    c.run(projects.transition, pid, "approve_budget")
    c.run(projects.transition, pid, "draft_requirement")
    people["reviewer"].run(projects.transition, pid, "approve_requirement")
    c.run(projects.compile_documents, pid)
    people["clerk2"].run(projects.recheck_documents, pid)
    c.run(projects.transition, pid, "start_procurement")
    c.run(projects.transition, pid, "record_award", award=projects.AwardInput(
        consortium_id=cons, notice_date="2026-02-10", price="300000", price_basis=basis), today=date(2026, 6, 15))
    return pid, a, b


@pytest.mark.parametrize("basis", ["whole_plan", "per_year"])
def test_agreements_of_a_year_stay_within_the_award(people, basis):
    pid, a, b = _consortium_award(people, basis)
    c = people["clerk"]
    first = c.run(ag.save, agreement_input(pid, a, amount="200000", instalments=[
        ag.InstalmentInput(percent="100", condition="final_acceptance")]))
    assert c.run(ag.get, first).plan_remaining == Decimal("300000.00")  # this agreement itself not counted
    with pytest.raises(ValidationError) as info:
        c.run(ag.save, agreement_input(pid, b, amount="100000.01", instalments=[
            ag.InstalmentInput(percent="100", condition="final_acceptance")]))
    assert info.value.problems[0].field == "amount" and "100,000.00" in info.value.problems[0].reason
    c.run(ag.save, agreement_input(pid, b, amount="100000.00", instalments=[
        ag.InstalmentInput(percent="100", condition="final_acceptance")]))


@pytest.mark.parametrize("basis, year2_left", [("whole_plan", Decimal("0.00")), ("per_year", Decimal("300000"))])
def test_what_the_award_leaves_for_next_year(people, db, basis, year2_left):
    from app.models.project import Project

    pid, a, _b = _consortium_award(people, basis)
    people["clerk"].run(ag.save, agreement_input(pid, a, amount="300000", instalments=[
        ag.InstalmentInput(percent="100", condition="final_acceptance")]))
    with db.session() as s:
        assert ag.plan_remaining(s, s.get(Project, pid), 2) == year2_left


def test_a_multi_year_award_must_say_what_its_price_covers(people):
    c = people["clerk"]
    org = eligible_org(c, today=date(2026, 6, 15))
    pid = c.run(projects.save, project_input())
    for step in ("approve_budget", "draft_requirement"):
        c.run(projects.transition, pid, step)
    people["reviewer"].run(projects.transition, pid, "approve_requirement")
    c.run(projects.compile_documents, pid)
    people["clerk2"].run(projects.recheck_documents, pid)
    c.run(projects.transition, pid, "start_procurement")
    with pytest.raises(ValidationError) as info:
        c.run(projects.transition, pid, "record_award", award=projects.AwardInput(
            undertaker_id=org, notice_date="2026-02-10", price="280000"), today=date(2026, 6, 15))
    assert info.value.problems[0].field == "award_price_basis"


# --- Method thresholds, what may not be purchased, public consultation -------------------------


def _to_review(people, **kw: object) -> int:
    c = people["clerk"]
    pid = c.run(projects.save, project_input(**kw))
    c.run(projects.transition, pid, "approve_budget")
    c.run(projects.transition, pid, "draft_requirement")
    return pid


@pytest.mark.parametrize("budget, refused", [("499999.99", False), ("500000", True), ("12000000", True)])
def test_budget_at_the_method_threshold(people, budget, refused):
    kw = {"procurement_method": "competitive_consultation", "budget_amount": budget}
    if refused:
        with pytest.raises(lc.TransitionRefused) as info:
            _to_review(people, **kw)
        assert "第四十一条" in str(info.value) and "地方" in str(info.value)
        pid = _to_review(people, **kw, threshold_reason="市财政局同意采用竞争性磋商（批复文号示例）")
    else:
        pid = _to_review(people, **kw)
    assert people["clerk"].run(projects.get, pid).state == lc.ProjectState.REQUIREMENT_DRAFT


def test_the_administrator_edits_the_thresholds(people, db):
    with pytest.raises(PermissionDenied):
        people["clerk"].run(thresholds.save_thresholds, [("competitive_consultation", "", "2000000")])
    people["admin"].run(thresholds.save_thresholds, [("competitive_consultation", "", "2000000")])
    _to_review(people, procurement_method="competitive_consultation", budget_amount="1500000")
    with pytest.raises(ValidationError):
        people["admin"].run(thresholds.save_thresholds, [("open_tender", "500000", "100000")])
    with db.session() as s:
        row = next(r for r in thresholds.list_thresholds(s) if r.method == "competitive_consultation")
    assert row.max_amount == Decimal("2000000")


def test_the_drafter_confirms_what_may_not_be_purchased(people):
    with pytest.raises(lc.TransitionRefused) as info:
        _to_review(people, excl_labour_dispatch=False)
    assert "劳务派遣" in str(info.value) and "第十、十八条" in str(info.value)


@pytest.mark.parametrize("category, refused", [(3, True), (1, False)])
def test_public_consultation_for_class_3_services(people, category, refused):
    kw = {"service_category": category, "consultation_on": None, "consultation_method": "", "consultation_result": ""}
    if refused:
        with pytest.raises(lc.TransitionRefused) as info:
            _to_review(people, **kw)
        assert "第十五条" in str(info.value)
    else:
        assert people["clerk"].run(projects.get, _to_review(people, **kw)).state == lc.ProjectState.REQUIREMENT_DRAFT


# --- The rule list in the README ----------------------------------------------------------------


def test_readme_rule_table_lists_every_rule_with_its_binding():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        row = re.search(rf"^\|\s*`{rule.key}`\s*\|.*$", readme, re.MULTILINE)
        assert row is not None, rule.key
        assert rule.binding.value.replace("_", " ") in row.group(0), rule.key


# --- The printed contract states when it took effect, for a service that began before signing ------


def _frozen_text(people, aid: int) -> str:
    from app.services import printing
    from tests.unit.test_printing import pdf_text

    rendered = people["clerk"].run(printing.render, "agreement", aid)
    assert not rendered.draft
    return pdf_text(rendered.pdf, Path("."))


def _approved_on(people, pid: int, org: int, approved: date, **kw: object) -> int:
    aid = people["clerk"].run(ag.save, agreement_input(pid, org, **kw))
    people["clerk"].run(ag.transition, aid, "submit_review")
    people["reviewer"].run(ag.transition, aid, "approve", today=approved)
    return aid


def test_a_contract_approved_after_its_period_began_says_it_takes_effect_on_signing(people, awarded):
    from app.services import printing

    pid, org = awarded
    aid = _approved_on(people, pid, org, date(2026, 3, 2), period_start="2026-03-01")
    text = _frozen_text(people, aid)
    assert "服务期限的起始日早于本合同生效之日" in text
    assert "乙方自2026年3月1日起至本合同生效前已经提供的服务，经甲方确认后纳入本合同" in text
    assert "生效日期以签署栏所载日期为准，不因服务期限的起始日而提前" in text
    code = people["clerk"].run(printing.render, "agreement", aid).code
    _sign(people, aid, date(2026, 3, 5), early_start_reason="春节后服务不能中断，经主任办公会同意先行服务")
    again = people["clerk"].run(printing.render, "agreement", aid)
    assert again.code == code  # the signed paper still verifies: the frozen text did not change
    verified = people["clerk"].run(printing.verify, code)
    assert verified.status == "match"
    assert "2026-03-05" in verified.message and "2026-03-01" in verified.message
    assert "春节后服务不能中断" in verified.message


def test_a_contract_approved_before_its_period_begins_has_no_such_sentence(people, awarded):
    pid, org = awarded
    aid = _approved_on(people, pid, org, date(2026, 3, 1), period_start="2026-03-01")
    text = _frozen_text(people, aid)
    assert "服务期限自2026年3月1日起" in text
    assert "早于本合同生效之日" not in text


def test_a_template_without_the_field_still_states_it_after_the_period_clause(people, awarded, db):
    from app.services import templates as tp

    admin = people["admin"]
    contract = next(t for t in admin.run(tp.list_templates) if t.kind == "contract")
    detail = admin.run(tp.get_template, contract.id)
    assert any("{period_note}" in c.text for c in detail.clauses)  # the shipped template places it
    clauses = [tp.ClauseInput(c.title, c.text.replace("{period_note}", ""), c.requirement) for c in detail.clauses]
    admin.run(tp.save_template, contract.id, detail.name, clauses)
    pid, org = awarded
    aid = _approved_on(people, pid, org, date(2026, 3, 2), period_start="2026-03-01")
    text = _frozen_text(people, aid)
    period = text.index("服务期限自2026年3月1日起")
    note = text.index("服务期限的起始日早于本合同生效之日")
    amount = text.index("本合同金额为")
    assert period < note < amount  # right after the period clause, before the next article


def test_the_sentence_names_the_recorded_effective_date_once_signed():
    from types import SimpleNamespace

    from app.services.printing import period_note

    signed = SimpleNamespace(period_start=date(2026, 1, 1), effective_on=date(2026, 11, 28))
    note = period_note(signed, "协议", "乙方", "甲方", date(2026, 12, 1))  # type: ignore[arg-type]
    assert note.startswith("服务期限的起始日早于本协议生效之日：本协议于2026年11月28日生效，甲方自2026年1月1日起")
    on_time = SimpleNamespace(period_start=date(2026, 11, 28), effective_on=date(2026, 11, 28))
    assert period_note(on_time, "合同", "甲方", "乙方", date(2026, 12, 1)) == ""  # type: ignore[arg-type]

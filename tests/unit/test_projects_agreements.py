"""Purchase projects and yearly agreements end to end through the services, with every guard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain import lifecycle as lc
from app.domain.errors import ValidationError
from app.services import agreements as ag
from app.services import orgs, projects
from app.services.context import Desk
from app.services.permissions import PermissionDenied
from tests.factories import (
    agreement_input,
    awarded_project,
    eligible_org,
    make_user,
    org_input,
    passed_acceptance,
    project_input,
)

TODAY = date(2026, 6, 15)


_user = make_user


@pytest.fixture
def people(db):
    return {
        "clerk": Desk(db, _user(db, "clerk1", "clerk")),
        "clerk2": Desk(db, _user(db, "clerk2", "clerk")),
        "reviewer": Desk(db, _user(db, "rev1", "reviewer")),
        "reviewer2": Desk(db, _user(db, "rev2", "reviewer")),
        "finance": Desk(db, _user(db, "fin1", "finance")),
    }


_eligible_org = eligible_org
_project_input = project_input
_awarded = awarded_project
_agreement_input = agreement_input


def _signed(people, pid: int, org: int, signer: str = "clerk", dates: tuple[str, str] = ("2026-02-26", "2026-02-27"),
            until: str = "effective") -> int:
    """An agreement drafted, reviewed and signed (by `signer`), optionally taken on to final acceptance."""
    c, r = people["clerk"], people["reviewer"]
    aid = c.run(ag.save, _agreement_input(pid, org))
    c.run(ag.transition, aid, "submit_review")
    r.run(ag.transition, aid, "approve")
    people[signer].run(ag.transition, aid, "record_signing", signing=ag.SigningInput("王主任", "李涛", *dates),
                       today=TODAY)
    if until == "final_acceptance":
        c.run(ag.transition, aid, "start_performance", today=TODAY)
        c.run(ag.transition, aid, "start_final_acceptance")
    return aid


def test_project_through_its_states_end_to_end(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    c, r = people["clerk"], people["reviewer"]
    aid = c.run(ag.save, _agreement_input(pid, org))
    detail = c.run(ag.get, aid, today=TODAY)
    assert detail.number.endswith("购服〔2026〕001号")
    assert [i.amount for i in detail.instalments] == [Decimal("84000.00"), Decimal("112000.00"), Decimal("84000.00")]
    assert detail.amount_upper == "人民币贰拾捌万元整"
    c.run(ag.transition, aid, "submit_review")
    r.run(ag.transition, aid, "approve")
    c.run(ag.transition, aid, "record_signing", signing=ag.SigningInput("王主任", "李涛", "2026-02-26", "2026-02-27"),
          today=TODAY)
    assert c.run(ag.get, aid, today=TODAY).effective_on == date(2026, 2, 27)
    c.run(ag.transition, aid, "start_performance", today=TODAY)
    assert c.run(projects.get, pid).state == lc.ProjectState.IN_PERFORMANCE
    c.run(ag.transition, aid, "start_final_acceptance")
    passed_acceptance(c, r, aid)
    r.run(ag.transition, aid, "complete")
    assert c.run(ag.get, aid).state == lc.AgreementState.COMPLETED
    r.run(projects.transition, pid, "start_settlement")
    r.run(projects.transition, pid, "close")
    assert c.run(projects.get, pid).state == lc.ProjectState.CLOSED


def test_no_agreement_before_the_award(desk, people):
    org = _eligible_org(desk)
    pid = people["clerk"].run(projects.save, _project_input())
    with pytest.raises(lc.TransitionRefused) as info:
        people["clerk"].run(ag.save, _agreement_input(pid, org))
    assert "确定承接主体后" in info.value.message


def test_no_performance_before_the_agreement_is_effective(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    with pytest.raises(lc.TransitionRefused) as info:
        people["clerk"].run(projects.transition, pid, "start_performance")
    assert "先实施后签订" in info.value.message or "生效" in info.value.message


def test_no_year_beyond_the_plan(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    with pytest.raises(ValidationError) as info:
        people["clerk"].run(ag.save, _agreement_input(pid, org, year_index=4))
    assert "year_index" in info.value.fields()
    with pytest.raises(ValidationError) as info:
        people["clerk"].run(ag.save, _agreement_input(pid, org, period_start="2026-03-01", period_end="2027-03-31"))
    assert "period_end" in info.value.fields()


def test_bad_input_names_the_field_and_saves_nothing(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    c = people["clerk"]
    cases = [
        (dict(amount="二十八万"), "amount"),
        (dict(period_start="2026-05-01", period_end="2026-04-01"), "period_end"),
        (dict(instalments=[ag.InstalmentInput(amount="100000", condition="on_signing")]), "instalments"),
        (dict(amount="290000"), "amount"),  # above the award price
        (dict(copies=1), "copies"),
    ]
    for kw, field in cases:
        with pytest.raises(ValidationError) as info:
            c.run(ag.save, _agreement_input(pid, org, **kw))
        assert field in info.value.fields(), (kw, info.value.message)
    assert c.run(ag.count_agreements) == 0


def test_instalments_must_add_up_exactly(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    data = _agreement_input(pid, org, amount="100000.01", instalments=[
        ag.InstalmentInput(amount="50000", condition="on_signing"),
        ag.InstalmentInput(amount="50000", condition="final_acceptance")])
    with pytest.raises(ValidationError) as info:
        people["clerk"].run(ag.save, data)
    assert "100,000.00" in info.value.message and "100,000.01" in info.value.message


def test_free_of_charge_agreement_and_reversed_parties(desk, people):
    org = _eligible_org(desk, "社区书法协会")
    pid = _awarded(people, org)
    aid = people["clerk"].run(ag.save, _agreement_input(pid, org, free_of_charge=True, amount=None, instalments=[],
                                                        parties_reversed=True))
    row = people["clerk"].run(ag.list_agreements)[0]
    assert row.amount == Decimal("0.00") and row.free_of_charge
    assert row.party_a == "社区书法协会"
    assert people["clerk"].run(ag.get, aid).amount_upper == "人民币零元整"


def test_missing_clause_blocks_review(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    aid = people["clerk"].run(ag.save, _agreement_input(pid, org, breach_liability=""))
    with pytest.raises(lc.TransitionRefused) as info:
        people["clerk"].run(ag.transition, aid, "submit_review")
    assert "违约责任" in info.value.message


def test_refused_transitions_say_why(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    aid = people["clerk"].run(ag.save, _agreement_input(pid, org))
    with pytest.raises(lc.TransitionRefused) as info:
        people["clerk"].run(ag.transition, aid, "start_performance")
    assert "草稿" in info.value.message
    with pytest.raises(PermissionDenied):
        people["clerk"].run(ag.transition, aid, "approve")  # a clerk cannot approve
    people["clerk"].run(ag.transition, aid, "submit_review")
    with pytest.raises(lc.TransitionRefused) as info:
        people["reviewer"].run(ag.transition, aid, "return_draft")  # needs a reason
    assert "原因" in info.value.message or "reason" in info.value.message


def test_ineligible_undertaker_cannot_be_signed_with(desk, people):
    # Eligible at the award; its inspection record is found wrong and removed before signing.
    org = _eligible_org(desk, "未年检中心")
    pid = _awarded(people, org)
    detail = desk.run(orgs.get, org, today=TODAY)
    detail.data.inspections = []
    desk.run(orgs.save, detail.data, org, expected_version=detail.version, today=TODAY)
    aid = people["clerk"].run(ag.save, _agreement_input(pid, org))
    people["clerk"].run(ag.transition, aid, "submit_review")
    people["reviewer"].run(ag.transition, aid, "approve")
    with pytest.raises(lc.TransitionRefused) as info:
        people["clerk"].run(ag.transition, aid, "record_signing",
                            signing=ag.SigningInput("王主任", "张三", "2026-02-26", "2026-02-27"), today=TODAY)
    assert "未年检中心" in info.value.message and "年检" in info.value.message
    assert people["clerk"].run(ag.get, aid).state == lc.AgreementState.AWAITING_SIGNATURE


def test_an_ineligible_organization_is_refused_at_award_with_its_reasons(desk, people):
    org = desk.run(orgs.save, org_input("未年检中心"), today=TODAY)
    with pytest.raises(ValidationError) as info:
        _awarded(people, org)
    assert "年检" in info.value.message and info.value.fields() == {"award_undertaker"}


def test_signed_agreement_is_locked_and_changed_by_amendment(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    c = people["clerk"]
    aid = _signed(people, pid, org)
    with pytest.raises(lc.TransitionRefused) as info:
        c.run(ag.save, _agreement_input(pid, org, place="新地点"), agreement_id=aid)
    assert "补充协议" in info.value.message
    n = c.run(ag.amend, aid, "服务地点迁址", {"place": "新址养老驿站"}, signed_on="2026-05-01")
    assert n == 1
    d = c.run(ag.get, aid)
    assert d.data.place == "新址养老驿站"
    assert d.amendments[0].changes == [{"field": "place", "before": "示例社区养老驿站", "after": "新址养老驿站"}]
    with pytest.raises(ValidationError):
        c.run(ag.amend, aid, "", {"place": "再改"})


def test_separation_of_duties_signing_and_acceptance(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    r = people["reviewer"]
    aid = _signed(people, pid, org, signer="reviewer", until="final_acceptance")
    with pytest.raises(PermissionDenied) as info:
        r.run(ag.transition, aid, "complete")  # the same reviewer recorded the signing
    assert "第十七条" in info.value.message
    passed_acceptance(people["clerk"], people["reviewer2"], aid)
    people["reviewer2"].run(ag.transition, aid, "complete")


def test_requirement_drafter_cannot_approve(desk, people):
    both = Desk(desk.db, _user(desk.db, "both", "clerk,reviewer"))
    pid = both.run(projects.save, _project_input())
    both.run(projects.transition, pid, "approve_budget")
    both.run(projects.transition, pid, "draft_requirement")
    with pytest.raises(PermissionDenied) as info:
        both.run(projects.transition, pid, "approve_requirement")
    assert "第十七条" in info.value.message
    assert both.run(projects.get, pid).state == lc.ProjectState.REQUIREMENT_DRAFT


def test_renewal_waits_for_the_assessment(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    c = people["clerk"]
    aid = _signed(people, pid, org, until="final_acceptance")
    reason = c.run(ag.get, aid).renewal_refusal
    assert "考核" in reason
    with pytest.raises(lc.TransitionRefused):
        c.run(ag.prepare_renewal, aid)


def test_single_source_needs_a_reason(people):
    with pytest.raises(ValidationError) as info:
        people["clerk"].run(projects.save, _project_input(procurement_method="single_source"))
    assert "method_reason" in info.value.fields()


def test_deadlines_across_holidays_and_flag_for_uncovered_year(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    c = people["clerk"]
    aid = _signed(people, pid, org, dates=("2026-02-12", "2026-02-13"))
    deadlines = {d.label: d for d in c.run(ag.get, aid).deadlines}
    sign = next(d for k, d in deadlines.items() if "30" in k)
    assert sign.due == date(2026, 3, 12) and sign.done_on == date(2026, 2, 13)
    announce = next(d for k, d in deadlines.items() if "2" in k and "30" not in k and "7" not in k)
    # Signed Friday 2026-02-13; 02-14 (Saturday) is a make-up working day, then Spring Festival 02-15..02-23.
    assert announce.due == date(2026, 2, 24)
    filing = next(d for k, d in deadlines.items() if "7" in k)
    # 02-14, 02-24..02-27 and 02-28 (Saturday, a make-up day) are six; the seventh is Monday 03-02.
    assert filing.due == date(2026, 3, 2)


def test_cli_lists_and_shows_agreements(desk, people, db, capsys):
    from app.cli import main

    org = _eligible_org(desk)
    pid = _awarded(people, org)
    aid = people["clerk"].run(ag.save, _agreement_input(pid, org))
    number = people["clerk"].run(ag.get, aid).number
    assert main(["--db", str(db.path), "--user", "clerk1", "agreements", "list", "--year", "2026", "--json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["number"] == number and rows[0]["state"] == "draft" and rows[0]["amount"] == "280000.00"
    assert rows[0]["party_b"] == "阳光社工服务中心"
    assert main(["--db", str(db.path), "--user", "clerk1", "agreements", "show", number, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["amount_upper"] == "人民币贰拾捌万元整" and len(shown["instalments"]) == 3
    assert main(["--db", str(db.path), "--user", "clerk1", "agreements", "show", "不存在的编号"]) == 1


def test_percentages_of_an_odd_amount_still_add_up_exactly(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    aid = people["clerk"].run(ag.save, _agreement_input(pid, org, amount="100000.01"))
    amounts = [i.amount for i in people["clerk"].run(ag.get, aid).instalments]
    assert amounts == [Decimal("30000.00"), Decimal("40000.00"), Decimal("30000.01")]
    assert sum(amounts) == Decimal("100000.01")


def test_amending_the_amount_rescales_a_percentage_schedule(desk, people):
    org = _eligible_org(desk)
    pid = _awarded(people, org)
    c = people["clerk"]
    aid = _signed(people, pid, org)
    c.run(ag.amend, aid, "服务对象增加，经费相应调减", {"amount": "250000"}, signed_on="2026-05-01")
    d = c.run(ag.get, aid)
    assert d.data.amount == Decimal("250000.00")
    assert [i.amount for i in d.instalments] == [Decimal("75000.00"), Decimal("100000.00"), Decimal("75000.00")]
    changed = {ch["field"] for ch in d.amendments[0].changes}
    assert {"amount", "instalments"} <= changed
    assert d.amount_upper == "人民币贰拾伍万元整"

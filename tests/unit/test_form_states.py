"""Form states: the service decides what a form shows and allows, for each actor, from the very guards the
writes run; the defaults of a new record come from the service, not the widget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.models.project import Agreement
from app.services import agreements as ag
from app.services.agreement_form import agreement_form_state
from tests.factories import agreement_input, awarded_project, eligible_org
from tests.unit.test_projects_agreements import _signed, people  # noqa: F401  (fixture)

TODAY = date(2026, 6, 15)


def test_new_agreement_defaults_come_from_the_award_and_the_requirement(desk, people):  # noqa: F811
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    state = people["clerk"].run(agreement_form_state, None, pid, TODAY)
    v = state.values
    assert (v.undertaker_id, v.amount, v.period_start, v.period_end) == (org, Decimal("280000.00"),
                                                                        date(2026, 2, 10), None)
    assert v.service_content == "req_content 内容" and v.acceptance_standard == "req_assessment_standard 内容"
    assert state.actions["save"].ok and state.fields["amount"].editable
    assert not state.actions["print:agreement"].ok and state.moves == ()
    assert state.parties == (state.office, "阳光社工服务中心") and state.amount_upper == "人民币贰拾捌万元整"
    # The same defaults serve the command line and the sample data.
    p = people["clerk"].run(lambda s, a: ag.defaults_for(s, s.get(ag.Project, pid)))
    assert (p.amount, p.period_start, p.undertaker_id) == (Decimal("280000.00"), date(2026, 2, 10), org)


def test_a_reviewer_sees_a_draft_read_only_with_the_reason(desk, people):  # noqa: F811
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    aid = people["clerk"].run(ag.save, agreement_input(pid, org, amount="1000.01", instalments=[
        ag.InstalmentInput(percent="50"), ag.InstalmentInput(percent="50", condition="final_acceptance")]))
    clerk = people["clerk"].run(agreement_form_state, aid)
    reviewer = people["reviewer"].run(agreement_form_state, aid)
    assert clerk.actions["save"].ok and [t.name for t in clerk.moves] == ["submit_review"]
    assert clerk.schedule_total == Decimal("1000.01")
    assert [i.percent for i in clerk.values.instalments] == [Decimal("50"), Decimal("50")]
    assert not reviewer.actions["save"].ok and "经办人" in (reviewer.actions["save"].reason or "")
    assert not reviewer.fields["amount"].editable and reviewer.fields["amount"].reason
    assert not reviewer.actions["move:submit_review"].ok and not reviewer.moves
    assert clerk.is_draft and not clerk.locked


def test_renewal_is_for_a_clerk_only(desk, people, db):  # noqa: F811
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    aid = _signed(people, pid, org, until="final_acceptance")
    clerk = people["clerk"].run(agreement_form_state, aid, today=TODAY)
    assert not clerk.actions["renew"].ok and clerk.actions["renew"].reason == clerk.detail.renewal_refusal
    with db.session() as s:
        s.get(Agreement, aid).final_assessment_passed = True
    clerk = people["clerk"].run(agreement_form_state, aid, today=TODAY)
    reviewer = people["reviewer"].run(agreement_form_state, aid, today=TODAY)
    assert clerk.actions["renew"].ok and clerk.locked
    assert not reviewer.actions["renew"].ok and "经办人" in (reviewer.actions["renew"].reason or "")
    assert not clerk.actions["save"].ok and "补充协议" in (clerk.actions["save"].reason or "")

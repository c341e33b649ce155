"""The dashboard's figures counted in the database equal the old per-record computation.

The to-do list used to date every obligation one record at a time (and the board kept them all);
the payment figures decided every instalment's status one at a time. Both are now grouped
queries. The old computations are kept here, as the oracle, and compared on generated data with
the edge cases: overdue, due today across the National Day holiday and its make-up working day,
a year the calendar does not cover, awaiting signature, renewals, instalments paid, partly paid
and overpaid, assessments passed, failed, draft, submitted, superseded and under objection,
acceptances pending, passed and failed, milestones matched by instalment or by name.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.assessment import InstalmentStatus
from app.domain.lifecycle import AgreementState
from app.domain.workdays import add_calendar_days, add_working_days
from app.models import Agreement, Organization, Project
from app.models.assessment import (
    Acceptance,
    Assessment,
    ChecklistTemplate,
    ChecklistVersion,
    Milestone,
    Objection,
    Payment,
)
from app.models.project import Instalment
from app.services import calendar as calendar_service
from app.services import checklists, dashboard, payments, summary
from tests.summary_data import seed

TODAY = date(2026, 10, 9)  # two working days after the National Day holiday (calendar tables)


# --- The oracle: the computations as they were, one record at a time --------------------------

def old_deadlines(session: Session, as_of: date, horizon: date) -> list[summary.DeadlineItem]:
    cal = calendar_service.load(session)
    items: list[summary.DeadlineItem] = []

    def add(kind: str, rkind: str, rid: int, ref: str, who: str, d) -> None:  # type: ignore[no-untyped-def]
        if d.due is None or d.due <= horizon:
            items.append(summary.DeadlineItem(kind, rkind, rid, ref, who, d.due, d.due is not None and d.due < as_of,
                                              d.uncovered_years))

    first = (select(Agreement.project_id, Agreement.effective_on).where(Agreement.year_index == 1).subquery())
    q = (select(Project.id, Project.name, Project.award_notice_date, first.c.effective_on, Organization.name)
         .outerjoin(first, first.c.project_id == Project.id)
         .outerjoin(Organization, Organization.id == Project.award_org_id)
         .where(Project.award_notice_date.is_not(None), Project.award_notice_date <= as_of,
                Project.state.notin_(("cancelled", "terminated", "failed"))))
    for pid, name, notice, effective, who in session.execute(q):
        if effective is not None and effective <= as_of:
            continue
        add("sign", "project", pid, name, who or "", add_calendar_days(cal, notice, 30))
    n_file = summary.filing_days(session)
    q2 = (select(Agreement.id, Agreement.number, Organization.name, Agreement.effective_on, Agreement.announced_on,
                 Agreement.filed_on)
          .join(Organization, Organization.id == Agreement.undertaker_id)
          .where(Agreement.effective_on.is_not(None), Agreement.effective_on <= as_of,
                 Agreement.state != AgreementState.TERMINATED.value))
    for aid, number, who, effective, announced, filed in session.execute(q2):
        if announced is None or announced > as_of:
            add("announce", "agreement", aid, number, who, add_working_days(cal, effective, 2))
        if filed is None or filed > as_of:
            add("file", "agreement", aid, number, who, add_working_days(cal, effective, n_file))
    items.sort(key=lambda i: (i.due is not None, i.due or date.min, i.kind, i.reference))
    return items


def old_todo(session: Session, today: date) -> list[dashboard.TodoItem]:
    TodoItem = dashboard.TodoItem
    items = [TodoItem(d.kind, d.record_kind, d.record_id, d.reference, d.undertaker, d.due, d.overdue,
                      d.kind != "sign")
             for d in old_deadlines(session, today, today + timedelta(days=dashboard.TODO_HORIZON_DAYS))]
    listed = {(t.record_kind, t.record_id) for t in items}
    waiting = session.execute(
        select(Agreement.id, Agreement.number, Organization.name, Agreement.project_id)
        .join(Organization, Organization.id == Agreement.undertaker_id)
        .where(Agreement.state == AgreementState.AWAITING_SIGNATURE.value).order_by(Agreement.id))
    for aid, number, who, pid in waiting:
        if ("project", pid) in listed:
            items = [TodoItem("sign", "agreement", aid, number, who, t.due, t.overdue, False)
                     if (t.record_kind, t.record_id) == ("project", pid) else t for t in items]
        else:
            items.append(TodoItem("sign", "agreement", aid, number, who, None, False, False))
    candidates = session.execute(
        select(Agreement.id, Agreement.number, Organization.name, Agreement.project_id, Agreement.year_index,
               Agreement.period_end, Project.plan_years)
        .join(Project, Project.id == Agreement.project_id).join(Organization, Organization.id == Agreement.undertaker_id)
        .where(Agreement.state.in_(summary.IN_FORCE_STATES[:3]), Agreement.year_index < Project.plan_years,
               Agreement.period_end <= today + timedelta(days=dashboard.RENEW_WINDOW_DAYS))
        .order_by(Agreement.id)).all()
    if candidates:
        have = set(session.execute(select(Agreement.project_id, Agreement.year_index)).all())
        for aid, number, who, pid, year, end, _plan in candidates:
            if (pid, year + 1) not in have:
                items.append(TodoItem("renew", "agreement", aid, number, who, end, end < today, False))
    items.sort(key=lambda t: (not t.overdue, t.due is None, t.due or date.max, t.kind, t.reference))
    return items


def old_payment_totals(session: Session) -> dict[InstalmentStatus, tuple[int, Decimal]]:
    out = {s: (0, Decimal("0.00")) for s in InstalmentStatus}
    for st in payments.instalment_statuses(session):  # one instalment at a time, with its reason
        n, left = out[st.status]
        out[st.status] = (n + 1, left + st.remaining)
    return out


# --- Generated data with the edge cases ---------------------------------------------------------

def add_edge_cases(db, rng_seed: int = 11) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(rng_seed)
    with db.session() as s:
        checklists.ensure_checklists(s)
        version = s.scalar(select(ChecklistVersion.id))
        if version is None:
            t = ChecklistTemplate(code="t", name="t")
            t.versions.append(ChecklistVersion(version=1, name="t", indicators="[]", bands="[]"))
            s.add(t)
            s.flush()
            version = t.versions[0].id
        orgs = list(s.scalars(select(Organization.id)))
        projects = list(s.scalars(select(Project.id)))
        # Signed around National Day: announcing (2 working days) falls due across the holiday,
        # some exactly today; a few signed in 2003, a year the calendar does not cover.
        days = [date(2026, 9, 25) + timedelta(days=k) for k in range(16)] + [date(2003, 12, 30)] + [
            date(2026, 9, 30)] * 16  # many due on one day: the page may end inside that day
        numbers = list(range(1, 91))
        rng.shuffle(numbers)  # numbers not in the order the rows were written
        for i in range(90):
            effective = rng.choice(days)
            state = rng.choice(["effective", "performing", "final_acceptance", "completed", "terminated"])
            s.add(Agreement(
                number=f"节假日〔2026〕{numbers[i]:03d}号", project_id=rng.choice(projects), year_index=rng.choice([1, 2, 3]),
                undertaker_id=rng.choice(orgs), amount=Decimal(rng.randint(100000, 9999999)) / 100,
                period_start=effective, period_end=effective + timedelta(days=rng.choice([20, 40, 364])), state=state,
                effective_on=effective,
                announced_on=effective + timedelta(days=1) if rng.random() < 0.3 else (
                    TODAY + timedelta(days=1) if rng.random() < 0.1 else None),
                filed_on=effective + timedelta(days=3) if rng.random() < 0.3 else None,
                free_of_charge=rng.random() < 0.05))
        # Renewals: the first year of a three-year plan ending soon (or past), with no second year yet.
        for i, end in enumerate((TODAY - timedelta(days=5), TODAY, TODAY + timedelta(days=59),
                                 TODAY + timedelta(days=61))):
            p = Project(name=f"续签项目{i}", budget_year=2026, budget_amount=Decimal("300000.00"), start_year=2026,
                        plan_years=3, state="in_performance")
            s.add(p)
            s.flush()
            s.add(Agreement(number=f"续签〔2026〕{i + 1:03d}号", project_id=p.id, year_index=1, undertaker_id=orgs[0],
                            amount=Decimal("1000.01"), period_start=end - timedelta(days=300), period_end=end,
                            state="performing", effective_on=end - timedelta(days=300),
                            announced_on=end - timedelta(days=299), filed_on=end - timedelta(days=299)))
        s.flush()
        # Instalments, milestones, assessments, objections, acceptances and payments on every agreement.
        for a in s.scalars(select(Agreement).order_by(Agreement.id)).all():
            total = a.amount
            parts = [(total * Decimal("0.3")).quantize(Decimal("0.01")), (total * Decimal("0.3")).quantize(Decimal("0.01"))]
            parts.append(total - sum(parts))
            s.add_all([Instalment(agreement_id=a.id, seq=1, amount=parts[0], condition="on_signing"),
                       Instalment(agreement_id=a.id, seq=2, amount=parts[1], condition="milestone_passed",
                                  milestone=rng.choice(["", "中期评估"])),
                       Instalment(agreement_id=a.id, seq=3, amount=parts[2],
                                  condition=rng.choice(["final_acceptance", "milestone_passed"]),
                                  milestone=rng.choice(["", "终期评估"]))])
            how = rng.random()
            if how < 0.6:  # saved milestones: matched by instalment seq, or renamed and matched by name
                by_seq = rng.random() < 0.6
                m1 = Milestone(agreement_id=a.id, seq=1, name="中期评估", kind="mid_term", due_on=a.period_end,
                               instalment_seq=2 if by_seq else None)
                m2 = Milestone(agreement_id=a.id, seq=2, name="终期评估", kind="final", due_on=a.period_end,
                               instalment_seq=3 if rng.random() < 0.5 else None)
                s.add_all([m1, m2])
                s.flush()
                for m in (m1, m2):
                    for _k in range(rng.choice([0, 1, 1, 2])):  # a later one supersedes the earlier
                        state = rng.choice(["draft", "submitted", "approved", "approved", "approved"])
                        x = Assessment(agreement_id=a.id, milestone_id=m.id, checklist_version_id=version,
                                       state=state, passed=None if state == "draft" else rng.random() < 0.7,
                                       grade="good", approved_on=a.period_start if state == "approved" else None)
                        s.add(x)
                        s.flush()
                        if state == "approved" and rng.random() < 0.25:
                            s.add(Objection(assessment_id=x.id, received_on=a.period_start, content="异议",
                                            state=rng.choice(["received", "replied"])))
            for _k in range(rng.choice([0, 0, 1, 2])):
                done = rng.random() < 0.7
                s.add(Acceptance(agreement_id=a.id, state="completed" if done else "draft",
                                 result=rng.choice(["passed", "passed", "failed"]) if done else "",
                                 accepted_on=a.period_end if done else None))
            for seq, amount in enumerate(parts, start=1):
                pay = rng.random()
                if a.effective_on is None or pay < 0.55:
                    continue
                chunks = [amount] if pay < 0.75 else [(amount / 3).quantize(Decimal("0.01"))] * (
                    1 if pay < 0.9 else 4)  # whole, partly paid, or paid over the amount in pieces
                for c in chunks:
                    s.add(Payment(agreement_id=a.id, instalment_seq=seq, paid_on=a.effective_on, amount=c,
                                  reference="凭证", channel="dept_budget", note=""))
        s.commit()


@pytest.fixture
def data(db):  # type: ignore[no-untyped-def]
    seed(db, n=120, today=TODAY)
    add_edge_cases(db)
    return db


def test_the_data_has_the_edge_cases(data, desk) -> None:  # type: ignore[no-untyped-def]
    items = desk.run(lambda s, a: old_todo(s, TODAY))
    dues = {t.due for t in items}
    assert TODAY in dues and any(t.overdue for t in items) and None in dues
    assert {t.kind for t in items} == {"sign", "announce", "file", "renew"}
    totals = desk.run(lambda s, a: old_payment_totals(s))
    assert all(n for n, _left in totals.values())  # payable, blocked, not due and paid all occur
    with data.session() as s:
        assert s.scalar(select(Objection.id).where(Objection.state == "received")) is not None


@pytest.mark.parametrize("today", [TODAY, date(2026, 9, 30), date(2026, 10, 1), date(2026, 6, 15), date(2027, 2, 1)])
def test_todo_equals_the_per_record_list(data, desk, today: date) -> None:  # type: ignore[no-untyped-def]
    expected = desk.run(lambda s, a: old_todo(s, today))
    assert desk.run(dashboard.todo, today=today) == expected
    overdue = sum(1 for t in expected if t.overdue)
    # pages ending inside the days on which most fall due (the page must end at the right number)
    by_due = Counter(t.due for t in expected if t.due is not None)
    inside = {[t.due for t in expected].index(d) + n // 2 + 1 for d, n in by_due.most_common(3)}
    for limit in sorted(inside | {1, 5, 17, 40, len(expected) - 1, len(expected), len(expected) + 3}):
        page = desk.run(lambda s, a, limit=limit: dashboard.todo_page(s, a, today, limit=max(limit, 1)))
        assert page.items == expected[:max(limit, 1)]
        assert (page.total, page.overdue) == (len(expected), overdue)


def test_board_shows_the_first_rows_and_counts_them_all(data, desk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    expected = desk.run(lambda s, a: old_todo(s, TODAY))
    monkeypatch.setattr(dashboard, "TODO_ROWS", 7)
    b = desk.run(dashboard.board, today=TODAY)
    assert b.todo == expected[:7] and b.todo_total == len(expected)
    assert b.overdue == sum(1 for t in expected if t.overdue) > 0


def test_deadlines_in_the_summary_equal_the_per_record_list(data, desk) -> None:  # type: ignore[no-untyped-def]
    for as_of, horizon in ((TODAY, TODAY + timedelta(days=31)), (date(2026, 9, 30), date(2026, 10, 31)),
                           (TODAY, date.max)):
        assert desk.run(lambda s, a, d=as_of, h=horizon: summary.deadlines_as_of(s, d, h)) == desk.run(
            lambda s, a, d=as_of, h=horizon: old_deadlines(s, d, h))


def test_payment_figures_equal_the_per_instalment_statuses(data, desk) -> None:  # type: ignore[no-untyped-def]
    expected = desk.run(lambda s, a: old_payment_totals(s))
    got = desk.run(lambda s, a: payments.status_totals(s))
    assert {k: (v.count, v.remaining) for k, v in got.items()} == expected
    f = desk.run(lambda s, a: summary.payments_figures(s, summary.Period.whole_year(2026)))
    assert (f.payable_count, f.payable_amount) == expected[InstalmentStatus.PAYABLE]
    assert (f.blocked_count, f.blocked_amount) == expected[InstalmentStatus.BLOCKED]


def test_an_objection_answered_releases_the_instalment(data, desk) -> None:  # type: ignore[no-untyped-def]
    before = desk.run(lambda s, a: payments.status_totals(s))
    with data.session() as s:
        for o in s.scalars(select(Objection).where(Objection.state == "received")):
            o.state = "replied"
        s.commit()
    after = desk.run(lambda s, a: payments.status_totals(s))
    assert after != before
    assert {k: (v.count, v.remaining) for k, v in after.items()} == desk.run(lambda s, a: old_payment_totals(s))


@pytest.mark.parametrize("as_of,horizon", [(TODAY, TODAY + timedelta(days=31)), (date(2026, 9, 30), date(2026, 10, 31)),
                                           (TODAY, date.max)])
def test_the_summarys_deadline_page_is_the_first_of_the_per_record_list(data, desk, as_of, horizon) -> None:  # type: ignore[no-untyped-def]
    expected = sorted(desk.run(lambda s, a: old_deadlines(s, as_of, horizon)), key=summary.deadline_order)
    overdue = sum(1 for d in expected if d.overdue)
    assert expected[0].overdue and overdue < len(expected) and any(d.due is None for d in expected)
    by_due = Counter(d.due for d in expected if d.due is not None)
    inside = {[d.due for d in expected].index(day) + n // 2 + 1 for day, n in by_due.most_common(3)}
    for limit in sorted(inside | {1, 2, 17, overdue, overdue + 1, len(expected) - 1, len(expected),
                                  len(expected) + 1, len(expected) + 3}):
        page = desk.run(lambda s, a, n=limit: summary.deadline_page(s, as_of, horizon, n))
        assert page.items == expected[:limit], limit
        assert (page.total, page.overdue) == (len(expected), overdue)
    assert desk.run(lambda s, a: summary.deadline_page(s, as_of, horizon, None)).items == expected

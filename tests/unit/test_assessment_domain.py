"""Pure scoring rules: weights per level, totals, grade boundaries, satisfaction, milestones, instalments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain import assessment as asm
from app.domain.assessment import GradeBand, Indicator, InstalmentStatus, MilestoneKind, Outcome
from app.domain.workdays import Calendar, DayKind, add_working_days

D = Decimal


def ind(key: str, level: int, parent: str | None, weight: str, max_score: str = "10", name: str = "") -> Indicator:
    return Indicator(key, level, parent, name or f"指标{key}", D(weight), D(max_score))


TREE = [
    ind("1", 1, None, "60", name="过程"), ind("1.1", 2, "1", "20"), ind("1.2", 2, "1", "40"),
    ind("2", 1, None, "40", name="产出"), ind("2.1", 2, "2", "40"),
]


def test_a_balanced_tree_has_no_problems() -> None:
    assert asm.check_template(TREE) == []


def test_weights_not_adding_to_100_name_the_level() -> None:
    bad = [*TREE[:4], ind("2.1", 2, "2", "30"), ind("2.2", 2, "2", "5")]
    problems = asm.check_template(bad)
    wheres = [p.where for p in problems]
    assert "二级指标" in wheres or any("二级" in w for w in wheres)
    assert any("95" in p.reason for p in problems)
    # level 1 still adds up, so it is not named
    assert not any("一级" in w for w in wheres)


def test_level_one_not_adding_up_is_named_and_children_against_parent() -> None:
    bad = [ind("1", 1, None, "50", name="过程"), ind("1.1", 2, "1", "60"), ind("2", 1, None, "40", name="产出"),
           ind("2.1", 2, "2", "40")]
    problems = asm.check_template(bad)
    assert any("一级" in p.where and "90" in p.reason for p in problems)
    assert any(p.where == "过程" and "60" in p.reason for p in problems)


def test_level_names_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.i18n import set_language

    set_language("en")
    problems = asm.check_template([ind("1", 1, None, "99")])
    assert problems[0].where == "level 1"
    assert "99" in problems[0].reason


def test_zero_weight_and_bad_parent_are_refused() -> None:
    problems = asm.check_template([ind("1", 1, None, "100"), ind("1.1", 2, "9", "100"), ind("1.2", 2, "1", "0")])
    reasons = " ".join(p.reason for p in problems)
    assert "上一级" in reasons or "level above" in reasons
    assert "大于零" in reasons or "greater than zero" in reasons


def test_total_weights_leaf_scores_by_maximum() -> None:
    scores = {"1.1": D("10"), "1.2": D("5"), "2.1": D("7.5")}
    # 10/10*20 + 5/10*40 + 7.5/10*40 = 20 + 20 + 30
    assert asm.total_score(TREE, scores) == D("70.00")
    assert asm.subtotal(TREE, "1", scores) == D("40.00")
    assert asm.total_score(TREE, {}) == D("0.00")


def test_total_rounds_half_up_to_the_cent() -> None:
    tree = [ind("1", 1, None, "100", max_score="3")]
    assert asm.total_score(tree, {"1": D("1")}) == D("33.33")
    assert asm.total_score(tree, {"1": D("2")}) == D("66.67")
    tree8 = [ind("1", 1, None, "100", max_score="8")]
    assert asm.total_score(tree8, {"1": D("0.01")}) == D("0.13")  # 0.125 -> 0.13, not banker's 0.12


@pytest.mark.parametrize(("total", "grade"), [
    ("100", "excellent"), ("90.00", "excellent"), ("89.99", "good"), ("80", "good"), ("79.99", "pass"),
    ("60.00", "pass"), ("59.99", "fail"), ("0", "fail")])
def test_grade_at_every_default_boundary(total: str, grade: str) -> None:
    band = asm.grade_for(D(total))
    assert band.grade == grade
    assert band.passing == (grade != "fail")


def test_configurable_bands() -> None:
    bands = (GradeBand("good", "良好", D(85), True), GradeBand("pass", "合格", D(70), True),
             GradeBand("fail", "不合格", D(0), False))
    assert asm.check_bands(bands) == []
    assert asm.grade_for(D("84.99"), bands).grade == "pass"
    assert asm.grade_for(D("85"), bands).grade == "good"
    assert asm.grade_for(D("69.99"), bands).passing is False
    assert asm.check_bands((GradeBand("a", "A", D(60), True), GradeBand("b", "B", D(70), True)))


def test_scores_above_the_maximum_or_negative_are_refused() -> None:
    leaf = ind("1", 1, None, "100", max_score="10")
    assert asm.score_problem(leaf, D("10")) == ""
    assert "10" in asm.score_problem(leaf, D("10.01"))
    assert asm.score_problem(leaf, D("-1"))
    assert asm.score_problem(leaf, D("1.234"))
    assert asm.parse_score("８．５") == D("8.5")
    assert asm.parse_score("") is None
    with pytest.raises(ValueError):
        asm.parse_score("八")
    with pytest.raises(ValueError):
        asm.parse_score("nan")


def test_satisfaction_rate() -> None:
    assert asm.satisfaction_rate(200, 183) == D("91.50")
    assert asm.satisfaction_rate(3, 2) == D("66.67")
    assert asm.satisfaction_rate(0, 0) is None
    assert asm.satisfaction_rate(None, None) is None
    with pytest.raises(ValueError):
        asm.satisfaction_rate(10, 11)
    with pytest.raises(ValueError):
        asm.satisfaction_rate(0, 1)


def test_milestones_from_period_and_schedule() -> None:
    plan = asm.plan_milestones(date(2026, 3, 1), date(2027, 2, 28), [
        asm.PlannedInstalment(1, "on_signing", ""), asm.PlannedInstalment(2, "milestone_passed", "中期考核"),
        asm.PlannedInstalment(3, "final_acceptance", "")])
    kinds = [m.kind for m in plan]
    assert kinds[-1] == MilestoneKind.FINAL and plan[-1].due_on == date(2027, 2, 28)
    mid = [m for m in plan if m.kind == MilestoneKind.MID_TERM]
    assert len(mid) == 1 and mid[0].instalment_seq == 2 and mid[0].name == "中期考核"
    assert date(2026, 8, 15) <= mid[0].due_on <= date(2026, 9, 15)
    routine = [m.due_on for m in plan if m.kind == MilestoneKind.ROUTINE]
    assert routine == [date(2026, 5, 31), date(2026, 11, 30)]  # the third quarter falls on the mid-term
    assert [m.seq for m in plan] == list(range(1, len(plan) + 1))
    assert [m.due_on for m in plan] == sorted(m.due_on for m in plan)


def test_one_off_service_has_only_its_milestones_and_the_final() -> None:
    plan = asm.plan_milestones(date(2026, 1, 1), date(2026, 6, 30), [], continuing=False)
    assert [(m.kind, m.due_on) for m in plan] == [(MilestoneKind.FINAL, date(2026, 6, 30))]


@pytest.mark.parametrize(("cond", "paid", "effective", "outcome", "status"), [
    ("on_signing", "0", False, Outcome.NONE, InstalmentStatus.NOT_DUE),
    ("on_signing", "0", True, Outcome.NONE, InstalmentStatus.PAYABLE),
    ("on_signing", "100", True, Outcome.NONE, InstalmentStatus.PAID),
    ("milestone_passed", "0", True, Outcome.NONE, InstalmentStatus.NOT_DUE),
    ("milestone_passed", "0", True, Outcome.PENDING, InstalmentStatus.NOT_DUE),
    ("milestone_passed", "0", True, Outcome.PASSED, InstalmentStatus.PAYABLE),
    ("milestone_passed", "0", True, Outcome.FAILED, InstalmentStatus.BLOCKED),
    ("final_acceptance", "40", True, Outcome.PASSED, InstalmentStatus.PAYABLE),
    ("final_acceptance", "0", True, Outcome.FAILED, InstalmentStatus.BLOCKED),
])
def test_instalment_status(cond: str, paid: str, effective: bool, outcome: Outcome, status: InstalmentStatus) -> None:
    r = asm.instalment_status(cond, D("100"), D(paid), effective, outcome, "中期考核")
    assert r.status == status
    if status == InstalmentStatus.BLOCKED:
        assert "中期考核" in r.reason and "未通过" in r.reason


# Objection replies: five working days after receipt, the receipt day not counted (成都规程第二十七条).
CAL = Calendar.from_days([(date(2026, 10, d), DayKind.HOLIDAY) for d in range(1, 8)]
                         + [(date(2026, 9, 20), DayKind.WORKDAY), (date(2026, 10, 10), DayKind.WORKDAY)]
                         + [(date(2025, 10, d), DayKind.HOLIDAY) for d in range(1, 9)]
                         + [(date(2025, 9, 28), DayKind.WORKDAY), (date(2025, 10, 11), DayKind.WORKDAY)],
                         [2025, 2026])


def test_objection_due_across_the_national_day_holiday_and_make_up_day() -> None:
    # received Tue 29 Sep 2026: 30 Sep, then holiday 1–7 Oct, 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat, make-up), 12 Oct
    assert add_working_days(CAL, date(2026, 9, 29), 5).due == date(2026, 10, 12)


def test_objection_due_from_a_weekend_start() -> None:
    # received Sat 27 Sep 2025: 28 Sep (Sun, make-up) counts, 29, 30, then 9, 10 Oct
    assert add_working_days(CAL, date(2025, 9, 27), 5).due == date(2025, 10, 10)
    # an ordinary Saturday: the next five weekdays (not find_workday's one day too late)
    assert add_working_days(CAL, date(2026, 3, 14), 5).due == date(2026, 3, 20)


def test_objection_due_in_a_year_without_calendar_data_is_flagged() -> None:
    d = add_working_days(CAL, date(2026, 12, 28), 5)
    assert d.due is None and d.uncovered_years == (2027,)

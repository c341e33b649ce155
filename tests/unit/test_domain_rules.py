from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import eligibility as elig
from app.domain.dates import parse_date
from app.domain.money import from_fen, parse_amount, to_fen
from app.domain.text import normalize_compact, normalize_name, normalize_text

TODAY = date(2026, 6, 15)


@pytest.mark.parametrize("raw", ["2023-05-01", "2023/5/1", "2023年5月1日", "2023.5.1", "20230501", "２０２３－０５－０１",
                                 " 2023-5-1 ", "2023-05-01 00:00:00", datetime(2023, 5, 1, 8, 30), date(2023, 5, 1),
                                 45047, "2023年5月1号"])
def test_dates_in_the_forms_people_type(raw):
    assert parse_date(raw) == date(2023, 5, 1)


@pytest.mark.parametrize("raw", ["2023-02-30", "五月一日", "2023-13-01", "abc", "1/5/2023", -3])
def test_not_dates(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_empty_dates(raw):
    assert parse_date(raw) is None


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True), st.none()))
def test_parse_date_only_raises_value_error(raw):
    try:
        parse_date(raw)
    except ValueError:
        pass


def test_text_normalisation():
    assert normalize_text("  北京　协作者  中心 ") == "北京 协作者 中心"
    assert normalize_name("北京 协作者  中心(东城)") == "北京协作者中心（东城）"
    assert normalize_compact("０１０－６４００ ０１００") == "010-64000100"


@pytest.mark.parametrize(("raw", "expected"), [
    ("123,456", Decimal("123456.00")), ("¥1000.5", Decimal("1000.50")), ("１２３元", Decimal("123.00")),
    ("1,234,567.89", Decimal("1234567.89")), ("１，２３４．５６", Decimal("1234.56")), ("12.34", Decimal("12.34")),
    (100, Decimal("100.00")),
])
def test_amounts_in_the_one_grammar(raw, expected):
    assert parse_amount(raw) == expected


# Issue 14: a third decimal is refused, not rounded; spaces inside a number and commas that are not
# standard thousands separators are refused (they used to read 1,5 as 15 and 1 2 3 as 123).
@pytest.mark.parametrize("raw", ["12a", "1.2.3", "--5", "一百", "0.005", "12.345", "¥1 000.5", "1,5",
                                 "1.234,56", "1 2 3", "12,34", "1,2345", ".", "12."])
def test_not_amounts(raw):
    with pytest.raises(ValueError):
        parse_amount(raw)


def test_fen_round_trip_is_exact():
    assert to_fen(Decimal("123456.78")) == 12345678
    assert from_fen(12345678) == Decimal("123456.78")
    assert to_fen(Decimal("0.015")) == 2  # half up, never truncated


def _all_met(until: date | None = None) -> dict[str, elig.CheckState]:
    return {i.code: elig.CheckState(elig.CheckStatus.MET, until) for i in elig.MANUAL_ITEMS}


def _facts(**kw) -> elig.OrgFacts:
    base = dict(code_ok=True, inspections={2025: elig.InspectionResult.PASSED}, checks=_all_met())
    base.update(kw)
    return elig.OrgFacts(**base)


def test_eligible_when_everything_holds():
    result = elig.evaluate(_facts(), TODAY)
    assert result.eligible and result.reasons == ()


def test_missing_annual_inspection_is_a_reason():
    after_deadline = date(2026, 7, 1)  # last year's result was due by 30 June
    result = elig.evaluate(_facts(inspections={2024: elig.InspectionResult.PASSED}), after_deadline)
    assert not result.eligible
    assert "缺少2025年度年检结果" in result.reasons


@pytest.mark.parametrize("today, eligible, warned", [
    (date(2027, 1, 1), True, True),     # the 2026 report cannot exist yet: 2025's is enough, 2026's is pending
    (date(2027, 1, 4), True, True),     # the year-start signing peak
    (date(2027, 3, 1), True, True),
    (date(2027, 6, 30), True, True),    # the filing deadline itself
    (date(2027, 7, 1), False, False),   # the day after: the 2026 result is required
])
def test_annual_inspection_counts_by_its_filing_cycle(today, eligible, warned):
    result = elig.evaluate(_facts(inspections={2025: elig.InspectionResult.PASSED}), today)
    assert result.eligible is eligible
    assert bool(result.warnings) is warned
    if warned:
        assert "2026" in result.warnings[0] and "2027-06-30" in result.warnings[0]
    else:
        assert "缺少2026年度年检结果" in result.reasons


def test_inspection_filed_early_counts_and_a_failed_one_blocks():
    passed = elig.evaluate(_facts(inspections={2026: elig.InspectionResult.PASSED}), date(2027, 3, 1))
    assert passed.eligible and not passed.warnings  # 2026's result is in: nothing pending, 2025's not needed
    failed = elig.evaluate(_facts(inspections={2025: elig.InspectionResult.PASSED,
                                               2026: elig.InspectionResult.FAILED}), date(2027, 3, 1))
    assert not failed.eligible and "2026" in failed.reasons[0]


def test_filing_deadline_is_a_setting():
    facts = _facts(inspections={2025: elig.InspectionResult.PASSED})
    assert elig.evaluate(facts, date(2027, 4, 1), filing_deadline=(3, 31)).eligible is False
    assert elig.evaluate(facts, date(2027, 3, 31), filing_deadline=(3, 31)).eligible is True
    assert elig.parse_deadline("3-31") == (3, 31) and elig.parse_deadline("13-01") == (6, 30)


def test_failed_inspection_but_basic_pass_is_fine():
    assert not elig.evaluate(_facts(inspections={2025: elig.InspectionResult.FAILED}), TODAY).eligible
    assert elig.evaluate(_facts(inspections={2025: elig.InspectionResult.BASIC}), TODAY).eligible


def test_major_violation_within_three_years():
    v = elig.Violation(date(2024, 5, 1), "违规使用资金", major=True)
    result = elig.evaluate(_facts(violations=[v]), TODAY)
    assert "2024-05-01有重大违法记录" in result.reasons
    old = elig.Violation(date(2023, 6, 14), "旧事", major=True)
    assert elig.evaluate(_facts(violations=[old]), TODAY).eligible
    minor = elig.Violation(date(2025, 5, 1), "轻微", major=False)
    assert elig.evaluate(_facts(violations=[minor]), TODAY).eligible


def test_unchecked_not_met_and_expired_items():
    checks = _all_met()
    checks["finance"] = elig.CheckState(elig.CheckStatus.NOT_MET)
    checks["governance"] = elig.CheckState(elig.CheckStatus.MET, date(2026, 1, 1))
    del checks["capability"]
    reasons = elig.evaluate(_facts(checks=checks), TODAY).reasons
    assert any(r.startswith("不符合：") and "财务" in r for r in reasons)
    assert any(r.startswith("已于2026-01-01过期") for r in reasons)
    assert any(r.startswith("未核验：") and "设施" in r for r in reasons)


def test_invalid_code_unless_overridden_and_mass_org_exclusion():
    assert not elig.evaluate(_facts(code_ok=False), TODAY).eligible
    assert elig.evaluate(_facts(code_ok=False, code_overridden=True), TODAY).eligible
    result = elig.evaluate(_facts(fiscally_funded_mass_org=True), TODAY)
    assert any("第102号" in r for r in result.reasons)


def test_reasons_in_english():
    from app.i18n import set_language

    set_language("en")
    result = elig.evaluate(_facts(inspections={}), TODAY)
    assert "2024 annual inspection missing" in result.reasons  # before 30 June the 2024 result suffices
    assert result.warnings[0].startswith("2025 annual inspection result not filed yet; due by 2026-06-30")


def test_three_years_before_leap_day():
    assert elig.three_years_before(date(2028, 2, 29)) == date(2025, 2, 28)

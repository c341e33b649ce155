from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.money import rmb_contract_form, rmb_upper
from app.domain.workdays import (
    Calendar,
    DayKind,
    add_calendar_days,
    add_working_days,
    seed_from_chinesecalendar,
)


@pytest.mark.parametrize(("amount", "text"), [
    ("1409.50", "人民币壹仟肆佰零玖元伍角整"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
    ("123456", "人民币壹拾贰万叁仟肆佰伍拾陆元整"),
    ("0", "人民币零元整"),
    ("12.345", "人民币壹拾贰元叁角伍分"),  # rounded half up, never truncated
    ("12.344", "人民币壹拾贰元叁角肆分"),
])
def test_rmb_capitals_follow_pboc_examples(amount, text):
    assert rmb_upper(Decimal(amount)) == text


def test_zheng_after_jiao_is_a_setting():
    assert rmb_upper(Decimal("0.5"), zheng_after_jiao=False) == "人民币伍角"
    assert rmb_upper(Decimal("0.5")) == "人民币伍角整"


def test_contract_form():
    assert rmb_contract_form(Decimal("123456")) == "人民币壹拾贰万叁仟肆佰伍拾陆元整（¥123,456.00）"


def _amounts() -> list[Decimal]:
    """Every fen up to 30 yuan, every yuan up to 20,000, and digit patterns rich in zeros up to 14 digits."""
    import random

    rng = random.Random(17)
    found = [Decimal(n) / 100 for n in range(3001)] + [Decimal(n) for n in range(20001)]
    for length in range(1, 15):
        for _ in range(400):
            digits = "".join(rng.choice("0000123456789") for _ in range(length))
            found.append(Decimal(f"{digits}.{rng.choice(['00', '05', '50', '07', '90', '13'])}"))
        found += [Decimal(10 ** (length - 1)), Decimal(10 ** length - 1), Decimal(10 ** (length - 1) + 1)]
    return found


def test_capitals_are_written_as_cn2an_writes_them():
    """rmb_upper wrote its capitals with cn2an until issue 17 (its import costs a print about 100 ms); the
    own conversion must give the very same text, so printed contracts do not change."""
    import cn2an

    for amount in _amounts():
        value = amount.quantize(Decimal("0.01"))
        text = str(cn2an.an2cn(format(value, "f"), "rmb"))
        want = "人民币" + text + ("整" if text.endswith("角") else "")
        assert rmb_upper(value) == want, value


@given(st.decimals(min_value=0, max_value=Decimal("99999999999999.99"), places=2, allow_nan=False))
def test_capitals_agree_with_cn2an_anywhere(amount):
    import cn2an

    text = str(cn2an.an2cn(format(amount.quantize(Decimal("0.01")), "f"), "rmb"))
    assert rmb_upper(amount, zheng_after_jiao=False, prefix=False) == text


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2, allow_nan=False))
def test_capitals_use_only_allowed_characters(amount):
    text = rmb_upper(amount)
    assert set(text) <= set("人民币零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
    assert not text.endswith("分整")


@pytest.fixture(scope="module")
def cal() -> Calendar:
    days, years = seed_from_chinesecalendar()
    return Calendar.from_days([(d, k) for d, k, _n in days], years)


@pytest.mark.parametrize(("start", "n", "due"), [
    (date(2025, 3, 1), 5, date(2025, 3, 7)),  # received on a Saturday: find_workday would say 03-10
    (date(2025, 9, 27), 5, date(2025, 10, 10)),  # across National Day, 9-28 and 10-11 are make-up days
    (date(2025, 1, 24), 2, date(2025, 1, 27)),  # 1-26 (Sunday) is a make-up working day
    (date(2026, 2, 13), 2, date(2026, 2, 24)),  # 2-14 (Saturday) works; Spring Festival 2-15..2-23
    (date(2026, 9, 30), 2, date(2026, 10, 9)),  # National Day 10-1..10-7; 10-10 (Saturday) works
    (date(2026, 4, 30), 1, date(2026, 5, 6)),  # Labour Day 5-1..5-5
])
def test_working_days_across_holidays_and_make_up_days(cal, start, n, due):
    assert add_working_days(cal, start, n).due == due


def test_year_without_calendar_data_is_flagged_not_guessed(cal):
    deadline = add_working_days(cal, date(2026, 12, 28), 5)
    assert deadline.flagged and deadline.uncovered_years == (2027,)
    # Once the administrator enters next year's schedule, the same deadline is computed.
    extended = Calendar(cal.holidays | {date(2027, 1, 1)}, cal.workdays, cal.years | {2027})
    assert add_working_days(extended, date(2026, 12, 28), 5).due == date(2027, 1, 5)


def test_working_days_per_year_match_the_official_count(cal):
    from datetime import timedelta

    for year, expected in ((2024, 251), (2025, 248), (2026, 248)):
        days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
        assert sum(cal.is_workday(date(year, 1, 1) + timedelta(i)) for i in range(days)) == expected


def test_calendar_days_move_past_a_holiday(cal):
    # Award notice 2025-09-05: 30 days later is 2025-10-05, inside National Day -> 2025-10-09.
    assert add_calendar_days(cal, date(2025, 9, 5), 30).due == date(2025, 10, 9)


def test_seed_names_are_chinese():
    days, _years = seed_from_chinesecalendar()
    names = {n for d, k, n in days if d == date(2025, 10, 1)}
    assert names and all(any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)
    assert any(k == DayKind.WORKDAY for d, k, _n in days if d == date(2025, 9, 28))

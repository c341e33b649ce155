"""Issue 14, silent bad data: ambiguous amounts, impossible dates, control and invisible characters,
look-alike user names. Each finding reproduced and shown refused with the reason; Hypothesis fuzzes
the validators."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import ValidationError
from app.domain.money import AmountError, parse_amount
from app.domain.text import forbidden_character, identifier_script_problem
from app.services import accounts, orgs, projects
from app.services import agreements as ag
from app.services.context import Desk
from tests.factories import (
    agreement_input,
    awarded_project,
    eligible_org,
    make_user,
    org_input,
    project_input,
)


@pytest.mark.parametrize(("raw", "words"), [
    ("1,5", "千位分隔符"), ("1.234,56", "小数点后"), ("1 2 3", "空格"), ("12.345", "两位小数"), ("0.005", "两位小数"),
    ("12,34", "千位分隔符"), ("12.", "小数点"),
])
def test_ambiguous_amounts_are_refused_with_the_reason(raw: str, words: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(raw)
    assert words in caught.value.reason


def test_full_width_digits_and_the_standard_grouping_are_read() -> None:
    assert parse_amount("１２３，４５６．７８") == Decimal("123456.78")
    assert parse_amount("￥1,234,567.89元") == Decimal("1234567.89")
    assert parse_amount(Decimal("12.340")) == Decimal("12.34")
    with pytest.raises(AmountError):
        parse_amount(Decimal("12.345"))


_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=12)


@given(st.text(alphabet=st.sampled_from(list("0123456789,.  -+¥元１２，．a\u200b")), max_size=20))
def test_parse_amount_never_raises_anything_but_amount_error(raw: str) -> None:
    try:
        value = parse_amount(raw)
    except AmountError as exc:
        assert exc.reason
        return
    if value is not None:
        assert value == value.quantize(Decimal("0.01"))
        # The grammar allows spaces only around the number and its ¥/元 marks, never inside the digits.
        assert not re.search(r"[0-9１２.,．，][\s\u200b]+[0-9１２.,．，]", raw), raw


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False,
                   allow_infinity=False))
def test_every_amount_written_in_the_grammar_reads_back_exactly(value: Decimal) -> None:
    assert parse_amount(f"{value:.2f}") == value
    assert parse_amount(f"{value:,.2f}") == value
    assert parse_amount(unicodedata.normalize("NFKC", f"{value:,.2f}")) == value


@given(st.text(max_size=30))
def test_forbidden_character_names_the_first_bad_character_or_none(text: str) -> None:
    reason = forbidden_character(text)
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp")]
    assert (reason is None) == (not bad)
    if bad:
        assert f"U+{ord(bad[0]):04X}" in reason


@pytest.mark.parametrize("name", ["北京\x00协作者", "北京\x1b[31m协作者", "北京\x07协作者", "北京\u200b协作者",
                                  "北京\u202e者作协", "北京\u2066协作者"])
def test_control_and_invisible_characters_are_refused_in_organization_names(desk: Desk, name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.run(orgs.save, org_input(name))
    assert caught.value.fields() == {"name"} and "U+" in caught.value.message


def test_control_characters_are_refused_in_other_names(desk: Desk) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.run(orgs.save, org_input("正常的名称", legal_representative="张\x1b三"))
    assert "legal_representative" in caught.value.fields()
    with pytest.raises(ValidationError) as caught:
        desk.run(projects.save, project_input(name="养老\x00项目"))
    assert "name" in caught.value.fields()
    with pytest.raises(ValidationError) as caught:
        desk.run(accounts.create_first_admin, "admin", "管理\u200b员", "Ab12345678!", "Ab12345678!")
    assert "display_name" in caught.value.fields()


@pytest.mark.parametrize("name", ["аdmin", "adm\u0456n", "ɑdmin", "admín", "ad\u200bmin", "ad\x00min", "١٢٣user"])
def test_look_alike_user_names_are_refused(desk: Desk, name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.run(accounts.create_first_admin, name, "", "Ab12345678!", "Ab12345678!")
    assert caught.value.fields() == {"username"}


def test_user_names_are_normalised_so_full_width_is_the_same_name(desk: Desk) -> None:
    desk.run(accounts.create_first_admin, "ＡＤＭＩＮ", "", "Ab12345678!", "Ab12345678!")
    admin = desk.run(accounts.find_actor, "admin")
    assert admin is not None and admin.username == "admin"
    assert accounts.validate_username("张三") == "张三" and accounts.validate_username("zhang_三.2") == "zhang_三.2"


@given(st.text(max_size=20))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_validate_username_accepts_only_the_safe_alphabet(raw: str) -> None:
    try:
        name = accounts.validate_username(raw)
    except ValidationError:
        return
    assert identifier_script_problem(name) is None and forbidden_character(name) is None
    assert name == unicodedata.normalize("NFKC", name).lower()


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    return {"clerk": Desk(db, make_user(db, "clerk1", "clerk")), "clerk2": Desk(db, make_user(db, "clerk2", "clerk")),
            "reviewer": Desk(db, make_user(db, "rev1", "reviewer"))}


@pytest.mark.parametrize(("start", "end"), [("1900-03-01", None), ("0001-03-01", None), ("2100-12-31", None),
                                            ("9999-12-31", None), ("2026-03-01", "9999-12-31"),
                                            ("2027-03-01", None)])
def test_a_draft_period_is_checked_against_the_plan_and_the_year_range_at_every_save(
        desk: Desk, people, start: str, end: str | None) -> None:  # type: ignore[no-untyped-def]
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    aid = people["clerk"].run(ag.save, agreement_input(pid, org))
    with pytest.raises(ValidationError) as caught:
        people["clerk"].run(ag.save, agreement_input(pid, org, period_start=start, period_end=end), aid)
    assert caught.value.fields() & {"period_start", "period_end"}
    stored = people["clerk"].run(lambda s, _a: s.get(ag.Agreement, aid).period_start)
    assert stored == date(2026, 3, 1)

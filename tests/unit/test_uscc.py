from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.uscc import (
    ALPHABET,
    CodeProblem,
    OrgType,
    check_character,
    check_code,
    make_code,
    org_type_from_code,
    region_from_code,
)
from app.i18n import set_language

# Valid codes built by hand from the algorithm in DOMAIN.md §3.3 (weights 3^(i-1) mod 31).
VALID = ["52110105MJ0123AB3M", make_code("51", "440106", "MJ000001"), make_code("91", "310000", "12345678")]


def test_weights_match_the_standard():
    from app.domain.uscc import WEIGHTS

    assert WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert check_code(code).ok


def test_check_character_known_exceptions():
    # Genuine early Fujian pilot codes fail the check; DOMAIN.md gives the expected characters.
    assert check_character("91350100M0001TGQX") == "1"
    assert check_character("91350211M0000XUF4") == "R"
    assert check_character("91350203M0001FUE2") == "J"


def test_wrong_check_character_names_the_expected_one():
    bad = "91350100M0001TGQXM"
    result = check_code(bad)
    assert result.problem is CodeProblem.CHECK
    assert result.expected_check == "1"
    assert result.overridable
    assert "1" in result.message() and "M" in result.message()


@pytest.mark.parametrize("raw", ["5211010", "52110105MJ0123AB3MX", "x" * 19])
def test_wrong_length(raw):
    result = check_code(raw)
    assert result.problem is CodeProblem.LENGTH
    assert str(len(result.code)) in result.message()
    assert not result.overridable


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_letters_outside_the_alphabet(letter):
    raw = "52110105MJ0123A" + letter + "3M"
    result = check_code(raw)
    assert result.problem is CodeProblem.CHARSET
    assert letter in result.message()


def test_region_must_be_digits():
    body = "52A10105MJ0123AB"
    code = body + "0" + check_character(body + "0")
    assert check_code(code).problem is CodeProblem.REGION


def test_empty_code():
    assert check_code("  ").problem is CodeProblem.EMPTY


def test_normalisation_full_width_lower_case_spaces():
    code = VALID[0]
    typed = " " + "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code.lower()) + "\u3000"
    result = check_code(typed)
    assert result.ok
    assert result.code == code


@pytest.mark.parametrize(("prefix", "kind"), [
    ("51", OrgType.SOCIAL_GROUP), ("52", OrgType.SOCIAL_SERVICE_AGENCY), ("53", OrgType.FOUNDATION),
    ("91", OrgType.ENTERPRISE), ("92", OrgType.INDIVIDUAL_BUSINESS), ("93", OrgType.FARMER_COOP),
    ("11", OrgType.AGENCY), ("12", OrgType.PUBLIC_INSTITUTION), ("N2", OrgType.RURAL_COLLECTIVE),
])
def test_type_from_first_two_characters(prefix, kind):
    assert org_type_from_code(make_code(prefix, "110105", "MJ000002")) is kind


def test_type_unknown_when_code_does_not_say():
    assert org_type_from_code(make_code("59", "110105", "MJ000002")) is None
    assert org_type_from_code("Y1") is None


def test_region_from_code():
    assert region_from_code(VALID[0]) == "110105"


def test_messages_in_english():
    set_language("en")
    assert "expected 1" in check_code("91350100M0001TGQXM").message()
    set_language("zh_CN")
    assert "1" in check_code("91350100M0001TGQXM").message()
    assert "expected" not in check_code("91350100M0001TGQXM").message()


@given(st.text(max_size=30))
def test_any_text_gives_a_result_and_rejections_carry_a_message(raw):
    result = check_code(raw)
    assert result.ok or result.message()


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_generated_check_character_always_validates(body):
    code = body[:2] + "110105" + body[8:] + check_character(body[:2] + "110105" + body[8:])
    assert check_code(code).ok

"""Templates are data: the checker's errors, no code through placeholders, immutable versions."""

from __future__ import annotations

import pytest

from app.domain.errors import ValidationError
from app.models import User
from app.services import templates as tp
from app.services.context import Actor, Desk
from app.services.permissions import PermissionDenied


def _shipped(kind: str) -> list[tp.ClauseInput]:
    return tp.shipped(kind).clauses


@pytest.mark.parametrize("kind", list(tp.KINDS))
def test_shipped_templates_are_complete_and_clean(kind):
    assert tp.check_clauses(kind, _shipped(kind)) == []


def test_contract_has_every_required_clause_of_the_rules():
    keys = {c.requirement for c in _shipped("contract")}
    # 成都规程第二十二条 ∪ 财政部令第102号第二十三条 ∪ 广东七(三)
    assert {"scope", "subject", "quantity", "quality", "period", "amount", "payment", "acceptance",
            "rights_obligations", "breach", "dispute", "no_subcontracting", "copies", "effective"} <= keys


def test_unknown_field_is_named_with_its_clause():
    clauses = _shipped("contract")
    clauses[2].text = "{party_c}" + clauses[2].text  # before the text: a table field must end its line alone
    problems = tp.check_clauses("contract", clauses)
    assert len(problems) == 1
    assert "party_c" in problems[0].reason
    assert "第2条" in problems[0].label or "2" in problems[0].label


@pytest.mark.parametrize("text", ["甲方：{party_a", "甲方：party_a}", "{{party_a}", "{party_a}}"])
def test_unbalanced_braces(text):
    clauses = _shipped("contract")
    clauses[1].text = text
    problems = tp.check_clauses("contract", clauses)
    assert problems and any("括号" in p.reason or "brace" in p.reason for p in problems)


@pytest.mark.parametrize("text", ["{party_a.__class__}", "{0}", "{}", "{party_a!r}", "{party_a:>99999}",
                                  "{party_a[0]}", "{__import__('os')}"])
def test_code_injection_attempts_are_rejected(text):
    clauses = _shipped("contract")
    clauses[1].text = "甲方：" + text
    problems = tp.check_clauses("contract", clauses)
    assert problems, text
    # and substitution never evaluates them: only {identifier} is replaced
    assert tp.substitute(text, {"party_a": "X"}) == text.replace("{party_a}", "X")


def test_substitution_is_not_recursive():
    assert tp.substitute("{party_a}", {"party_a": "{number}", "number": "1"}) == "{number}"
    with pytest.raises(tp.UnknownField):
        tp.substitute("{nope}", {})


def test_missing_required_clause_is_flagged():
    clauses = [c for c in _shipped("contract") if c.requirement != "dispute"]
    problems = tp.check_clauses("contract", clauses)
    assert len(problems) == 1 and "争议解决" in problems[0].reason


def test_table_field_must_stand_alone():
    clauses = _shipped("contract")
    pay = next(c for c in clauses if c.requirement == "payment")
    pay.text = pay.text.replace("\n{payment_table}\n", "见{payment_table}。")
    problems = tp.check_clauses("contract", clauses)
    assert any("payment_table" in p.reason for p in problems)


def test_unknown_kind():
    assert tp.check_clauses("poem", [])[0].field == "kind"


def _admin(db) -> Desk:
    with db.session() as s:
        u = User(username="admin1", display_name="管理员", roles="admin")
        s.add(u)
        s.flush()
        uid = u.id
    return Desk(db, Actor(uid, "admin1", "管理员", frozenset({"admin"})))


def test_library_is_seeded_once_and_versions_never_change(db, desk):
    rows = desk.run(tp.list_templates)
    assert sorted(r.kind for r in rows) == sorted(tp.KINDS)
    assert len(desk.run(tp.list_templates)) == len(rows)
    admin = _admin(db)
    contract = next(r for r in rows if r.kind == "contract")
    v1 = admin.run(tp.get_template, contract.id)
    clauses = list(v1.clauses)
    clauses[-1] = tp.ClauseInput(clauses[-1].title, clauses[-1].text + "本合同附件与本合同具有同等效力。",
                                 clauses[-1].requirement)
    assert admin.run(tp.save_template, contract.id, v1.name, clauses) == 2
    assert admin.run(tp.save_template, contract.id, v1.name, clauses) == 2  # nothing changed: no new version
    assert admin.run(tp.get_template, contract.id, 1).clauses == v1.clauses
    assert "附件" in admin.run(tp.get_template, contract.id).clauses[-1].text
    bad = clauses + [tp.ClauseInput("附则", "{party_a.__class__}", "")]
    with pytest.raises(ValidationError):
        admin.run(tp.save_template, contract.id, v1.name, bad)
    clerk = Desk(db, Actor(None, "c", "c", frozenset({"clerk"})))
    with pytest.raises(PermissionDenied):
        clerk.run(tp.save_template, contract.id, v1.name, clauses)

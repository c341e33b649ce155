"""Separation of incompatible duties per record (成都规程第十七条): each pair, both orders."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.i18n import set_language
from app.models.system import DutyRecord
from app.services import duties
from app.services.context import SYSTEM, Actor, Desk
from app.services.duties import Duty, SeparationOfDutiesViolation
from app.services.permissions import PermissionDenied

ANN = Actor(11, "ann", "张敏", frozenset({"clerk", "reviewer"}))
BEN = Actor(12, "ben", "李强", frozenset({"clerk", "reviewer"}))

PAIRS = [(Duty.DRAFT_REQUIREMENT, Duty.APPROVE_REQUIREMENT, "需求制定"),
         (Duty.COMPILE_DOCUMENTS, Duty.RECHECK_DOCUMENTS, "购买文件"),
         (Duty.SIGN_AGREEMENT, Duty.ACCEPT_WORK, "验收")]


def _do(db, actor: Actor, duty: Duty, entity: str = "project", entity_id: int = 1) -> None:
    Desk(db, actor).run(duties.perform, entity, entity_id, duty)


@pytest.mark.parametrize("first, second, words", PAIRS)
@pytest.mark.parametrize("reverse", [False, True])
def test_same_person_may_not_do_both_halves(db, first, second, words, reverse):
    if reverse:
        first, second = second, first
    _do(db, ANN, first)
    with pytest.raises(SeparationOfDutiesViolation) as info:
        _do(db, ANN, second)
    assert isinstance(info.value, PermissionDenied)
    assert "成都规程第十七条" in info.value.message and words in info.value.message and "张敏" in info.value.message
    assert info.value.attempted == second and info.value.done == first
    _do(db, BEN, second)  # a colleague may
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(DutyRecord)) == 2  # the refused one left no row


@pytest.mark.parametrize("first, second, _words", PAIRS)
def test_the_rule_is_per_record(db, first, second, _words):
    _do(db, ANN, first, entity_id=1)
    _do(db, ANN, second, entity_id=2)  # another record: allowed
    _do(db, ANN, second, entity="agreement", entity_id=1)  # another kind of record with the same id: allowed


def test_unrelated_duties_and_repeats_are_allowed(db):
    for duty in (Duty.DRAFT_REQUIREMENT, Duty.DRAFT_REQUIREMENT, Duty.COMPILE_DOCUMENTS, Duty.SIGN_AGREEMENT):
        _do(db, ANN, duty)
    assert [r.duty for r in _rows(db)] == ["draft_requirement", "draft_requirement", "compile_documents",
                                           "sign_agreement"]


def test_the_system_actor_counts_as_one_person(db):
    _do(db, SYSTEM, Duty.SIGN_AGREEMENT)
    with pytest.raises(SeparationOfDutiesViolation):
        _do(db, SYSTEM, Duty.ACCEPT_WORK)
    _do(db, ANN, Duty.ACCEPT_WORK)


def test_message_in_english_names_the_rule(db):
    set_language("en")
    _do(db, ANN, Duty.COMPILE_DOCUMENTS)
    with pytest.raises(SeparationOfDutiesViolation) as info:
        _do(db, ANN, Duty.RECHECK_DOCUMENTS)
    msg = info.value.message
    assert "art. 17" in msg and "re-check the purchase documents" in msg and "compiling" in msg


def test_each_duty_is_audited(db):
    from app.models import AuditRecord

    _do(db, ANN, Duty.DRAFT_REQUIREMENT)
    with db.read_session() as s:
        row = s.scalars(select(AuditRecord).where(AuditRecord.action == "duty")).one()
        assert (row.username, row.entity, row.entity_id, row.new_value) == ("ann", "project", "1",
                                                                           "draft_requirement")


def _rows(db) -> list[duties.DutyRow]:
    with db.read_session() as s:
        return duties.performed(s, "project", 1)

"""The primitives of the form-state pattern: Changes reported by every write, Allowed, the shared
validation helpers and the one payment-schedule function."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.domain import schedule
from app.domain.errors import FieldProblem, ValidationError
from app.services import attachments, orgs
from app.services.changes import Changes, OpResult
from app.services.context import Actor, Desk
from app.services.forms import Allowed, FieldState, allowed_by, field_states, first_refusal
from app.services.permissions import Role, require
from app.services.validation import Labels, amount_field, date_field, int_field, money_text
from tests.factories import org_input


def test_changes_merge_and_touch():
    a = Changes.of("org", 1, 2) | Changes.of("agreement", 7) | Changes.of("org", 3)
    assert a.ids("org") == {1, 2, 3} and a.ids("agreement") == {7}
    assert a.touches("agreement") and not a.touches("project")
    assert not Changes.none() and Changes.none() | Changes.none() == Changes.none()
    assert Changes.of("settings").touches("settings")


def test_every_audited_write_reports_its_change(desk: Desk):
    result = desk.run_op(orgs.save, org_input("阳光社工服务中心"))
    assert isinstance(result.value, int)
    assert result.changes == Changes.of("org", result.value)
    reads = desk.run_op(orgs.get, result.value)
    assert not reads.changes  # a read changes nothing


def test_a_service_returning_op_result_is_merged(desk: Desk):
    def use_case(session: Session, actor: Actor, oid: int) -> OpResult[str]:
        orgs.add_attachment(session, actor, oid, "证书.pdf", b"%PDF-1.4")
        return OpResult("done", Changes.of("payment", 5))

    oid = desk.run(orgs.save, org_input("阳光社工服务中心"))
    result = desk.run_op(use_case, oid)
    assert result.value == "done"
    assert result.changes == Changes.of("org", oid) | Changes.of("payment", 5)


def test_allowed_from_the_very_guard():
    reviewer = Actor(2, "r", roles=frozenset({"reviewer"}))
    refused = allowed_by(lambda: require(reviewer, Role.CLERK))
    assert not refused and refused.reason and "经办人" in refused.reason
    assert allowed_by(lambda: require(reviewer, Role.REVIEWER)) == Allowed.yes()
    assert first_refusal(Allowed.yes(), refused, Allowed.no("x")) == refused
    states = field_states(["a", "b"], Allowed.yes(), {"b": "locked"})
    assert states == {"a": FieldState(True), "b": FieldState(False, "locked")}
    assert field_states(["a"], refused)["a"] == FieldState(False, refused.reason)
    assert not attachments.may_change(Actor(3, "f", roles=frozenset({"finance"})), "organization")


def test_validation_helpers_name_the_field():
    labels = Labels({"start": "Start", "amount": "Amount", "year": "Year"})
    problems: list[FieldProblem] = []
    assert date_field(problems, labels, "start", "2026年3月1日") == date(2026, 3, 1)
    assert date_field(problems, labels, "start", "", required=True) is None
    assert date_field(problems, labels, "start", "2030-01-01", not_after=date(2026, 1, 1)) == date(2030, 1, 1)
    assert date_field(problems, labels, "start", "soon") is None
    assert amount_field(problems, labels, "amount", "¥1,000.01") == Decimal("1000.01")
    assert amount_field(problems, labels, "amount", "-1") == Decimal("-1.00")
    assert int_field(problems, labels, "year", "2026年", 2000, 2100) == 2026
    assert int_field(problems, labels, "year", "1999", 2000, 2100) is None
    assert [(p.field, p.reason) for p in problems] == [
        ("start", "为必填项"), ("start", "不能晚于今天"), ("start", "不是有效日期（请按 2023-05-01 的格式填写）"),
        ("amount", "不能为负数"), ("year", "须在2000至2100之间")]
    assert all(p.label for p in problems)
    with pytest.raises(ValidationError) as exc:
        raise labels.error("amount", "x")
    assert exc.value.problems == [FieldProblem("amount", "金额", "x")]  # the label, translated
    assert money_text(Decimal("1000.01")) == "¥1,000.01"


def test_schedule_odd_fen_goes_to_the_last_instalment():
    lines = [schedule.Line(percent=Decimal(50)), schedule.Line(percent=Decimal(50))]
    assert schedule.amounts(Decimal("1000.01"), lines) == [Decimal("500.01"), Decimal("500.00")]
    mixed = [schedule.Line(amount=Decimal("100")), schedule.Line(percent=Decimal("33.33"))]
    assert schedule.amounts(Decimal("1000.01"), mixed) == [Decimal("100"), Decimal("333.30")]
    assert schedule.amounts(None, lines) == [None, None]


@given(st.integers(min_value=1, max_value=10**10), st.lists(st.integers(min_value=1, max_value=97), min_size=1,
                                                              max_size=6))
def test_percentages_making_100_always_add_up(fen: int, parts: list[int]):
    assume(sum(parts) < 100)
    total = Decimal(fen) / 100
    percents = [Decimal(p) for p in parts] + [Decimal(100 - sum(parts))]
    amounts = schedule.amounts(total, [schedule.Line(percent=p) for p in percents])
    assert sum(a for a in amounts if a is not None) == total

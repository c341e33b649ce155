"""First run (issue 15): the administrator holds only the administrator role, and the setup creates the
first clerk, reviewer and finance officer in the same transaction, or nothing at all."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.errors import ValidationError
from app.models import User
from app.services import accounts, first_run
from app.services import settings as settings_service
from app.services.first_run import StaffInput

PW = "admin-pass-1"


def _users(db) -> dict[str, User]:
    with db.session() as s:
        return {u.username: u for u in s.scalars(select(User))}


def test_the_setup_creates_the_staff_with_their_roles_and_a_forced_password_change(desk, db):
    admin = desk.run(first_run.complete, "admin", "王主任", PW, PW, "东城区某街道办事处", "zh_CN",
                     [StaffInput("clerk", "zhangsan", "张三", "clerk-pass-1"),
                      StaffInput("reviewer", "lisi", "李四", "review-pass-1"),
                      StaffInput("finance", "", "", "")])  # an empty row is nobody
    assert admin.roles == frozenset({"admin"})  # the administrator drafts and approves nothing
    users = _users(db)
    assert set(users) == {"admin", "zhangsan", "lisi"}
    assert users["zhangsan"].roles == "clerk" and users["lisi"].roles == "reviewer"
    assert users["zhangsan"].must_change_password and users["lisi"].must_change_password
    assert not users["admin"].must_change_password
    assert desk.run(accounts.authenticate, "lisi", "review-pass-1").ok
    assert desk.run(lambda s, a: settings_service.get(s, settings_service.OFFICE_NAME)) == "东城区某街道办事处"


def test_a_bad_staff_row_names_the_person_and_saves_nothing_of_the_setup(desk, db):
    with pytest.raises(ValidationError) as caught:
        desk.run(first_run.complete, "admin", "王主任", PW, PW, "东城区某街道办事处", "zh_CN",
                 [StaffInput("clerk", "zhangsan", "张三", "short"),
                  StaffInput("reviewer", "admin", "李四", "review-pass-1")])
    fields = {p.field: p for p in caught.value.problems}
    assert set(fields) == {"clerk_password", "reviewer_username"}
    assert fields["clerk_password"].label.startswith("经办人")
    assert fields["reviewer_username"].label.startswith("审核人") and "已被使用" in fields["reviewer_username"].reason
    assert _users(db) == {}  # not even the administrator: one transaction
    assert not desk.run(accounts.has_users)


def test_the_setup_offers_no_second_administrator(desk):
    with pytest.raises(ValueError):
        desk.run(first_run.complete, "admin", "王主任", PW, PW, "某街道办事处", "zh_CN",
                 [StaffInput("admin", "boss", "老板", "boss-pass-12")])

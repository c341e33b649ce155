"""Accounts: first administrator, log-in and lock-out, resets, disabling, the last-admin guard, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.domain.errors import ValidationError
from app.i18n import set_language
from app.models import AuditRecord, User
from app.models.base import utcnow
from app.services import accounts
from app.services import settings as settings_service
from app.services.context import Actor, Desk
from app.services.permissions import PermissionDenied

PW = "correct-horse-1"


@pytest.fixture
def admin(desk) -> Actor:
    return desk.run(accounts.create_first_admin, "Admin", "王主任", PW, PW)


@pytest.fixture
def as_admin(desk, admin) -> Desk:
    return Desk(desk.db, admin)


def _add(as_admin: Desk, name: str, roles: str = "clerk", pw: str = "first-pass-1") -> int:
    return as_admin.run(accounts.create_user, name, name.upper(), roles, pw, pw)


def _audit(db, action: str) -> list:
    """(username, new_value) of one action's events (their first field row), oldest first."""
    with db.read_session() as s:
        rows = list(s.execute(select(AuditRecord.username, AuditRecord.new_value, AuditRecord.at)
                              .where(AuditRecord.action == action).order_by(AuditRecord.id)))
    return [r for i, r in enumerate(rows) if i == 0 or (rows[i - 1].at, rows[i - 1].username) != (r.at, r.username)]


def test_first_admin_is_stored_hashed_and_only_once(desk, db, admin):
    assert admin.username == "admin" and admin.roles == {"admin"}  # the administrator role only (duties)
    with db.read_session() as s:
        user = s.scalars(select(User)).one()
        assert user.password_hash.startswith("$argon2id$") and PW not in user.password_hash
    with pytest.raises(PermissionDenied):
        desk.run(accounts.create_first_admin, "second", "", PW, PW)
    assert not any(PW in (r.new_value or "") for r in _audit(db, "create"))


def test_login_success_and_wrong_password_are_audited(desk, db, admin):
    assert desk.run(accounts.authenticate, "ADMIN ", PW).ok  # names are case-insensitive, trimmed
    bad = desk.run(accounts.authenticate, "admin", "nope")
    assert not bad.ok and "4" in bad.message
    unknown = desk.run(accounts.authenticate, "ghost", PW)
    assert not unknown.ok and unknown.message
    assert [r.username for r in _audit(db, "login")] == ["admin"]
    assert [r.username for r in _audit(db, "login_failed")] == ["admin", "ghost"]


def test_five_failures_lock_for_fifteen_minutes_then_expire(desk, db, admin):
    now = utcnow()
    for _i in range(4):
        assert desk.run(accounts.authenticate, "admin", "wrong", now=now).locked_until is None
    fifth = desk.run(accounts.authenticate, "admin", "wrong", now=now)
    assert fifth.locked_until == now + timedelta(minutes=15)
    assert "锁定" in fifth.message and ":" in fifth.message  # says until when
    # The right password does not help while locked.
    locked = desk.run(accounts.authenticate, "admin", PW, now=now + timedelta(minutes=14))
    assert not locked.ok and locked.locked_until is not None
    assert len(_audit(db, "lockout")) == 1
    # After the 15 minutes it works again, and the counter starts afresh.
    later = desk.run(accounts.authenticate, "admin", PW, now=now + timedelta(minutes=15, seconds=1))
    assert later.ok
    with db.read_session() as s:
        user = s.scalars(select(User)).one()
        assert user.failed_attempts == 0 and user.locked_until is None


def test_lock_message_in_english(desk, admin):
    set_language("en")
    now = utcnow()
    for _i in range(5):
        result = desk.run(accounts.authenticate, "admin", "wrong", now=now)
    assert "locked until" in result.message


def test_reset_password_forces_a_change_and_lifts_the_lock(desk, db, as_admin):
    uid = _add(as_admin, "clerk1")
    first = desk.run(accounts.authenticate, "clerk1", "first-pass-1")
    assert first.ok and first.must_change_password  # new accounts choose their own password
    clerk = first.actor
    Desk(desk.db, clerk).run(accounts.change_password, "first-pass-1", "my-own-pass", "my-own-pass")
    assert not desk.run(accounts.authenticate, "clerk1", "my-own-pass").must_change_password
    for _i in range(5):
        desk.run(accounts.authenticate, "clerk1", "wrong")
    assert desk.run(accounts.authenticate, "clerk1", "my-own-pass").locked_until is not None
    as_admin.run(accounts.reset_password, uid, "temporary-1", "temporary-1")
    assert not desk.run(accounts.authenticate, "clerk1", "my-own-pass").ok
    again = desk.run(accounts.authenticate, "clerk1", "temporary-1")
    assert again.ok and again.must_change_password
    with pytest.raises(ValidationError) as info:
        Desk(desk.db, clerk).run(accounts.change_password, "temporary-1", "temporary-1", "temporary-1")
    assert info.value.message
    with pytest.raises(ValidationError):
        Desk(desk.db, clerk).run(accounts.change_password, "wrong-old-pw", "another-pass", "another-pass")
    Desk(desk.db, clerk).run(accounts.change_password, "temporary-1", "another-pass", "another-pass")
    assert not desk.run(accounts.authenticate, "clerk1", "another-pass").must_change_password
    assert len(_audit(db, "reset_password")) == 1 and len(_audit(db, "change_password")) == 2


def test_disabled_account_cannot_log_in_and_can_be_enabled(desk, as_admin):
    uid = _add(as_admin, "clerk1")
    as_admin.run(accounts.disable_user, uid)
    result = desk.run(accounts.authenticate, "clerk1", "first-pass-1")
    assert not result.ok and "停用" in result.message
    as_admin.run(accounts.set_active, uid, True)
    assert desk.run(accounts.authenticate, "clerk1", "first-pass-1").ok


def test_last_active_admin_cannot_be_disabled_or_demoted(desk, admin, as_admin):
    with pytest.raises(PermissionDenied):
        as_admin.run(accounts.update_user, admin.id, "王主任", "clerk")
    other = _add(as_admin, "admin2", "admin")
    with pytest.raises(PermissionDenied) as info:
        as_admin.run(accounts.disable_user, admin.id)  # oneself
    assert info.value.message
    as_admin.run(accounts.disable_user, other)
    second = Desk(desk.db, desk.run(lambda s, a: accounts.find_actor(s, a, "admin")))
    with pytest.raises(PermissionDenied) as info:
        second.run(accounts.update_user, admin.id, "王主任", ["clerk"])
    assert "最后" in info.value.message
    # With a second active administrator, the first may be demoted.
    as_admin.run(accounts.set_active, other, True)
    as_admin.run(accounts.update_user, admin.id, "王主任", ["clerk", "reviewer"])
    admin2 = Desk(desk.db, desk.run(lambda s, a: accounts.find_actor(s, a, "admin2")))
    with pytest.raises(PermissionDenied):
        admin2.run(accounts.disable_user, other)  # admin2 is now the last admin (and it is itself)
    with pytest.raises(PermissionDenied) as info:
        admin2.run(accounts.update_user, other, "ADMIN2", "clerk")
    assert "最后" in info.value.message


def test_a_clerk_calling_admin_services_is_refused_with_the_role_named(desk, as_admin):
    _add(as_admin, "clerk1")
    clerk = Desk(desk.db, desk.run(lambda s, a: accounts.find_actor(s, a, "clerk1")))
    for call in (lambda: clerk.run(accounts.create_user, "x1", "", "clerk", PW, PW),
                 lambda: clerk.run(accounts.list_users),
                 lambda: clerk.run(accounts.reset_password, 1, PW, PW),
                 lambda: clerk.run(settings_service.update, office_name="某街道")):
        with pytest.raises(PermissionDenied) as info:
            call()
        assert "管理员" in info.value.message
    set_language("en")
    with pytest.raises(PermissionDenied) as info:
        clerk.run(accounts.disable_user, 1)
    assert "Administrator" in info.value.message


def test_create_user_reports_every_problem(desk, as_admin):
    _add(as_admin, "clerk1")
    with pytest.raises(ValidationError) as info:
        as_admin.run(accounts.create_user, "Clerk1", "", "janitor", "short", "other")
    assert {"username", "roles", "password", "repeat"} <= info.value.fields()


def test_first_account_made_by_the_cli_must_be_an_admin(desk):
    with pytest.raises(ValidationError) as info:
        desk.run(accounts.create_user, "bob", "", "clerk", PW, PW)
    assert "管理员" in info.value.message
    desk.run(accounts.create_user, "boss", "", "admin", PW, PW)


def test_minimum_password_length_message(admin):
    with pytest.raises(ValidationError) as info:
        accounts.validate_password("1234567")
    assert "8" in info.value.message
    assert accounts.validate_password("12345678") == "12345678"


# Property-based: no input makes an exception other than ValidationError escape, and every
# rejection says why.

any_text = st.one_of(st.text(), st.text(alphabet=st.characters(codec="utf-8")), st.none(), st.integers(),
                     st.binary())


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_username_validator_never_crashes(raw):
    try:
        clean = accounts.validate_username(raw)
    except ValidationError as exc:
        assert exc.problems and all(p.reason and p.label for p in exc.problems)
    else:
        assert 2 <= len(clean) <= 32 and clean == clean.strip().lower()


@settings(max_examples=300, deadline=None)
@given(any_text, st.one_of(st.none(), st.text()), st.text(max_size=10))
def test_password_validator_never_crashes(raw, repeat, username):
    try:
        clean = accounts.validate_password(raw, repeat, username)
    except ValidationError as exc:
        assert exc.problems and all(p.reason and p.label for p in exc.problems)
    else:
        assert len(clean) >= accounts.MIN_PASSWORD_LENGTH
        assert repeat is None or repeat == clean


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_display_name_and_roles_validators_never_crash(raw):
    for fn in (accounts.validate_display_name, accounts.validate_roles):
        try:
            fn(raw)
        except ValidationError as exc:
            assert exc.problems and all(p.reason for p in exc.problems)


def test_a_display_name_is_kept_as_typed_and_a_user_name_is_folded():
    assert accounts.validate_display_name("王主任（社区科）　 张·三") == "王主任（社区科） 张·三"  # spaces tidied only
    assert accounts.username_key("ＡＤＭＩＮ ") == "admin"  # an identifier: full-width folded, lower case

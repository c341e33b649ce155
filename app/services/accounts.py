"""User accounts: the first administrator, logging in, lock-out, and the administrator's user management.

Passwords are stored as argon2id hashes (argon2-cffi's PasswordHasher, its RFC 9106 "low memory"
defaults: 64 MiB, 3 passes), never in the audit trail. Failed log-ins are counted on the account;
the fifth in a row locks it for 15 minutes. Log-in results are returned, not raised, so the
counters and the audit rows of a failed attempt are committed with the caller's transaction.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.errors import FieldProblem, NotFound, StaleRecord, ValidationError
from app.domain.text import forbidden_character, identifier_script_problem
from app.i18n import N_, _, format_datetime
from app.models import User
from app.models.base import utcnow
from app.services import audit
from app.services.actors import MAX_PASSWORD_LENGTH as MAX_PASSWORD_LENGTH
from app.services.actors import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH
from app.services.actors import username_key
from app.services.context import Actor
from app.services.permissions import ROLE_LABELS, PermissionDenied, Role, require
from app.services.validation import Labels

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
USERNAME_LENGTH = (2, 32)
DISPLAY_NAME_LENGTH = 64


@cache
def _hasher() -> PasswordHasher:
    """The argon2id hasher, made on first need: a reading command never pays for argon2."""
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user name is unknown, so a wrong name takes as long as a wrong password.

    Computed on the first log-in attempt, not at import (it costs one full hash, about 150 ms).
    """
    return _hasher().hash("not a password of anyone")


def prepare_login(session: Session | None = None, actor: Actor | None = None) -> None:
    """Compute the dummy hash ahead (the log-in window calls this off the GUI thread once shown), so
    even the first failed log-in with an unknown name takes as long as one with a wrong password."""
    _dummy_hash()

_USERNAME = re.compile(r"^[\w.\-]+$")

FIELD_LABELS = {
    "username": N_("User name"),
    "display_name": N_("Full name"),
    "password": N_("Password"),
    "repeat": N_("Repeat password"),
    "old_password": N_("Current password"),
    "roles": N_("Roles"),
}


LABELS = Labels(FIELD_LABELS)
_problem = LABELS.problem
PASSWORD_FINGERPRINT = "password_fingerprint"  # audit field: a digest of the stored hash, never the hash


def password_fingerprint(password_hash: str) -> str:
    """What the audit trail records of a password hash: its SHA-256, so that `spdesk check` notices a
    hash written into the file directly (a known password put on an administrator's account). It
    tells nothing the stored salted argon2 hash does not already tell."""
    return hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()


def _fingerprint_recorded(session: Session, user: User) -> bool:
    from app.models import AuditRecord

    return session.scalar(select(AuditRecord.id).where(
        AuditRecord.entity == "user", AuditRecord.entity_id == str(user.id),
        AuditRecord.field == PASSWORD_FINGERPRINT).limit(1)) is not None


# ---------------------------------------------------------------------------------------------
# Validators: every input gives a clean value or a ValidationError naming the field and the reason.


def validate_username(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValidationError([_problem("username", _("is required"))])
    name = username_key(raw)
    if not name:
        raise ValidationError([_problem("username", _("is required"))])
    lo, hi = USERNAME_LENGTH
    if not lo <= len(name) <= hi:
        raise ValidationError([_problem("username", _("must be {lo} to {hi} characters long").format(lo=lo, hi=hi))])
    if bad := forbidden_character(name):
        raise ValidationError([_problem("username", bad)])
    if not _USERNAME.match(name) or not name.isprintable():
        raise ValidationError([_problem("username", _(
            "may contain only letters, digits, Chinese characters, dots, hyphens and underscores"))])
    if bad := identifier_script_problem(name):  # look-alikes: Cyrillic "аdmin" is not "admin"
        raise ValidationError([_problem("username", bad)])
    return name


def validate_display_name(raw: object, username: str = "") -> str:
    # A person's name as shown and printed (drafters, signatories): kept as typed, only the white
    # space tidied — never NFKC, which would turn full-width （） and · into ASCII.
    text = " ".join(raw.split()) if isinstance(raw, str) else ""
    if bad := forbidden_character(text):
        raise ValidationError([_problem("display_name", bad)])
    if not text.isprintable():
        raise ValidationError([_problem("display_name", _("contains characters that cannot be shown"))])
    if len(text) > DISPLAY_NAME_LENGTH:
        raise ValidationError([_problem("display_name", _("must be at most {n} characters").format(
            n=DISPLAY_NAME_LENGTH))])
    return text or username


def validate_password(raw: object, repeat: object = None, username: str = "", field: str = "password") -> str:
    """`repeat` is checked when given (forms); the CLI passes None after its own prompt."""
    if not isinstance(raw, str) or not raw:
        raise ValidationError([_problem(field, _("is required"))])
    problems: list[FieldProblem] = []
    if len(raw) < MIN_PASSWORD_LENGTH:
        problems.append(_problem(field, _("must be at least {n} characters long").format(n=MIN_PASSWORD_LENGTH)))
    elif len(raw) > MAX_PASSWORD_LENGTH:
        problems.append(_problem(field, _("must be at most {n} characters long").format(n=MAX_PASSWORD_LENGTH)))
    elif not raw.strip():
        problems.append(_problem(field, _("must not be only spaces")))
    elif any(unicodedata.category(c) in ("Cs", "Cc") for c in raw):
        problems.append(_problem(field, _("contains characters that cannot be typed")))
    elif username and raw.strip().lower() == username.lower():
        problems.append(_problem(field, _("must not be the same as the user name")))
    if repeat is not None and raw != repeat:
        problems.append(_problem("repeat", _("does not match the password")))
    if problems:
        raise ValidationError(problems)
    return raw


def validate_roles(raw: object) -> frozenset[str]:
    values = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple | set | frozenset) else []
    codes: set[str] = set()
    for v in values:
        for part in str(v).split(","):
            part = part.strip().lower()
            if part:
                codes.add(part)
    valid = {r.value for r in Role}
    unknown = sorted(codes - valid)
    if unknown:
        raise ValidationError([_problem("roles", _("unknown role: {roles}").format(roles="、".join(unknown)))])
    if not codes:
        raise ValidationError([_problem("roles", _("choose at least one role"))])
    return frozenset(codes)


def role_names(roles: frozenset[str] | set[str]) -> str:
    return _(", ").join(_(ROLE_LABELS[r]) for r in Role if r.value in roles)


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    roles: frozenset[str]
    active: bool
    locked_until: datetime | None
    must_change_password: bool
    version: int

    @property
    def label(self) -> str:
        return self.display_name or self.username

    @property
    def role_names(self) -> str:
        return role_names(self.roles)

    @property
    def locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > utcnow()


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, frozenset(user.role_set()))


def _row(u: User) -> UserRow:
    return UserRow(u.id, u.username, u.display_name, frozenset(u.role_set()), u.active, u.locked_until,
                   u.must_change_password, u.version)


def has_users(session: Session, actor: Actor | None = None) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def _find(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username_key(username)))


def find_actor(session: Session, actor: Actor | None, username: str) -> Actor | None:
    """The active user named `username`, as an actor (no password check: for read-only use)."""
    u = _find(session, username)
    return actor_for(u) if u is not None and u.active else None


def is_disabled(session: Session, actor: Actor | None, username: str) -> bool:
    u = _find(session, username)
    return u is not None and not u.active


def _active_admins(session: Session) -> list[User]:
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
    return [u for u in users if Role.ADMIN.value in u.role_set()]


def first_admin(session: Session, actor: Actor | None = None) -> Actor | None:
    admins = _active_admins(session)
    return actor_for(admins[0]) if admins else None


def check_manage(actor: Actor) -> None:
    require(actor, Role.ADMIN)


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    check_manage(actor)
    return [_row(u) for u in session.scalars(select(User).order_by(User.username))]


def usernames(session: Session, actor: Actor | None = None) -> list[tuple[str, str]]:
    """(user name, display name) of every account, for filters and pickers."""
    return [(u.username, u.display_name) for u in session.scalars(select(User).order_by(User.username))]


def login_choices(session: Session, actor: Actor | None = None) -> list[tuple[str, str]]:
    """(user name, name shown) of every active account, for the log-in box: people pick their name
    instead of typing it (and never type it into the password field)."""
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name, User.username))
    return [(u.username, u.display_name or u.username) for u in users]


# ---------------------------------------------------------------------------------------------
# Logging in


def local_time(at: datetime) -> datetime:
    """Stored times are naive UTC; people read local time."""
    return at.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: str = ""
    actor: Actor | None = None
    must_change_password: bool = False
    locked_until: datetime | None = None  # naive UTC


class LoginFailed(PermissionDenied):
    def __init__(self, result: LoginResult) -> None:
        super().__init__(result.message)
        self.result = result


def _locked_message(until: datetime) -> str:
    return _("Too many failed attempts: the account is locked until {time}. Try again then, or ask the "
             "administrator to reset the password.").format(time=format_datetime(local_time(until)))


def _verify(hash_: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return _hasher().verify(hash_, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeError):
        return False


def authenticate(session: Session, actor: Actor | None, username: str, password: str,
                 now: datetime | None = None) -> LoginResult:
    """Check a log-in. Never raises for wrong input: the result says what happened, and the
    failure counter and audit rows are saved with the transaction either way."""
    now = now or utcnow()
    user = _find(session, username) if isinstance(username, str) else None
    typed = str(username)[:64]
    if user is None:
        _verify(_dummy_hash(), password if isinstance(password, str) else "")
        audit.record(session, Actor(None, typed), "login_failed", "user", "", typed, {"reason": (None, "unknown")})
        return LoginResult(False, _("The user name or password is wrong."))
    who = actor_for(user)
    if user.locked_until is not None and user.locked_until > now:
        audit.record(session, who, "login_failed", "user", user.id, user.username, {"reason": (None, "locked")})
        return LoginResult(False, _locked_message(user.locked_until), locked_until=user.locked_until)
    if not isinstance(password, str) or not _verify(user.password_hash, password):
        before = user.failed_attempts or 0
        user.failed_attempts = before + 1
        if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
            user.failed_attempts = 0
            user.locked_until = now + LOCKOUT
            audit.record(session, who, "lockout", "user", user.id, user.username,
                         {"locked_until": (None, user.locked_until.isoformat(timespec="seconds"))})
            return LoginResult(False, _locked_message(user.locked_until), locked_until=user.locked_until)
        audit.record(session, who, "login_failed", "user", user.id, user.username,
                     {"reason": (None, "password"), "failed_attempts": (before, user.failed_attempts)})
        left = MAX_FAILED_ATTEMPTS - user.failed_attempts
        return LoginResult(False, _("The user name or password is wrong. After {n} more failed attempts the "
                                    "account is locked for {minutes} minutes.").format(
                                        n=left, minutes=int(LOCKOUT.total_seconds() // 60)))
    if not user.active:
        audit.record(session, who, "login_failed", "user", user.id, user.username, {"reason": (None, "disabled")})
        return LoginResult(False, _("This account is disabled. Ask the administrator."))
    user.failed_attempts = 0
    user.locked_until = None
    old_hash = user.password_hash
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    changes: dict[str, tuple[object, object]] = {}
    if user.password_hash != old_hash or not _fingerprint_recorded(session, user):
        # A rehash, or an account from before fingerprints were recorded: its first log-in records one.
        changes[PASSWORD_FINGERPRINT] = (password_fingerprint(old_hash) if user.password_hash != old_hash else None,
                                         password_fingerprint(user.password_hash))
    audit.record(session, who, "login", "user", user.id, user.username, changes or None)
    return LoginResult(True, "", who, user.must_change_password)


# ---------------------------------------------------------------------------------------------
# Changing accounts


def create_first_admin(session: Session, actor: Actor, username: str, display_name: str, password: str,
                       repeat: str | None = None, roles: frozenset[str] | None = None) -> Actor:
    """First run: the administrator. Refused once any account exists.

    The first administrator holds the administrator role only: one person holding every role would
    draft, review and sign alone, which the separation of duties forbids. The setup then offers to
    create the first clerk and reviewer; `roles` adds roles on purpose (a one-person trial).
    """
    if has_users(session):
        raise PermissionDenied(_("The administrator has already been created. Log in instead."))
    name = validate_username(username)
    display = validate_display_name(display_name, name)
    pw = validate_password(password, repeat, name)
    granted = frozenset({Role.ADMIN.value}) if roles is None else validate_roles(roles) | {Role.ADMIN.value}
    user = User(username=name, display_name=display, password_hash=_hasher().hash(pw),
                roles=",".join(sorted(granted)), active=True, created_by=actor.id, updated_by=actor.id)
    session.add(user)
    session.flush()
    admin = actor_for(user)
    audit.record(session, admin, "create", "user", user.id, user.username,
                 {"username": (None, name), "display_name": (None, display), "roles": (None, user.roles),
                  PASSWORD_FINGERPRINT: (None, password_fingerprint(user.password_hash))})
    return admin


def _get(session: Session, user_id: int, expected_version: int | None = None) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("The user no longer exists."))
    if expected_version is not None and user.version != expected_version:
        raise StaleRecord(_("The account {name} was changed by someone else; open it again.").format(
            name=user.username))
    return user


def create_user(session: Session, actor: Actor, username: str, display_name: str, roles: object,
                password: str, repeat: str | None = None) -> int:
    """An administrator adds an account; its owner must choose a new password at the first log-in."""
    require(actor, Role.ADMIN)
    problems: list[FieldProblem] = []
    name = display = ""
    granted: frozenset[str] = frozenset()
    for step in ("username", "display_name", "roles", "password"):
        try:
            if step == "username":
                name = validate_username(username)
                if _find(session, name) is not None:
                    raise ValidationError([_problem("username", _("is already taken"))])
            elif step == "display_name":
                display = validate_display_name(display_name, name)
            elif step == "roles":
                granted = validate_roles(roles)
                if Role.ADMIN.value not in granted and not _active_admins(session):
                    raise ValidationError([_problem("roles", _("the first account must be an administrator"))])
            else:
                validate_password(password, repeat, name)
        except ValidationError as exc:
            problems += exc.problems
    if problems:
        raise ValidationError(problems)
    user = User(username=name, display_name=display, password_hash=_hasher().hash(password),
                roles=",".join(sorted(granted)), active=True, must_change_password=True,
                created_by=actor.id, updated_by=actor.id)
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, user.username,
                 {"username": (None, name), "display_name": (None, display), "roles": (None, user.roles),
                  PASSWORD_FINGERPRINT: (None, password_fingerprint(user.password_hash))})
    return user.id


def _guard_last_admin(session: Session, user: User) -> None:
    others = [u for u in _active_admins(session) if u.id != user.id]
    if not others:
        raise PermissionDenied(_("{name} is the last active administrator. Make another user an administrator "
                                 "first.").format(name=user.display_name or user.username))


def update_user(session: Session, actor: Actor, user_id: int, display_name: str, roles: object,
                expected_version: int | None = None) -> None:
    require(actor, Role.ADMIN)
    user = _get(session, user_id, expected_version)
    display = validate_display_name(display_name, user.username)
    granted = validate_roles(roles)
    if Role.ADMIN.value in user.role_set() and Role.ADMIN.value not in granted and user.active:
        _guard_last_admin(session, user)
    before = {"display_name": user.display_name, "roles": user.roles}
    user.display_name = display
    user.roles = ",".join(sorted(granted))
    user.updated_by = actor.id
    session.flush()
    audit.record(session, actor, "update", "user", user.id, user.username,
                 audit.diff(before, {"display_name": user.display_name, "roles": user.roles}))


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> None:
    """Disable (or enable again) an account. Accounts are never deleted: the audit trail names them."""
    require(actor, Role.ADMIN)
    user = _get(session, user_id)
    if user.active == active:
        return
    if not active:
        if user.id == actor.id:
            raise PermissionDenied(_("You cannot disable your own account."))
        if Role.ADMIN.value in user.role_set():
            _guard_last_admin(session, user)
    user.active = active
    user.updated_by = actor.id
    session.flush()
    audit.record(session, actor, "enable" if active else "disable", "user", user.id, user.username,
                 {"active": (not active, active)})


def disable_user(session: Session, actor: Actor, user_id: int) -> None:
    set_active(session, actor, user_id, False)


def reset_password(session: Session, actor: Actor, user_id: int, password: str, repeat: str | None = None) -> None:
    """An administrator sets a temporary password; the owner must change it at the next log-in.
    Also lifts a lock-out."""
    require(actor, Role.ADMIN)
    user = _get(session, user_id)
    validate_password(password, repeat, user.username)
    before = user.password_hash
    user.password_hash = _hasher().hash(password)
    user.must_change_password = True
    user.failed_attempts = 0
    user.locked_until = None
    user.updated_by = actor.id
    session.flush()
    audit.record(session, actor, "reset_password", "user", user.id, user.username,
                 {"must_change_password": (None, True),
                  PASSWORD_FINGERPRINT: (password_fingerprint(before), password_fingerprint(user.password_hash))})


def change_password(session: Session, actor: Actor, old_password: str, new_password: str,
                    repeat: str | None = None) -> None:
    """The logged-in user chooses a new password (also after a reset)."""
    if actor.id is None:
        raise PermissionDenied(_("Log in as a user to change a password."))
    user = _get(session, actor.id)
    if not isinstance(old_password, str) or not _verify(user.password_hash, old_password):
        raise ValidationError([_problem("old_password", _("is wrong"))])
    validate_password(new_password, repeat, user.username)
    if new_password == old_password:
        raise ValidationError([_problem("password", _("must differ from the current password"))])
    before = user.password_hash
    user.password_hash = _hasher().hash(new_password)
    user.must_change_password = False
    user.updated_by = actor.id
    session.flush()
    audit.record(session, actor, "change_password", "user", user.id, user.username,
                 {PASSWORD_FINGERPRINT: (password_fingerprint(before), password_fingerprint(user.password_hash))})

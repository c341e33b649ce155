"""Practice data (练习数据): the sample records live in their own database file beside the office's,
never in the office's database, so they take no agreement number, no credit code and no audit entry
from the office's real records.

The practice file is created on first use with the sample organizations, projects and agreements,
the person's own account (same user name and password) and two practice colleagues, a clerk and a
reviewer, who share that password so that the separation of duties can be tried.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _, current_language
from app.models.system import User
from app.services import demo
from app.services import settings as settings_service
from app.services.context import SYSTEM, Actor
from app.services.orgs import ensure_default_domains
from app.store.db import Database

PRACTICE_FLAG = "practice_database"
PRACTICE_OFFICE = "示例街道办事处"
# Practice colleagues: (user name, name shown, roles).
COLLEAGUES = (("practice_clerk", "练习经办人", "clerk"), ("practice_reviewer", "练习审核人", "reviewer"))


class NotAPracticeDatabase(Exception):
    def __init__(self, path: Path) -> None:
        self.message = _("{path} already holds other data and is not a practice database; nothing was "
                         "changed.").format(path=path)
        super().__init__(self.message)


def practice_path(office_path: Path | str) -> Path:
    """Where the practice database of the office database `office_path` lives (beside it)."""
    office_path = Path(office_path)
    return office_path.with_name(f"{office_path.stem}-practice{office_path.suffix or '.sqlite3'}")


def office_path(practice_file: Path | str) -> Path:
    """The office database whose practice database is `practice_file`."""
    practice_file = Path(practice_file)
    return practice_file.with_name(practice_file.stem.removesuffix("-practice") + practice_file.suffix)


def is_practice(session: Session, actor: Actor | None = None) -> bool:
    return settings_service.get(session, PRACTICE_FLAG) == "1"


def _account(db: Database, actor: Actor) -> tuple[str, str, str, str] | None:
    if actor.id is None:
        return None
    with db.read_session() as s:
        u = s.get(User, actor.id)
        return None if u is None else (u.username, u.display_name, u.roles, u.password_hash)


def _put_user(s: Session, username: str, display: str, roles: str, password_hash: str) -> None:
    u = s.scalar(select(User).where(User.username == username))
    if u is None:
        s.add(User(username=username, display_name=display, roles=roles, password_hash=password_hash,
                   active=True, must_change_password=False))
    else:  # the person's current password opens the practice data too
        u.password_hash, u.active, u.must_change_password = password_hash, True, False
        u.failed_attempts, u.locked_until = 0, None


def prepare(office_db: Database, actor: Actor, today: date | None = None) -> Path:
    """Create (or bring up to date) the practice database beside `office_db` for `actor`; its path.

    The office's database is only read (the person's account); everything is written to the
    practice file, whose audit trail records the sample work under the practice colleagues."""
    from app.store.startup import open_database

    path = practice_path(office_db.path)
    account = _account(office_db, actor)
    db = open_database(path, daily_backup=False)
    try:
        with db.session() as s:
            if not is_practice(s):
                if s.scalar(select(User.id).limit(1)) is not None:
                    raise NotAPracticeDatabase(path)
                ensure_default_domains(s)
                settings_service.complete_setup(s, SYSTEM, PRACTICE_OFFICE, current_language())
                settings_service.put(s, SYSTEM, PRACTICE_FLAG, "1")
            if account is not None:
                username, display, roles, password_hash = account
                _put_user(s, username, display, roles, password_hash)
                for name, shown, role in COLLEAGUES:
                    if name != username:
                        _put_user(s, name, shown, role, password_hash)
            demo.load_sample(s, SYSTEM, today=today)
    finally:
        db.dispose()
    return path

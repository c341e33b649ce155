"""The quick reading path of the command line: a reading command without SQLAlchemy (issue 17).

A command that reads takes this path when the file is plainly in order (app.store.reading) and the acting
user is found; it returns None otherwise, and the command takes the ordinary path (open_desk and the
services), which gives every refusal and message as before. So this path only ever answers where the
ordinary one would have answered the same (tests/unit/test_quick_read.py compares them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TypeVar

from app.services import agreement_list
from app.services.actors import Actor, role_set, username_key
from app.store import reading

T = TypeVar("T")


def reading_actor(conn: sqlite3.Connection, name: str) -> Actor | None:
    """Who a reading command acts as, as app.cli.users.resolve_actor decides for reads: the active user
    `name`, or without a name the first active administrator. None when that decision is a refusal or
    needs the ordinary path (no accounts yet: the system actor, or a refusal of --user)."""
    if name:
        found = conn.execute("SELECT id, username, display_name, roles, active FROM users WHERE username = ?",
                             (username_key(name),)).fetchone()
        if found is None or not found[4]:
            return None
        return Actor(int(found[0]), str(found[1]), str(found[2]), role_set(str(found[3])))
    for uid, username, display_name, roles in conn.execute(
            "SELECT id, username, display_name, roles FROM users WHERE active = 1 ORDER BY id"):
        if "admin" in role_set(str(roles)):
            return Actor(int(uid), str(username), str(display_name), role_set(str(roles)))
    return None


def agreement_rows(path: Path, user: str, year: int | None = None, state: str = "",
                   limit: int = agreement_list.LIMIT) -> list[agreement_list.AgreementRow] | None:
    """`spdesk agreements list [--year] [--state]`'s rows (list_agreements' first page), or None: take
    the ordinary path."""
    return with_reader(path, user, lambda conn: agreement_list.plain_rows(conn, year, state, limit))


def with_reader(path: Path, user: str, read: Callable[[sqlite3.Connection], T]) -> T | None:
    """`read(conn)` on the file opened as the reading commands open it (read-only, revision checked, scans
    passed or remembered), for a user the reading commands accept; None — take the ordinary path, which
    says what is wrong in its words — when the file is not plainly in order, the user is refused or SQLite
    fails."""
    conn = reading.open_current(path)
    if conn is None:
        return None
    with closing(conn):
        try:
            if reading_actor(conn, user) is None:
                return None
            return read(conn)
        except sqlite3.Error:
            return None

"""What the log-in window shows at start, read with the sqlite3 module alone (issue 17).

The window shows its log-in window before SQLAlchemy and the models are imported (most of a second
here): app.store.first_look locks the file and opens it read-only when it is plainly in order, and this
module reads the language chosen in Settings, the office's name and the active accounts for the user box
— the same rows app.services.settings.get and app.services.accounts.login_choices read (tests compare
them). Before any account exists the setup dialog is needed, which writes at once: then None, and the
window takes the full start.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.store import first_look
from app.store.lock import InstanceLock

DEFAULT_LANGUAGE = "zh_CN"
LANGUAGE_KEY = "language"  # as app.services.settings.LANGUAGE / OFFICE_NAME (tests hold them equal)
OFFICE_NAME_KEY = "office_name"


@dataclass
class LoginStart:
    """The file's held instance lock (handed to app.store.startup.open_unchecked on the worker), and what
    the log-in window shows."""

    path: Path
    lock: InstanceLock
    language: str
    office_name: str
    choices: list[tuple[str, str]]  # (user name, name shown), as accounts.login_choices


def setting(conn: sqlite3.Connection, key: str, default: str = "") -> str:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return default if row is None or row[0] is None else str(row[0])


def login_choices(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """accounts.login_choices without the ORM: every active account, by name shown then user name."""
    rows = conn.execute("SELECT username, display_name FROM users WHERE active = 1 "
                        "ORDER BY display_name, username").fetchall()
    return [(str(u), str(d) if d else str(u)) for u, d in rows]


def read(path: Path) -> LoginStart | None:
    """The lock and the log-in window's contents, or None: take the full start (see the module's text)."""
    look = first_look.take(path)
    if look is None:
        return None
    try:
        if look.conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0:
            look.abandon()
            return None
        start = LoginStart(look.path, look.lock, setting(look.conn, LANGUAGE_KEY) or DEFAULT_LANGUAGE,
                           setting(look.conn, OFFICE_NAME_KEY), login_choices(look.conn))
    except sqlite3.Error:
        look.abandon()
        return None
    look.conn.close()
    return start


# The same contents through the ordinary services, for a log-in window opened without this quick start
# (after log-out, or a start that took the full path). Imported when first called, on the worker.


def window_contents(session: Any, actor: Any) -> tuple[str, list[tuple[str, str]]]:
    """The office's name and the active accounts for the user box, as `read` gives them."""
    from app.services import accounts
    from app.services import settings as settings_service

    return settings_service.get(session, settings_service.OFFICE_NAME), accounts.login_choices(session, actor)


def prepare_login() -> None:
    """The dummy password hash for unknown names (argon2), computed while the person types."""
    from app.services import accounts

    accounts.prepare_login()

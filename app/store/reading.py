"""A database file opened for reading with the sqlite3 module alone: the quick reading path (issue 17).

A reading command that imports SQLAlchemy cannot finish in 300 ms here (the import and the mapping of
the models take most of a second), so `spdesk agreements list` reads through this when the file is
plainly in order: a regular file, at the program's schema revision (one query against alembic_version;
the head read from the revision scripts' text, app.store.revisions), whose two start-up scans pass or
were passed in this very state of the file (app.store.integrity). Anything else — a missing, foreign,
damaged, older or newer file, a locked one, an error — gives None, and the caller takes the full
start-up (app.store.startup), which says what is wrong in the usual words.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.store import integrity, revisions

BUSY_TIMEOUT_S = 5.0  # as app.store.db.BUSY_TIMEOUT_MS (tests/unit/test_quick_read.py holds them equal)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write (SQLite's mode=ro), with the program's busy timeout."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)


def schema_revision(conn: sqlite3.Connection) -> str | None:
    """The file's schema revision, as app.store.migrate.current_revision reads it (None: no schema)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone() is None:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def open_current(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to `path` when the file is in order for reading (see the module's text),
    else None. The caller closes it."""
    path = Path(path)
    scanned = revisions.scan()
    if scanned is None or not path.is_file():
        return None
    try:
        conn = connect_read_only(path)
    except sqlite3.Error:
        return None
    try:
        if schema_revision(conn) == scanned[0] and integrity.scan_for_reading(conn, path).ok:
            return conn
    except sqlite3.Error:
        pass
    conn.close()
    return None

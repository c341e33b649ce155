"""The window's first look at its database, with the sqlite3 module alone (issue 17: the log-in window
under 0.5 s).

Importing SQLAlchemy and mapping the models takes most of a second here, so the window takes the
instance lock and reads the few things its log-in window shows (app.services.login_start) through plain
sqlite3, shows the window, and opens the database with SQLAlchemy on its worker while the person types
(app.store.startup.open_unchecked with the lock taken here, then finish_checks: the scans, a pending
migration). This is only for a file that is plainly in order: a regular SQLite file at the program's
schema revision that we could lock. Anything else — a new or empty file, an older or newer schema, a
foreign, damaged or locked file, an error — gives None (with the lock released), and the window takes the
full start (open_unchecked), which says what is wrong in its usual words.

Nothing is written here except the lock file (the lock is taken first) and the removal of a killed
restore's partial copy, as open_unchecked does; the connection is read-only (mode=ro).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.store import backup, reading, revisions
from app.store.lock import DatabaseInUse, InstanceLock


@dataclass
class FirstLook:
    """The held instance lock and a read-only connection to a file at the program's schema revision.
    The caller closes `conn` and hands `lock` on (open_unchecked) or releases it."""

    path: Path
    lock: InstanceLock
    conn: sqlite3.Connection

    def abandon(self) -> None:
        """Close the connection and release the lock (the caller takes the full start instead)."""
        self.conn.close()
        self.lock.release()


def take(path: Path) -> FirstLook | None:
    """Lock `path` and open it read-only when it is plainly in order (see the module's text), else None."""
    path = Path(path)
    scanned = revisions.scan()
    try:
        if scanned is None or not path.is_file() or path.stat().st_size == 0 or not backup.is_sqlite_file(path):
            return None
        lock = InstanceLock(path).acquire()
    except (OSError, DatabaseInUse):
        return None
    conn: sqlite3.Connection | None = None
    try:
        backup.remove_restore_partials(path)
        conn = reading.connect_read_only(path)
        if reading.schema_revision(conn) == scanned[0]:
            return FirstLook(path, lock, conn)
    except (OSError, sqlite3.Error):
        pass
    if conn is not None:
        conn.close()
    lock.release()
    return None

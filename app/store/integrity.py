"""The two start-up scans of a database file, and the memory of a file's last clean scan (issue 17).

`PRAGMA quick_check` (every page and index is well formed) and `PRAGMA foreign_key_check` (every record
points to records that exist) are what the start-up runs before a file is used (app.store.startup). At
district scale (858 MB) they take several seconds, which a reading command (a list, an export) paid on
every run. So a reading program remembers that a file was found clean *in a given state of the file*
and skips the scans while the file is in that state; any change runs them again.

The state is what identifies the bytes SQLite reads: the database file's device, inode, size,
modification and change times (mtime_ns, ctime_ns) and header change counter; the `-wal` file's device,
inode, size and mtime, and its header's checkpoint sequence, salts and checksums (a WAL reset after a
checkpoint changes them). A commit always changes the WAL's size or header (or, without WAL, the change
counter and mtime); an edit of the database file by any other program changes its mtime and ctime (a
user program can set mtime back, not ctime). A state whose
newest time is within SETTLE_SECONDS of now is not remembered: two writes inside the file system's clock
granularity could otherwise leave the same times ("racy git").

What the memory cannot see: a change that does not go through the file system — a bit flipped on the
disk or in a USB stick's flash, a write to the raw block device — leaves size and times alone; nor an
edit of the -wal file that keeps its size and sets its mtime back (a WAL frame is checksummed, so such an
edit makes SQLite stop reading at that frame rather than read damage). For
reading commands we accept that: they change nothing, `spdesk check` always scans in full, and the
writer (the window, writing commands) keeps scanning at every start, so such damage is caught before
anything is written on top of it. The memory lives in the user's cache folder, not in the database,
so a planted or copied database file cannot bring its own "clean" mark; a failed scan is never
remembered, and forgetting is always safe (the scans just run again).

No SQLAlchemy here: the quick reading path (app.services.quick_read) uses plain sqlite3.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from app.paths import cache_dir

MEMO_VERSION = 1  # raise when the scans change: every remembered state is then scanned again
MEMO_ENTRIES = 32  # files remembered (the newest)
SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class Findings:
    """What the two scans found: `quick_check` is "ok" or SQLite's first messages; `foreign_keys` the
    rows of PRAGMA foreign_key_check (table, rowid, parent table, constraint index)."""

    quick_check: str
    foreign_keys: tuple[tuple[object, ...], ...]
    remembered: bool = False  # the file was in a state last found clean: nothing was scanned

    @property
    def ok(self) -> bool:
        return self.quick_check == "ok" and not self.foreign_keys


CLEAN_BY_MEMORY = Findings("ok", (), remembered=True)


def quick_check(conn: sqlite3.Connection) -> str:
    """PRAGMA quick_check: "ok", or its first five messages joined."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    detail = "; ".join(str(r[0]) for r in rows[:5])
    return "ok" if detail == "ok" else detail


def foreign_key_problems(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute("PRAGMA foreign_key_check").fetchall()]


def scan(conn: sqlite3.Connection) -> Findings:
    """Both scans, always (no memory). The foreign keys are only checked on a file whose pages are sound."""
    check = quick_check(conn)
    return Findings(check, tuple(foreign_key_problems(conn)) if check == "ok" else ())


# --- the state of a file ------------------------------------------------------------------------------

State = tuple[object, ...]


def _stat(path: Path) -> tuple[int, int, int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _head(path: Path, size: int) -> str:
    try:
        with open(path, "rb") as f:
            return f.read(size).hex()
    except FileNotFoundError:
        return ""


def file_state(path: Path) -> State | None:
    """What identifies the bytes of `path` (and its -wal) right now; None when the file is missing or was
    changed too recently to be told apart from a change still to come (see SETTLE_SECONDS)."""
    path = Path(os.path.realpath(path))
    db = _stat(path)
    if db is None:
        return None
    header = _head(path, 100)
    counters = (header[48:56], header[184:200])  # change counter (offset 24), version-valid-for + SQLite version
    wal_path = path.with_name(path.name + "-wal")
    wal = _stat(wal_path)
    if wal is not None and wal[2] == 0:
        wal = None  # an empty WAL holds nothing: a reader that opens the file may create one
    wal_header = _head(wal_path, 32)[24:] if wal is not None else ""  # checkpoint sequence, salts, checksums
    newest = max(db[3], db[4], *(wal[3:4] if wal is not None else ()))
    if time.time_ns() - newest < SETTLE_SECONDS * 1e9:
        return None
    # Not the WAL's ctime: SQLite running as root hands the -wal to the database's owner (fchown) whenever
    # a connection opens it, so a mere reader moves it.
    return (MEMO_VERSION, str(path), *db, *counters, *(wal[:4] if wal is not None else ()), wal_header)


# --- the memory -------------------------------------------------------------------------------------------


def memo_path() -> Path:
    return cache_dir() / "integrity" / "clean.json"


def _read_memo() -> dict[str, list[object]]:
    try:
        data = json.loads(memo_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) and data.get("version") == MEMO_VERSION else None
    return {str(k): v for k, v in files.items() if isinstance(v, list)} if isinstance(files, dict) else {}


def _key(path: Path) -> str:
    return os.path.realpath(path)


def remembered_clean(path: Path, state: State | None) -> bool:
    """Was `path` found clean in exactly this state?"""
    if state is None:
        return False
    return _read_memo().get(_key(path)) == list(state)


def remember_clean(path: Path, state: State | None) -> bool:
    """Remember that both scans found `path` clean in `state`, taken before the scans began. Nothing is
    remembered when the file changed meanwhile (its state now differs) or the cache cannot be written;
    True when remembered. Written atomically (a temporary file renamed over the old)."""
    if state is None or file_state(path) != state:
        return False
    memo = _read_memo()
    key = _key(path)
    memo.pop(key, None)
    memo[key] = list(state)
    kept = dict(list(memo.items())[-MEMO_ENTRIES:])
    target = memo_path()
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"version": MEMO_VERSION, "files": kept}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    return True


def forget(path: Path) -> None:
    """Drop what is remembered of `path` (after a scan found it damaged, or a restore replaced it)."""
    memo = _read_memo()
    if memo.pop(_key(path), None) is None:
        return
    target = memo_path()
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"version": MEMO_VERSION, "files": memo}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass


def scan_for_reading(conn: sqlite3.Connection, path: Path) -> Findings:
    """Both scans for a program that only reads `path` through `conn` (already open): skipped while the
    file is in a state last found clean, otherwise run, and a clean result remembered."""
    state = file_state(path)
    if remembered_clean(path, state):
        return CLEAN_BY_MEMORY
    found = scan(conn)
    if found.ok:
        remember_clean(path, state)
    else:
        forget(path)
    return found

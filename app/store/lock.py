"""One running program per database file: an OS-level lock on `<database>.lock`.

The operating system drops the lock when the process ends, however it ends (kill -9, power
cut, crash), so there is never a stale lock to clear by hand — unlike a lock row in the
database (GnuCash's long-standing complaint). Qt's QLockFile would do the same, but Qt stays in
app/views. POSIX: flock() on the file (per open file, so even a second opener in the same
process is refused). Windows: msvcrt.locking() on one byte far past the text we write, so that
other programs can still read who holds the lock.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.i18n import _

_WIN_LOCK_OFFSET = 1 << 20


@dataclass(frozen=True)
class Holder:
    pid: int | None
    user: str
    host: str
    since: str


class DatabaseInUse(Exception):
    def __init__(self, path: Path, holder: Holder | None) -> None:
        self.path = path
        self.holder = holder
        if holder is not None and (holder.user or holder.host):
            msg = _("The database {path} is in use by another running copy of the program "
                    "(user {user} on computer {host}, since {since}). Close that program first; "
                    "nothing was changed.").format(path=path, user=holder.user or "?",
                                                    host=holder.host or "?", since=holder.since or "?")
        else:
            msg = _("The database {path} is in use by another running copy of the program. "
                    "Close that program first; nothing was changed.").format(path=path)
        super().__init__(msg)
        self.message = msg


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def read_holder(db_path: Path) -> Holder | None:
    try:
        text = lock_path_for(db_path).read_text(encoding="utf-8", errors="replace")
        data = json.loads(text.split("\0", 1)[0] or "{}")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return Holder(data.get("pid"), str(data.get("user", "")), str(data.get("host", "")), str(data.get("since", "")))


class InstanceLock:
    """Held while a program has the database open for writing."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.path = lock_path_for(self.db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> InstanceLock:
        """Take the lock or raise DatabaseInUse; never waits."""
        if self._fd is not None:
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            raise DatabaseInUse(self.db_path, read_holder(self.db_path))
        self._fd = fd
        try:
            user = getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name is not a reason to refuse
            user = ""
        info = json.dumps({"pid": os.getpid(), "user": user, "host": socket.gethostname(),
                           "since": datetime.now().strftime("%Y-%m-%d %H:%M")}, ensure_ascii=False)
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, info.encode("utf-8"))
        except OSError:
            pass  # who holds it is only a courtesy for the message
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

"""Backups of the database file: snapshot, safe copy, rotation, inspection, atomic replacement.

A backup is one self-contained SQLite file (rollback-journal mode, no -wal beside it) made with
SQLite's online backup API, so it is consistent even while the program writes. Writing is
always: a temporary name in the target folder, fsync, rename, fsync of the folder — a pulled
USB stick or a full disk leaves no partial file under the final name.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.i18n import _
from app.paths import data_dir

SQLITE_HEADER = b"SQLite format 3\x00"
SUFFIX = ".sqlite3"
PARTIAL = ".partial"
KEEP_DAILY = 30
KEEP_MONTHLY = 12
KEEP_OTHER = 10  # pre-migration snapshots of each database (pre-restore copies are never rotated)
PRERESTORE_FOLDER = "pre-restore"

KIND_DAILY = "daily"
KIND_PREMIGRATE = "premigrate"
KIND_PRERESTORE = "prerestore"
KIND_MANUAL = "manual"

_NAME = re.compile(r"^(?P<stem>.+)-(?P<kind>daily|premigrate|prerestore|manual)-(?P<ts>\d{8}(?:-\d{6})?)"
                   + re.escape(SUFFIX) + "$")


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def backups_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def prerestore_dir() -> Path:
    """Where the database as it was before each restore is kept: apart from the rotated backups, and
    never deleted by the program (an administrator trying several sticks must not lose the day's work)."""
    path = backups_dir() / PRERESTORE_FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def is_sqlite_file(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_HEADER))
    return head == SQLITE_HEADER or head == b""


def os_error_message(exc: BaseException, target: Path) -> str:
    """Plain words for the ways writing to a folder or stick fails."""
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code == errno.ENOSPC or "disk is full" in text or "database or disk is full" in text:
        return _("There is not enough free space on {target}. Nothing was written; free some space "
                 "or choose another folder.").format(target=target)
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in text or "read-only" in text:
        return _("{target} cannot be written to (it is read-only or you lack permission). Nothing was "
                 "written; choose another folder.").format(target=target)
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO) or "unable to open" in text:
        return _("{target} is not available (the folder does not exist, or the USB stick was removed). "
                 "Nothing was written under the backup's name.").format(target=target)
    return _("Writing to {target} failed: {reason}. Nothing was written under the backup's "
             "name.").format(target=target, reason=getattr(exc, "strerror", None) or str(exc))


def fsync_dir(folder: Path) -> None:
    """Make a rename durable. Windows has no directory fsync; its rename is durable by itself."""
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _temp_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}{PARTIAL}")


def _create(path: Path) -> None:
    with open(path, "xb"):
        pass


def snapshot(source: Path, dest: Path) -> None:
    """Consistent copy of `source` into the (new or empty) file `dest` with the backup API; synced."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        with closing(sqlite3.connect(dest, isolation_level=None)) as dst:
            src.backup(dst)
            # One self-contained file: no -wal beside it on a stick, nothing to lose when copied.
            dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        src.close()
    _fsync_file(dest)


def file_anchor(path: Path) -> dict[str, object] | None:
    """The last audit record's id and hash, and the count, in a database file (None: no audit trail)."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            count = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    except sqlite3.Error:
        return None
    if row is None:
        return {"last_id": 0, "head": "0" * 64, "count": 0}
    return {"last_id": int(row[0]), "head": str(row[1]), "count": int(count)}


def write_backup(source: Path, final: Path) -> Path:
    """Snapshot `source` to `final` atomically: temp name in the same folder, fsync, rename.

    The backup carries the audit trail as it stood, so it is itself an anchor of the chain's head
    outside the database (`spdesk audit verify --against BACKUP`).
    """
    folder = final.parent
    if not folder.is_dir():
        raise BackupError(os_error_message(FileNotFoundError(errno.ENOENT, "missing"), folder))
    tmp = _temp_name(final)
    try:
        _create(tmp)  # fails with the real reason (full, read-only, gone) before SQLite hides it
        snapshot(source, tmp)
        check = integrity(tmp, quick=True)
        if check != "ok":
            raise BackupError(_("The copy on {target} did not read back correctly ({detail}); it was "
                                "removed.").format(target=folder, detail=check))
        os.replace(tmp, final)
        fsync_dir(folder)
    except BackupError:
        _remove_quietly(tmp)
        raise
    except (OSError, sqlite3.Error) as exc:
        _remove_quietly(tmp)
        _remove_quietly(tmp.with_name(tmp.name + "-journal"))
        raise BackupError(os_error_message(exc, folder)) from exc
    return final


def copy_file_atomic(source: Path, final: Path) -> Path:
    """Byte copy with the same temp-fsync-rename discipline (for files that are not open databases)."""
    tmp = _temp_name(final)
    try:
        with open(source, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
            fout.flush()
            os.fsync(fout.fileno())
        os.replace(tmp, final)
        fsync_dir(final.parent)
    except OSError as exc:
        _remove_quietly(tmp)
        raise BackupError(os_error_message(exc, final.parent)) from exc
    return final


def backup_name(stem: str, kind: str, when: datetime) -> str:
    ts = when.strftime("%Y%m%d") if kind == KIND_DAILY else when.strftime("%Y%m%d-%H%M%S")
    return f"{stem}-{kind}-{ts}{SUFFIX}"


def unique_path(folder: Path, name: str) -> Path:
    path = folder / name
    n = 2
    while path.exists():
        path = folder / f"{Path(name).stem}-{n}{SUFFIX}"
        n += 1
    return path


@dataclass(frozen=True)
class BackupFile:
    path: Path
    stem: str
    kind: str
    when: datetime


def parse_name(path: Path) -> BackupFile | None:
    m = _NAME.match(path.name)
    if not m:
        return None
    ts = m["ts"]
    when = datetime.strptime(ts, "%Y%m%d-%H%M%S" if "-" in ts else "%Y%m%d")
    return BackupFile(path, m["stem"], m["kind"], when)


def list_backups(folder: Path, stem: str) -> list[BackupFile]:
    """This database's backups in `folder`, newest first."""
    if not folder.is_dir():
        return []
    found = [b for p in folder.glob(f"{glob_escape(stem)}-*{SUFFIX}") if (b := parse_name(p)) and b.stem == stem]
    return sorted(found, key=lambda b: (b.when, b.path.stat().st_mtime_ns), reverse=True)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def has_daily(folder: Path, stem: str, day: date) -> bool:
    return (folder / backup_name(stem, KIND_DAILY, datetime.combine(day, datetime.min.time()))).exists()


def rotate(folder: Path, stem: str, keep_daily: int = KEEP_DAILY, keep_monthly: int = KEEP_MONTHLY,
           keep_other: int = KEEP_OTHER) -> list[Path]:
    """Keep the newest `keep_daily` daily backups, plus the newest one of each of the last
    `keep_monthly` months, and the newest `keep_other` pre-migration snapshots. Manual backups and
    pre-restore copies are never removed. Returns what was removed."""
    all_backups = list_backups(folder, stem)
    keep: set[Path] = set()
    daily = [b for b in all_backups if b.kind == KIND_DAILY]
    keep.update(b.path for b in daily[:keep_daily])
    months: dict[tuple[int, int], Path] = {}
    for b in daily:  # newest first: the first seen in a month is that month's newest
        months.setdefault((b.when.year, b.when.month), b.path)
    for key in sorted(months, reverse=True)[:keep_monthly]:
        keep.add(months[key])
    keep.update(b.path for b in [b for b in all_backups if b.kind == KIND_PREMIGRATE][:keep_other])
    removed = []
    for b in all_backups:
        if b.kind not in (KIND_MANUAL, KIND_PRERESTORE) and b.path not in keep:
            _remove_quietly(b.path)
            removed.append(b.path)
    remove_partials(folder, stem)
    return removed


def remove_partials(folder: Path, stem: str) -> None:
    """Leftovers of a backup cut short by a crash or power cut (never under a backup's final name)."""
    for p in folder.glob(f".{glob_escape(stem)}-*{PARTIAL}*"):
        _remove_quietly(p)


def restore_partials(db_path: Path) -> list[Path]:
    """The working copies a restore cut short left beside the database (and their -wal/-shm)."""
    return sorted(db_path.parent.glob(f".{glob_escape(db_path.name)}.restore-*{PARTIAL}*"))


def remove_restore_partials(db_path: Path) -> list[Path]:
    """Called at start-up, holding the instance lock (so no restore is running): a killed restore's
    copy is of no use to anyone and may be hundreds of megabytes."""
    found = restore_partials(db_path)
    for p in found:
        _remove_quietly(p)
    return found


def integrity(path: Path, quick: bool = False) -> str:
    """'ok', or SQLite's first complaint. Opens read-only and changes nothing."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            rows = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    text = "; ".join(str(r[0]) for r in rows[:5])
    return "ok" if text == "ok" else text


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    ok: bool
    problem: str  # translated, empty when ok
    revision: str | None
    organizations: int | None


def inspect(path: Path, shown: Path | None = None) -> BackupInfo:
    """Is this a good backup of ours? Integrity and schema revision; changes nothing.

    `shown`: the name to use in messages (a restore inspects its working copy of that file)."""
    real = Path(path)
    path = shown or real
    try:
        if not real.is_file():
            return BackupInfo(path, False, _("The file {path} does not exist.").format(path=path), None, None)
        if not is_sqlite_file(real) or real.stat().st_size == 0:
            return BackupInfo(path, False, _("{path} is not a database file of this program.").format(path=path),
                              None, None)
    except OSError as exc:
        return BackupInfo(path, False, _("The file {path} cannot be read: {reason}").format(
            path=path, reason=exc.strerror or str(exc)), None, None)
    check = integrity(real)
    if check != "ok":
        return BackupInfo(path, False, _("The file {path} is damaged ({detail}).").format(path=path, detail=check),
                          None, None)
    try:
        with closing(sqlite3.connect(f"file:{real}?mode=ro", uri=True)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                return BackupInfo(path, False, _("{path} is not a database file of this program.").format(
                    path=path), None, None)
            rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            orgs = conn.execute("SELECT count(*) FROM organizations").fetchone()[0] if "organizations" in tables \
                else None
    except sqlite3.Error as exc:
        return BackupInfo(path, False, _("The file {path} cannot be read: {reason}").format(path=path, reason=exc),
                          None, None)
    return BackupInfo(real, True, "", rev[0] if rev else None, orgs)


def sidecars(db_path: Path) -> list[Path]:
    return [db_path.with_name(db_path.name + s) for s in ("-wal", "-shm", "-journal")]


def checkpoint(db_path: Path) -> None:
    """Fold the -wal into the main file, so that removing it afterwards loses nothing."""
    with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        raise BackupError(_("The database is still in use; nothing was changed."))


def move_aside(db_path: Path, label: str) -> Path:
    """Rename the database (and its -wal/-shm) to `<name>.<label>-<time>`; returns the new name."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = db_path.with_name(f"{db_path.name}.{label}-{stamp}")
    n = 2
    while target.exists():
        target = db_path.with_name(f"{db_path.name}.{label}-{stamp}-{n}")
        n += 1
    for side, new_side in zip(sidecars(db_path), sidecars(target), strict=True):
        if side.exists():
            os.replace(side, new_side)
    os.replace(db_path, target)
    fsync_dir(db_path.parent)
    return target


def replace_database(prepared: Path, db_path: Path) -> None:
    """Put the closed, checkpointed file `prepared` in place of `db_path` in one rename.

    The current file is checkpointed first, so its -wal holds nothing and can go: an old -wal
    left beside the new file would be replayed into it. A crash at any point leaves either the
    old database or the new one, whole.
    """
    if db_path.exists():
        checkpoint(db_path)
    for side in sidecars(db_path):
        _remove_quietly(side)
    os.replace(prepared, db_path)
    fsync_dir(db_path.parent)

"""Backup, restore and check: the use cases behind `spdesk backup|restore|check` and the recovery dialog.

These work on the database file as a whole, not inside one unit of work, so they take paths
rather than a session. A restore is a change of stored data: it is audited in the restored
database, by the acting user, like any other change.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from app.i18n import _, ngettext
from app.services import anchors, audit, audit_replay
from app.services.context import Actor
from app.services.permissions import Role, require
from app.store import backup as bk
from app.store import migrate, schema_check
from app.store.db import Database, make_engine
from app.store.lock import InstanceLock

BackupError = bk.BackupError


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    seconds: float
    organizations: int | None

    def message(self) -> str:
        return _("Backup written: {path} ({size} KB, {n} organizations, {sec:.2f} s).").format(
            path=self.path, size=(self.size + 1023) // 1024, n=self.organizations if self.organizations is not None
            else "?", sec=self.seconds)


def backup(db_path: Path, to: Path | None = None, now: datetime | None = None) -> BackupResult:
    """Back up `db_path`: into the data folder's backups (the day's backup, rotated) or into `to`.

    Reads only, so it works while the program is open (WAL lets it read a consistent snapshot).
    """
    db_path = Path(db_path)
    now = now or datetime.now()
    if not db_path.is_file():
        raise BackupError(_("The database {path} does not exist.").format(path=db_path))
    t0 = time.perf_counter()
    if to is None:
        folder = bk.backups_dir()
        kind = bk.KIND_MANUAL if bk.has_daily(folder, db_path.stem, now.date()) else bk.KIND_DAILY
        final = bk.unique_path(folder, bk.backup_name(db_path.stem, kind, now))
    else:
        final = bk.unique_path(Path(to), bk.backup_name(db_path.stem, bk.KIND_MANUAL, now)) if Path(to).is_dir() \
            else Path(to) / bk.backup_name(db_path.stem, bk.KIND_MANUAL, now)
    try:  # a source that cannot be read is not the target's fault (a WAL file on read-only media)
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        raise BackupError(_("The database {path} cannot be read ({reason}); nothing was written. If it is on a "
                            "read-only disk or CD, copy it to a folder you can write to first.").format(
            path=db_path, reason=error)) from error
    made = bk.write_backup(db_path, final)
    if to is None:
        bk.rotate(made.parent, db_path.stem)
    info = bk.inspect(made)
    return BackupResult(made, made.stat().st_size, time.perf_counter() - t0, info.organizations)


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    from_revision: str
    to_revision: str
    previous_kept: Path | None  # the database as it was before, kept as a backup (or set aside)
    seconds: float
    wal_included: bool = False  # a -wal beside the backup held newer transactions, folded into the copy

    def message(self) -> str:
        parts = [_("Restored from {path}.").format(path=self.restored_from)]
        if self.wal_included:
            parts.append(_("The newest changes in the -wal file beside the backup were included."))
        if self.from_revision != self.to_revision:
            parts.append(_("The backup was upgraded from schema {old} to {new}.").format(
                old=self.from_revision, new=self.to_revision))
        if self.previous_kept is not None:
            parts.append(_("The database as it was before is kept at {path}.").format(path=self.previous_kept))
        return " ".join(parts)


def _remove_with_sidecars(path: Path) -> None:
    for p in (path, *bk.sidecars(path)):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _copy_synced(source: Path, dest: Path) -> None:
    with open(source, "rb") as fin, open(dest, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())


def _copy_backup(backup_file: Path, prepared: Path) -> bool:
    """Copy the backup, with a -wal or hot -journal beside it, and fold them into the copy.

    A copy of a live database (its file and its -wal) holds its newest transactions only in the
    -wal; restoring the file alone would silently lose them. SQLite replays the -wal (or rolls back
    a hot journal) when the copy is opened; the checkpoint then writes everything into the copy's
    one file. The backup itself is never opened for writing. Returns whether a -wal was included.
    """
    _copy_synced(backup_file, prepared)
    wal, _shm, journal = bk.sidecars(backup_file)
    used_wal = wal.is_file() and wal.stat().st_size > 0
    used_journal = journal.is_file() and journal.stat().st_size > 0
    if used_wal:
        _copy_synced(wal, bk.sidecars(prepared)[0])
    if used_journal:
        _copy_synced(journal, bk.sidecars(prepared)[2])
    if used_wal or used_journal:
        with closing(sqlite3.connect(prepared, isolation_level=None)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if used_wal:
                busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if busy:
                    raise BackupError(_("The -wal file beside {path} could not be folded into the copy; nothing "
                                        "was changed.").format(path=backup_file))
            conn.execute("PRAGMA journal_mode=DELETE")
        _fsync(prepared)
        for side in bk.sidecars(prepared):
            if side.exists():
                side.unlink()
    return used_wal


def _fsync(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _refuse(backup_file: Path, reason: str) -> BackupError:
    return BackupError(_("{path} was not restored: {reason} Nothing was changed.").format(
        path=backup_file, reason=reason))


def _check_copy(backup_file: Path, prepared: Path) -> str:
    """The copy's schema revision, or a BackupError naming why it cannot be restored."""
    info = bk.inspect(prepared, shown=backup_file)
    if not info.ok:
        raise BackupError(info.problem + " " + _("Nothing was changed."))
    if info.revision is None:
        raise BackupError(_("{path} holds no schema version; it is not a backup of this program. Nothing was "
                            "changed.").format(path=backup_file))
    if info.revision not in migrate.known_revisions():
        raise BackupError(_("The backup {path} was made by a newer version of the program (schema {rev}). "
                            "Install the newer version to restore it; nothing was changed.").format(
            path=backup_file, rev=info.revision))
    problem = copy_problem(prepared, info.revision)
    if problem:
        raise _refuse(backup_file, problem)
    return info.revision


def copy_problem(path: Path, revision: str) -> str | None:
    """Why a database file at `revision` must not be trusted (translated), or None.

    Exactly the schema of its revision (no planted trigger or view, nothing missing), every
    link between records intact, and an unbroken audit chain.
    """
    found = schema_check.differences(path, revision)
    if found:
        return _("its schema is not exactly schema {rev} of this program: {what}.").format(
            rev=revision, what=schema_check.describe(found))
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        return _("{n} records point to records that do not exist (first: table {table}, row {row}).").format(
            n=len(fk), table=fk[0][0], row=fk[0][1])
    engine = make_engine(path, read_only=True)
    try:
        with Database(path, engine, read_only=True).read_session() as s:
            chain = audit.verify_chain(s)
    finally:
        engine.dispose()
    if not chain.ok:
        return chain.describe()
    return None


def _prepare(backup_file: Path, prepared: Path, actor: Actor, db_path: Path) -> tuple[str, str, bool]:
    """Copy the backup beside the database, check, upgrade and audit it there; the live file is untouched."""
    wal_included = _copy_backup(backup_file, prepared)
    _check_copy(backup_file, prepared)
    engine = make_engine(prepared)
    try:
        old = migrate.current_revision(engine) or ""
        migrate.upgrade(engine)
        new = migrate.current_revision(engine) or ""
        db = Database(prepared, engine)
        with db.session() as s:
            audit.record(s, actor, "restore", "database", db_path.name, backup_file.name,
                         {"backup": (None, str(backup_file)), "schema": (old, new)})
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    for side in bk.sidecars(prepared):  # all folded in by the checkpoint; nothing may follow it
        if side.exists():
            side.unlink()
    check = bk.integrity(prepared)
    if check != "ok":
        raise BackupError(_("The restored copy failed its check ({detail}); nothing was changed.").format(
            detail=check))
    return old, new, wal_included


def check_restore(actor: Actor) -> None:
    require(actor, Role.ADMIN)


def restore(db_path: Path, backup_file: Path, actor: Actor, damaged: bool = False) -> RestoreResult:
    """Replace the database by a backup, atomically; keep the current one first.

    Works on a copy (with any -wal beside the backup folded in), checks it (integrity, schema
    version: an older backup is upgraded, a newer one refused), and only then puts it in place.
    Takes the instance lock, so it refuses while the program has the database open. The current
    database is kept in the pre-restore folder, which the rotation never touches. `damaged`: the
    current file failed its check and is moved aside as it is, rather than backed up.
    """
    check_restore(actor)
    db_path, backup_file = Path(db_path), Path(backup_file)
    t0 = time.perf_counter()
    try:
        if not backup_file.is_file():
            raise BackupError(_("The file {path} does not exist.").format(path=backup_file) + " "
                              + _("Nothing was changed."))
        if not bk.is_sqlite_file(backup_file) or backup_file.stat().st_size == 0:
            raise BackupError(_("{path} is not a database file of this program.").format(path=backup_file) + " "
                              + _("Nothing was changed."))
    except OSError as error:
        raise BackupError(_("The file {path} cannot be read: {reason}").format(
            path=backup_file, reason=error.strerror or str(error)) + " " + _("Nothing was changed.")) from error
    with InstanceLock(db_path):
        prepared = db_path.with_name(f".{db_path.name}.restore-{uuid.uuid4().hex[:8]}{bk.PARTIAL}")
        try:
            old, new, wal_included = _prepare(backup_file, prepared, actor, db_path)
            kept: Path | None = None
            if db_path.exists():
                if damaged or bk.integrity(db_path, quick=True) != "ok":
                    kept = bk.move_aside(db_path, "damaged")
                else:
                    name = bk.backup_name(db_path.stem, bk.KIND_PRERESTORE, datetime.now())
                    kept = bk.write_backup(db_path, bk.unique_path(bk.prerestore_dir(), name))
            bk.replace_database(prepared, db_path)
        except OSError as error:
            raise BackupError(bk.os_error_message(error, db_path.parent)) from error
        except (sqlite3.Error, SQLAlchemyError) as error:
            orig = getattr(error, "orig", None) or error
            raise BackupError(_("The restore failed and nothing was changed: {reason}").format(reason=orig)) from error
        finally:
            _remove_with_sidecars(prepared)
    return RestoreResult(backup_file, old, new, kept, time.perf_counter() - t0, wal_included)


@dataclass(frozen=True)
class CheckResult:
    name: str  # translated
    ok: bool
    detail: str  # translated


def check(db_path: Path) -> list[CheckResult]:
    """Integrity, foreign keys, schema version and the audit chain. Reads only."""
    db_path = Path(db_path)
    results: list[CheckResult] = []
    name = _("Integrity")
    if not db_path.is_file():
        return [CheckResult(name, False, _("The database {path} does not exist.").format(path=db_path))]
    detail = bk.integrity(db_path)
    results.append(CheckResult(name, detail == "ok", _("no problems found") if detail == "ok" else detail))
    if detail != "ok":
        return results
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        try:
            rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            rev = None
    results.append(CheckResult(
        _("Links between records"), not fk,
        _("no problems found") if not fk else _("{n} records point to records that do not exist (first: table "
                                               "{table}, row {row})").format(n=len(fk), table=fk[0][0], row=fk[0][1])))
    revision = rev[0] if rev else None
    head = migrate.head_revision()
    if revision is None or revision not in migrate.known_revisions():
        results.append(CheckResult(_("Schema version"), False,
                                   _("unknown schema {rev}; this program knows up to {head}").format(
                                       rev=revision, head=head)))
        return results
    if revision != head:
        results.append(CheckResult(_("Schema version"), True,
                                   _("{rev}, older than this program ({head}); it is upgraded at the next start")
                                   .format(rev=revision, head=head)))
        return results
    results.append(CheckResult(_("Schema version"), True, revision))
    found = schema_check.differences(db_path, revision)
    results.append(CheckResult(
        _("Tables, indexes and protective triggers"), not found,
        _("exactly as this program creates them") if not found else schema_check.describe(found, limit=5)))
    db = Database(db_path, make_engine(db_path, read_only=True), read_only=True)
    try:
        with db.read_session() as s:
            chain = audit.verify_chain(s)
            edits = audit_replay.direct_edits(s) if not found else None
            printed, print_failures = anchors.verify_prints(s) if not found else (0, [])
    finally:
        db.dispose()
    if edits is not None:
        results.append(CheckResult(
            _("Records agree with the audit trail"), not edits,
            _("every audited record holds what its last recorded change left") if not edits else
            ngettext("{n} change made outside the program: {what}", "{n} changes made outside the program: {what}",
                     len(edits)).format(n=len(edits), what="; ".join(e.describe() for e in edits[:5]))
            + (_(" (and {n} more)").format(n=len(edits) - 5) if len(edits) > 5 else "")))
    if printed:
        results.append(CheckResult(
            _("Prints' audit anchors"), not print_failures,
            _("the trail still extends the anchor recorded with each of {n} prints").format(n=printed)
            if not print_failures else "; ".join(c.message for c in print_failures[:3])))
    if chain.ok:
        results.append(CheckResult(_("Audit trail"), True, _("{n} records, chain intact; latest hash {head}").format(
            n=chain.count, head=chain.head)))
    else:
        results.append(CheckResult(_("Audit trail"), False, _("the chain breaks at record {id} ({reason})").format(
            id=chain.broken_at, reason=chain.reason)))
    return results


def backups_folder() -> Path:
    """Where the automatic backups go (in the user's data folder)."""
    return bk.backups_dir()


def inspect_backup(path: Path) -> bk.BackupInfo:
    """Whether a file is a readable backup of this program, its schema and size (reads only)."""
    return bk.inspect(Path(path))

"""Opening a database file: the start-up sequence.

instance lock → quick check → snapshot (only when a migration is pending) → migrations in one
transaction → foreign-key check → the day's first backup. The window runs it in two parts
(`open_unchecked`, then `finish_checks` and `daily_backup` on its worker while the log-in window waits),
with every write refused until the checks have passed. Every way this can fail raises a
StartupError (or DatabaseInUse) whose message says, in the user's language, what is wrong and
that nothing was changed; a damaged file is never opened silently.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine, exc, text

from app.i18n import _
from app.store import backup as bk
from app.store import integrity, migrate
from app.store.db import Database, make_engine
from app.store.lock import DatabaseInUse, InstanceLock

__all__ = ["CannotOpen", "DamagedDatabase", "DatabaseInUse", "NotADatabase", "SchemaTooNew", "StartupError",
           "StartupReport", "daily_backup", "finish_checks", "open_database", "open_unchecked", "start"]


class StartupError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotADatabase(StartupError):
    pass


class CannotOpen(StartupError):
    """Unreadable, read-only, or held by some other program (not ours) with a write lock."""


class SchemaTooNew(StartupError):
    pass


class DamagedDatabase(StartupError):
    """The integrity or foreign-key check failed. Carries the newest good backup to offer."""

    def __init__(self, path: Path, detail: str, newest_backup: bk.BackupInfo | None) -> None:
        super().__init__(_("The database {path} is damaged and was not opened. SQLite reports: {detail}").format(
            path=path, detail=detail))
        self.path = path
        self.detail = detail
        self.newest_backup = newest_backup


@dataclass
class StartupReport:
    seconds: dict[str, float] = field(default_factory=dict)
    snapshot: Path | None = None  # the backup taken before a migration
    daily_backup: Path | None = None
    migrated_from: str | None = None
    migrated_to: str | None = None
    warnings: list[str] = field(default_factory=list)
    scans_remembered: bool = False  # a reading start skipped both scans: the file was as last found clean
    migration_pending: bool = False  # open_unchecked: finish_checks will migrate; nothing may read before


def _sqlite_error(path: Path, error: BaseException) -> StartupError:
    orig = getattr(error, "orig", None) or error
    text_ = str(orig).lower()
    if "not a database" in text_ or "file is encrypted" in text_:
        return NotADatabase(_("{path} is not a database file of this program (perhaps another kind of "
                              "file, or a damaged copy). It was not opened or changed.").format(path=path))
    if "malformed" in text_ or "corrupt" in text_:
        return DamagedDatabase(path, str(orig), newest_good_backup(path))
    if "locked" in text_ or "busy" in text_:
        return CannotOpen(_("The database {path} is locked by another program (for example a database "
                            "tool). Close it and start again.").format(path=path))
    if "readonly" in text_ or "read-only" in text_:
        return CannotOpen(_("The database {path} is read-only. Copy it to a folder you can write to, or "
                            "ask for write permission.").format(path=path))
    return CannotOpen(_("The database {path} cannot be opened: {reason}").format(path=path, reason=orig))


def _check_file(path: Path) -> None:
    if not path.exists():
        return
    if not path.is_file():
        raise CannotOpen(_("{path} is a folder, not a database file.").format(path=path))
    try:
        ours = bk.is_sqlite_file(path)
    except OSError as error:
        raise CannotOpen(_("The database {path} cannot be read: {reason}").format(
            path=path, reason=error.strerror or str(error))) from error
    if not ours:
        raise NotADatabase(_("{path} is not a database file of this program (perhaps another kind of "
                             "file, or a damaged copy). It was not opened or changed.").format(path=path))


def newest_good_backup(path: Path) -> bk.BackupInfo | None:
    """The newest backup of this database that passes the integrity check and that we can read."""
    known = migrate.known_revisions()
    for b in bk.list_backups(bk.backups_dir(), path.stem):
        info = bk.inspect(b.path)
        if info.ok and info.revision in known:
            return info
    return None


def _quick_check(engine: Engine) -> str:
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        return integrity.quick_check(raw)


def _foreign_key_problems(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        return integrity.foreign_key_problems(raw)


def _has_schema(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name='alembic_version'")).scalar() == 1


def _timed(report: StartupReport, step: str, t0: float) -> float:
    now = time.perf_counter()
    report.seconds[step] = now - t0
    return now


def start(path: Path | str, *, read_only: bool = False, daily_backup: bool = True,
          today: date | None = None) -> tuple[Database, StartupReport]:
    """Run the start-up sequence; raise StartupError or DatabaseInUse with a message for the user.

    `read_only` (a second program, e.g. `spdesk backup` while the window is open): no lock, no
    migration, no backup, and the connection refuses writes.
    """
    report = StartupReport()
    if str(path) == ":memory:":
        engine = make_engine(path)
        migrate.upgrade(engine)
        return Database(path, engine), report
    path = Path(path)
    begin = time.perf_counter()
    engine, lock = _open_file(path, read_only, report)
    # A reading program skips the two scans while the file is in the state they last found clean
    # (app.store.integrity: any change runs them again); the writer scans at every start.
    clean_state = integrity.file_state(path) if read_only else None
    remembered = integrity.remembered_clean(path, clean_state)
    try:
        _run_checks(path, engine, report, read_only=read_only, remembered=remembered)
        if read_only and not remembered:
            integrity.remember_clean(path, clean_state)
        report.scans_remembered = remembered
        if daily_backup and not read_only:
            t0 = time.perf_counter()
            report.daily_backup = _daily_backup(path, today or date.today(), report)
            _timed(report, "daily_backup", t0)
    except BaseException:
        engine.dispose()
        if lock is not None:
            lock.release()
        raise
    report.seconds["total"] = time.perf_counter() - begin
    return Database(path, engine, lock=lock, read_only=read_only), report


def open_unchecked(path: Path | str, lock: InstanceLock | None = None) -> tuple[Database, StartupReport]:
    """The writer's start in two parts, so the window can appear at once: this part takes the lock and
    reads the schema's revision (milliseconds); the returned Database refuses every write until
    `finish_checks` has passed the integrity and foreign-key scans (and run a pending migration).

    Reads may run meanwhile (the log-in window's office name and user list) unless
    `report.migration_pending`: then the schema is older than the program and nothing may read it
    before `finish_checks`. Killing the program during the checks loses nothing: they only read, and
    a migration runs in one transaction.

    `lock`: the instance lock of `path`, already taken (app.store.first_look, before the log-in window);
    the returned Database holds it, and on failure it is released as a lock taken here would be."""
    path = Path(path)
    report = StartupReport()
    engine, lock = _open_file(path, False, report, held=lock)
    try:
        try:
            migrate.check_not_newer(engine)
            report.migration_pending = migrate.needs_upgrade(engine)
        except migrate.SchemaTooNew as error:
            raise SchemaTooNew(str(error)) from error
        except (exc.DBAPIError, sqlite3.Error) as error:
            raise _sqlite_error(path, error) from error
    except BaseException:
        engine.dispose()
        if lock is not None:
            lock.release()
        raise
    db = Database(path, engine, lock=lock)
    db.hold_writes()
    return db, report


def finish_checks(db: Database, report: StartupReport) -> None:
    """The rest of `open_unchecked`'s start: quick check, pre-migration snapshot and migration, foreign-key
    check — then writes are allowed. Raises what `start` raises (DamagedDatabase: offer the recovery);
    on failure the database stays closed to writes. Runs on the window's worker thread."""
    begin = time.perf_counter()
    # The migration needs a connection that may write; the database's own stay read-only meanwhile.
    writer = make_engine(db.path)
    try:
        _run_checks(db.path, db.engine, report, read_only=False, upgrade_engine=writer)
    finally:
        writer.dispose()
    db.release_writes()
    report.seconds["checks"] = time.perf_counter() - begin


def daily_backup(db: Database, report: StartupReport, today: date | None = None) -> Path | None:
    """The first start of a day backs up (a failure goes to `report.warnings`). After `finish_checks`."""
    if db.writes_held:
        return None  # never a backup of a file that has not passed the checks
    t0 = time.perf_counter()
    report.daily_backup = _daily_backup(db.path, today or date.today(), report)
    _timed(report, "daily_backup", t0)
    return report.daily_backup


def _open_file(path: Path, read_only: bool, report: StartupReport,
               held: InstanceLock | None = None) -> tuple[Engine, InstanceLock | None]:
    t0 = time.perf_counter()
    if read_only and not path.exists():
        raise CannotOpen(_("The database {path} does not exist.").format(path=path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CannotOpen(_("The folder of {path} cannot be created: {reason}").format(
            path=path, reason=error.strerror or str(error))) from error
    try:
        _check_file(path)
    except BaseException:
        if held is not None:
            held.release()
        raise
    lock = None if read_only else (held or InstanceLock(path)).acquire()
    _timed(report, "lock", t0)
    if lock is not None and held is None:
        bk.remove_restore_partials(path)
    return make_engine(path, read_only=read_only), lock


def _run_checks(path: Path, engine: Engine, report: StartupReport, *, read_only: bool,
                upgrade_engine: Engine | None = None, remembered: bool = False) -> None:
    """quick check → snapshot and migration (when pending) → foreign-key check (`remembered`: a reading
    start on a file in the state both scans last found clean skips them)."""
    t0 = time.perf_counter()
    try:
        # A reading program (a list, `spdesk backup` while the window is open) runs the same two
        # checks as a writing one: a report or a backup made from a damaged file, or from one whose
        # records point nowhere, must not look sound (review of issue 17, which had skipped them
        # for speed: at district scale they are most of a reading command's time).
        check = "ok" if remembered else _quick_check(engine)
    except (exc.DBAPIError, sqlite3.Error) as error:
        raise _sqlite_error(path, error) from error
    if check != "ok":
        raise DamagedDatabase(path, check, newest_good_backup(path))
    t0 = _timed(report, "quick_check", t0)
    try:
        migrate.check_not_newer(engine)
    except migrate.SchemaTooNew as error:
        raise SchemaTooNew(str(error)) from error
    if migrate.needs_upgrade(engine):
        if read_only:
            raise CannotOpen(_("The database {path} must be upgraded by starting the program once; "
                               "it was not changed.").format(path=path))
        report.migrated_from = migrate.current_revision(engine)
        if _has_schema(engine):
            name = bk.backup_name(path.stem, bk.KIND_PREMIGRATE, datetime.now())
            try:
                report.snapshot = bk.write_backup(path, bk.unique_path(bk.backups_dir(), name))
            except bk.BackupError as error:  # no migration without a way back
                raise CannotOpen(_("The database needs an upgrade, but the backup before it could not be "
                                   "made, so nothing was changed. {reason}").format(reason=error.message)
                                 ) from error
            t0 = _timed(report, "snapshot", t0)
        try:
            migrate.upgrade(upgrade_engine or engine)
        except (exc.DBAPIError, sqlite3.Error) as error:
            raise _sqlite_error(path, error) from error
        except migrate.ForeignKeysBroken as error:
            raise CannotOpen(str(error)) from error
        report.migrated_to = migrate.current_revision(engine)
        t0 = _timed(report, "migrate", t0)
    try:
        problems = [] if remembered else _foreign_key_problems(engine)
    except (exc.DBAPIError, sqlite3.Error) as error:
        raise _sqlite_error(path, error) from error
    if problems:
        detail = _("{n} records point to records that do not exist (first: table {table}, row {row})").format(
            n=len(problems), table=problems[0][0], row=problems[0][1])
        raise DamagedDatabase(path, detail, newest_good_backup(path))
    _timed(report, "foreign_key_check", t0)


def _daily_backup(path: Path, today: date, report: StartupReport) -> Path | None:
    """The first start of a day backs up; a failure is reported, not a reason to refuse to start."""
    folder = bk.backups_dir()
    bk.remove_partials(folder, path.stem)
    if bk.has_daily(folder, path.stem, today):
        return None
    try:
        made = bk.write_backup(path, folder / bk.backup_name(path.stem, bk.KIND_DAILY,
                                                             datetime.combine(today, datetime.min.time())))
        bk.rotate(folder, path.stem)
    except bk.BackupError as error:
        report.warnings.append(error.message)
        return None
    return made


def open_database(path: Path | str, *, read_only: bool = False, daily_backup: bool = True) -> Database:
    db, _report = start(path, read_only=read_only, daily_backup=daily_backup)
    return db

"""`spdesk backup|restore|check`: keeping the data safe, from the command line or a scheduled task.

`backup` and `check` only read, so they work while the window is open and need no password
(for a scheduled backup). `restore` replaces the database, so it needs the database closed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.i18n import _
from app.paths import default_db_path
from app.services.context import SYSTEM, Actor


def _db_path(args: argparse.Namespace) -> Path:
    return Path(args.db or default_db_path())


def _restore_actor(args: argparse.Namespace) -> Actor | None:
    """Who restores: a write, so the user's password is needed, checked against the current database.

    A missing or damaged current database has no accounts to check (restore sets a damaged one
    aside); then the restore is recorded as the system's. None: the database cannot be opened.
    """
    from app.cli.users import resolve_actor
    from app.services.context import Desk
    from app.store.startup import DamagedDatabase, DatabaseInUse, StartupError, open_database

    path = _db_path(args)
    if not path.exists():
        return SYSTEM
    try:
        db = open_database(path, daily_backup=False)
    except DamagedDatabase:
        return SYSTEM
    except (StartupError, DatabaseInUse) as exc:
        print(exc.message, file=sys.stderr)
        return None
    try:
        return resolve_actor(Desk(db), args, write=True)
    finally:
        db.dispose()


def cmd_backup(args: argparse.Namespace) -> int:
    from app.services import maintenance

    try:
        result = maintenance.backup(_db_path(args), args.to)
    except maintenance.BackupError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(result.message())
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.services import maintenance
    from app.store.lock import DatabaseInUse

    actor = _restore_actor(args)
    if actor is None:
        return 3
    try:
        result = maintenance.restore(_db_path(args), args.file, actor)
    except (maintenance.BackupError, DatabaseInUse) as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(result.message())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from app.services import maintenance

    results = maintenance.check(_db_path(args))
    for r in results:
        mark = _("OK") if r.ok else _("PROBLEM")
        print(f"[{mark}] {r.name}: {r.detail}")
    bad = [r for r in results if not r.ok]
    print(_("All checks passed.") if not bad else _("{n} checks found problems.").format(n=len(bad)))
    return 1 if bad else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backup", help=_("back up the database (the day's backup, or to a folder or USB stick)"))
    p.add_argument("--to", type=Path, default=None, metavar=_("FOLDER"),
                   help=_("folder to write the backup to (default: the backups folder in the data folder)"))
    p.set_defaults(handler=cmd_backup)
    r = sub.add_parser("restore", help=_("replace the database by a backup (the current one is kept as a backup)"))
    r.add_argument("file", type=Path, metavar=_("FILE"))
    r.set_defaults(handler=cmd_restore)
    c = sub.add_parser("check", help=_("check the database: integrity, links, schema version, audit trail"))
    c.set_defaults(handler=cmd_check)

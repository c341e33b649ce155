"""Shared helpers for command modules, and the `demo` command."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.i18n import _
from app.paths import default_db_path

if TYPE_CHECKING:  # loaded by open_desk: the quick reading path prints without the services
    from app.services.context import Desk


def open_desk(args: argparse.Namespace, read_only: bool = False, write: bool | None = None,
              allow_must_change: bool = False) -> Desk:
    """Open (and upgrade) the database named by --db, or the default one.

    Holds the instance lock until the command ends; when the window (or another command) has the
    database open, a writing command stops with a message. `read_only` commands open without the
    lock and cannot write. Any start-up failure prints its message and exits with status 3.
    The acting user is resolved as app.cli.users describes; `write` (default: not read_only)
    commands need the user's password, and a refusal exits with status 4.
    """
    from app.services.orgs import ensure_default_domains
    from app.store.startup import DatabaseInUse, StartupError, open_database

    try:
        db = open_database(args.db or default_db_path(), read_only=read_only)
    except (StartupError, DatabaseInUse) as exc:
        print(exc.message, file=sys.stderr)
        raise SystemExit(3) from exc
    if not read_only:
        with db.session() as s:
            ensure_default_domains(s)
    from app.cli.users import resolve_actor
    from app.services.context import Desk

    desk = Desk(db)
    try:
        desk.actor = args.actor = resolve_actor(desk, args, not read_only if write is None else write,
                                                allow_must_change)
    except SystemExit:
        db.dispose()
        raise
    return desk


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))


def cmd_demo(args: argparse.Namespace) -> int:
    """The practice database (sample data) beside the office's; the office's database is not changed."""
    from app.services import practice

    if args.scale:
        return _generate(args)
    desk = open_desk(args)
    try:
        path = practice.prepare(desk.db, desk.actor)
    except practice.NotAPracticeDatabase as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(_("Practice data (sample records) is in {path}; the office's database was not changed. Open it "
            "with: spdesk --db {path}").format(path=path))
    return 0


def _generate(args: argparse.Namespace) -> int:
    """Generated practice data: only into a new or empty database named with --db, never the office's."""
    import time

    from app.services import scale_data

    if args.db is None or args.db.resolve() == default_db_path().resolve():
        print(_("Generated practice data needs its own database: name a new file with --db "
                "(the office's database is never used for it)."), file=sys.stderr)
        return 2
    started = time.perf_counter()
    desk = open_desk(args)
    try:
        counts = desk.run(scale_data.generate, args.scale, args.seed)
    finally:
        desk.db.dispose()
    print(_("Practice data generated in {seconds:.1f} s: {orgs} organizations, {projects} projects, "
            "{agreements} agreements, {assessments} assessments, {payments} payments, {audit} audit records.").format(
        seconds=time.perf_counter() - started, orgs=counts["organizations"], projects=counts["projects"],
        agreements=counts["agreements"], assessments=counts["assessments"], payments=counts["payments"],
        audit=counts["audit"]))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help=_("prepare the practice database with sample data (beside the office's)"))
    p.add_argument("--scale", choices=["office", "district"], default=None,
                   help=_("generate realistic practice data instead (office: 200 organizations and 2,000 "
                          "agreements; district: 20,000 and 100,000) into a new database named with --db"))
    # --db also after the subcommand (`spdesk demo --scale office --db FILE`); SUPPRESS keeps a --db given
    # before the subcommand when this one is absent.
    p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=_("database file (default: in the user's data folder)"))
    p.add_argument("--seed", type=int, default=17, help=_("seed of the generator (the same seed, the same data)"))
    p.set_defaults(handler=cmd_demo)

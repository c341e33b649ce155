"""Shared helpers for command modules, and the `demo` command."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.i18n import _
from app.paths import default_db_path
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
    from app.services import demo

    desk = open_desk(args)
    n = desk.run(demo.load_sample)
    print(_("Sample data added: {n} organizations.").format(n=n))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help=_("fill the database with clearly marked sample data"))
    p.set_defaults(handler=cmd_demo)

"""Shared helpers for command modules, and the `demo` command."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.i18n import _
from app.paths import default_db_path
from app.services.context import Desk


def open_desk(args: argparse.Namespace) -> Desk:
    """Open (and upgrade) the database named by --db, or the default one."""
    from app.services.orgs import ensure_default_domains
    from app.store.startup import open_database

    db = open_database(args.db or default_db_path())
    with db.session() as s:
        ensure_default_domains(s)
    return Desk(db)


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

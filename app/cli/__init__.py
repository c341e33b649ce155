"""Command line: `spdesk` with no subcommand starts the window; subcommands call the same services.

Each area has its own module with a `register(subparsers)` function; handlers are attached with
`set_defaults(handler=...)` and return the exit code.
"""

from __future__ import annotations

import argparse
import faulthandler
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from app import __version__
from app.cli import (
    agreements,
    argparse_zh,
    assessments,
    audit,
    common,
    export,
    faults,
    maintenance,
    orgs,
    printing,
    users,
)
from app.domain.errors import ValidationError
from app.i18n import _, set_language
from app.paths import default_db_path
from app.services.permissions import PermissionDenied

COMMAND_MODULES = [orgs, agreements, assessments, printing, users, audit, maintenance, export, common]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spdesk",
        description=_("Service Purchase Desk: street-office purchase of services from social organizations."),
    )
    parser.add_argument("--version", action="version", version=f"spdesk {__version__}",
                        help=_("show program's version number and exit"))
    parser.add_argument("--db", type=Path, default=None, help=_("database file (default: in the user's data folder)"))
    parser.add_argument("--lang", choices=["zh_CN", "en"], default=None, help=_("language of messages"))
    parser.add_argument("--user", default=None, metavar=_("NAME"),
                        help=_("act as this user (default: SPDESK_USER, else the first administrator); "
                               "commands that change data need the password (SPDESK_PASSWORD or a prompt)"))
    parser.add_argument("--self-test", action="store_true",
                        help=_("check that this installation works (temporary database, no screen needed) and exit"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))

    gui = sub.add_parser("gui", help=_("start the window (the default)"))
    gui.set_defaults(handler=cmd_gui)

    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def stacks_on_request() -> bool:
    """`kill -USR1 <pid>` makes the program print the Python stack of every thread to its stderr and go
    on: a window that seems stuck says where it waits (a dialog's event loop, a lock, a query). POSIX
    only, and only when there is a stderr to print to (not in a Windows GUI start). True when set up."""
    usr1 = getattr(signal, "SIGUSR1", None)
    if usr1 is None or sys.stderr is None:
        return False
    try:
        faulthandler.register(usr1, file=sys.stderr, all_threads=True)
    except (AttributeError, OSError, ValueError):  # no file descriptor behind stderr (e.g. replaced)
        return False
    return True


def cmd_gui(args: argparse.Namespace) -> int:
    from app.views.app import run_gui

    stacks_on_request()
    return run_gui(args.db or default_db_path())


def _shown_db(args: argparse.Namespace) -> Path:
    """The database named in a fault message (the data folder itself may be what failed)."""
    try:
        return Path(args.db or default_db_path())
    except OSError:
        return Path(args.db or "spdesk.sqlite3")


def main(argv: Sequence[str] | None = None) -> int:
    set_language("zh_CN")
    argv = list(sys.argv[1:] if argv is None else argv)
    # Pick the language before building help texts.
    if "--lang" in argv:
        i = argv.index("--lang")
        if i + 1 < len(argv):
            set_language(argv[i + 1])
    argparse_zh.install()
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        from app import selftest

        return selftest.main()
    handler = getattr(args, "handler", cmd_gui)
    try:
        return int(handler(args))
    except faults.FAULTS as exc:
        print(faults.fault_message(exc, _shown_db(args)), file=sys.stderr)
        return faults.EXIT_FAULT
    except ValidationError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except PermissionDenied as exc:
        print(exc.message, file=sys.stderr)
        return 4
    except DatabaseError as exc:  # e.g. a damaged page met by a reading command (it skips the full check)
        print(_("The database could not be read: {reason}. Run `spdesk check` to examine it.").format(
            reason=getattr(exc, "orig", None) or exc), file=sys.stderr)
        return 3

"""Command line: `spdesk` with no subcommand starts the window; subcommands call the same services.

Each area has its own module with a `register(subparsers)` function; handlers are attached with
`set_defaults(handler=...)` and return the exit code. Only the module of the command being run is
imported (issue 17: importing them all cost a reading command about half a second); the others are
named in COMMANDS with their help text, so `spdesk --help` lists every command all the same
(tests/unit/test_cli_lazy.py compares it with the help of a parser that registers every module).
"""

from __future__ import annotations

import argparse
import faulthandler
import importlib
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from app import __version__
from app.cli import argparse_zh, faults
from app.domain.errors import ValidationError
from app.i18n import N_, _, set_language
from app.paths import default_db_path

# Every top-level command: (name, module under app.cli that registers it, its help text), in the order
# `spdesk --help` lists them. A module's register() must add exactly its commands named here.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("orgs", "orgs", N_("the organization registry")),
    ("agreements", "agreements", N_("yearly service agreements")),
    ("assessments", "assessments", N_("milestone assessments")),
    ("payments", "assessments", N_("instalments and payments")),
    ("deadlines", "assessments", N_("open deadlines, sorted by due date")),
    ("print", "printing", N_("print an agreement, supplementary agreement, notice or acceptance form to PDF")),
    ("verify", "printing", N_("check a printed document's verification code against the record")),
    ("users", "users", N_("user accounts (administrators)")),
    ("audit", "audit", N_("the audit trail: verify the hash chain, list changes")),
    ("backup", "maintenance", N_("back up the database (the day's backup, or to a folder or USB stick)")),
    ("restore", "maintenance", N_("replace the database by a backup (the current one is kept as a backup)")),
    ("check", "maintenance", N_("check the database: integrity, links, schema version, audit trail")),
    ("export", "export", N_("export the monthly summary for the district, or check an exported package")),
    ("demo", "common", N_("prepare the practice database with sample data (beside the office's)")),
)


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"app.cli.{name}")


def _build_parser(load: str | None = None, *, every: bool = False) -> argparse.ArgumentParser:
    """The parser. The command module `load` (or, with `every`, each module) registers its commands with
    their options and handlers; every other command is a stub with its help text and no options."""
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

    registered: set[str] = set()
    for name, module, help_text in COMMANDS:
        if every or module == load:
            if module not in registered:
                registered.add(module)
                command_module(module).register(sub)
        else:
            sub.add_parser(name, help=_(help_text), add_help=False)
    return parser


def _command_of(argv: list[str]) -> str | None:
    """The command named in argv, parsed as the full parser parses it (options, abbreviations, errors and
    the top-level --help alike); None when there is none (the window)."""
    args, _rest = _build_parser().parse_known_args(argv)
    return getattr(args, "command", None)


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


def _raised(exc: BaseException, module: str, name: str) -> bool:
    """Is `exc` a `module.name`? Only a loaded module can have raised its exception, so an unloaded one
    is not imported for the test (the CLI entry loads neither SQLAlchemy nor the services)."""
    loaded = sys.modules.get(module)
    kind = getattr(loaded, name, None) if loaded is not None else None
    return isinstance(kind, type) and isinstance(exc, kind)


EXIT_UNFORESEEN = 70  # sysexits' EX_SOFTWARE
EXIT_INTERRUPTED = 130


def unforeseen(exc: BaseException) -> int:
    """An error no part of the program foresaw: one sentence, and the details in a report file for whoever
    supports the program, instead of a traceback. A service's transaction was rolled back and files are
    written under a temporary name, so nothing half-done was kept."""
    import os
    import traceback
    from datetime import datetime

    from app.paths import data_dir

    report: Path | None = None
    try:
        folder = data_dir() / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        report = folder / f"error-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.txt"
        report.write_text(f"spdesk {__version__}\n{' '.join(sys.argv)}\n\n" + "".join(traceback.format_exception(exc)),
                          encoding="utf-8")
    except OSError:
        report = None
    kind = f"{type(exc).__name__}: {str(exc)[:200]}".rstrip(": ")
    if report is None:
        print(_("The command stopped on an error the program did not foresee ({error}); nothing half-done was "
                "kept.").format(error=kind), file=sys.stderr)
    else:
        print(_("The command stopped on an error the program did not foresee ({error}); nothing half-done was "
                "kept. The details are in {path}: please pass that file on to whoever supports the program.")
              .format(error=kind, path=report), file=sys.stderr)
    return EXIT_UNFORESEEN


def main(argv: Sequence[str] | None = None) -> int:
    set_language("zh_CN")
    argv = list(sys.argv[1:] if argv is None else argv)
    # Pick the language before building help texts.
    if "--lang" in argv:
        i = argv.index("--lang")
        if i + 1 < len(argv):
            set_language(argv[i + 1])
    argparse_zh.install()
    command = _command_of(argv)
    module = next((m for name, m, _help in COMMANDS if name == command), None)
    parser = _build_parser(module)
    args = parser.parse_args(argv)
    if args.self_test:
        from app import selftest

        return selftest.main()
    handler = getattr(args, "handler", cmd_gui)
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        print(_("Stopped (Ctrl+C); nothing half-done was kept."), file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if faults.is_fault(exc):
            print(faults.fault_message(exc, _shown_db(args)), file=sys.stderr)
            return faults.EXIT_FAULT
        if isinstance(exc, ValidationError):
            print(exc.message, file=sys.stderr)
            return 2
        if _raised(exc, "app.services.permissions", "PermissionDenied"):
            print(exc.message, file=sys.stderr)  # type: ignore[attr-defined]
            return 4
        return unforeseen(exc)

"""Command line: `spdesk` with no subcommand starts the window; subcommands call the same services."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.domain.errors import ValidationError
from app.i18n import _, set_language
from app.paths import default_db_path


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spdesk",
        description=_("Service Purchase Desk: street-office purchase of services from social organizations."),
    )
    parser.add_argument("--version", action="version", version=f"spdesk {__version__}")
    parser.add_argument("--db", type=Path, default=None, help=_("database file (default: in the user's data folder)"))
    parser.add_argument("--lang", choices=["zh_CN", "en"], default=None, help=_("language of messages"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))

    sub.add_parser("gui", help=_("start the window (the default)"))

    orgs = sub.add_parser("orgs", help=_("the organization registry"))
    orgs_sub = orgs.add_subparsers(dest="orgs_command", metavar=_("ACTION"), required=True)
    imp = orgs_sub.add_parser("import", help=_("import organizations from an .xlsx or .csv ledger"))
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help=_("check the file and report, but save nothing"))
    imp.add_argument("--json", action="store_true", help=_("one JSON object per data row"))
    lst = orgs_sub.add_parser("list", help=_("list registered organizations"))
    lst.add_argument("--json", action="store_true", help=_("print JSON"))

    sub.add_parser("demo", help=_("fill the database with clearly marked sample data"))
    return parser


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from app.services.context import Desk
    from app.services.orgs import ensure_default_domains
    from app.store.startup import open_database

    db = open_database(args.db or default_db_path())
    desk = Desk(db)
    with db.session() as s:
        ensure_default_domains(s)
    return desk


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))


def cmd_orgs_list(args: argparse.Namespace) -> int:
    from app.services import orgs

    desk = _open(args)
    rows = desk.run(orgs.list_all)
    if args.json:
        _print_json([{"name": r.name, "credit_code": r.credit_code, "org_type": r.org_type,
                      "eligibility": r.eligibility} for r in rows])
    else:
        for r in rows:
            print(f"{r.credit_code}\t{r.name}")
    return 0


def cmd_orgs_import(args: argparse.Namespace) -> int:
    from app.services import ledger_import

    desk = _open(args)
    try:
        report = ledger_import.import_file(desk, args.file, dry_run=args.dry_run)
    except ledger_import.LedgerError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    if args.json:
        for r in report.rows:
            _print_json({"row": r.row, "status": r.status, "name": r.name, "credit_code": r.credit_code,
                         "reasons": list(r.reasons)})
    else:
        for r in report.rows:
            reasons = "；".join(r.reasons)
            print(f"{r.row}\t{r.status_label}\t{r.name}\t{reasons}")
        print(report.summary())
    return 1 if report.invalid_count else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from app.services import demo

    desk = _open(args)
    n = desk.run(demo.load_sample)
    print(_("Sample data added: {n} organizations.").format(n=n))
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from app.views.app import run_gui

    return run_gui(args.db or default_db_path())


def main(argv: Sequence[str] | None = None) -> int:
    set_language("zh_CN")
    argv = list(sys.argv[1:] if argv is None else argv)
    # Pick the language before building help texts.
    if "--lang" in argv:
        i = argv.index("--lang")
        if i + 1 < len(argv):
            set_language(argv[i + 1])
    parser = _build_parser()
    args = parser.parse_args(argv)
    handlers = {
        None: cmd_gui,
        "gui": cmd_gui,
        "demo": cmd_demo,
        ("orgs", "import"): cmd_orgs_import,
        ("orgs", "list"): cmd_orgs_list,
    }
    key = (args.command, args.orgs_command) if args.command == "orgs" else args.command
    try:
        return handlers[key](args)
    except ValidationError as exc:
        print(exc.message, file=sys.stderr)
        return 2

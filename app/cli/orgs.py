"""`spdesk orgs ...`: the organization registry from the command line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from app.cli.common import open_desk, print_json
from app.i18n import _


def cmd_list(args: argparse.Namespace) -> int:
    from app.paths import default_db_path
    from app.services import orgs

    # Reading needs no password, and works while the window has the file open (no instance lock);
    # a file that does not exist yet is created and set up as usual.
    desk = open_desk(args, read_only=Path(args.db or default_db_path()).exists(), write=False)
    try:
        rows = desk.run(orgs.list_all)
    finally:
        desk.db.dispose()  # releases the instance lock too, so the next command can open the file
    if args.json:
        print_json([{"name": r.name, "credit_code": r.credit_code, "org_type": r.org_type,
                     "eligibility": r.eligibility} for r in rows])
    else:
        for r in rows:
            print(f"{r.credit_code}\t{r.name}")
    return 0


def _progress() -> Callable[[int, int], bool]:
    """Progress of a long import on stderr: at most one line a second, and the last one."""
    last = [0.0]

    def report(done: int, total: int) -> bool:
        now = time.monotonic()
        if total >= 200 and (now - last[0] >= 1.0 or done == total):
            last[0] = now
            print(_("Saving: {done} of {total} rows ({pct}%)").format(done=done, total=total,
                                                                    pct=done * 100 // max(total, 1)),
                  file=sys.stderr, flush=True)
        return True

    return report


def cmd_import(args: argparse.Namespace) -> int:
    from app.services import ledger_import

    desk = open_desk(args, write=not args.dry_run)
    try:
        report = ledger_import.import_file(desk, args.file, dry_run=args.dry_run, progress=_progress())
    except ledger_import.LedgerError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    finally:
        desk.db.dispose()
    if args.json:
        for r in report.rows:
            print_json({"row": r.row, "status": r.status, "name": r.name, "credit_code": r.credit_code,
                        "reasons": list(r.reasons)})
    else:
        for note in report.notes:  # how the file was read: information, kept off the per-row output
            print(note, file=sys.stderr)
        for r in report.rows:
            print(f"{r.row}\t{r.status_label}\t{r.name}\t{'；'.join(r.reasons)}")
        print(report.summary())
    return 1 if report.invalid_count else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    orgs = sub.add_parser("orgs", help=_("the organization registry"))
    orgs_sub = orgs.add_subparsers(dest="orgs_command", metavar=_("ACTION"), required=True)
    imp = orgs_sub.add_parser("import", help=_("import organizations from an .xlsx or .csv ledger"))
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help=_("check the file and report, but save nothing"))
    imp.add_argument("--json", action="store_true", help=_("one JSON object per data row"))
    imp.set_defaults(handler=cmd_import)
    lst = orgs_sub.add_parser("list", help=_("list registered organizations"))
    lst.add_argument("--json", action="store_true", help=_("print JSON"))
    lst.set_defaults(handler=cmd_list)

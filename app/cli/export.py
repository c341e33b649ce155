"""`spdesk export month YYYY-MM --to DIR [--formats …]` and `spdesk export verify DIR`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import open_desk
from app.i18n import _

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def cmd_month(args: argparse.Namespace) -> int:
    from app.documents.output import ExportError, write_error_message
    from app.services import exports, summary

    period = summary.parse_period(args.period)  # ValidationError -> exit 2 with the message (app.cli.main)
    formats = exports.parse_formats(args.formats)
    target = Path(args.to)
    if not target.is_dir():
        print(write_error_message(FileNotFoundError(2, "missing"), target), file=sys.stderr)
        return EXIT_FAILED
    desk = open_desk(args, read_only=True)
    try:
        data = desk.run(exports.build, period, mask=not args.unmasked, all_deadlines=args.all_deadlines)
    finally:
        desk.db.dispose()
    try:
        out = exports.write(data, target, formats, mask=not args.unmasked)
    except ExportError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_FAILED
    print(_("Exported the summary for {period} to {path}.").format(period=period.label, path=out))
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from app.documents.output import MANIFEST, verify_package

    folder = Path(args.dir)
    if not folder.is_dir():
        print(_("{path} is not a folder.").format(path=folder), file=sys.stderr)
        return EXIT_FAILED
    # A package folder, or a folder (a USB stick) holding packages.
    packages = [folder] if (folder / MANIFEST).exists() else sorted(
        p for p in folder.iterdir() if p.is_dir() and (p / MANIFEST).exists())
    if not packages:
        packages = [folder]
    status = EXIT_OK
    for pkg in packages:
        check = verify_package(pkg)
        if check.ok:
            print(_("{path}: intact ({n} files match the manifest; audit chain head {head}).").format(
                path=pkg, n=check.checked, head=str(check.manifest.get("audit_head", ""))[:16]))
        else:
            status = EXIT_FAILED
            print(_("{path}: NOT intact:").format(path=pkg), file=sys.stderr)
            for p in check.problems:
                print("  " + p.message, file=sys.stderr)
    return status


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help=_("export the monthly summary for the district, or check an exported package"))
    s = p.add_subparsers(dest="export_command", metavar=_("COMMAND"), required=True)
    m = s.add_parser("month", help=_("write the summary of a month (also 2026-Q1 or 2026) as a package folder"))
    m.add_argument("period", metavar="YYYY-MM", help=_("the month, e.g. 2026-03 (also a quarter 2026-Q1 or a year 2026)"))
    m.add_argument("--to", required=True, metavar=_("DIR"), help=_("folder or USB stick to write the package into"))
    m.add_argument("--formats", default=",".join(("xlsx", "pdf", "csv", "json")),
                   help=_("comma-separated: xlsx,pdf,csv,json (default: all)"))
    m.add_argument("--unmasked", action="store_true", help=_("do not mask ID and phone numbers"))
    m.add_argument("--all-deadlines", action="store_true", help=_(
        "list every open deadline in the CSV file (the PDF, the spreadsheet and the JSON list the first ones, "
        "overdue first; every file counts them all)"))
    m.set_defaults(handler=cmd_month)
    v = s.add_parser("verify", help=_("check an exported package against its manifest (exit 0 intact, 1 not)"))
    v.add_argument("dir", metavar=_("DIR"), help=_("the package folder (or a folder holding packages)"))
    v.set_defaults(handler=cmd_verify)

"""`spdesk audit verify|head|list`: the audit trail from the command line. All of it only reads."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.cli.common import open_desk, print_json
from app.i18n import _, format_datetime


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 when the chain is intact, 1 at the first broken link."""
    from app.services import anchors, audit

    desk = open_desk(args, read_only=True)
    checks: list[audit.AnchorCheck] = []
    try:
        report = desk.run(audit.verify_chain)
        printed, print_failures = desk.run(anchors.verify_prints)
        if args.against is not None:
            try:
                checks = desk.run(anchors.verify_against, args.against, desk.db.path.stem)
            except anchors.NoAnchors as exc:
                print(exc.message, file=sys.stderr)
                return 2
    finally:
        desk.db.dispose()
    ok = report.ok and all(c.ok for c in checks) and not print_failures
    if args.json:
        print_json({"ok": ok, "count": report.count, "head": report.head, "broken_at": report.broken_at,
                    "reason": report.reason, "message": report.describe(),
                    "anchors": [{"source": c.source, "last_id": c.anchor.last_id, "head": c.anchor.head,
                                 "ok": c.ok, "message": c.message} for c in checks],
                    "prints": {"anchored": printed, "failed": [{"source": c.source, "last_id": c.anchor.last_id,
                                                                "message": c.message} for c in print_failures]}})
    else:
        print(report.describe())
        for c in checks:
            print(("" if c.ok else "✗ ") + c.message)
        for c in print_failures:
            print("✗ " + c.message)
        if printed and not print_failures:
            print(_("The trail still extends the anchor recorded with each of {n} prints.").format(n=printed))
    return 0 if ok else 1


def cmd_head(args: argparse.Namespace) -> int:
    from app.services import audit

    desk = open_desk(args, read_only=True)
    try:
        print(desk.run(audit.head))
    finally:
        desk.db.dispose()
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(_("not a date (YYYY-MM-DD): {text}").format(text=text)) from exc


def cmd_list(args: argparse.Namespace) -> int:
    from app.services import accounts, audit

    query = audit.AuditQuery(username=args.by or "", entity=args.entity or "", entity_id=args.id or "",
                             date_from=args.date_from, date_to=args.date_to, text=args.text or "")
    desk = open_desk(args, read_only=True)
    try:
        rows = desk.run(audit.page, query, 0, args.limit)
    finally:
        desk.db.dispose()
    for r in rows:
        if args.json:
            print_json({"id": r.id, "at": r.at.isoformat(), "user": r.username, "action": r.action,
                        "entity": r.entity, "entity_id": r.entity_id, "label": r.entity_label, "field": r.field,
                        "old": r.old_value, "new": r.new_value})
        else:
            change = f"{r.old_value or ''} → {r.new_value or ''}" if r.field else ""
            print("\t".join([format_datetime(accounts.local_time(r.at)), r.username, r.action_label,
                             f"{r.entity_type_label} {r.entity_label}".strip(), r.field, change]))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("audit", help=_("the audit trail: verify the hash chain, list changes"))
    psub = p.add_subparsers(dest="audit_command", metavar=_("ACTION"), required=True)
    v = psub.add_parser("verify", help=_("check that no audit record was changed or deleted (exit 1 if so)"))
    v.add_argument("--json", action="store_true", help=_("print JSON"))
    v.add_argument("--against", type=Path, default=None, metavar=_("FILE_OR_DIR"),
                   help=_("also check that the trail still extends the anchors in a backup, a manifest, or a "
                          "folder of them (catches records removed from the end and recomputed hashes)"))
    v.set_defaults(handler=cmd_verify)
    h = psub.add_parser("head", help=_("print the latest chain hash (for reports and manifests)"))
    h.set_defaults(handler=cmd_head)
    lst = psub.add_parser("list", help=_("list audit records, newest first"))
    lst.add_argument("--by", default=None, metavar=_("USERNAME"), help=_("only changes by this user"))
    lst.add_argument("--entity", default=None, help=_("only this kind of record, e.g. organization"))
    lst.add_argument("--id", default=None, help=_("only the record with this id"))
    lst.add_argument("--from", dest="date_from", type=_date, default=None, metavar=_("DATE"),
                     help=_("from this date (YYYY-MM-DD)"))
    lst.add_argument("--to", dest="date_to", type=_date, default=None, metavar=_("DATE"),
                     help=_("up to and including this date"))
    lst.add_argument("--text", default=None, help=_("containing this text"))
    lst.add_argument("--limit", type=int, default=100, help=_("at most this many records (default 100)"))
    lst.add_argument("--json", action="store_true", help=_("one JSON object per record"))
    lst.set_defaults(handler=cmd_list)

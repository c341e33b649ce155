"""`spdesk assessments list`, `spdesk payments list`, `spdesk deadlines`: read-only, for reports and checks."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from sqlalchemy.orm import Session

from app.cli.common import open_desk, print_json
from app.domain.errors import NotFound
from app.i18n import _, format_amount
from app.services.context import Actor, Desk
from app.services.payments import InstalmentState


def _agreement_id(desk: Desk, number: str | None) -> int | None:
    from app.services import agreements

    return None if not number else desk.run(agreements.find_by_number, number)


def cmd_assessments(args: argparse.Namespace) -> int:
    from app.services import assessments

    desk = open_desk(args, read_only=True)
    try:
        aid = _agreement_id(desk, args.agreement)
        rows = desk.run(assessments.list_assessments, aid)
    except NotFound as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        desk.db.dispose()
    if args.json:
        print_json([{"agreement": r.agreement, "milestone": r.milestone or None, "kind": r.kind,
                     "total": f"{r.total:.2f}", "grade": r.grade, "state": r.state} for r in rows])
    else:
        for r in rows:
            print(f"{r.agreement}\t{r.milestone or '-'}\t{r.kind_label}\t{r.total:.2f}\t{r.grade_label}\t{r.state_label}")
    return 0


def _statuses(session: Session, actor: Actor, agreement_id: int | None) -> list[InstalmentState]:
    from app.services import payments

    return payments.instalment_statuses(session, None if agreement_id is None else [agreement_id])


def cmd_payments(args: argparse.Namespace) -> int:
    desk = open_desk(args, read_only=True)
    try:
        aid = _agreement_id(desk, args.agreement)
        rows = desk.run(_statuses, aid)
    except NotFound as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        desk.db.dispose()
    if args.json:
        print_json([{"agreement": r.agreement, "instalment": r.seq, "amount": f"{r.amount:.2f}",
                     "condition": r.condition, "status": r.status.value, "reason": r.reason,
                     "paid_on": r.paid_on.isoformat() if r.paid_on else None,
                     "assessment_grade": r.assessment_grade} for r in rows])
    else:
        for r in rows:
            paid = f"\t{r.paid_on.isoformat()}" if r.paid_on else ""
            print(f"{r.agreement}\t{r.seq}\t{format_amount(r.amount)}\t{r.status_label}\t{r.reason}{paid}")
    return 0


def cmd_deadlines(args: argparse.Namespace) -> int:
    from app.services import assessments

    if args.days is not None and args.days < 0:
        print(_("--days must not be negative"), file=sys.stderr)
        return 2
    desk = open_desk(args, read_only=True)
    try:
        rows = desk.run(assessments.deadlines, args.days, today=date.today())
    finally:
        desk.db.dispose()
    if args.json:
        print_json([{"kind": d.kind, "agreement": d.agreement, "due": d.due.isoformat() if d.due else None,
                     "overdue": d.overdue} for d in rows])
    else:
        for d in rows:
            due = d.due.isoformat() if d.due else _("no holiday calendar for {years}").format(years=d.uncovered_year)
            mark = _(" (overdue)") if d.overdue else ""
            print(f"{due}{mark}\t{d.kind_label}\t{d.agreement}\t{d.what}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("assessments", help=_("milestone assessments"))
    s = p.add_subparsers(dest="assessments_command", metavar=_("ACTION"), required=True)
    lst = s.add_parser("list", help=_("list assessments"))
    lst.add_argument("--agreement", default=None, metavar=_("NUMBER"), help=_("only this agreement"))
    lst.add_argument("--json", action="store_true", help=_("print JSON"))
    lst.set_defaults(handler=cmd_assessments)

    p = sub.add_parser("payments", help=_("instalments and payments"))
    s = p.add_subparsers(dest="payments_command", metavar=_("ACTION"), required=True)
    lst = s.add_parser("list", help=_("list every instalment with its status"))
    lst.add_argument("--agreement", default=None, metavar=_("NUMBER"), help=_("only this agreement"))
    lst.add_argument("--json", action="store_true", help=_("print JSON"))
    lst.set_defaults(handler=cmd_payments)

    d = sub.add_parser("deadlines", help=_("open deadlines, sorted by due date"))
    d.add_argument("--days", type=int, default=None, metavar="N", help=_("only those due within N days (and overdue)"))
    d.add_argument("--json", action="store_true", help=_("print JSON"))
    d.set_defaults(handler=cmd_deadlines)

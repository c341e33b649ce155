"""`spdesk agreements ...` and `spdesk projects ...`: read the agreements and projects from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.cli.common import open_desk, print_json
from app.domain.errors import NotFound
from app.domain.parties import in_print_order
from app.i18n import _, format_amount
from app.paths import default_db_path

if TYPE_CHECKING:  # the services load lazily, when a command runs
    from app.services.agreement_list import AgreementRow


def _row_json(r: AgreementRow) -> dict[str, object]:
    return {"number": r.number, "state": r.state, "state_label": r.state_label, "project": r.project,
            "year_index": r.year_index, "party_a": r.party_a, "party_b": r.party_b, "undertaker": r.undertaker,
            "amount": f"{r.amount:.2f}", "free_of_charge": r.free_of_charge,
            "period_start": r.period_start.isoformat(), "period_end": r.period_end.isoformat()}


def _rows(args: argparse.Namespace, limit: int) -> list[AgreementRow]:
    """Up to `limit` rows (-1: all) by the quick reading path (sqlite3 alone) when the file is in order and
    the user found; else through the services."""
    from app.cli.users import requested_user
    from app.services import quick_read

    rows = quick_read.agreement_rows(args.db or default_db_path(), requested_user(args), args.year, args.state or "",
                                     limit)
    if rows is not None:
        return rows
    from app.services import agreements

    desk = open_desk(args, read_only=True)
    try:
        return desk.run(agreements.list_agreements, agreements.AgreementQuery(year=args.year, state=args.state or ""),
                        0, limit if limit >= 0 else 2**62)
    finally:
        desk.db.dispose()


def cmd_list(args: argparse.Namespace) -> int:
    from app.domain.lifecycle import AgreementState

    if args.state and args.state not in {s.value for s in AgreementState}:
        print(_("Unknown state {state}; use one of: {states}").format(
            state=args.state, states=", ".join(s.value for s in AgreementState)), file=sys.stderr)
        return 2
    if args.limit < 0:
        print(_("--limit must be 0 (all) or a positive number of agreements."), file=sys.stderr)
        return 2
    # One row more than asked says whether the list was cut: a list never stops short without saying so.
    rows = _rows(args, args.limit + 1 if args.limit else -1)
    cut = bool(args.limit) and len(rows) > args.limit
    if cut:
        rows = rows[:args.limit]
    if args.json:
        print_json([_row_json(r) for r in rows])
    else:
        for r in rows:
            print(f"{r.number}\t{r.state_label}\t{r.undertaker}\t{format_amount(r.amount)}\t"
                  f"{r.period_start.isoformat()}～{r.period_end.isoformat()}")
    if cut:
        print(_("Only the first {n} agreements are listed (newest period first); there are more. Narrow the list "
                "with --year or --state, or list them all with --limit 0.").format(n=f"{args.limit:,}"),
              file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from app.services import agreements

    desk = open_desk(args, read_only=True)
    try:
        aid = desk.run(agreements.find_by_number, args.number)
        d = desk.run(agreements.get, aid)
    except NotFound as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        desk.db.dispose()
    data = d.data
    party_a, party_b = in_print_order(data.purchaser_name, d.undertaker_name, data.parties_reversed)
    if args.json:
        print_json({
            "number": d.number, "state": d.state, "project": d.project_name, "year_index": data.year_index,
            "party_a": party_a, "party_b": party_b, "undertaker": d.undertaker_name, "purchaser": data.purchaser_name,
            "amount": f"{data.amount:.2f}", "amount_upper": d.amount_upper, "free_of_charge": data.free_of_charge,
            "period_start": str(data.period_start), "period_end": str(data.period_end),
            "service_content": data.service_content, "target_group": data.target_group, "place": data.place,
            "dispute_resolution": data.dispute_resolution, "copies": data.copies,
            "instalments": [{"seq": i.seq, "amount": f"{i.amount:.2f}", "condition": i.condition,
                             "milestone": i.milestone} for i in d.instalments],
            "signed_on_a": str(d.signed_on_a or ""), "signed_on_b": str(d.signed_on_b or ""),
            "effective_on": str(d.effective_on or ""),
            "amendments": [{"seq": m.seq, "reason": m.reason, "changes": m.changes} for m in d.amendments],
            "deadlines": [{"label": x.label, "due": str(x.due or ""), "done_on": str(x.done_on or ""),
                           "uncovered_years": list(x.flagged_years)} for x in d.deadlines],
        })
        return 0
    state = _(agreements.lc.AGREEMENT_STATE_LABELS[agreements.lc.AgreementState(d.state)])
    print(_("{number} ({state})").format(number=d.number, state=state))
    print(_("Party A: {name}").format(name=party_a))
    print(_("Party B: {name}").format(name=party_b))
    print(_("Amount: {upper} ({digits})").format(upper=d.amount_upper, digits=format_amount(data.amount)))
    print(_("Period: {start} to {end}").format(start=data.period_start, end=data.period_end))
    for i in d.instalments:
        print(f"  {i.seq}. {format_amount(i.amount)}  {i.condition_label}")
    for x in d.deadlines:
        due = str(x.due) if x.due else _("no holiday calendar for {years}").format(
            years="、".join(str(y) for y in x.flagged_years))
        done = _(" (done on {date})").format(date=x.done_on) if x.done_on else ""
        print(f"  · {x.label}：{due}{done}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("agreements", help=_("yearly service agreements"))
    s = p.add_subparsers(dest="agreements_command", metavar=_("ACTION"), required=True)
    lst = s.add_parser("list", help=_("list agreements"))
    lst.add_argument("--year", type=int, default=None, help=_("only agreements running in this year"))
    lst.add_argument("--state", default="", help=_("only agreements in this state (draft, review, …)"))
    lst.add_argument("--json", action="store_true", help=_("print JSON"))
    lst.add_argument("--limit", type=int, default=1000, metavar="N",
                     help=_("list at most N agreements (default 1,000; 0: all); a cut list says so on stderr"))
    lst.set_defaults(handler=cmd_list)
    show = s.add_parser("show", help=_("show one agreement"))
    show.add_argument("number")
    show.add_argument("--json", action="store_true", help=_("print JSON"))
    show.set_defaults(handler=cmd_show)

"""`spdesk print KIND NUMBER --out FILE.pdf` and `spdesk verify CODE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import open_desk
from app.domain.errors import NotFound, ValidationError
from app.i18n import _

KINDS = {"agreement": "agreement", "supplementary": "supplementary", "notice": "assessment_notice",
         "acceptance": "acceptance_form"}
VERIFY_EXIT = {"match": 0, "changed": 1, "unknown": 2}


def _written(out: Path, pages: int, code: str, draft: bool) -> None:
    print(_("Wrote {path}: {pages} pages, verification code {code}{draft}.").format(
        path=out, pages=pages, code=code, draft=_(" (draft)") if draft else ""))


def cmd_print(args: argparse.Namespace) -> int:
    from app.cli.users import requested_user
    from app.documents.output import output_problem
    from app.paths import default_db_path

    final = not args.preview
    out = Path(args.out)
    db = Path(args.db or default_db_path())
    problem = output_problem(out, [db], args.force)
    if problem:  # before the database is even opened
        print(problem, file=sys.stderr)
        return 2
    from app.documents.rl_import import import_platypus

    import_platypus()  # before anything imports reportlab's paragraphs: 40-50 ms less (its module says why)
    if not final:  # a frozen text previews through sqlite3 alone when the file is in order (issue 17)
        from app.services import quick_print

        quick = quick_print.preview(db, requested_user(args), KINDS[args.kind], args.number, args.seq, out)
        if quick is not None:
            _written(out, quick.pages, quick.code, quick.draft)
            return 0
    from app.domain.lifecycle import TransitionRefused
    from app.services import agreements, printing

    desk = open_desk(args, read_only=not final)
    try:
        aid = desk.run(agreements.find_by_number, args.number)
        r = desk.run(printing.render, KINDS[args.kind], aid, amendment_seq=args.seq, final=final, write_to=out,
                     force=args.force)
    except (NotFound, TransitionRefused) as exc:
        print(getattr(exc, "message", str(exc)), file=sys.stderr)
        return 1
    except ValidationError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    finally:
        desk.db.dispose()
    _written(out, r.pages, r.code, r.draft)
    if r.anchor is not None:  # to note down with the copy: `spdesk audit verify` checks the trail extends it
        print(_("Audit anchor of this print: record {id}, hash {head}.").format(id=r.anchor.last_id, head=r.anchor.head))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from app.services import printing

    desk = open_desk(args, read_only=True)
    try:
        result = desk.run(printing.verify, args.code)
    finally:
        desk.db.dispose()
    print(result.message)
    return VERIFY_EXIT[result.status]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("print", help=_("print an agreement, supplementary agreement, notice or acceptance form to PDF"))
    p.add_argument("kind", choices=list(KINDS), help=_("document type"))
    p.add_argument("number", help=_("agreement number"))
    p.add_argument("--out", required=True, metavar=_("FILE"), help=_("PDF file to write"))
    p.add_argument("--force", action="store_true",
                   help=_("replace an existing file that is not a PDF (never the database)"))
    p.add_argument("--seq", type=int, default=None, help=_("supplementary agreement number (default: the latest)"))
    p.add_argument("--preview", action="store_true",
                   help=_("do not record the print (opens the database read-only; the code cannot be verified)"))
    p.set_defaults(handler=cmd_print)
    v = sub.add_parser("verify", help=_("check a printed document's verification code against the record"))
    v.add_argument("code", help=_("verification code, e.g. ABCD-EFGH"))
    v.set_defaults(handler=cmd_verify)

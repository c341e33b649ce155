"""The quick preview of a frozen text: `spdesk print agreement|supplementary NUMBER --preview` without
SQLAlchemy (issue 17).

An agreement approved for signing has its text frozen (app.services.printing.freeze): the row holds the
canonical text its verification code was computed from, and every later print of it prints exactly that
text (issue 11). So a preview of a frozen text needs one row, not the ORM: this module reads the agreement's
number and id, the supplementary agreement's number where one is asked for, and the frozen row with the
sqlite3 module alone, on a file opened as the reading commands open it (app.store.reading: read-only,
revision checked, the start-up scans passed or remembered), and renders it through the same code as the
ordinary print (app.services.print_stamp, app.documents.rendering): the same bytes
(tests/unit/test_quick_print.py compares them).

Anything not plainly in order gives None and the command takes the ordinary path (app.services.printing),
which prints, or refuses in its usual words: a final print (it writes the print record and its audit rows,
and checks the password: the writer's start-up), a notice or form, a text not frozen (drafts, agreements
signed before texts were frozen), an unknown number or supplementary agreement, a refused user, a file
not in order.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.documents.output import write_atomic
from app.documents.spec import content_hash, spec_from_canonical
from app.domain.text import normalize_text
from app.services.print_stamp import ALIASES, FROZEN_KINDS, page_count, stamped
from app.services.quick_read import with_reader


@dataclass(frozen=True)
class QuickPrint:
    path: Path
    code: str
    pages: int
    draft: bool


def _frozen_row(conn: sqlite3.Connection, kind: str, number: str, seq: int | None) -> tuple[str, str] | None:
    """(the agreement's number, the frozen canonical text) as printing.render finds them, or None."""
    found = conn.execute("SELECT id, number FROM agreements WHERE number IN (?, ?) LIMIT 1",
                         (number.strip(), normalize_text(number))).fetchone()
    if found is None:
        return None
    aid, stored_number = int(found[0]), str(found[1])
    amendment_seq = 0
    if kind == "supplementary":  # printing._amendment: the latest, or the one asked for
        if seq is None:
            row = conn.execute("SELECT max(seq) FROM amendments WHERE agreement_id = ?", (aid,)).fetchone()
        else:
            row = conn.execute("SELECT seq FROM amendments WHERE agreement_id = ? AND seq = ?", (aid, seq)).fetchone()
        if row is None or row[0] is None:
            return None
        amendment_seq = int(row[0])
    frozen = conn.execute("SELECT number, content, content_hash FROM frozen_documents WHERE agreement_id = ? "
                          "AND kind = ? AND amendment_seq = ?", (aid, kind, amendment_seq)).fetchone()
    if frozen is None or content_hash(str(frozen[0]), str(frozen[1])) != frozen[2]:
        return None  # none, or changed outside the program: the ordinary path refuses it in words
    return stored_number, str(frozen[1])


def preview(db: Path, user: str, kind: str, number: str, seq: int | None, out: Path) -> QuickPrint | None:
    """Write the preview of a frozen agreement or supplementary agreement to `out` (the caller has checked
    that `out` may be written), or None: take the ordinary path."""
    kind = ALIASES.get(kind, kind)
    if kind not in FROZEN_KINDS:
        return None
    found = with_reader(db, user, lambda conn: _frozen_row(conn, kind, number, seq))
    if found is None:
        return None
    agreement_number, content = found
    try:
        spec = spec_from_canonical(content)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # not a text this program froze: the ordinary path says what is wrong
    spec, _canonical, code = stamped(spec, agreement_number, kind)
    from app.documents.rendering import render_pdf  # reportlab loads only once the print is decided

    pdf = render_pdf(spec)
    written = write_atomic(out, pdf)
    return QuickPrint(written, code, page_count(pdf), spec.draft)

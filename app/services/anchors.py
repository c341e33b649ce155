"""`spdesk audit verify --against FILE_OR_DIR`: does today's audit trail still extend anchors kept
outside the database?

An anchor is the chain's last record id and hash at one moment. It is found in:
- a backup file (`spdesk backup --to` a USB stick, the daily backups): its own audit trail's head;
- a JSON manifest with an "audit" block (`audit.Anchor.as_manifest()`), such as the monthly
  export's manifest.
Removing records from the end (truncation) or rewriting a record and recomputing every hash after it
both leave the trail unable to show the anchored hash at the anchored id.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from app.i18n import _
from app.services import audit
from app.services.context import Actor
from app.store import backup as bk


class NoAnchors(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _from_json(path: Path) -> audit.Anchor | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return audit.Anchor.from_manifest(data.get("audit")) if isinstance(data, dict) else None


def _from_backup(path: Path) -> audit.Anchor | None:
    try:
        if not bk.is_sqlite_file(path) or path.stat().st_size == 0:
            return None
    except OSError:
        return None
    block = bk.file_anchor(path)
    return audit.Anchor.from_manifest(block) if block else None


def anchors_in(path: Path, db_stem: str | None = None) -> list[tuple[str, audit.Anchor]]:
    """Anchors in a file, or in the files of a folder (backups of this database and manifests)."""
    path = Path(path)
    if not path.exists():
        raise NoAnchors(_("{path} does not exist.").format(path=path))
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    else:
        files = [path]
    found: list[tuple[str, audit.Anchor]] = []
    seen: set[tuple[int, str]] = set()
    for f in files:
        if f.suffix.lower() == ".json":
            anchor = _from_json(f)
        elif path.is_dir() and db_stem is not None and (b := bk.parse_name(f)) is not None and b.stem != db_stem:
            continue  # another database's backup in the same folder
        else:
            anchor = _from_backup(f)
        if anchor is None or (anchor.last_id, anchor.head) in seen:
            continue
        seen.add((anchor.last_id, anchor.head))
        found.append((f.name, anchor))
    if not found:
        raise NoAnchors(_("{path} holds no backup of this database and no manifest with an audit anchor.").format(
            path=path))
    return found


def verify_prints(session: Session, actor: Actor | None = None) -> tuple[int, list[audit.AnchorCheck]]:
    """Every final print recorded where the chain stood (its verification record): does the trail still
    extend each? (number of prints with an anchor, the failed checks). Reads only."""
    from sqlalchemy import func, select

    from app.models.printing import PrintRecord

    rows = session.execute(select(PrintRecord.audit_last_id, PrintRecord.audit_head, func.min(PrintRecord.number),
                                  func.min(PrintRecord.code), func.count())
                           .where(PrintRecord.audit_head.is_not(None))
                           .group_by(PrintRecord.audit_last_id, PrintRecord.audit_head)).all()
    failed = []
    for last_id, head, number, code, _n in rows:
        source = _("the print of {number} (verification code {code})").format(number=number, code=code)
        check = audit.check_anchor(session, audit.Anchor(last_id, head), source)
        if not check.ok:
            failed.append(check)
    return sum(n for *_rest, n in rows), failed


def verify_against(session: Session, actor: Actor | None, path: Path,
                   db_stem: str | None = None) -> list[audit.AnchorCheck]:
    """Check every anchor found at `path` against the trail (reads only)."""
    return [audit.check_anchor(session, anchor, source) for source, anchor in anchors_in(path, db_stem)]

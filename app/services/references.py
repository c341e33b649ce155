"""What still refers to a record, in words: a refused delete names it instead of showing the database's
FOREIGN KEY error. Found from the tables' foreign keys, so a table added later is covered too."""

from __future__ import annotations

from collections.abc import Callable, Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import _, ngettext
from app.models import Base

# How referring rows read in a sentence, per table; a table not named here reads as its name.
_NOUNS: dict[str, Callable[[int], str]] = {
    "agreements": lambda n: ngettext("{n} service agreement", "{n} service agreements", n),
    "projects": lambda n: ngettext("{n} purchase project", "{n} purchase projects", n),
    "consortium_members": lambda n: ngettext("{n} consortium membership", "{n} consortium memberships", n),
    "print_records": lambda n: ngettext("{n} print record", "{n} print records", n),
    "template_versions": lambda n: ngettext("{n} template version", "{n} template versions", n),
}


def blocking(session: Session, table: str, ids: list[int] | set[int]) -> dict[str, int]:
    """Rows of other tables that refer to `table` rows `ids` and would stop their deletion (their
    foreign key neither cascades nor sets null): table name -> count."""
    found: dict[str, int] = {}
    if not ids:
        return found
    for t in Base.metadata.sorted_tables:
        for fk in t.foreign_keys:
            if fk.column.table.name != table or (fk.ondelete or "").upper() in ("CASCADE", "SET NULL"):
                continue
            n = session.scalar(select(func.count()).select_from(t).where(fk.parent.in_(list(ids)))) or 0
            if n:
                found[t.name] = found.get(t.name, 0) + n
    return found


def describe(found: dict[str, int]) -> str:
    """"3 service agreements, 1 purchase project" in the user's language."""
    return _(", ").join(_NOUNS[t](n).format(n=n) if t in _NOUNS else f"{n} {t}" for t, n in found.items())


def delete_dependents(session: Session, table: str, ids: set[int] | list[int], keep: Collection[str] = frozenset(),
                      _depth: int = 0) -> None:
    """Delete the rows of other tables that refer to `table` rows `ids` by a foreign key that neither
    cascades nor sets null, and what refers to those in turn; tables in `keep` are left to the caller."""
    from sqlalchemy import delete

    if not ids or _depth > 8:
        return
    for t in Base.metadata.sorted_tables:
        if t.name in keep or t.name == table:
            continue
        for fk in t.foreign_keys:
            if fk.column.table.name != table or (fk.ondelete or "").upper() in ("CASCADE", "SET NULL"):
                continue
            if "id" in t.c:
                child = set(session.scalars(select(t.c.id).where(fk.parent.in_(list(ids)))))
                delete_dependents(session, t.name, child, keep, _depth + 1)
            session.execute(delete(t).where(fk.parent.in_(list(ids))))

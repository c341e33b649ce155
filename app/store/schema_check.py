"""Does a database file have exactly the schema of its revision? (restore and `spdesk check`)

The expected schema of a revision is the one a fresh, empty database gets from our migrations up
to that revision: every table, column, index, trigger and view, by name and SQL text. A planted
trigger or view, a dropped protective trigger, a missing table or a changed column shows up as a
difference. Compared on SQLite's stored SQL with whitespace collapsed, which is exactly what the
migrations wrote.
"""

from __future__ import annotations

import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.i18n import _
from app.store import migrate
from app.store.db import make_engine


@dataclass(frozen=True)
class SchemaDifference:
    kind: str  # table | index | trigger | view
    name: str
    problem: str  # missing | extra | different

    def describe(self) -> str:
        kind = {"table": _("table"), "index": _("index"), "trigger": _("trigger"), "view": _("view")}[self.kind]
        if self.problem == "missing":
            return _("the {kind} {name} is missing").format(kind=kind, name=self.name)
        if self.problem == "extra":
            return _("it has a {kind} {name} that this program never creates").format(kind=kind, name=self.name)
        return _("the {kind} {name} differs from what this program creates").format(kind=kind, name=self.name)


Schema = dict[tuple[str, str], str]


def _normal(sql: str | None) -> str:
    return " ".join((sql or "").split())


def read_schema(conn: sqlite3.Connection) -> Schema:
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    return {(str(t), str(n)): _normal(s) for t, n, s in rows}


@lru_cache(maxsize=8)
def expected_schema(revision: str) -> tuple[tuple[tuple[str, str], str], ...]:
    """The schema our migrations give a new database at `revision` (built once per process)."""
    with tempfile.TemporaryDirectory(prefix="spdesk-schema-") as folder:
        path = Path(folder) / "expected.sqlite3"
        engine = make_engine(path)
        try:
            migrate.upgrade(engine, revision)
        finally:
            engine.dispose()
        with closing(sqlite3.connect(path)) as conn:
            return tuple(sorted(read_schema(conn).items()))


def differences(path: Path, revision: str) -> list[SchemaDifference]:
    """Every difference between the file's schema and its revision's; empty when exact."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        actual = read_schema(conn)
    expected = dict(expected_schema(revision))
    found = [SchemaDifference(k, n, "missing") for (k, n) in sorted(expected.keys() - actual.keys())]
    found += [SchemaDifference(k, n, "extra") for (k, n) in sorted(actual.keys() - expected.keys())]
    found += [SchemaDifference(k, n, "different") for (k, n) in sorted(expected.keys() & actual.keys())
              if expected[(k, n)] != actual[(k, n)]]
    order = {"trigger": 0, "view": 1, "table": 2, "index": 3}
    return sorted(found, key=lambda d: (order.get(d.kind, 9), d.name))


def describe(found: list[SchemaDifference], limit: int = 3) -> str:
    """The first few differences in one sentence part."""
    text = "; ".join(d.describe() for d in found[:limit])
    if len(found) > limit:
        text += _(" (and {n} more)").format(n=len(found) - limit)
    return text

"""The schema revisions our migrations know, read from the revision scripts' text (no Alembic, no SQLAlchemy).

Alembic and SQLAlchemy cost most of a short command's time (issue 17), so the head revision and the known
ones are read from the version files with a regular expression (`revision = "…"`, `down_revision = "…"`,
as every script in versions/ writes them). When the files cannot be read that simply the answer is None
and the caller asks Alembic (app.store.migrate). tests/unit/test_startup_imports.py holds this reading
to Alembic's.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from app.paths import _bundle_root


def shipped_versions() -> Path:
    """The folder of the revision scripts that ship with the program."""
    return _bundle_root() / "app" / "store" / "migrations" / "versions"


_ASSIGN = re.compile(r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:['"]([^'"]+)['"]|(None))\s*$""", re.M)


@lru_cache(maxsize=8)
def _scan(locations: tuple[Path, ...], stamps: tuple[tuple[str, float], ...]) -> tuple[str, frozenset[str]] | None:
    del stamps  # part of the cache key only: a changed or added file is read again
    down_of: dict[str, str | None] = {}
    for folder in locations:
        for f in sorted(folder.glob("*.py")):
            found = dict((m.group(1), m.group(2)) for m in _ASSIGN.finditer(f.read_text(encoding="utf-8")))
            if "revision" not in found or found["revision"] is None or "down_revision" not in found:
                return None
            down_of[found["revision"]] = found["down_revision"]
    heads = set(down_of) - {d for d in down_of.values() if d}
    if len(heads) != 1:
        return None
    return heads.pop(), frozenset(down_of)


def scan(locations: list[Path] | None = None) -> tuple[str, frozenset[str]] | None:
    """(head, known revisions) of the scripts in `locations` (default: the shipped folder), or None when
    Alembic must decide (a script written otherwise, several heads, an unreadable folder)."""
    folders = tuple(locations if locations is not None else [shipped_versions()])
    try:
        stamps = tuple((str(f), f.stat().st_mtime) for folder in folders for f in sorted(folder.glob("*.py")))
        return _scan(folders, stamps)
    except OSError:
        return None

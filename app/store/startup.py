"""Opening a database file: create its folder, upgrade its schema, hand back a Database."""

from __future__ import annotations

from pathlib import Path

from app.store import migrate
from app.store.db import Database, make_engine


def open_database(path: Path | str) -> Database:
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    migrate.upgrade(engine)
    return Database(path, engine)

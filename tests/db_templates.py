"""Template databases for the tests: made once per test process (one xdist worker) through the real
start-up and the services, and copied for each test that needs one (the `db` fixture, its
`db_content` marker, and `db_templates.copy` for a test's own file)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.services import demo
from app.services.context import SYSTEM, Desk
from app.services.orgs import ensure_default_domains
from app.store.startup import open_database

TODAY = date(2026, 6, 15)


def copy_database(src: Path, dest: Path) -> Path:
    """A page-for-page copy of a closed SQLite file (SQLite's backup API, so a WAL left behind counts)."""
    with sqlite3.connect(src) as source, sqlite3.connect(dest) as target:
        source.backup(target)
    source.close()
    target.close()
    return dest


@dataclass(frozen=True)
class Content:
    """What a test's database starts with besides the schema and the default service domains.

    `build` runs once per test process, through the services as the system actor, into a template
    database; each test that asks for it (`@pytest.mark.db_content(...)` for the `db` fixture, or
    `db_templates.copy` for a file of its own) gets a copy. `key` names the template: equal keys must
    build equal contents."""

    key: str
    build: Callable[[Desk], object]


def sample_data(today: date | None = TODAY) -> Content:
    """The sample organizations, projects and agreements (demo.load_sample) as of `today` (None: the
    real today, as `demo.load_sample` without a date). Making them runs some 800 audited services
    (about 6 s of CPU time), which is why tests share one copy per process instead of each making them."""
    return Content(f"sample-{today}", lambda desk: desk.run(demo.load_sample, today=today))


class DatabaseTemplates:
    """The template databases of one test process (one xdist worker), made on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: dict[str, tuple[Path, object]] = {}

    def _template(self, content: Content | None) -> tuple[Path, object]:
        key = content.key if content else "migrated"
        if key not in self._made:
            path = self.folder / f"{key}.sqlite3"
            if content is None:  # the real start-up: every migration, on an empty file
                database = open_database(path, daily_backup=False)
                with database.session() as s:
                    ensure_default_domains(s)
                value: object = None
            else:
                copy_database(self._template(None)[0], path)
                database = open_database(path, daily_backup=False)
                try:
                    value = content.build(Desk(database, SYSTEM))
                except BaseException:
                    database.dispose()
                    path.unlink()
                    raise
            database.dispose()
            self._made[key] = (path, value)
        return self._made[key]

    def copy(self, dest: Path, content: Content | None = None) -> Path:
        """A fresh copy of the template at `dest` (not opened: the caller's start-up opens it)."""
        return copy_database(self._template(content)[0], dest)

    def value(self, content: Content) -> object:
        """What `content.build` returned when the template was made (e.g. how many records it added)."""
        return self._template(content)[1]

"""Schema migrations with Alembic, run at start-up inside one transaction.

A database newer than the program is refused, never "fixed".

Alembic (and its migration environment) costs about 0.3 s to import here, so an ordinary start does
not load it: the revisions are read from the version files' text (app.store.revisions) and the
database's revision with one query. Alembic is imported only when a migration is pending, or when the files cannot be
read that simply (then Alembic's own reading decides).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

from app.i18n import _
from app.paths import _bundle_root
from app.store import revisions

if TYPE_CHECKING:
    from alembic.config import Config


class SchemaTooNew(Exception):
    pass


def _script_location() -> Path:
    return _bundle_root() / "app" / "store" / "migrations"


SEARCH_INDEX_TABLES = ("org_search", "agreement_search")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """For comparing the schema with the models: the FTS5 search indexes (virtual tables and their
    shadow tables, migrations 0006 and 0010) have no model, so autogenerate must neither drop nor report it."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_INDEX_TABLES))


def version_locations() -> list[Path]:
    """The folders that hold revision scripts (tests add one beside the shipped folder)."""
    return [_script_location() / "versions"]


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_script_location()))
    locations = version_locations()
    if locations != [_script_location() / "versions"]:
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    return cfg


def _revisions() -> tuple[str, frozenset[str]] | None:
    return revisions.scan(version_locations())


def head_revision() -> str:
    scanned = _revisions()
    if scanned is not None:
        return scanned[0]
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    scanned = _revisions()
    if scanned is not None:
        return set(scanned[1])
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The database's revision with one query (what Alembic's MigrationContext reads, without Alembic)."""
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
                            ).first():
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def check_not_newer(engine: Engine) -> None:
    rev = current_revision(engine)
    if rev is not None and rev not in known_revisions():
        raise SchemaTooNew(
            _("This database was written by a newer version of the program (schema {rev}). "
              "Please install the newer version; the file was not changed.").format(rev=rev)
        )


class ForeignKeysBroken(Exception):
    pass


def upgrade(engine: Engine, target: str = "head") -> None:
    """Upgrade in one transaction: a failure part-way leaves the database exactly as it was.

    Foreign keys are switched off for the migration (SQLite's own procedure for schema changes,
    lang_altertable.html): a batch step drops and re-creates a table, and with them on, dropping
    `organizations` would cascade-delete its inspections and checks. The pragma only takes effect
    outside a transaction, so it is set on the driver connection before BEGIN; PRAGMA
    foreign_key_check then runs inside the transaction, and any violation rolls it all back.
    """
    from alembic import command

    check_not_newer(engine)
    cfg = alembic_config()
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        # A batch step drops a table and renames its copy into place; SQLite (3.26+) re-checks every
        # trigger on rename, and a trigger of another table that reads the dropped one (the search
        # index of agreements reads organizations and projects, migration 0010) fails the rename.
        # The legacy rename leaves triggers to find the table by its name again (lang_altertable.html).
        raw.execute("PRAGMA legacy_alter_table=ON")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
                bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if bad:
                    raise ForeignKeysBroken(
                        _("The upgrade would break {n} links between records; nothing was changed.").format(
                            n=len(bad)))
        finally:
            raw.execute("PRAGMA legacy_alter_table=OFF")
            raw.execute("PRAGMA foreign_keys=ON")

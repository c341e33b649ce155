"""Schema migrations with Alembic, run at start-up inside one transaction.

A database newer than the program is refused, never "fixed".
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.i18n import _
from app.paths import _bundle_root


class SchemaTooNew(Exception):
    pass


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_bundle_root() / "app" / "store" / "migrations"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


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
    check_not_newer(engine)
    cfg = alembic_config()
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
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
            raw.execute("PRAGMA foreign_keys=ON")

"""Migrations: from an empty database to the newest schema, from each stored released schema,
and atomic — a migration that fails half-way (inside an Alembic batch step) leaves the file
exactly as it was and can be retried once fixed."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from app.models import Base
from app.store import backup as bk
from app.store import migrate
from app.store.db import make_engine
from app.store.startup import open_database, start
from tests.e2e import sample

REAL_CONFIG = migrate.alembic_config
SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"

EXTRA_REVISION = '''
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("extra_things", sa.Column("id", sa.Integer(), primary_key=True))
    with op.batch_alter_table("organizations", recreate="always") as batch_op:
        # {note}
        batch_op.add_column(sa.Column("extra_note", sa.Text(), nullable=False{default}))


def downgrade() -> None:
    pass
'''


def add_extra_revision(monkeypatch: pytest.MonkeyPatch, folder: Path, *, fails: bool) -> str:
    """A test-only revision on top of head, in a temporary folder beside the real ones.

    Failing variant: adds a NOT NULL column without a default, so the batch step's copy of the
    existing rows into `_alembic_tmp_organizations` fails half-way — after a new table was created
    and the temporary table filled its schema. Returns the new head.
    """
    folder.mkdir(exist_ok=True)
    for old in folder.glob("9001_*.py"):
        old.unlink()
    name = "9001_extra_fails.py" if fails else "9001_extra_fixed.py"
    from alembic.script import ScriptDirectory

    down = ScriptDirectory.from_config(REAL_CONFIG()).get_current_head()
    (folder / name).write_text(EXTRA_REVISION.format(
        down=down, note="fails" if fails else "fixed", default="" if fails else ", server_default=''"),
        encoding="utf-8")
    real = [p for p in migrate.version_locations() if p != folder]
    # Both the quick reading of the scripts (no Alembic at start-up) and Alembic itself see the folder.
    monkeypatch.setattr(migrate, "version_locations", lambda: [*real, folder])
    return "9001"


def dump(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def revision_of(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


@pytest.fixture
def populated(tmp_path: Path) -> Path:
    """A database at the real head with organizations and their child rows."""
    path = tmp_path / "desk.sqlite3"
    db = open_database(path, daily_backup=False)
    sample.fill(db)
    db.dispose()
    bk.checkpoint(path)
    return path


def test_empty_database_upgrades_to_head_and_matches_the_models(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "new.sqlite3")
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True,
                                                     "include_name": migrate.include_name})
        differences = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert differences == []


def test_a_migration_failing_inside_a_batch_step_leaves_the_file_exactly_as_it_was(
        populated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = dump(populated)
    rev_before = revision_of(populated)
    add_extra_revision(monkeypatch, tmp_path / "extra", fails=True)
    engine = make_engine(populated)
    with pytest.raises(sa.exc.DBAPIError):
        migrate.upgrade(engine)
    engine.dispose()
    assert not any(t.startswith("_alembic_tmp") for t in tables(populated))
    assert "extra_things" not in tables(populated)
    assert revision_of(populated) == rev_before
    assert dump(populated) == before  # same schema, same rows, same triggers

    # Retry: the same failing migration fails the same way and still changes nothing ...
    engine = make_engine(populated)
    with pytest.raises(sa.exc.DBAPIError):
        migrate.upgrade(engine)
    engine.dispose()
    assert dump(populated) == before
    # ... and once fixed it goes through, keeping every child row (foreign keys are off while the
    # batch step drops and re-creates `organizations`; with them on, CASCADE would empty them).
    add_extra_revision(monkeypatch, tmp_path / "extra", fails=False)
    engine = make_engine(populated)
    migrate.upgrade(engine)
    engine.dispose()
    assert revision_of(populated) == "9001"
    with closing(sqlite3.connect(populated)) as conn:
        after_checks = conn.execute("SELECT count(*) FROM qualification_checks").fetchone()[0]
        after_orgs = conn.execute("SELECT count(*) FROM organizations").fetchone()[0]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    before_checks = sum(1 for line in before if line.startswith('INSERT INTO "qualification_checks"'))
    assert after_orgs == 25 and after_checks == before_checks > 0


def test_without_the_transactional_ddl_fix_the_same_failure_leaves_debris(
        populated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: with pysqlite's default transaction handling it does."""
    before = dump(populated)
    add_extra_revision(monkeypatch, tmp_path / "extra", fails=True)
    plain = create_engine(f"sqlite:///{populated}")
    with pytest.raises(sa.exc.DBAPIError):
        migrate.upgrade(plain)
    plain.dispose()
    assert dump(populated) != before
    assert any(t.startswith("_alembic_tmp") for t in tables(populated)) or "extra_things" in tables(populated)


def test_start_up_takes_a_snapshot_before_a_pending_migration_only(
        populated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, report = start(populated, daily_backup=False)
    db.dispose()
    assert report.snapshot is None and report.migrated_to is None
    rev_before = revision_of(populated)
    add_extra_revision(monkeypatch, tmp_path / "extra", fails=False)
    db, report = start(populated, daily_backup=False)
    db.dispose()
    assert (report.migrated_from, report.migrated_to) == (rev_before, "9001")
    assert report.snapshot is not None and report.snapshot.parent == bk.backups_dir()
    assert bk.inspect(report.snapshot).ok
    assert revision_of(report.snapshot) == rev_before
    assert bk.inspect(report.snapshot).organizations == 25


def test_a_failed_migration_at_start_up_keeps_the_file_and_says_so(
        populated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = dump(populated)
    add_extra_revision(monkeypatch, tmp_path / "extra", fails=True)
    with pytest.raises(Exception):  # noqa: B017 - whatever SQLite raises; the point is the file
        start(populated, daily_backup=False)
    assert dump(populated) == before
    # the lock was released: the program can start again once the migration is fixed
    add_extra_revision(monkeypatch, tmp_path / "extra", fails=False)
    db, report = start(populated, daily_backup=False)
    db.dispose()
    assert report.migrated_to == "9001"


@pytest.mark.parametrize("stored", sorted(SCHEMAS.glob("*.sqlite3")), ids=lambda p: p.stem)
def test_each_stored_released_schema_upgrades_to_head_without_loss(stored: Path, tmp_path: Path) -> None:
    path = tmp_path / stored.name
    shutil.copyfile(stored, path)
    with closing(sqlite3.connect(path)) as conn:
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                  for t in ("organizations", "audit_log", "qualification_checks")}
    db, report = start(path, daily_backup=False)
    try:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        if report.migrated_from != migrate.head_revision():
            assert report.snapshot is not None
        with db.engine.connect() as conn:
            for table, n in counts.items():
                assert conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar() >= n
    finally:
        db.dispose()
    from app.services import maintenance

    results = maintenance.check(path)
    assert all(r.ok for r in results), results


def older_revision() -> str:
    """The revision before head (for a database 'of an older schema')."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    down = script.get_revision(migrate.head_revision()).down_revision
    assert isinstance(down, str)
    return down


def make_older_database(path: Path, monkeypatch: pytest.MonkeyPatch, folder: Path) -> tuple[str, Callable[[], None]]:
    """A database at an older schema than head. When the program has only one revision, a
    test-only revision on top supplies the newer head; otherwise the real previous revision is
    used. Returns the older revision and a function that creates the database."""
    if migrate.known_revisions() == {migrate.head_revision()}:
        add_extra_revision(monkeypatch, folder, fails=False)
    old = older_revision()

    def create() -> None:
        engine = make_engine(path)
        migrate.upgrade(engine, target=old)
        engine.dispose()

    return old, create

"""The SQLite engine with the pragmas DESIGN.md asks for, and units of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 5000


def _install_sqlite_hooks(engine: Engine) -> None:
    """Pragmas on every connection, and transactional DDL.

    pysqlite's own transaction handling does not BEGIN before DDL, so a failed migration would
    leave half its tables behind. SQLAlchemy's documented fix ("Serializable isolation /
    Savepoints / Transactional DDL"): switch that handling off and emit BEGIN ourselves.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


def make_engine(path: Path | str) -> Engine:
    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{Path(path)}"
    engine = create_engine(url, connect_args={"check_same_thread": False})
    _install_sqlite_hooks(engine)
    return engine


class Database:
    """One database file: its engine and a factory for units of work."""

    def __init__(self, path: Path | str, engine: Engine | None = None) -> None:
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self.engine = engine or make_engine(path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits at the end, rolls back everything on any error."""
        with self._sessions() as session:
            with session.begin():
                yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session
            session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()

"""The SQLite engine with its durability pragmas (WAL, synchronous=FULL, foreign keys), and units of work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.domain.search import grams

BUSY_TIMEOUT_MS = 5000

# The durability settings, in one place: the power-loss test (tests/e2e/test_power_loss.py) runs
# SQLite under a simulated power cut with exactly these, so weakening them fails that test.
JOURNAL_MODE = "WAL"
SYNCHRONOUS = "FULL"


SEARCH_GRAMS_FUNCTION = "spdesk_search_grams"


def add_functions(dbapi_conn: Any) -> None:
    """The SQL functions our triggers call; every connection that writes needs them (also plain sqlite3)."""
    # The search index's triggers (migration 0006) compute their gram column with this function.
    dbapi_conn.create_function(SEARCH_GRAMS_FUNCTION, -1, _search_grams, deterministic=True)


def _search_grams(*texts: object) -> str:
    return grams(*(str(t) for t in texts if t is not None))


class Releasable(Protocol):
    def release(self) -> None: ...


def _install_sqlite_hooks(engine: Engine, read_only: bool = False) -> None:
    """Pragmas on every connection, and transactional DDL.

    pysqlite's own transaction handling does not BEGIN before DDL, so a failed migration would
    leave half its tables behind. SQLAlchemy's documented fix ("Serializable isolation /
    Savepoints / Transactional DDL"): switch that handling off and emit BEGIN ourselves.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        add_functions(dbapi_conn)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not read_only:
            cur.execute(f"PRAGMA journal_mode={JOURNAL_MODE}")
        cur.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        cur.execute("PRAGMA foreign_keys=ON")
        if read_only:
            cur.execute("PRAGMA query_only=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


def make_engine(path: Path | str, read_only: bool = False) -> Engine:
    """An engine on `path`; `read_only` refuses every write (PRAGMA query_only), for a second program."""
    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{Path(path)}"
    engine = create_engine(url, connect_args={"check_same_thread": False})
    _install_sqlite_hooks(engine, read_only)
    return engine


class Database:
    """One database file: its engine and a factory for units of work."""

    def __init__(self, path: Path | str, engine: Engine | None = None, lock: Releasable | None = None,
                 read_only: bool = False) -> None:
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self.engine = engine or make_engine(path, read_only)
        self.read_only = read_only
        self.lock = lock  # the instance lock (app.store.lock), held until dispose()
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writes_held = False

    # -- the start-up gate: reads may start before the start-up checks have passed, writes may not --

    def hold_writes(self) -> None:
        """Refuse every write (PRAGMA query_only on each connection handed out) until `release_writes`.

        The window opens a database before its integrity and foreign-key scans have passed (they take
        seconds on a large file); until they do, anything that tries to write fails instead of writing
        into a file that may be damaged (app.store.startup.open_unchecked / finish_checks)."""
        if self._writes_held:
            return
        self._writes_held = True
        event.listen(self.engine, "checkout", self._apply_write_gate)

    def release_writes(self) -> None:
        self._writes_held = False

    @property
    def writes_held(self) -> bool:
        return self._writes_held

    def _apply_write_gate(self, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        held = self._writes_held or self.read_only
        if record.info.get("query_only", self.read_only) != held:
            dbapi_conn.execute(f"PRAGMA query_only={'ON' if held else 'OFF'}")
            record.info["query_only"] = held

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits at the end, rolls back everything on any error."""
        with self._sessions() as session:
            with session.begin():
                yield session

    @contextmanager
    def cancellable_session(self, cancelled: Callable[[], bool]) -> Iterator[Session]:
        """A unit of work whose statements stop (sqlite3: "interrupted") once `cancelled()` is true: for a
        long read that a closing window abandons (the dashboard's figures at district scale)."""
        with self.session() as session:
            raw = session.connection().connection.driver_connection
            assert raw is not None
            raw.set_progress_handler(lambda: 1 if cancelled() else 0, 10_000)
            try:
                yield session
            finally:
                raw.set_progress_handler(None, 0)

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session
            session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

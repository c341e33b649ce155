"""Bulk INSERTs for many rows at once, in the caller's transaction (issue 17: the ledger import).

SQLAlchemy's executemany of an ORM insert spends most of its time per row in Python (building the
parameters of each row, the types' conversions). Here each column's conversion is SQLAlchemy's own
(the types' bind processors: datetimes, dates and booleans are stored exactly as the ORM stores them),
applied in one loop, and the rows go to SQLite as a few multi-row `INSERT … VALUES (…), (…), …`
statements. Several rows in one statement matter for a table with a full-text index kept by a trigger
(organizations → org_search): FTS5 writes its pending terms out at the end of every statement, so 5,000
one-row statements made 5,000 small index segments to merge (5.8 s here) where a handful of statements
make a handful (1.7 s).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import FromClause, Table
from sqlalchemy.orm import Session

# SQLite's own default limit of bound variables per statement since 3.32; the connection's limit is read
# when the driver can tell it (Python 3.11: Connection.getlimit).
_DEFAULT_VARIABLES = 32_766


def _variable_limit(dbapi_conn: Any) -> int:
    getlimit = getattr(dbapi_conn, "getlimit", None)
    if getlimit is None:
        return 999  # SQLite before 3.32
    try:
        return max(1, min(int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)), _DEFAULT_VARIABLES))
    except (sqlite3.Error, AttributeError, TypeError, ValueError):
        return 999


def insert_rows(session: Session, table: FromClause, rows: Sequence[Mapping[str, object]]) -> int:
    """INSERT `rows` (every row with the same keys, each a column of `table`) into `table`, converted as the
    ORM converts them, in as few statements as SQLite allows. Columns left out must have no Python-side
    default (SQLAlchemy would have filled it in; this does not): naming one is a programming error.
    Returns the number of rows written."""
    if not rows:
        return 0
    names = tuple(rows[0])
    take = itemgetter(*names)
    if len(names) == 1:
        return insert_tuples(session, table, names, [(take(row),) for row in _same_keys(table, names, rows)])
    return insert_tuples(session, table, names, [take(row) for row in _same_keys(table, names, rows)])


def _same_keys(table: FromClause, names: tuple[str, ...], rows: Sequence[Mapping[str, object]]) \
        -> Sequence[Mapping[str, object]]:
    if any(len(row) != len(names) for row in rows):  # and each has every name (itemgetter: KeyError)
        raise ValueError(f"insert_rows({table.description}): every row must have the same columns")
    return rows


def insert_tuples(session: Session, table: FromClause, names: Sequence[str], rows: Sequence[Sequence[object]]) -> int:
    """INSERT `rows`, each a tuple of the values of the columns `names`, as insert_rows does."""
    if not isinstance(table, Table):
        raise TypeError(f"insert_tuples: {table!r} is not a table")
    if not rows:
        return 0
    columns = [table.c[n] for n in names]  # KeyError: not a column of the table
    missing = [c.name for c in table.c if c.name not in names and c.default is not None]
    if missing:
        raise ValueError(f"insert_rows({table.name}): give a value for {', '.join(missing)}")
    session.flush()  # what the session holds goes first, as an ORM insert would autoflush it
    conn = session.connection()
    width = len(columns)
    flat: list[object] = []
    for row in rows:
        if len(row) != width:
            raise ValueError(f"insert_rows({table.name}): {len(row)} values for {width} columns")
        flat.extend(row)
    for i, column in enumerate(columns):
        # SQLAlchemy's own conversion of the column's type (datetimes and dates as text, booleans as 0/1);
        # a value repeated (one time stamp for a whole batch) is converted once.
        process: Callable[[Any], Any] | None = column.type._cached_bind_processor(conn.dialect)
        if process is None:
            continue
        last_in: object = None
        last_out: object = None
        for at in range(i, len(flat), width):
            value = flat[at]
            if value is None:
                continue
            if value is not last_in:
                last_in, last_out = value, process(value)
            flat[at] = last_out
    per = max(1, _variable_limit(conn.connection.driver_connection) // width)
    head = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES "
    one = "(" + ", ".join("?" * width) + ")"
    for start in range(0, len(rows), per):
        n = min(per, len(rows) - start)
        conn.exec_driver_sql(head + ", ".join([one] * n), tuple(flat[start * width:(start + n) * width]))
    return len(rows)

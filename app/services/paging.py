"""Keyset ("seek") paging for the lists (issue 17).

`ORDER BY … OFFSET n` makes the database walk and throw away n rows, so the last page of 100,000
agreements cost seconds. A list instead asks for the rows *after* the last one it holds, by that
row's place in the order (its page key: the sort value(s) and the id that breaks ties); with an index
on the order the database starts right there.

The order must end in the record's id (unique), so that every row has exactly one place. NULLs sort
as SQLite sorts them: first when ascending, last when descending.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, tuple_
from sqlalchemy.orm import QueryableAttribute

PageKey = tuple[Any, ...]
"""The sort value(s) of a row followed by its id, as the list's rows carry it (`row.page_key`)."""


def after(columns: Sequence[ColumnElement[Any] | QueryableAttribute[Any]], key: PageKey | Sequence[Any], descending: bool = False,
          nullable: bool = False) -> ColumnElement[bool]:
    """Rows that come after `key` in ORDER BY columns (all ascending, or all descending).

    `columns` ends with the id; only the first column may be NULL (`nullable`).
    """
    key = tuple(key)
    if len(key) != len(columns):
        raise ValueError(f"page key {key!r} does not fit {len(columns)} columns")
    first, rest = columns[0], columns[1:]
    if not nullable or key[0] is not None:
        beyond = tuple_(*columns) < tuple_(*key) if descending else tuple_(*columns) > tuple_(*key)
        if nullable and descending:  # NULLs come last when descending
            return or_(beyond, first.is_(None))
        return beyond
    # The key's sort value is NULL.
    tail = (tuple_(*rest) < tuple_(*key[1:])) if descending else (tuple_(*rest) > tuple_(*key[1:]))
    within_nulls = and_(first.is_(None), tail)
    return within_nulls if descending else or_(first.is_not(None), within_nulls)


class AtLeast(int):
    """A count that stopped early: at least this many rows match (a search fragment found in tens of
    thousands of records is not counted to the end for its first page). A list shows it as such
    ("at least 10,000") and goes on loading pages until one comes back short."""

"""The acting user, and running a use case as one unit of work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.errors import DatabaseRefused
from app.i18n import _
from app.services import changes
from app.services.actors import SYSTEM as SYSTEM  # re-exported: Actor and SYSTEM lived here
from app.services.actors import Actor as Actor
from app.services.changes import OpResult
from app.store.db import Database

P = ParamSpec("P")
T = TypeVar("T")


class Desk:
    """The database plus the acting user: what the window and the command line both hold."""

    def __init__(self, db: Database, actor: Actor = SYSTEM) -> None:
        self.db = db
        self.actor = actor

    def run(self, fn: Callable[Concatenate[Session, Actor, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a use case in its own transaction: all of it is saved, or none of it."""
        try:
            with self.db.session() as session:
                return fn(session, self.actor, *args, **kwargs)
        except IntegrityError as exc:  # never the raw "sqlite3.IntegrityError … FOREIGN KEY" to a person
            raise _refused() from exc

    def read_cancellable(self, cancelled: Callable[[], bool], fn: Callable[Concatenate[Session, Actor, P], T],
                         *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a reading use case that stops (an OperationalError) as soon as `cancelled()` is true."""
        with self.db.cancellable_session(cancelled) as session:
            return fn(session, self.actor, *args, **kwargs)

    def run_op(self, fn: Callable[Concatenate[Session, Actor, P], object], *args: P.args,
               **kwargs: P.kwargs) -> OpResult[object]:
        """Like `run`, and also what the use case changed (known once the transaction has committed)."""
        try:
            with self.db.session() as session:
                result = fn(session, self.actor, *args, **kwargs)
                noted = changes.collected(session)
        except IntegrityError as exc:
            raise _refused() from exc
        value, changed = changes.split(result, noted)
        return OpResult(value, changed)


def _refused() -> DatabaseRefused:
    return DatabaseRefused(_("The change was refused because other records depend on this one or "
                             "it would duplicate one; nothing was saved."))

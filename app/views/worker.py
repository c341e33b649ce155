"""Running service calls off the GUI thread and handing results back by signal.

A single worker thread does all database work (SQLite wants one writer), so the window never
freezes and calls complete in the order they were made.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import isValid

from app.views.changes_bus import ChangesBus

if TYPE_CHECKING:  # imported when first needed: the log-in window appears before SQLAlchemy loads
    from app.services.context import Desk


class _Relay(QObject):
    finished = Signal(object, object)  # (result, error)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result, error = self.fn(), None
        except Exception as exc:  # handed to the GUI thread, shown there
            # The traceback text rides on the exception to the GUI thread's log (an attribute of our own).
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]  # our own attribute
            result, error = None, exc
        self.relay.finished.emit(result, error)


class Worker(QObject):
    """Owns the Desk (database + acting user) on behalf of the window, and the change bus.

    After a write commits, what it changed (`Changes`) is published on `bus`, so every open
    screen that shows those records can refresh; `on_done` receives the service's value.

    `desk` may be None at the window's start: the first job queued opens the database and sets it
    (app.views.startup_check), so every `call` queued behind it finds it.
    """

    busy_changed = Signal(bool)

    def __init__(self, desk: Desk | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.bus = ChangesBus(self)
        self._pending: set[_Relay] = set()
        # Long reads (the dashboard's figures: minutes at district scale) on a thread of their own, so the
        # lists and saves queued on `pool` do not wait behind them; SQLite (WAL) reads beside the writer.
        self.reader = QThreadPool(self)
        self.reader.setMaxThreadCount(1)
        self._read_generation = 0

    def call(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[Exception], None] | None = None, **kwargs: Any) -> None:
        """Run `fn(session, actor, *args, **kwargs)` in one transaction on the worker thread.

        `on_done` gets the service's value (an OpResult's `.value`); its changes go to `bus`.
        """
        self.submit(lambda: self._desk().run_op(fn, *args, **kwargs), on_done=on_done, on_error=on_error)

    def _desk(self) -> Desk:
        assert self.desk is not None, "the database is opened by the first job queued"
        return self.desk

    def submit(self, job: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[Exception], None] | None = None) -> None:
        """Run any callable on the worker thread (for work that is not one unit of work, e.g. an import)."""
        relay = _Relay()
        self._pending.add(relay)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)

        @Slot(object, object)
        def _finished(result: Any, error: Any) -> None:
            if not isValid(self):  # the window (and its worker) closed while the job ran: nobody to tell
                return
            self._pending.discard(relay)
            if not self._pending:
                self.busy_changed.emit(False)
            if error is not None:
                if on_error is not None:
                    on_error(error)
                else:
                    from app.views.messages import show_error

                    show_error(None, error)
            else:
                from app.services import changes as changes_log
                from app.services.changes import OpResult

                value, changed = changes_log.split(result)
                if isinstance(result, OpResult):
                    result = value
                if on_done is not None:
                    on_done(result)
                self.bus.publish(changed)

        relay.finished.connect(_finished)
        self.pool.start(_Job(job, relay))

    def read(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[Exception], None] | None = None, **kwargs: Any) -> None:
        """Run the reading use case `fn(session, actor, *args, **kwargs)` on the reading thread; `cancel_reads`
        stops it (its result is then dropped). It must not write: nothing is published on the bus."""
        generation = self._read_generation
        relay = _Relay()
        self._pending.add(relay)

        def cancelled() -> bool:
            return generation != self._read_generation

        @Slot(object, object)
        def _finished(result: Any, error: Any) -> None:
            if not isValid(self):
                return
            self._pending.discard(relay)
            if cancelled():
                return
            if error is not None:
                if on_error is not None:
                    on_error(error)
                else:
                    from app.views.messages import show_error

                    show_error(None, error)
            elif on_done is not None:
                on_done(result)

        relay.finished.connect(_finished)
        self.reader.start(_Job(lambda: self._desk().read_cancellable(cancelled, fn, *args, **kwargs), relay))

    @property
    def read_generation(self) -> int:
        """Changes with every `cancel_reads`: a read started in an older generation never answers."""
        return self._read_generation

    def cancel_reads(self, msecs: int = 30000) -> bool:
        """Stop the long reads under way or queued (before a log-out, a rebuild or the window's end)."""
        self._read_generation += 1
        return self.reader.waitForDone(msecs)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until queued work is done (tests and shutdown only)."""
        done = self.pool.waitForDone(msecs)
        return self.reader.waitForDone(msecs) and done

"""Running service calls off the GUI thread and handing results back by signal.

A single worker thread does all database work (SQLite wants one writer), so the window never
freezes and calls complete in the order they were made.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import isValid

from app.services import changes as changes_log
from app.services.changes import OpResult
from app.services.context import Desk
from app.views.changes_bus import ChangesBus


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
    """

    busy_changed = Signal(bool)

    def __init__(self, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.bus = ChangesBus(self)
        self._pending: set[_Relay] = set()

    def call(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[Exception], None] | None = None, **kwargs: Any) -> None:
        """Run `fn(session, actor, *args, **kwargs)` in one transaction on the worker thread.

        `on_done` gets the service's value (an OpResult's `.value`); its changes go to `bus`.
        """
        self.submit(lambda: self.desk.run_op(fn, *args, **kwargs), on_done=on_done, on_error=on_error)

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
                value, changed = changes_log.split(result)
                if isinstance(result, OpResult):
                    result = value
                if on_done is not None:
                    on_done(result)
                self.bus.publish(changed)

        relay.finished.connect(_finished)
        self.pool.start(_Job(job, relay))

    def wait(self, msecs: int = 30000) -> bool:
        """Block until queued work is done (tests and shutdown only)."""
        return self.pool.waitForDone(msecs)

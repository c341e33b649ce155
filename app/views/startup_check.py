"""The start-up checks of the database, run on the worker while the log-in window waits.

`app.store.startup.open_unchecked` opens the file in milliseconds with every write refused; this
object runs the rest (`finish_checks`: quick check, a pending migration, foreign-key check) on the
window's worker thread, then the registry's defaults, and the day's first backup on a thread of its
own (a backup of a large file takes seconds and must not hold up the first lists). The log-in window
asks `when_passed` before it checks a password (a log-in writes: the failure counter, the audit trail);
a failure (`failed`) refuses the log-in and leads to the recovery dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.services.context import Desk
from app.services.orgs import ensure_registry_defaults
from app.store import startup
from app.store.db import Database
from app.views.worker import Worker

RUNNING, PASSED, FAILED = "running", "passed", "failed"


class _Relay(QObject):
    finished = Signal(object, object)  # (result, error)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn, self.relay = fn, relay

    def run(self) -> None:
        try:
            result, error = self.fn(), None
        except Exception as exc:  # noqa: BLE001 - a failed daily backup is a warning, never a crash
            result, error = None, exc
        self.relay.finished.emit(result, error)


class StartupCheck(QObject):
    """`state`: running, passed or failed (`error` then holds the StartupError to show)."""

    passed = Signal()
    failed = Signal(object)  # the StartupError (DamagedDatabase: offer the newest good backup)

    def __init__(self, worker: Worker, db: Database, report: startup.StartupReport,
                 today: date | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent or worker)
        self.worker = worker
        self.db = db
        self.report = report
        self.today = today
        self.state = RUNNING if db.writes_held else PASSED
        self.error: Exception | None = None
        self._waiting: list[Callable[[], None]] = []
        self._backups = QThreadPool(self)
        self._backups.setMaxThreadCount(1)
        self._relay: _Relay | None = None

    def start(self) -> None:
        """Queue the checks on the worker (after whatever the log-in window asked for already)."""
        if self.state != RUNNING:
            return
        db, report = self.db, self.report

        def checks() -> None:
            startup.finish_checks(db, report)
            Desk(db).run(ensure_registry_defaults)  # the first write, once the file has passed

        self.worker.submit(checks, on_done=lambda _r: self._passed(), on_error=self._failed)

    def when_passed(self, fn: Callable[[], None]) -> None:
        """Run `fn` once the checks have passed (at once if they have); never if they fail."""
        if self.state == PASSED:
            fn()
        elif self.state == RUNNING:
            self._waiting.append(fn)

    def _passed(self) -> None:
        self.state = PASSED
        self._start_daily_backup()
        waiting, self._waiting = self._waiting, []
        self.passed.emit()
        for fn in waiting:
            fn()

    def _failed(self, error: Exception) -> None:
        self.state = FAILED
        self.error = error
        self._waiting.clear()
        self.failed.emit(error)

    def _start_daily_backup(self) -> None:
        db, report, today = self.db, self.report, self.today
        relay = _Relay()
        relay.finished.connect(self._backup_done)
        self._relay = relay
        self._backups.start(_Job(lambda: startup.daily_backup(db, report, today), relay))

    @Slot(object, object)
    def _backup_done(self, _result: Any, error: Any) -> None:
        self._relay = None
        if error is not None:
            self.report.warnings.append(str(getattr(error, "message", error)))

    def wait(self, msecs: int = 60000) -> bool:
        """Block until the checks and the daily backup are done (shutdown and tests only)."""
        done = self.worker.wait(msecs)
        return self._backups.waitForDone(msecs) and done

"""The start-up checks of the database, run on the worker while the log-in window waits.

`app.store.startup.open_unchecked` opens the file in milliseconds with every write refused; this
object runs the rest (`finish_checks`: quick check, a pending migration, foreign-key check) on the
window's worker thread, then the registry's defaults, and the day's first backup on a thread of its
own (a backup of a large file takes seconds and must not hold up the first lists). The log-in window
asks `when_passed` before it checks a password (a log-in writes: the failure counter, the audit trail);
a failure (`failed`) refuses the log-in and leads to the recovery dialog.

At the usual start the database is not even open yet when the log-in window appears (issue 17: SQLAlchemy
and the models take most of a second to import): the window holds only the instance lock
(app.services.login_start), and `StartupCheck.opening` opens the file with SQLAlchemy as the first part of
the checks' job, on the worker. This module therefore imports the store and the services when the job runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from app.views.background_job import Job, Relay
from app.views.worker import Worker

if TYPE_CHECKING:
    from app.store import startup
    from app.store.db import Database
    from app.store.lock import InstanceLock

RUNNING, PASSED, FAILED = "running", "passed", "failed"




class StartupCheck(QObject):
    """`state`: running, passed or failed (`error` then holds the StartupError to show)."""

    passed = Signal()
    failed = Signal(object)  # the StartupError (DamagedDatabase: offer the newest good backup)
    opened = Signal()  # `opening`: the database is open (SQLAlchemy and the services are imported)

    def __init__(self, worker: Worker, db: Database | None, report: startup.StartupReport | None,
                 today: date | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent or worker)
        self.worker = worker
        self.db = db
        self.report = report
        self.today = today
        self.state = RUNNING if db is None or db.writes_held else PASSED
        self.error: Exception | None = None
        self._waiting: list[Callable[[], None]] = []
        self._backups = QThreadPool(self)
        self._backups.setMaxThreadCount(1)
        self._relay: Relay | None = None
        self._open: tuple[Path, InstanceLock] | None = None
        self._opened = Relay()
        self._opened.finished.connect(lambda *_a: self.opened.emit())

    @classmethod
    def opening(cls, worker: Worker, path: Path, lock: InstanceLock, today: date | None = None) -> StartupCheck:
        """The checks of a file not opened yet, whose instance lock the window holds: the job opens it
        (open_unchecked, every write refused), sets the worker's desk, then runs the checks."""
        check = cls(worker, None, None, today)
        check._open = (Path(path), lock)
        return check

    def start(self) -> None:
        """Queue the checks on the worker (after whatever the log-in window asked for already)."""
        if self.state != RUNNING or getattr(self, "_started", False):
            return
        self._started = True
        to_open, worker = self._open, self.worker

        def checks() -> None:
            from app.services.context import Desk
            from app.services.orgs import ensure_registry_defaults
            from app.store import startup

            if to_open is not None:  # read by the GUI thread only after `opened`, `passed` or `failed`
                self.db, self.report = startup.open_unchecked(*to_open)
                worker.desk = Desk(self.db)
                self._opened.finished.emit(None, None)
            assert self.db is not None and self.report is not None
            startup.finish_checks(self.db, self.report)
            Desk(self.db).run(ensure_registry_defaults)  # the first write, once the file has passed

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
        from app.store import startup

        db, report, today = self.db, self.report, self.today
        assert db is not None and report is not None
        relay = Relay()
        relay.finished.connect(self._backup_done)
        self._relay = relay
        self._backups.start(Job(lambda: startup.daily_backup(db, report, today), relay))

    @Slot(object, object)
    def _backup_done(self, _result: Any, error: Any) -> None:
        self._relay = None
        if error is not None and self.report is not None:
            self.report.warnings.append(str(getattr(error, "message", error)))

    def wait(self, msecs: int = -1) -> bool:
        """Block until the checks and the daily backup are done (shutdown and tests only). By default with
        no time limit: closing the database under a backup still being written (a district's file takes
        minutes on a slow disk) crashed the process at exit."""
        done = self.worker.wait(msecs)
        return self._backups.waitForDone(msecs) and done

    def close(self) -> None:
        """After `wait`: close the database (releasing the instance lock), or release the lock when the
        file was never opened."""
        if self.db is not None:
            self.db.dispose()
        elif self._open is not None:
            self._open[1].release()

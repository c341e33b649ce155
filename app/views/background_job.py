"""One function run on a QThreadPool, its result or error handed back to the GUI thread by a signal.

Used by the start-up checks (the day's backup) and the recovery dialog (a restore): work that must not
hold the GUI thread and is not a service call through the worker's queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal


class Relay(QObject):
    finished = Signal(object, object)  # (result, error)


class Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: Relay) -> None:
        super().__init__()
        self.fn, self.relay = fn, relay

    def run(self) -> None:
        try:
            result, error = self.fn(), None
        except Exception as exc:  # noqa: BLE001 - handed to the caller, which shows it or warns
            result, error = None, exc
        self.relay.finished.emit(result, error)

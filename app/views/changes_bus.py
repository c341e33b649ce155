"""One bus for "records changed": the worker publishes each write's Changes; open screens listen.

A page connects `bus.changed` and refreshes only when `changes.touches(kind)` for the records it
shows: a list updates the touched rows in place (selection and scroll kept), a form reloads
its record. The bus carries plain data (a frozen `Changes`), on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.services.changes import Changes


class ChangesBus(QObject):
    changed = Signal(object)  # a Changes

    def publish(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)

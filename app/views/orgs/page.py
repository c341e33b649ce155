"""Temporary registry page (replaced by the full list and form)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.i18n import _
from app.views.worker import Worker


class OrganizationsPage(QWidget):
    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        QVBoxLayout(self).addWidget(QLabel(_("Organizations")))

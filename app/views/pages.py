"""Simple pages: the dashboard, and plain notices for screens that later versions fill."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.i18n import _
from app.services import dashboard
from app.views.worker import Worker


def page_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("page_title")
    label.setStyleSheet("font-size: 16pt; font-weight: bold; margin-bottom: 6px;")
    return label


class PlaceholderPage(QWidget):
    """Says plainly that the screen comes later, instead of being blank."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(page_title(title))
        note = QLabel(text)
        note.setObjectName("placeholder_note")
        note.setWordWrap(True)
        note.setStyleSheet("font-size: 11pt; color: #555; padding: 16px; background: #fafafa;"
                           "border: 1px dashed #bbb; border-radius: 6px;")
        layout.addWidget(note)
        layout.addStretch(1)


class DashboardPage(QWidget):
    def __init__(self, worker: Worker, go_to: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        self.title = page_title(_("Dashboard"))
        layout.addWidget(self.title)
        self.office = QLabel()
        self.office.setStyleSheet("font-size: 12pt; color: #333;")
        layout.addWidget(self.office)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        self.tiles: dict[str, QLabel] = {}
        for i, (key, text) in enumerate([("total", _("Organizations")), ("eligible", _("Eligible")),
                                         ("ineligible", _("Not eligible")), ("support", _("Supporting organizations"))]):
            tile = QLabel()
            tile.setObjectName(f"tile_{key}")
            tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
            tile.setMinimumSize(170, 90)
            tile.setStyleSheet("background: #f3f5f8; border-radius: 8px; font-size: 11pt; padding: 8px;")
            tile.setProperty("caption", text)
            self.tiles[key] = tile
            grid.addWidget(tile, 0, i)
        layout.addLayout(grid)
        open_orgs = QPushButton(_("Open the organization registry"))
        open_orgs.clicked.connect(lambda: go_to("organizations"))
        open_orgs.setMaximumWidth(260)
        layout.addSpacing(12)
        layout.addWidget(open_orgs)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        self.worker.call(dashboard.overview, on_done=self._show)

    def _show(self, data: dashboard.Overview) -> None:
        self.office.setText(data.office_name or _("(office name not set)"))
        values = {"total": data.organizations, "eligible": data.eligible, "ineligible": data.ineligible,
                  "support": data.support_orgs}
        for key, tile in self.tiles.items():
            tile.setText(f"<div style='font-size:22pt;font-weight:bold'>{values[key]}</div>"
                         f"<div>{tile.property('caption')}</div>")

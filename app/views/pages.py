"""Simple pages: the page title, and plain notices for screens that later versions fill."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


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

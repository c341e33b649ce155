"""Labels and small widgets shared by the printing dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.i18n import N_, _
from app.services import templates

# Template kinds, and the printing kind "agreement" (which picks the contract or the community form).
KIND_LABELS = {**templates.KINDS, "agreement": N_("Agreement")}

ERROR_STYLE = ("QLabel { color: #9b1c1c; background: #fdecec; border: 1px solid #f2b8b5; border-radius: 4px;"
               " padding: 8px; }")
OK_STYLE = ("QLabel { color: #14532d; background: #e9f7ef; border: 1px solid #a7d7b8; border-radius: 4px;"
            " padding: 8px; }")
WARN_STYLE = ("QLabel { color: #7a4b00; background: #fff6e0; border: 1px solid #f0d089; border-radius: 4px;"
              " padding: 8px; }")


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def banner(object_name: str) -> QLabel:
    """A word-wrapped message strip, hidden until it has something to say."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_banner(label: QLabel, text: str, style: str = ERROR_STYLE) -> None:
    label.setStyleSheet(style)
    label.setText(text)
    label.setVisible(bool(text))

"""Showing a ValidationError at its fields: each field has an error line under it, a red frame when
it is wrong, and the problem box at the top of the form lists them all (as the organization form does).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.eligibility import EligibilityResult
from app.domain.errors import FieldProblem
from app.i18n import _

ERROR_STYLE = "color: #b3261e;"
OK_STYLE = "color: #1b7f3b;"
INVALID_FIELD = "invalid"  # dynamic property used by FORM_STYLE
FORM_STYLE = (
    "QLineEdit[invalid=\"true\"], QPlainTextEdit[invalid=\"true\"], QComboBox[invalid=\"true\"],"
    " QListWidget[invalid=\"true\"], QTableWidget[invalid=\"true\"], QTableView[invalid=\"true\"],"
    " QSpinBox[invalid=\"true\"] { border: 2px solid #d93025; }"
)
PROBLEM_BOX_STYLE = ("background: #fdecea; color: #8c1d18; border: 1px solid #f1b0a8; border-radius: 4px;"
                     " padding: 8px;")


def problem_box() -> QLabel:
    box = QLabel()
    box.setObjectName("problem_box")
    box.setWordWrap(True)
    box.setStyleSheet(PROBLEM_BOX_STYLE)
    box.hide()
    return box


class FieldErrors:
    """The fields of one form by machine name, with their error lines and the tab each is on."""

    def __init__(self, box: QLabel, tabs: QTabWidget | None = None) -> None:
        self.box = box
        self.tabs = tabs
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.tab_of: dict[str, int] = {}
        self.problems: list[FieldProblem] = []  # shown now; a field's own go when the field is edited

    def register(self, name: str, widget: QWidget, tab: int = 0) -> QLabel:
        """Know `widget` as field `name`; returns its (hidden) error line for the caller to place."""
        widget.setObjectName(f"field_{name}")
        self.fields[name] = widget
        self.tab_of[name] = tab
        err = QLabel()
        err.setObjectName(f"error_{name}")
        err.setStyleSheet(ERROR_STYLE)
        err.setWordWrap(True)
        err.hide()
        self.errors[name] = err
        self._watch(name, widget)
        return err

    def _watch(self, name: str, widget: QWidget) -> None:
        """Editing a field that was reported wrong takes its report away (the next save checks again)."""
        signal: Any = None
        if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
            signal = widget.textChanged
        elif isinstance(widget, QComboBox):
            signal = widget.currentIndexChanged
        elif isinstance(widget, QAbstractButton):
            signal = widget.toggled
        elif isinstance(widget, QAbstractSpinBox):
            signal = getattr(widget, "valueChanged", None) or getattr(widget, "dateChanged", None)
        elif isinstance(widget, QListWidget | QTableWidget):
            signal = widget.itemChanged
        if signal is not None:
            signal.connect(lambda *_args: self.edited(name))

    def edited(self, name: str) -> None:
        widget = self.fields.get(name)
        gone = [p for p in self.problems if p.field == name or (widget is not None and self.fields.get(p.field) is widget)]
        if not gone:
            return
        for p in gone:
            self.mark(p.field, "")
        self.problems = [p for p in self.problems if p not in gone]
        self._show_box()

    def add_row(self, form: QFormLayout, name: str, widget: QWidget, label: str, tab: int = 0,
                extra: QWidget | None = None) -> QWidget:
        """A form row: the widget, optional extra lines, and the error line under it."""
        err = self.register(name, widget, tab)
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(widget)
        if extra is not None:
            v.addWidget(extra)
        v.addWidget(err)
        form.addRow(label, box)
        return box

    def alias(self, name: str, same_as: str) -> None:
        """A service field shown at another field's widget (e.g. "consortium" at the undertaker picker)."""
        self.fields[name] = self.fields[same_as]
        self.errors[name] = self.errors[same_as]
        self.tab_of[name] = self.tab_of[same_as]

    def mark(self, name: str, reason: str) -> None:
        widget = self.fields.get(name)
        err = self.errors.get(name)
        if widget is not None:
            widget.setProperty(INVALID_FIELD, bool(reason))
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        if err is not None:
            err.setText(reason)
            err.setVisible(bool(reason))

    def clear(self) -> None:
        """After a successful save: no report stays."""
        for name in self.fields:
            self.mark(name, "")
        self.problems = []
        self.show_text("")

    def _show_box(self) -> None:
        self.show_text(_("Nothing was saved. Please correct:") + "\n" + "\n".join("• " + str(p) for p in self.problems)
                       if self.problems else "")

    def show_text(self, text: str) -> None:
        self.box.setText(text)
        self.box.setVisible(bool(text))

    def show_problems(self, problems: list[FieldProblem], only: set[str] | None = None) -> None:
        """Every problem next to its field and all of them in the box; the first one's tab comes forward."""
        names = set(self.fields) if only is None else only
        for name in names:
            self.mark(name, "")
        by_field: dict[str, list[str]] = {}
        for p in problems:
            by_field.setdefault(p.field, []).append(p.reason)
        for name, reasons in by_field.items():
            if name in self.fields:
                self.mark(name, "；".join(reasons))
        self.problems = list(problems)
        self._show_box()
        first = next((p.field for p in problems if p.field in self.fields), None)
        if first is not None:
            if self.tabs is not None:
                self.tabs.setCurrentIndex(self.tab_of[first])
            self.fields[first].setFocus(Qt.FocusReason.OtherFocusReason)


ELIGIBLE_STYLE = "background: #e7f4ea; color: #0f5223; padding: 10px; border-radius: 4px;"
WARNED_STYLE = "background: #fff4e0; color: #6b4500; padding: 10px; border-radius: 4px;"
INELIGIBLE_STYLE = "background: #fbe9e7; color: #8c1d18; padding: 10px; border-radius: 4px;"


def show_eligibility(banner: QLabel, result: EligibilityResult, eligible_title: str, ineligible_title: str,
                     after: str = "") -> None:
    """An eligibility banner: the verdict, its reasons, and warnings that do not block (in amber)."""
    def items(lines: tuple[str, ...]) -> str:
        return "<ul style='margin:4px 0 0 0'>{}</ul>".format("".join(f"<li>{html.escape(x)}</li>" for x in lines))

    if result.eligible:
        text = f"<b>{html.escape(eligible_title)}</b>"
        if result.warnings:
            text += html.escape(_("Note:")) + items(result.warnings)
        style = WARNED_STYLE if result.warnings else ELIGIBLE_STYLE
    else:
        text = f"<b>{html.escape(ineligible_title)}</b>" + items(result.reasons + result.warnings) + html.escape(after)
        style = INELIGIBLE_STYLE
    banner.setText(text)
    banner.setStyleSheet(style)

"""The payment schedule editor: instalments as amounts or percentages, with the live total.

The total is worked out by `app.domain.schedule.amounts`, the very function the agreement service
saves with, so the form never shows a total the service would not save (1000.01 at 50 %/50 %
shows ¥500.01 + ¥500.00 = ¥1,000.01, as saved).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import procurement as pc
from app.domain import schedule
from app.domain.money import parse_amount
from app.i18n import _, format_amount
from app.services.agreements import InstalmentInput
from app.views.form_helpers import ERROR_STYLE, OK_STYLE

I_AMOUNT, I_PERCENT, I_CONDITION, I_MILESTONE = range(4)
MUTED = "color: #555;"


class InstalmentEditor(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.amount: Decimal | None = None
        self.free = False
        self.editable = True
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        t = self.table = QTableWidget(0, 4)
        t.setHorizontalHeaderLabels([_("Amount (yuan)"), _("Percentage (%)"), _("Condition"), _("Milestone")])
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setAlternatingRowColors(True)
        hh = t.horizontalHeader()
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        hh.setHighlightSections(False)
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.resizeSection(I_AMOUNT, 150)
        hh.resizeSection(I_PERCENT, 110)
        hh.resizeSection(I_CONDITION, 250)
        hh.setStretchLastSection(True)
        t.verticalHeader().setDefaultSectionSize(32)
        t.itemChanged.connect(lambda _item: self.update_total())
        v.addWidget(t, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton(_("Add instalment"))
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.clicked.connect(self.remove_row)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        self.total_label = QLabel()
        self.total_label.setObjectName("instalment_total")
        self.total_label.setStyleSheet("font-size: 11pt;")
        row.addWidget(self.total_label)
        v.addLayout(row)

    # -- filling ----------------------------------------------------------------------------

    def set_rows(self, rows: Iterable[InstalmentInput]) -> None:
        self.table.setRowCount(0)
        for i in rows:
            self.add_row("" if i.amount is None else str(i.amount), "" if i.percent is None else str(i.percent),
                         i.condition, i.milestone)
        self.update_total()

    def add_row(self, amount: str = "", percent: str = "", condition: str = "on_signing", milestone: str = "") -> None:
        t = self.table
        t.blockSignals(True)
        r = t.rowCount()
        t.insertRow(r)
        for col, text in ((I_AMOUNT, amount), (I_PERCENT, percent)):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(r, col, item)
        combo = QComboBox()
        for value, text in pc.INSTALMENT_CONDITIONS.items():
            combo.addItem(_(text), value)
        combo.setCurrentIndex(max(0, combo.findData(condition)))
        combo.currentIndexChanged.connect(lambda _i: self.update_total())
        combo.setEnabled(self.editable)
        t.setCellWidget(r, I_CONDITION, combo)
        t.setItem(r, I_MILESTONE, QTableWidgetItem(milestone))
        t.blockSignals(False)
        self.update_total()

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.update_total()

    def set_amount(self, amount: Decimal | None) -> None:
        self.amount = amount
        self.update_total()

    def set_free(self, free: bool) -> None:
        self.free = free
        self._enable()
        self.update_total()

    def set_editable(self, on: bool) -> None:
        self.editable = on
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers if on
                                   else QAbstractItemView.EditTrigger.NoEditTriggers)
        for r in range(self.table.rowCount()):
            combo = self.table.cellWidget(r, I_CONDITION)
            if combo is not None:
                combo.setEnabled(on)
        self._enable()

    def _enable(self) -> None:
        self.table.setEnabled(not self.free)
        self.add_button.setEnabled(not self.free and self.editable)
        self.remove_button.setEnabled(not self.free and self.editable)

    # -- reading ----------------------------------------------------------------------------

    def _cell(self, r: int, c: int) -> str:
        item = self.table.item(r, c)
        return item.text().strip() if item else ""

    def rows(self) -> list[InstalmentInput]:
        """What was typed, as the service's input (empty rows left out)."""
        items = []
        for r in range(self.table.rowCount()):
            combo = self.table.cellWidget(r, I_CONDITION)
            values = [self._cell(r, c) for c in (I_AMOUNT, I_PERCENT, I_MILESTONE)]
            if not any(values):
                continue  # an empty row the user added and left
            items.append(InstalmentInput(values[0] or None, values[1] or None,
                                         combo.currentData() if isinstance(combo, QComboBox) else "on_signing",
                                         values[2]))
        return items

    def _parsed(self) -> tuple[list[tuple[int, schedule.Line]], bool]:
        """The readable, non-empty rows (row number and schedule line), and whether some row could not be read."""
        out: list[tuple[int, schedule.Line]] = []
        unreadable = False
        for r in range(self.table.rowCount()):
            try:
                line = schedule.Line(parse_amount(self._cell(r, I_AMOUNT)), parse_amount(self._cell(r, I_PERCENT)))
            except ValueError:
                unreadable = True
                continue
            if line.amount is not None or line.percent is not None:
                out.append((r, line))
        return out, unreadable

    def amounts(self) -> list[Decimal | None]:
        """Each readable row's amount as the service will save it."""
        parsed, _unreadable = self._parsed()
        return schedule.amounts(self.amount, [line for _r, line in parsed])

    def update_total(self) -> None:
        if self.free:
            self.total_label.setText(_("Free of charge: no payments"))
            self.total_label.setStyleSheet(MUTED + " font-size: 11pt;")
            return
        parsed, unreadable = self._parsed()
        amount = self.amount
        computed = schedule.amounts(amount, [line for _r, line in parsed])
        total = sum((a or Decimal(0) for a in computed), Decimal(0))
        if amount is None:
            text, ok = _("Instalments total {total}").format(total=format_amount(total)), False
        elif total == amount and not unreadable:
            text, ok = _("Instalments total {total} = agreement amount").format(total=format_amount(total)), True
        else:
            text = _("Instalments total {total} of {amount} (difference {diff})").format(
                total=format_amount(total), amount=format_amount(amount), diff=format_amount(amount - total))
            ok = False
        self.total_label.setText(text)
        self.total_label.setStyleSheet((OK_STYLE if ok else ERROR_STYLE) + " font-size: 11pt;")
        # A percentage row's amount, as it will be saved, in its tooltip.
        self.table.blockSignals(True)
        for (r, line), value in zip(parsed, computed, strict=True):
            item = self.table.item(r, I_PERCENT)
            if item is not None:
                item.setToolTip(format_amount(value) if line.amount is None and value is not None else "")
        self.table.blockSignals(False)

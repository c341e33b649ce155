"""The holiday calendar (administrator): the years known, and entering a new year's official schedule.

chinesecalendar covers the years up to its release; every November the General Office of the
State Council (国务院办公厅) publishes next year's holidays and make-up working days. Until that
year is entered here, deadlines in it are flagged instead of guessed.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.dates import parse_date
from app.domain.errors import ValidationError
from app.i18n import _
from app.services import calendar
from app.views.form_helpers import FORM_STYLE, OK_STYLE, FieldErrors, problem_box
from app.views.messages import error_text
from app.views.worker import Worker

RANGE_SEPARATORS = ("~", "～", "至", "..")


def expand(text: str) -> list[str] | None:
    """"2027-10-01~2027-10-07" → each day; a single date → itself; None when it cannot be read as a range."""
    for sep in RANGE_SEPARATORS:
        if sep in text:
            first, _sep, last = text.partition(sep)
            try:
                a, b = parse_date(first.strip()), parse_date(last.strip())
            except ValueError:
                return None
            if a is None or b is None or b < a or (b - a).days > 40:
                return None
            return [(a + timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]
    return [text]


def _days_table() -> QTableWidget:
    t = QTableWidget(0, 2)
    t.setHorizontalHeaderLabels([_("Date or range"), _("Name")])
    t.verticalHeader().setVisible(False)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    h = t.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    h.resizeSection(0, 220)
    h.setStretchLastSection(True)
    return t


class HolidayCalendarDialog(QDialog):
    saved = Signal(int)  # the year entered

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.loaded = False
        self.saving = False
        self.setWindowTitle(_("Holiday calendar"))
        self.setStyleSheet(FORM_STYLE)
        self.resize(1000, 640)
        layout = QVBoxLayout(self)
        self.box = problem_box()
        layout.addWidget(self.box)
        self.errors = FieldErrors(self.box)
        row = QHBoxLayout()
        layout.addLayout(row, 1)

        known = QGroupBox(_("Years entered"))
        kv = QVBoxLayout(known)
        self.years = QTableWidget(0, 4)
        self.years.setObjectName("calendar_years")
        self.years.setHorizontalHeaderLabels([_("Year"), _("Source"), _("Holidays"), _("Make-up days")])
        self.years.verticalHeader().setVisible(False)
        self.years.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.years.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        yh = self.years.horizontalHeader()
        yh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        yh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        kv.addWidget(self.years)
        note = QLabel(_("The years listed as built in come with the program. Enter each new "
                        "year from the notice of the General Office of the State Council (published around "
                        "November). Deadlines in a year not entered are flagged, not guessed."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        kv.addWidget(note)
        known.setMaximumWidth(380)
        row.addWidget(known)

        entry = QGroupBox(_("Enter a year's schedule"))
        ev = QVBoxLayout(entry)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year + 1)
        self.year.setMaximumWidth(120)
        self.errors.add_row(form, "year", self.year, _("Year"))
        self.source = QLineEdit()
        self.source.setPlaceholderText(_("e.g. 国务院办公厅关于2027年部分节假日安排的通知"))
        self.errors.add_row(form, "source", self.source, _("Source document *"))
        ev.addLayout(form)
        hint = QLabel(_("Enter one date per line, or a range such as 2027-10-01~2027-10-07. Holidays include the "
                        "weekend days inside a holiday; make-up working days are the weekend days worked."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        ev.addWidget(hint)
        tables = QHBoxLayout()
        self.holidays = _days_table()
        self.holidays.setObjectName("holiday_days")
        self.workdays = _days_table()
        self.workdays.setObjectName("workday_days")
        for title, table in ((_("Holidays"), self.holidays), (_("Make-up working days"), self.workdays)):
            col = QVBoxLayout()
            col.addWidget(QLabel(f"<b>{title}</b>"))
            col.addWidget(table, 1)
            buttons = QHBoxLayout()
            add = QPushButton(_("Add"))
            add.clicked.connect(lambda _c=False, t=table: self.add_row(t))
            remove = QPushButton(_("Remove"))
            remove.clicked.connect(lambda _c=False, t=table: t.removeRow(t.currentRow()) if t.currentRow() >= 0
                                   else None)
            buttons.addWidget(add)
            buttons.addWidget(remove)
            buttons.addStretch(1)
            col.addLayout(buttons)
            tables.addLayout(col, 1)
        self.errors.register("days", self.holidays)
        ev.addLayout(tables, 1)
        ev.addWidget(self.errors.errors["days"])
        bottom = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("calendar_message")
        self.message.setWordWrap(True)
        bottom.addWidget(self.message, 1)
        self.save_button = QPushButton(_("Save the year"))
        self.save_button.setObjectName("save_year")
        self.save_button.clicked.connect(self.save)
        bottom.addWidget(self.save_button)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.reject)
        bottom.addWidget(close)
        ev.addLayout(bottom)
        row.addWidget(entry, 1)
        self.refresh()

    def refresh(self) -> None:
        self.worker.call(calendar.list_years, on_done=self._show_years,
                         on_error=lambda e: self.errors.show_text(error_text(e)))

    def _show_years(self, rows: list[calendar.YearRow]) -> None:
        self.years.setRowCount(len(rows))
        for r, y in enumerate(rows):
            source = _("built into the program") if y.source == calendar.SEED_SOURCE else y.source
            for c, value in enumerate((str(y.year), source, str(y.holidays), str(y.workdays))):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if c != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.years.setItem(r, c, item)
        if rows and not self.loaded:
            self.year.setValue(max(y.year for y in rows) + 1)
        self.loaded = True

    def add_row(self, table: QTableWidget, when: str = "", name: str = "") -> None:
        r = table.rowCount()
        table.insertRow(r)
        table.setItem(r, 0, QTableWidgetItem(when))
        table.setItem(r, 1, QTableWidgetItem(name))
        if not when:
            table.setCurrentCell(r, 0)
            table.editItem(table.item(r, 0))

    @staticmethod
    def _entries(table: QTableWidget) -> list[tuple[object, str]]:
        out: list[tuple[object, str]] = []
        for r in range(table.rowCount()):
            when = (table.item(r, 0).text() if table.item(r, 0) else "").strip()
            name = (table.item(r, 1).text() if table.item(r, 1) else "").strip()
            if not when and not name:
                continue
            for day in expand(when) or [when]:
                out.append((day, name))
        return out

    def save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.errors.clear()
        self.message.setText("")
        year = self.year.value()
        self.worker.call(calendar.set_year, year, self._entries(self.holidays), self._entries(self.workdays),
                         self.source.text(), on_done=lambda _r: self._saved(year), on_error=self._failed)

    def _saved(self, year: int) -> None:
        self.saving = False
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(_("The holiday schedule of {year} was saved; deadlines in {year} are counted with it.")
                             .format(year=year))
        self.saved.emit(year)
        self.refresh()

    def _failed(self, error: Exception) -> None:
        self.saving = False
        if isinstance(error, ValidationError):
            self.errors.show_problems(error.problems)
        else:
            self.errors.show_text(error_text(error))

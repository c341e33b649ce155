"""工作台: what is due today (one click opens the record) and the year's figures in charts.

The page shows `dashboard.Board`, computed by the service on the worker thread; it refreshes when
it is shown and when the change bus reports records it summarises.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMargins,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.i18n import _, format_amount, format_date
from app.services import dashboard, summary
from app.services.changes import Changes
from app.views.pages import page_title
from app.views.worker import Worker

try:  # QtCharts ships in PySide6-Addons; a bundle without it still shows the figures as text.
    from PySide6.QtCharts import (
        QBarCategoryAxis,
        QBarSeries,
        QBarSet,
        QChart,
        QChartView,
        QHorizontalBarSeries,
        QValueAxis,
    )

    HAVE_CHARTS = True
except ImportError:  # pragma: no cover - depends on the installed wheel
    HAVE_CHARTS = False

WATCHED = ("agreement", "project", "org", "assessment", "payment", "objection", "milestone", "settings",
           "holiday_calendar")
OVERDUE = QColor("#b3261e")
Index = QModelIndex | QPersistentModelIndex


class TodoModel(QAbstractTableModel):
    KIND, REFERENCE, UNDERTAKER, DUE, STATUS = range(5)
    RecordRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[dashboard.TodoItem] = []
        self.today = None

    def set_items(self, items: list[dashboard.TodoItem], today: Any) -> None:
        self.beginResetModel()  # the whole list is recomputed at once (a few dozen rows)
        self.items, self.today = list(items), today
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return [_("To do"), _("Agreement or project"), _("Undertaker"), _("Deadline"), _("Status")][section]
        return None

    def status(self, t: dashboard.TodoItem) -> str:
        if t.due is None:
            return _("No deadline") if t.kind == "sign" and t.record_kind == "agreement" else _("Calendar missing")
        if t.overdue:
            return _("Overdue by {n} days").format(n=(self.today - t.due).days) if self.today else _("Overdue")
        days = (t.due - self.today).days if self.today else 0
        return _("Due today") if days == 0 else _("In {n} days").format(n=days)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        t = self.items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.KIND:
                return t.label
            if col == self.REFERENCE:
                return t.reference
            if col == self.UNDERTAKER:
                return t.undertaker
            if col == self.DUE:
                if t.due is None:
                    return ""
                return format_date(t.due) + (_(" (working days)") if t.working_days else "")
            return self.status(t)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.DUE and t.working_days:
                return _("Counted in working days on the official holiday calendar")
            if col in (self.REFERENCE, self.UNDERTAKER):
                return t.reference if col == self.REFERENCE else t.undertaker
        if role == Qt.ItemDataRole.ForegroundRole:
            if t.overdue:
                return QBrush(OVERDUE)
            if col == self.REFERENCE:
                return QBrush(QColor("#1a5fb4"))
        if role == Qt.ItemDataRole.FontRole and (t.overdue and col == self.STATUS or col == self.REFERENCE):
            f = QFont()
            f.setBold(t.overdue and col == self.STATUS)
            f.setUnderline(col == self.REFERENCE)
            return f
        if role == self.RecordRole:
            return (t.record_kind, t.record_id)
        return None


def _tile(caption: str) -> QLabel:
    tile = QLabel()
    tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
    tile.setMinimumHeight(66)
    tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    tile.setStyleSheet("background: #f3f5f8; border-radius: 8px; font-size: 10pt; padding: 4px;")
    tile.setProperty("caption", caption)
    return tile


def _note_box(text: str) -> QLabel:
    box = QLabel(text)
    box.setWordWrap(True)
    box.setAlignment(Qt.AlignmentFlag.AlignCenter)
    box.setStyleSheet("color: #555; background: #fafafa; border: 1px dashed #bbb; border-radius: 6px; padding: 8px;")
    return box


def _wan(amount: Decimal) -> float:
    """Chart geometry only (bar lengths in 万元); every printed amount stays an exact Decimal."""
    return float(amount / 10000)


class DashboardPage(QWidget):
    record_opened = Signal(str, int)  # ("agreement" | "project", id)

    loads_when_built = True  # reads in __init__; the main window does not refresh it again at once

    def __init__(self, worker: Worker, go_to: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.go_to = go_to
        self._stale = True
        self.board: dashboard.Board | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        layout.setSpacing(8)
        top = QHBoxLayout()
        self.title = page_title(_("Dashboard"))
        top.addWidget(self.title)
        top.addStretch(1)
        # The figures of a district's data take long to compute (the other pages do not wait for them).
        self.computing = QLabel(_("Computing the figures…"))
        self.computing.setObjectName("computing")
        self.computing.setStyleSheet("color: #666;")
        self.computing.hide()
        top.addWidget(self.computing)
        self.office = QLabel()
        self.office.setStyleSheet("font-size: 11pt; color: #333;")
        top.addWidget(self.office)
        layout.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        self.tiles: dict[str, QLabel] = {}
        for i, (key, text) in enumerate([("in_force", _("Agreements in force this month")),
                                         ("signed", _("Signed this year")), ("todo", _("To do")),
                                         ("total", _("Organizations"))]):
            tile = _tile(text)
            tile.setObjectName(f"tile_{key}")
            self.tiles[key] = tile
            grid.addWidget(tile, 0, i)
        layout.addLayout(grid)
        charts = QHBoxLayout()
        charts.setSpacing(8)
        self.chart_slots: dict[str, QVBoxLayout] = {}
        for key in ("domain", "grades", "trend"):
            frame = QFrame()
            frame.setObjectName(f"chart_{key}")
            frame.setMinimumHeight(190)
            frame.setMaximumHeight(260)
            frame.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            slot = QVBoxLayout(frame)
            slot.setContentsMargins(0, 0, 0, 0)
            self.chart_slots[key] = slot
            if key == "grades":
                frame.setMaximumWidth(200)
            charts.addWidget(frame, 3 if key == "trend" else 1 if key == "grades" else 2)
        layout.addLayout(charts, 2)
        head = QHBoxLayout()
        todo_title = QLabel(_("To do today"))
        todo_title.setStyleSheet("font-size: 12pt; font-weight: bold;")
        head.addWidget(todo_title)
        self.not_yet = QLabel()
        self.not_yet.setObjectName("todo_not_yet")
        self.not_yet.setStyleSheet("color: #666;")
        self.not_yet.setWordWrap(True)
        head.addWidget(self.not_yet, 1)
        layout.addLayout(head)
        self.model = TodoModel(self)
        self.table = QTableView()
        self.table.setObjectName("todo_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setCursor(Qt.CursorShape.PointingHandCursor)
        self.table.setTextElideMode(Qt.TextElideMode.ElideLeft)  # numbers differ at their end: 〔2026〕012号
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        self.table.clicked.connect(self._open)
        self.table.activated.connect(self._open)
        layout.addWidget(self.table, 3)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.refresh)
        worker.bus.changed.connect(self._on_changes)
        self.refresh()

    # --- data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Compute the board on the worker's reading thread (it takes long on a district's data and must
        not hold up the other pages' lists); one at a time, the last request asked again at its end."""
        self._stale = False
        if getattr(self, "_reading", None) == self.worker.read_generation:  # (a cancelled read never answers)
            self._again = True
            return
        self._reading, self._again = self.worker.read_generation, False
        self.computing.show()
        self.worker.read(dashboard.board, on_done=self._read_done, on_error=self._read_failed)

    def _read_done(self, board: dashboard.Board) -> None:
        if not isValid(self):
            return
        self._reading = None
        self.computing.hide()
        self._show(board)
        if self._again:
            self.refresh()

    def _read_failed(self, error: Exception) -> None:
        if not isValid(self):
            return
        self._reading = None
        self.computing.hide()
        from app.views.messages import show_error

        show_error(self, error)

    def _on_changes(self, changes: Changes) -> None:
        if not changes.touches(*WATCHED):
            return
        if self.isVisible():
            self._timer.start()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()
        else:
            self._stale = True  # next time the page is shown, read again

    def _open(self, index: QModelIndex) -> None:
        record = self.model.data(index, TodoModel.RecordRole)
        if record:
            self.record_opened.emit(record[0], record[1])

    # --- showing --------------------------------------------------------------------------------
    def _set_tile(self, key: str, big: str, small: str = "") -> None:
        tile = self.tiles[key]
        tile.setText(f"<div style='font-size:17pt;font-weight:bold'>{big}</div>"
                     f"<div>{tile.property('caption')}</div>"
                     + (f"<div style='color:#555;font-size:9pt'>{small}</div>" if small else ""))

    def _show(self, b: dashboard.Board) -> None:
        if not isValid(self):  # the page was closed (or rebuilt) while the worker ran
            return
        self.board = b
        self.office.setText((b.office or _("(office name not set)")) + "　" + format_date(b.today))
        self._set_tile("in_force", str(b.in_force.in_force_count), format_amount(b.in_force.in_force_amount))
        self._set_tile("signed", str(b.signed_year.signed_count), format_amount(b.signed_year.signed_amount))
        overdue = b.overdue
        self._set_tile("todo", str(b.todo_total), _("{n} overdue").format(n=overdue) if overdue else "")
        if overdue:
            self.tiles["todo"].setStyleSheet(self.tiles["todo"].styleSheet().replace("#f3f5f8", "#fbe9e7"))
        self._set_tile("total", str(b.organizations), _("{n} eligible").format(n=b.eligible_orgs))
        notes = [_("Milestones, objections and payments appear here once assessments and payments "
                   "are recorded ({items}).").format(items=_("; ").join(b.not_yet))] if b.not_yet else []
        if b.todo_total > len(b.todo):
            notes.insert(0, _("The first {shown} of {n} are listed, overdue and soonest first.").format(
                shown=len(b.todo), n=b.todo_total))
        self.not_yet.setText(" ".join(notes))
        self.model.set_items(b.todo, b.today)
        self.table.resizeColumnsToContents()
        for col, cap in ((0, 190), (1, 200), (2, 160), (3, 200)):
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), cap))
        self._fill_charts(b)

    def _replace(self, key: str, widget: QWidget) -> None:
        slot = self.chart_slots[key]
        while slot.count():
            item = slot.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        slot.addWidget(widget)

    def _fill_charts(self, b: dashboard.Board) -> None:
        domains = [(label, amount) for label, amount in b.by_domain if amount]
        if len(domains) > 5:  # five bars stay legible in a small chart; the rest are added up
            domains = domains[:4] + [(_("Others"), sum((a for _l, a in domains[4:]), Decimal(0)))]
        trend_title = _("Signed per month, {first} to {last} (10,000 yuan)").format(
            first=b.trend[0].period.key, last=b.trend[-1].period.key) if b.trend else ""
        domain_title = _("In force by service domain, {year} (10,000 yuan)").format(year=b.today.year)
        if isinstance(b.grades, summary.Unavailable):
            grades: QWidget = _note_box(_("Grade distribution") + "\n\n" + b.grades.reason)
        else:  # the grades of the assessments approved this year (issue 10)
            grades = _note_box(_("Grade distribution") + "\n\n" + getattr(b.grades, "text", ""))
        grades.setObjectName("grades_chart")
        self._replace("grades", grades)
        if not HAVE_CHARTS:  # pragma: no cover
            self._replace("domain", _note_box(domain_title + "\n" + "\n".join(
                f"{lb}: {format_amount(a)}" for lb, a in domains)))
            self._replace("trend", _note_box(trend_title))
            return
        self._replace("domain", self._domain_chart(domain_title, domains) if domains else
                      _note_box(domain_title + "\n\n" + _("No agreement in force this year.")))
        self._replace("trend", self._trend_chart(trend_title, b.trend))

    @staticmethod
    def _chart(title: str) -> Any:
        chart = QChart()
        chart.setTitle(title)
        f = chart.titleFont()
        f.setPointSizeF(9)
        f.setBold(True)
        chart.setTitleFont(f)
        chart.legend().hide()
        chart.setMargins(QMargins(2, 2, 2, 2))
        chart.setBackgroundRoundness(4)
        return chart

    @staticmethod
    def _view(chart: Any, name: str) -> Any:
        view = QChartView(chart)
        view.setObjectName(name)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        return view

    def _small(self, axis: Any) -> None:
        f = axis.labelsFont()
        f.setPointSizeF(7.5)
        axis.setLabelsFont(f)

    def _domain_chart(self, title: str, rows: list[tuple[str, Decimal]]) -> QWidget:
        chart = self._chart(title)
        bars = QBarSet(_("Amount"))
        bars.setColor(QColor("#4573b3"))
        rows = rows[::-1]  # largest on top
        for _label, amount in rows:
            bars.append(_wan(amount))
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value")
        series.setLabelsPrecision(4)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append([lb if len(lb) <= 6 else lb[:5] + "…" for lb, _a in rows])
        values = QValueAxis()
        values.setLabelFormat("%.0f")
        values.setMin(0)
        values.setMax(max(_wan(a) for _lb, a in rows) * 1.25 or 1)
        values.setTickCount(3)
        for axis in (cats, values):
            self._small(axis)
        chart.addAxis(cats, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(cats)
        series.attachAxis(values)
        return self._view(chart, "domain_chart")

    def _trend_chart(self, title: str, points: list[summary.TrendPoint]) -> QWidget:
        chart = self._chart(title)
        bars = QBarSet(_("Amount"))
        bars.setColor(QColor("#3a8f6a"))
        for p in points:
            bars.append(_wan(p.signed_amount))
        series = QBarSeries()
        series.append(bars)
        chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append([str(p.period.index) for p in points])
        values = QValueAxis()
        values.setLabelFormat("%.0f")
        values.setMin(0)
        values.setTickCount(3)
        top = max((_wan(p.signed_amount) for p in points), default=0)
        values.setMax(top * 1.1 or 1)
        for axis in (cats, values):
            self._small(axis)
        chart.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(cats)
        series.attachAxis(values)
        return self._view(chart, "trend_chart")

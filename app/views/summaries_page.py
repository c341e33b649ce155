"""月度汇总: pick a period, see its figures, export them to a USB stick or a folder in the background.

The figures come from `summary.summarize` on the worker thread; the export (`exports.build` then
`exports.write`) runs there too, reporting progress by a queued signal, and can be cancelled.
"""

from __future__ import annotations

import threading
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.documents import drives
from app.documents.output import Cancelled, ExportError
from app.i18n import _, format_amount, format_date
from app.services import exports, summary
from app.services.changes import Changes
from app.views.messages import error_text
from app.views.pages import page_title
from app.views.printing.common import ERROR_STYLE, OK_STYLE, WARN_STYLE, banner, show_banner
from app.views.worker import Worker

FOLDER_KEY = "summaries/export_folder"


class _Progress(QObject):
    """Emitted on the worker thread; Qt queues it to the page on the GUI thread."""

    advanced = Signal(str, int, int)


def _gib(n: int | None) -> str:
    return "" if n is None else f"{n / 1024 ** 3:.1f} GB"


class SummariesPage(QWidget):
    exported = Signal(object)  # the package folder
    export_failed = Signal(str)

    def __init__(self, worker: Worker, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.today = today or date.today()
        self._cancel = threading.Event()
        self._relay = _Progress(self)
        self._relay.advanced.connect(self._advanced)
        self.progress: QProgressDialog | None = None
        self.summary: summary.Summary | None = None
        self.last_package: Path | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        layout.addWidget(page_title(_("Monthly summary")))
        pick = QHBoxLayout()
        pick.addWidget(QLabel(_("Period:")))
        self.kind = QComboBox()
        self.kind.setObjectName("period_kind")
        for key, text in (("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))):
            self.kind.addItem(text, key)
        self.year = QSpinBox()
        self.year.setObjectName("period_year")
        self.year.setRange(2000, 2100)
        self.index = QComboBox()
        self.index.setObjectName("period_index")
        prev = date(self.today.year, self.today.month, 1)
        prev_month = (prev.year, prev.month - 1) if prev.month > 1 else (prev.year - 1, 12)
        self.year.setValue(prev_month[0])
        self._fill_index()
        self.index.setCurrentIndex(prev_month[1] - 1)  # last month: the one to report
        pick.addWidget(self.kind)
        pick.addWidget(self.year)
        pick.addWidget(self.index)
        pick.addStretch(1)
        layout.addLayout(pick)
        self.view = QTextBrowser()
        self.view.setObjectName("summary_view")
        self.view.setOpenLinks(False)
        layout.addWidget(self.view, 1)

        target = QHBoxLayout()
        target.addWidget(QLabel(_("Export to:")))
        self.target = QComboBox()
        self.target.setObjectName("export_target")
        self.target.setMinimumWidth(260)
        target.addWidget(self.target, 1)
        refresh = QPushButton(_("Refresh drives"))
        refresh.clicked.connect(self.refresh_drives)
        browse = QPushButton(_("Choose folder…"))
        browse.clicked.connect(self._browse)
        target.addWidget(refresh)
        target.addWidget(browse)
        layout.addLayout(target)
        options = QHBoxLayout()
        self.formats: dict[str, QCheckBox] = {}
        for f in exports.FORMATS:
            box = QCheckBox(f.upper() if f != "json" else _("JSON package"))
            box.setObjectName(f"format_{f}")
            box.setChecked(True)
            self.formats[f] = box
            options.addWidget(box)
        self.mask = QCheckBox(_("Mask ID and phone numbers"))
        self.mask.setObjectName("mask_numbers")
        self.mask.setChecked(True)
        options.addSpacing(12)
        options.addWidget(self.mask)
        self.all_deadlines = QCheckBox(_("List every deadline"))
        self.all_deadlines.setObjectName("all_deadlines")
        self.all_deadlines.setToolTip(_("The CSV file lists every open deadline; the PDF, the spreadsheet and the "
                                        "JSON list the first ones, overdue first. Every file counts them all."))
        options.addWidget(self.all_deadlines)
        options.addStretch(1)
        self.export_button = QPushButton(_("Export"))
        self.export_button.setObjectName("export_button")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        options.addWidget(self.export_button)
        layout.addLayout(options)
        self.outcome = banner("export_outcome")
        layout.addWidget(self.outcome)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.year.valueChanged.connect(lambda _v: self.load())
        self.index.currentIndexChanged.connect(lambda _i: self.load())
        worker.bus.changed.connect(self._on_changes)
        self.refresh_drives()
        self.load()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("agreement", "project", "org", "assessment", "payment", "objection", "settings"):
            self.load()

    # --- period ---------------------------------------------------------------------------------
    def _fill_index(self) -> None:
        kind = self.kind.currentData()
        self.index.blockSignals(True)
        self.index.clear()
        if kind == "month":
            for m in range(1, 13):
                self.index.addItem(_("Month {n}").format(n=m), m)
        elif kind == "quarter":
            for q in range(1, 5):
                self.index.addItem(_("Quarter {n}").format(n=q), q)
        self.index.setVisible(kind != "year")
        self.index.blockSignals(False)

    def _kind_changed(self) -> None:
        self._fill_index()
        self.load()

    def period(self) -> summary.Period:
        kind, y = self.kind.currentData(), self.year.value()
        if kind == "month":
            return summary.Period.month(y, int(self.index.currentData() or 1))
        if kind == "quarter":
            return summary.Period.quarter(y, int(self.index.currentData() or 1))
        return summary.Period.whole_year(y)

    def set_period(self, key: str) -> None:
        p = summary.parse_period(key)
        self.kind.setCurrentIndex(self.kind.findData(p.kind))
        self.year.setValue(p.year)
        if p.kind != "year":
            self.index.setCurrentIndex(p.index - 1)
        self.load()

    def load(self) -> None:
        self.worker.call(summary.summarize, self.period(), on_done=self._show)

    # --- the figures ------------------------------------------------------------------------------
    def _show(self, s: summary.Summary) -> None:
        if not isValid(self):  # the page was closed (or rebuilt) while the worker ran
            return
        if s.period != self.period():
            return  # an older request; the newer one is on its way
        self.summary = s
        t = s.totals
        signed_label, force_label = escape(_("Agreements signed")), escape(_("Agreements in force"))
        nothing, none = escape(_("Nothing in this period.")), escape(_("None."))
        ending_label, deadlines_label = escape(_("Agreements ending next month")), escape(_("Deadlines"))
        h: list[str] = [f"<h3>{escape(s.office)} · {escape(s.period.label)}</h3>"]
        h.append("<table cellspacing=0 cellpadding=4 border=1 style='border-collapse:collapse'>")
        h.append(f"<tr><td>{signed_label}</td><td align=right>{t.signed_count}</td>"
                 f"<td align=right>{format_amount(t.signed_amount)}</td></tr>")
        h.append(f"<tr><td>{force_label}</td><td align=right>{t.in_force_count}</td>"
                 f"<td align=right>{format_amount(t.in_force_amount)}</td></tr>")
        for label, fig in ((_("Payments"), s.payments), (_("Assessments"), s.assessments),
                           (_("Objections"), s.objections)):
            if isinstance(fig, summary.Unavailable):
                h.append(f"<tr><td>{escape(label)}</td><td colspan=2 style='color:#777'>{escape(fig.reason)}</td></tr>")
            elif fig is not None:  # issue 10: payments, assessments and objections recorded
                h.append(f"<tr><td>{escape(label)}</td><td colspan=2>{escape(fig.text)}</td></tr>")
        h.append("</table>")
        for title, rows in ((_("By service domain"), s.by_domain), (_("By organization"), s.by_org),
                            (_("By procurement method"), s.by_method)):
            h.append(f"<h4>{escape(title)}</h4>")
            if not rows:
                h.append(f"<p style='color:#777'>{nothing}</p>")
                continue
            h.append("<table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'>")
            h.append("<tr style='background:#eef1f5'><th></th>" + "".join(
                f"<th>{escape(x)}</th>" for x in (_("Signed"), _("Amount signed"), _("In force"),
                                                   _("Amount in force"))) + "</tr>")
            for r in rows + [summary.GroupRow("", _("All rows"), t)]:
                f = r.figures
                h.append(f"<tr><td>{escape(r.label)}</td><td align=right>{f.signed_count}</td>"
                         f"<td align=right>{format_amount(f.signed_amount)}</td><td align=right>{f.in_force_count}</td>"
                         f"<td align=right>{format_amount(f.in_force_amount)}</td></tr>")
            h.append("</table>")
        h.append(f"<h4>{ending_label}</h4>")
        if s.ending_next_month:
            h.append("<ul>" + "".join(f"<li>{escape(e.number)} · {escape(e.undertaker)} · "
                                      f"{format_date(e.period_end)} · {format_amount(e.amount)}</li>"
                                      for e in s.ending_next_month) + "</ul>")
        else:
            h.append(f"<p style='color:#777'>{none}</p>")
        h.append(f"<h4>{deadlines_label}</h4><p>" + escape(
            _("{n} open on {day}, {overdue} of them overdue.").format(
                n=s.deadlines_total, day=format_date(s.as_of), overdue=s.deadlines_overdue)) + "</p>")
        self.view.setHtml("".join(h))

    # --- where to -------------------------------------------------------------------------------
    def refresh_drives(self) -> None:
        self.worker.submit(drives.removable_drives, on_done=self._fill_targets)

    def _fill_targets(self, found: list[drives.Drive]) -> None:
        if not isValid(self):  # the page was closed (or rebuilt) while the worker ran
            return
        current = self.target.currentData()
        self.target.clear()
        for d in found:
            free = _gib(d.free_bytes)
            self.target.addItem(_("USB drive {label} ({path}, {free} free)").format(
                label=d.label, path=d.path, free=free or "?"), str(d.path))
        saved = QSettings("spdesk", "spdesk").value(FOLDER_KEY)
        folder = str(saved) if saved else QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        if folder:
            self.target.addItem(_("Folder {path}").format(path=folder), folder)
        if not found:
            self.target.setToolTip(_("No USB drive is plugged in; plug one in and press Refresh drives."))
        i = self.target.findData(current) if current else -1
        self.target.setCurrentIndex(max(i, 0))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Folder for the export"), self.target.currentData() or "")
        if folder:
            self.use_folder(folder)

    def use_folder(self, folder: str) -> None:
        QSettings("spdesk", "spdesk").setValue(FOLDER_KEY, folder)
        i = self.target.findData(folder)
        if i < 0:
            self.target.addItem(_("Folder {path}").format(path=folder), folder)
            i = self.target.count() - 1
        self.target.setCurrentIndex(i)

    # --- export ---------------------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    def start_export(self) -> None:
        chosen = [f for f, box in self.formats.items() if box.isChecked()]
        folder = self.target.currentData()
        if not chosen:
            show_banner(self.outcome, _("Choose at least one format."), ERROR_STYLE)
            return
        if not folder or not Path(folder).is_dir():
            show_banner(self.outcome, _("Choose a USB drive or an existing folder to export to."), ERROR_STYLE)
            return
        self._cancel.clear()
        self.export_button.setEnabled(False)
        show_banner(self.outcome, "")
        self.progress = QProgressDialog(_("Preparing the summary…"), _("Cancel"), 0, 100, self)
        self.progress.setWindowTitle(_("Export"))
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel)
        self.progress.setValue(0)
        desk, period, mask, flag, relay = self.worker.desk, self.period(), self.mask.isChecked(), self._cancel, \
            self._relay
        every = self.all_deadlines.isChecked()

        def job() -> Path:
            data = desk.run(exports.build, period, mask=mask, all_deadlines=every)
            return exports.write(data, Path(folder), chosen, mask=mask,
                                 progress=lambda stage, i, n: relay.advanced.emit(stage, i, n),
                                 cancelled=flag.is_set)

        self.worker.submit(job, on_done=self._done, on_error=self._failed)

    def _advanced(self, stage: str, done: int, total: int) -> None:
        if not isValid(self):  # the page was closed (or rebuilt) while the worker ran
            return
        progress = self.progress
        if progress is None or self._cancel.is_set():
            return
        # Rendering is the first half of the bar, writing (and checking) the second.
        value = (done * 50 // max(total, 1)) + (50 if stage == "write" else 0)
        progress.setLabelText(_("Rendering the files…") if stage == "render" else
                              _("Writing and checking the files…"))
        progress.setValue(value)

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.export_button.setEnabled(True)

    def _done(self, package: Any) -> None:
        if not isValid(self):  # the page was closed (or rebuilt) while the worker ran
            return
        self._close_progress()
        self.last_package = Path(package)
        show_banner(self.outcome, _("Exported to {path}. Every file was read back and its SHA-256 checked.").format(
            path=package), OK_STYLE)
        self.exported.emit(self.last_package)

    def _failed(self, error: BaseException) -> None:
        if not isValid(self):  # the page was closed (or rebuilt) while the worker ran
            return
        self._close_progress()
        if isinstance(error, Cancelled):
            show_banner(self.outcome, _("Export cancelled; nothing was left on the target."), WARN_STYLE)
            return
        text = error.message if isinstance(error, ExportError) else error_text(error)
        show_banner(self.outcome, text, ERROR_STYLE)
        self.export_failed.emit(text)

"""Printing a selection of agreements in the background, as PDF files into a folder.

The batch ends in a folder, not at the printer. A hundred contracts are some three hundred
pages: sending them as one raster job from the program would hold the window for minutes and
leave a half-printed stack when paper runs out, with no way to resume. As files, every copy is
rendered, recorded and kept (the office's archive of what went out); staff then print the
folder with the system's own PDF printing, in the chunks the printer's tray allows, and can
re-print any single file. One-off printing to a printer is in the preview dialog.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import printing
from app.views.messages import error_text
from app.views.printing.common import ERROR_STYLE, OK_STYLE, WARN_STYLE, banner, kind_label, show_banner
from app.views.worker import Worker

FOLDER_KEY = "printing/batch_folder"


class _Progress(QObject):
    """Emitted on the worker thread; Qt queues it to the dialog on the GUI thread."""

    advanced = Signal(int, int)


class BatchPrintDialog(QDialog):
    progressed = Signal(int, int)  # (done, total), emitted from the worker thread
    finished_batch = Signal(object)  # list[Path] written
    failed = Signal(str)

    def __init__(self, worker: Worker, kind: str, agreement_ids: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batch_print")
        self.worker = worker
        self.kind = kind
        self.agreement_ids = list(agreement_ids)
        self.written: list[Path] = []
        self.cancelled = False
        self._cancel = threading.Event()
        self._relay = _Progress(self)
        self._relay.advanced.connect(self._advanced)
        self.progress: QProgressDialog | None = None
        self.setWindowTitle(_("Print a batch"))
        self.setMinimumWidth(560)

        n = len(self.agreement_ids)
        what = QLabel(ngettext("{kind}: {n} agreement selected.", "{kind}: {n} agreements selected.", n).format(
            kind=kind_label(kind), n=n))
        what.setObjectName("batch_what")
        how = QLabel(_("Each document is rendered as it will be printed (and recorded, so paper copies can be "
                       "verified) and saved as one PDF file in the folder. Print the files from the folder."))
        how.setWordWrap(True)
        how.setStyleSheet("color: #555;")
        self.folder = QLineEdit()
        self.folder.setObjectName("batch_folder")
        saved = QSettings("spdesk", "spdesk").value(FOLDER_KEY)
        self.folder.setText(str(saved) if saved else QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation))
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._browse)
        self.outcome = banner("batch_outcome")
        self.start_button = QPushButton(_("Start"))
        self.start_button.setObjectName("batch_start")
        self.start_button.setDefault(True)
        self.start_button.setEnabled(n > 0)
        self.open_button = QPushButton(_("Open folder"))
        self.open_button.setObjectName("batch_open")
        self.open_button.hide()
        close = QPushButton(_("Close"))
        close.clicked.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(QLabel(_("Folder:")))
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.start_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(how)
        layout.addLayout(row)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.start_button.clicked.connect(self.start)
        self.open_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(self.folder.text().strip())))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Folder for the PDF files"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def cancel(self) -> None:
        """Thread-safe: the next progress callback answers False and the batch stops."""
        self._cancel.set()

    def start(self) -> None:
        out = Path(self.folder.text().strip())
        if not self.folder.text().strip() or not out.is_dir():
            show_banner(self.outcome, _("Choose an existing folder for the PDF files."), ERROR_STYLE)
            return
        QSettings("spdesk", "spdesk").setValue(FOLDER_KEY, str(out))
        self._cancel.clear()
        self.cancelled = False
        self.start_button.setEnabled(False)
        self.open_button.hide()
        show_banner(self.outcome, "")
        total = len(self.agreement_ids)
        self.progress = QProgressDialog(_("Rendering the documents…"), _("Cancel"), 0, total, self)
        self.progress.setWindowTitle(_("Print a batch"))
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel)
        self.progress.setValue(0)
        desk, kind, ids, relay, flag = self.worker.desk, self.kind, list(self.agreement_ids), self._relay, self._cancel

        def report(done: int, count: int) -> bool:
            relay.advanced.emit(done, count)
            self.progressed.emit(done, count)
            return not flag.is_set()

        self.worker.submit(lambda: printing.render_batch(desk, kind, ids, out, report),
                           on_done=self._done, on_error=self._failed)

    def _advanced(self, done: int, total: int) -> None:
        progress = self.progress
        if progress is None or self._cancel.is_set():
            return
        progress.setMaximum(total)
        progress.setLabelText(_("Rendering document {done} of {total}…").format(done=min(done + 1, total),
                                                                                total=total))
        progress.setValue(done)  # last: a modal QProgressDialog runs the event loop here, which may end the batch

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.start_button.setEnabled(True)

    def _done(self, paths: Any) -> None:
        self._close_progress()
        self.written = [Path(p) for p in paths]
        self.cancelled = self._cancel.is_set() and len(self.written) < len(self.agreement_ids)
        n = len(self.written)
        if self.cancelled:
            text = ngettext("Stopped. {n} file was finished and saved in {folder}; nothing else was written.",
                            "Stopped. {n} files were finished and saved in {folder}; nothing else was written.",
                            n).format(n=n, folder=self.folder.text())
            show_banner(self.outcome, text, WARN_STYLE)
        else:
            text = ngettext("{n} file saved in {folder}.", "{n} files saved in {folder}.", n).format(
                n=n, folder=self.folder.text())
            show_banner(self.outcome, text, OK_STYLE)
        self.open_button.setVisible(n > 0)
        self.finished_batch.emit(self.written)

    def _failed(self, error: BaseException) -> None:
        self._close_progress()
        text = error_text(error)
        show_banner(self.outcome, text, ERROR_STYLE)
        self.failed.emit(text)


def open_batch_print(parent: QWidget | None, worker: Worker, kind: str, agreement_ids: list[int]) -> BatchPrintDialog:
    dialog = BatchPrintDialog(worker, kind, agreement_ids, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog

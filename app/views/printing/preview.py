"""Preview of a document exactly as it will be printed, with printing and saving as PDF.

The preview is the PDF the printing service rendered (final=False: nothing recorded). Printing
and saving render again with final=True on the worker, so the print is recorded and the paper
copy's verification code can be checked later; the same bytes then go to the printer or file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import printing
from app.views.messages import error_text
from app.views.printing.common import ERROR_STYLE, OK_STYLE, banner, kind_label, show_banner
from app.views.printing.pdf import PdfLoadError, load_pdf, prepare_printer, print_pdf
from app.views.worker import Worker

ZOOMS: list[tuple[str, float]] = [("fit_width", 0.0), ("fit_page", 0.0), ("75", 0.75), ("100", 1.0), ("150", 1.5)]


def problem_text(error: BaseException) -> str:
    """A missing glyph is explained (what to do), other errors as the messages module says them."""
    if isinstance(error, printing.MissingGlyphs):
        return _("The document cannot be printed: the bundled font has no glyph for some characters, and they "
                 "would be printed as blanks.\n{detail}\nWrite those characters another way (or ask the "
                 "administrator) and preview again.").format(detail=error.message)
    return error_text(error)


class PreviewDialog(QDialog):
    loaded = Signal(int)  # pages of the preview
    failed = Signal(str)  # the message shown
    printed = Signal(int)  # pages sent to the printer
    saved = Signal(str)  # path written

    def __init__(self, worker: Worker, kind: str, agreement_id: int, amendment_seq: int | None = None,
                 parent: QWidget | None = None, template_id: int | None = None, record_id: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("print_preview")
        self.record_id = record_id  # the assessment (notice) or acceptance (form) to print; None: the latest
        self.worker = worker
        self.kind = kind
        self.agreement_id = agreement_id
        self.amendment_seq = amendment_seq
        self.template_id = template_id  # None: the template the agreement prints with
        self.number = ""
        self.rendered: Any = None  # printing.Rendered of the preview
        self.document: QPdfDocument | None = None
        self._printer: QPrinter | None = None
        self._printer_prepared = False
        self.setWindowTitle(_("Print preview — {kind}").format(kind=kind_label(kind)))
        self.setMinimumSize(640, 480)
        self.resize(920, 860)

        self.heading = QLabel(kind_label(kind))
        self.heading.setObjectName("preview_heading")
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.info = QLabel()
        self.info.setObjectName("preview_info")
        self.info.setStyleSheet("color: #555;")
        self.notice = banner("preview_notice")

        self.prev_button = QPushButton(_("◀ Previous"))
        self.next_button = QPushButton(_("Next ▶"))
        self.page_spin = QSpinBox()
        self.page_spin.setObjectName("page_spin")
        self.page_spin.setMinimum(1)
        self.page_spin.setMaximum(1)
        self.page_total = QLabel()
        self.zoom = QComboBox()
        self.zoom.setObjectName("zoom")
        zoom_names = {"fit_width": _("Fit width"), "fit_page": _("Whole page")}
        for key, _factor in ZOOMS:
            self.zoom.addItem(zoom_names.get(key, f"{key}%"), key)
        self.save_button = QPushButton(_("Save as PDF…"))
        self.save_button.setObjectName("save_pdf")
        self.print_button = QPushButton(_("Print…"))
        self.print_button.setObjectName("print")
        self.print_button.setDefault(True)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.reject)

        self.view = QPdfView()
        self.view.setObjectName("pdf_view")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setStyleSheet("QPdfView { background: #8a8f98; }")
        self.message = QLabel(_("Rendering the document…"))
        self.message.setObjectName("preview_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMargin(32)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.view)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.info)
        bar = QHBoxLayout()
        bar.addWidget(self.prev_button)
        bar.addWidget(self.page_spin)
        bar.addWidget(self.page_total)
        bar.addWidget(self.next_button)
        bar.addSpacing(16)
        bar.addWidget(QLabel(_("Zoom:")))
        bar.addWidget(self.zoom)
        bar.addStretch(1)
        bar.addWidget(self.save_button)
        bar.addWidget(self.print_button)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self.prev_button.clicked.connect(lambda: self.go_to_page(self.page_spin.value() - 1))
        self.next_button.clicked.connect(lambda: self.go_to_page(self.page_spin.value() + 1))
        self.page_spin.valueChanged.connect(self._spin_changed)
        self.zoom.currentIndexChanged.connect(self._zoom_changed)
        self.view.pageNavigator().currentPageChanged.connect(self._page_shown)
        self.print_button.clicked.connect(self._print_clicked)
        self.save_button.clicked.connect(self._save_clicked)
        QShortcut(QKeySequence.StandardKey.Print, self, self._print_clicked)
        self._set_ready(False)
        self.reload()

    # --- rendering --------------------------------------------------------------------------
    def _render(self, final: bool) -> Any:
        kind, agreement_id, seq, template_id = self.kind, self.agreement_id, self.amendment_seq, self.template_id
        record_id = self.record_id
        return lambda s, a: printing.render(s, a, kind, agreement_id, seq, final=final, template_id=template_id,
                                            record_id=record_id)

    def reload(self) -> None:
        self._set_ready(False)
        self.stack.setCurrentWidget(self.message)
        self.message.setStyleSheet("")
        self.message.setText(_("Rendering the document…"))
        self.worker.call(self._render(final=False), on_done=self._show_preview, on_error=self._preview_failed)

    def _show_preview(self, rendered: Any) -> None:
        self.number = rendered.number
        try:
            document = load_pdf(rendered.pdf, self)
        except PdfLoadError as exc:
            self._preview_failed(exc)
            return
        if self.document is not None:
            self.document.deleteLater()
        self.document = document
        self.rendered = rendered
        self.view.setDocument(document)
        self.stack.setCurrentWidget(self.view)
        pages = document.pageCount()
        self.page_spin.setMaximum(pages)
        self.page_total.setText(_("of {n}").format(n=pages))
        self.heading.setText(self.number or kind_label(self.kind))
        self.heading.setToolTip(kind_label(self.kind))
        draft = _("Draft (watermarked)") if rendered.draft else _("Final")
        self.info.setText(_("{state} · template version {version} · {pages} pages").format(
            state=draft, version=rendered.template_version, pages=pages))
        self._set_ready(True)
        self._page_shown(0)
        self.loaded.emit(pages)

    def _preview_failed(self, error: BaseException) -> None:
        text = problem_text(error)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self._set_ready(False)
        self.failed.emit(text)

    def _set_ready(self, ready: bool) -> None:
        for w in (self.print_button, self.save_button, self.prev_button, self.next_button, self.page_spin, self.zoom):
            w.setEnabled(ready)
        if ready:
            self._page_shown(self.view.pageNavigator().currentPage())

    # --- navigation and zoom ----------------------------------------------------------------
    def go_to_page(self, page: int) -> None:
        """1-based, like the spin box."""
        if self.document is None:
            return
        page = max(1, min(page, self.document.pageCount()))
        self.view.pageNavigator().jump(page - 1, QPointF(), self.view.zoomFactor())
        self._page_shown(page - 1)

    def _spin_changed(self, value: int) -> None:
        if self.document is not None and value - 1 != self.view.pageNavigator().currentPage():
            self.go_to_page(value)

    def _page_shown(self, index: int) -> None:
        pages = self.document.pageCount() if self.document is not None else 1
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(index + 1)
        self.page_spin.blockSignals(False)
        ready = self.document is not None
        self.prev_button.setEnabled(ready and index > 0)
        self.next_button.setEnabled(ready and index < pages - 1)

    def _zoom_changed(self, row: int) -> None:
        key, factor = ZOOMS[row]
        if key == "fit_width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif key == "fit_page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(factor)

    # --- printing ---------------------------------------------------------------------------
    def _print_clicked(self) -> None:
        if self.document is None or not self.print_button.isEnabled():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.document)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Print {number}").format(number=self.number))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer, prepared=True)

    def print_to(self, printer: QPrinter, prepared: bool = False) -> None:
        """Render the final copy (recorded, so it can be verified later) and send it to `printer`."""
        self._printer, self._printer_prepared = printer, prepared
        self._busy(_("Preparing the copy for printing…"))
        self.worker.call(self._render(final=True), on_done=self._print_final, on_error=self._action_failed)

    def _print_final(self, rendered: Any) -> None:
        printer, self._printer = self._printer, None
        assert printer is not None
        try:
            document = load_pdf(rendered.pdf, self)
            try:
                if not self._printer_prepared:
                    prepare_printer(printer, document)
                pages = print_pdf(document, printer, printer.fromPage(), printer.toPage())
            finally:
                document.deleteLater()
        except PdfLoadError as exc:
            self._action_failed(exc)
            return
        self._set_ready(True)
        show_banner(self.notice, _("Sent {pages} pages to the printer. Verification code on the paper: {code}.").format(
            pages=pages, code=rendered.code), OK_STYLE)
        self.printed.emit(pages)

    def _save_clicked(self) -> None:
        suggested = f"{self.number or kind_label(self.kind)}.pdf".replace("/", "-")
        path, _filter = QFileDialog.getSaveFileName(self, _("Save as PDF"), suggested, _("PDF files (*.pdf)"))
        if path:
            self.save_to(Path(path) if path.lower().endswith(".pdf") else Path(path + ".pdf"))

    def save_to(self, path: Path) -> None:
        """Render the final copy and write it to `path` atomically, all on the worker."""
        self._busy(_("Saving…"))
        desk = self.worker.desk
        kind, agreement_id, seq, template_id = self.kind, self.agreement_id, self.amendment_seq, self.template_id

        def job() -> tuple[Path, str]:
            # The file is written inside the unit of work, before the print is recorded.
            rendered = desk.run(lambda s, a: printing.render(s, a, kind, agreement_id, seq, final=True,
                                                             template_id=template_id, write_to=path, force=True))
            return path, rendered.code

        self.worker.submit(job, on_done=self._saved, on_error=self._action_failed)

    def _saved(self, result: tuple[Path, str]) -> None:
        path, code = result
        self._set_ready(True)
        show_banner(self.notice, _("Saved to {path}. Verification code: {code}.").format(path=path, code=code),
                    OK_STYLE)
        self.saved.emit(str(path))

    def _busy(self, text: str) -> None:
        self._set_ready(False)
        show_banner(self.notice, text, OK_STYLE)

    def _action_failed(self, error: BaseException) -> None:
        self._printer = None
        self._set_ready(self.document is not None)
        text = problem_text(error)
        show_banner(self.notice, text, ERROR_STYLE)
        self.failed.emit(text)


def open_preview(parent: QWidget | None, worker: Worker, kind: str, agreement_id: int,
                 amendment_seq: int | None = None, template_id: int | None = None,
                 record_id: int | None = None) -> PreviewDialog:
    """Open the preview (non-modal; it deletes itself when closed) and return it.

    `kind` is a printing kind ("agreement", "supplementary", "assessment_notice", "acceptance_form";
    "contract" and "community" mean "agreement"); `template_id` previews with a chosen template.
    """
    dialog = PreviewDialog(worker, kind, agreement_id, amendment_seq, parent, template_id, record_id)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog

"""Loading rendered PDF bytes into Qt, and sending a PDF to a QPrinter.

The PDF that reportlab made is the document: the preview shows it and the printer receives it,
rasterised page by page by PDFium (QPdfDocument.render). A page is drawn in horizontal strips
at the printer's resolution, so a 600 dpi A4 page never needs one 140 MB image in memory.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRect, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrinter

from app.i18n import _

MAX_DPI = 600  # a 1200 dpi driver gets 600 dpi pages: text is as sharp on paper, spooling 4× smaller
STRIP_ROWS = 512


class PdfLoadError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load_pdf(data: bytes, parent: QObject | None = None) -> QPdfDocument:
    """A QPdfDocument over the bytes (the buffer is a child of the document, so it lives as long)."""
    doc = QPdfDocument(parent)
    buffer = QBuffer(doc)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc.load(buffer)
    if doc.status() != QPdfDocument.Status.Ready or doc.pageCount() < 1:
        error = doc.error()
        doc.deleteLater()
        raise PdfLoadError(_("The rendered document could not be opened ({detail}).").format(detail=error.name))
    return doc


def prepare_printer(printer: QPrinter, doc: QPdfDocument) -> None:
    """A4 portrait, whole sheet: the PDF already holds its margins, so none are added."""
    size = doc.pagePointSize(0)
    page = QPageSize(QPageSize.PageSizeId.A4) if abs(size.width() - 595.3) < 2 else QPageSize(
        size, QPageSize.Unit.Point)
    printer.setPageSize(page)
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    printer.setDocName(doc.metaData(QPdfDocument.MetaDataField.Title) or "spdesk")


def print_pdf(doc: QPdfDocument, printer: QPrinter, first: int = 1, last: int = 0) -> int:
    """Draw pages first..last (1-based, 0 = to the end) onto the printer; returns the pages sent."""
    painter = QPainter()
    if not painter.begin(printer):
        raise PdfLoadError(_("The printer could not be started. Check that it is switched on and try again."))
    sent = 0
    try:
        dpi = min(printer.resolution(), MAX_DPI)
        scale = printer.resolution() / dpi  # device pixels per rendered pixel
        last = doc.pageCount() if last <= 0 else min(last, doc.pageCount())
        for index in range(max(first, 1) - 1, last):
            if sent:
                printer.newPage()
            points = doc.pagePointSize(index)
            full = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
            options = QPdfDocumentRenderOptions()
            options.setScaledSize(full)
            for top in range(0, full.height(), STRIP_ROWS):
                rows = min(STRIP_ROWS, full.height() - top)
                options.setScaledClipRect(QRect(0, top, full.width(), rows))
                strip = doc.render(index, QSize(full.width(), rows), options)
                y0, y1 = round(top * scale), round((top + rows) * scale)  # strips meet without a gap
                target = QRect(0, y0, round(full.width() * scale), y1 - y0)
                painter.drawImage(target, strip)
            sent += 1
    finally:
        painter.end()
    return sent


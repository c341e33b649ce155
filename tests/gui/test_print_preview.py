"""Print preview, printing to a (PDF) printer, saving as PDF and verifying a paper copy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from app.documents import fonts
from app.services import agreements, demo, printing
from app.services.context import Desk
from app.views.printing import PreviewDialog, VerifyDialog, open_preview, open_verify
from app.views.printing.pdf import load_pdf, prepare_printer, print_pdf
from app.views.worker import Worker
from tests.db_templates import sample_data

# Every test works on the sample agreements: one copy each of a template made once per process.
pytestmark = pytest.mark.db_content(sample_data(None))


@pytest.fixture
def worker(qtbot, desk: Desk) -> Iterator[Worker]:
    w = Worker(desk)
    yield w
    w.wait()


@pytest.fixture
def sample(desk: Desk) -> None:
    assert desk.run(demo.load_sample) == 0  # there already: the module's db_content marker


def _agreement(desk: Desk, state: str) -> int:
    rows = desk.run(agreements.list_agreements, agreements.AgreementQuery(state=state))
    assert rows, state
    return rows[0].id


def _pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(96)
    return printer


def _preview(qtbot, worker: Worker, kind: str, agreement_id: int) -> PreviewDialog:
    dialog = PreviewDialog(worker, kind, agreement_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=20000) as blocker:
        dialog.show()
    assert blocker.args[0] > 0
    return dialog


def test_preview_shows_the_rendered_pdf(qtbot, worker, desk, sample):
    aid = _agreement(desk, "performing")
    dialog = _preview(qtbot, worker, "agreement", aid)
    assert dialog.document is not None
    pages = dialog.document.pageCount()
    assert pages == dialog.rendered.pages > 0
    assert dialog.view.document() is dialog.document
    assert dialog.page_total.text() == f"共 {pages} 页"
    number = desk.run(agreements.get, aid).number
    assert dialog.heading.text() == number
    assert dialog.print_button.isEnabled() and dialog.save_button.isEnabled()
    assert "模板第" in dialog.info.text()
    if pages > 1:
        dialog.go_to_page(2)
        assert dialog.page_spin.value() == 2
        assert dialog.view.pageNavigator().currentPage() == 1
        assert dialog.prev_button.isEnabled()
    dialog.go_to_page(99)
    assert dialog.page_spin.value() == pages
    assert not dialog.next_button.isEnabled()


def test_draft_preview_is_marked_as_draft(qtbot, worker, desk, sample):
    dialog = _preview(qtbot, worker, "agreement", _agreement(desk, "draft"))
    assert dialog.rendered.draft
    assert "草稿" in dialog.info.text()


def _missing_character() -> str:
    for ch in ("\U0002a6a5", "\U00020000", "\U0002b740", "\ue000", "\U0001f004"):
        if fonts.missing_glyphs(ch):
            return ch
    raise AssertionError("the font has every candidate character")


def test_a_missing_glyph_is_a_clear_message_not_blanks(qtbot, worker, desk, sample):
    aid = _agreement(desk, "draft")
    ch = _missing_character()
    detail = desk.run(agreements.get, aid)
    data = detail.data
    data.service_content = f"为社区居民{ch}提供家庭教育服务"
    desk.run(agreements.save, data, aid, expected_version=detail.version)
    dialog = PreviewDialog(worker, "agreement", aid)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.failed, timeout=20000) as blocker:
        dialog.show()
    text = blocker.args[0]
    assert ch in text
    assert "字体" in text
    assert dialog.stack.currentWidget() is dialog.message
    assert not dialog.print_button.isEnabled()


def test_print_sends_the_final_pdf_to_the_printer_and_records_it(qtbot, worker, desk, sample, tmp_path):
    aid = _agreement(desk, "performing")
    dialog = _preview(qtbot, worker, "agreement", aid)
    out = tmp_path / "printed.pdf"
    with qtbot.waitSignal(dialog.printed, timeout=20000) as blocker:
        dialog.print_to(_pdf_printer(out))
    assert blocker.args[0] == dialog.rendered.pages
    assert len(PdfReader(out).pages) == dialog.rendered.pages
    assert "已发送" in dialog.notice.text()
    code = dialog.notice.text().rsplit("：", 1)[-1].rstrip("。")
    assert desk.run(printing.verify, code).status == "match"


def test_print_pdf_rasterises_each_page_at_the_printer_resolution(qtbot, desk, sample, tmp_path):
    rendered = desk.run(printing.render, "agreement", _agreement(desk, "performing"))
    document = load_pdf(rendered.pdf)
    printer = _pdf_printer(tmp_path / "p.pdf")
    prepare_printer(printer, document)
    assert print_pdf(document, printer) == rendered.pages
    assert print_pdf(document, _pdf_printer(tmp_path / "one.pdf"), first=1, last=1) == 1
    reader = PdfReader(tmp_path / "p.pdf")
    assert len(reader.pages) == rendered.pages
    width = float(reader.pages[0].mediabox.width)
    assert abs(width - 595.3) < 2  # A4
    document.deleteLater()


def test_save_as_pdf_writes_the_final_copy_atomically(qtbot, worker, desk, sample, tmp_path):
    aid = _agreement(desk, "performing")
    dialog = _preview(qtbot, worker, "agreement", aid)
    target = tmp_path / "out" / "合同.pdf"
    target.parent.mkdir()
    with qtbot.waitSignal(dialog.saved, timeout=20000):
        dialog.save_to(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(target).pages) == dialog.rendered.pages
    assert [p.name for p in target.parent.iterdir()] == ["合同.pdf"]  # no temp file left


def test_save_to_a_missing_folder_says_so(qtbot, worker, desk, sample, tmp_path):
    dialog = _preview(qtbot, worker, "agreement", _agreement(desk, "performing"))
    with qtbot.waitSignal(dialog.failed, timeout=20000) as blocker:
        dialog.save_to(tmp_path / "gone" / "x.pdf")
    assert "文件" in blocker.args[0]
    assert dialog.print_button.isEnabled()


def test_open_preview_is_non_modal(qtbot, worker, desk, sample):
    dialog = open_preview(None, worker, "agreement", _agreement(desk, "performing"))
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not dialog.isModal()
    qtbot.waitSignal(dialog.loaded, timeout=20000).wait()


def _verify(qtbot, dialog: VerifyDialog, code: str) -> object:
    dialog.code.setText(code)
    with qtbot.waitSignal(dialog.checked, timeout=10000) as blocker:
        dialog.check_button.click()
    return blocker.args[0]


def test_verify_stays_genuine_after_an_amendment_and_says_so(qtbot, worker, desk, sample):
    aid = _agreement(desk, "performing")
    number = desk.run(agreements.get, aid).number
    code = desk.run(printing.render, "agreement", aid, final=True).code
    dialog = open_verify(None, worker)
    qtbot.addWidget(dialog)
    assert not dialog.check_button.isEnabled()
    result = _verify(qtbot, dialog, code)
    assert result.status == "match"
    text = dialog.outcome.text()
    assert "一致" in text and number in text and "打印时间" in text
    desk.run(agreements.amend, aid, "服务地点调整", {"place": "北京市东城区示例街道新址活动室"})
    result = _verify(qtbot, dialog, f"  {code} ")
    assert result.status == "match"  # the signed text is still genuine; the dialog says it was amended later
    assert "补充协议" in dialog.outcome.text() and number in dialog.outcome.text()


def test_verify_changed_when_a_printed_draft_was_edited(qtbot, worker, desk, sample):
    aid = _agreement(desk, "draft")
    code = desk.run(printing.render, "agreement", aid, final=True).code
    data = desk.run(agreements.get, aid).data
    data.place = "北京市东城区示例街道新址活动室"
    desk.run(agreements.save, data, aid)
    dialog = open_verify(None, worker)
    qtbot.addWidget(dialog)
    result = _verify(qtbot, dialog, code)
    assert result.status == "changed"
    assert "已变更" in dialog.outcome.text()


def test_verify_unknown_code(qtbot, worker, sample):
    dialog = VerifyDialog(worker)
    qtbot.addWidget(dialog)
    result = _verify(qtbot, dialog, "ZZZZ-0000")
    assert result.status == "unknown"
    assert "没有" in dialog.outcome.text()

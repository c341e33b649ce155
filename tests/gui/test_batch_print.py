"""Batch printing in the background: N files in the folder, progress, and cancel leaving only whole files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.services import agreements, demo, printing
from app.services.context import Desk
from app.views.printing import BatchPrintDialog, open_batch_print
from app.views.worker import Worker
from tests.db_templates import sample_data

# Every test prints sample agreements: one copy each of a template made once per process.
pytestmark = pytest.mark.db_content(sample_data(None))


@pytest.fixture
def worker(qtbot, desk: Desk) -> Iterator[Worker]:
    w = Worker(desk)
    yield w
    w.wait()


@pytest.fixture
def ids(desk: Desk) -> list[int]:
    assert desk.run(demo.load_sample) == 0  # there already: the module's db_content marker
    rows = desk.run(agreements.list_agreements, agreements.AgreementQuery())
    return [r.id for r in rows[:4]]


def _dialog(qtbot, worker: Worker, ids: list[int], folder: Path) -> BatchPrintDialog:
    folder.mkdir(exist_ok=True)
    dialog = BatchPrintDialog(worker, "agreement", ids)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(folder))
    dialog.show()
    return dialog


def _whole_pdfs(folder: Path) -> list[Path]:
    files = sorted(folder.iterdir())
    assert all(f.suffix == ".pdf" and not f.name.startswith(".") for f in files), files  # no temp files
    for f in files:
        assert len(PdfReader(f).pages) > 0  # each one complete
    return files


def test_batch_writes_one_pdf_per_agreement(qtbot, worker, desk, ids, tmp_path):
    dialog = _dialog(qtbot, worker, ids, tmp_path / "out")
    assert "4" in dialog.findChild(type(dialog.outcome), "batch_what").text()
    seen: list[tuple[int, int]] = []
    dialog.progressed.connect(lambda done, total: seen.append((done, total)), Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(dialog.finished_batch, timeout=60000) as blocker:
        dialog.start_button.click()
    written = blocker.args[0]
    assert len(written) == len(ids) == 4
    assert sorted(written) == _whole_pdfs(tmp_path / "out")
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    assert not dialog.cancelled
    assert "4 个文件" in dialog.outcome.text()
    assert dialog.open_button.isVisible() and dialog.start_button.isEnabled()
    assert dialog.progress is None
    number = desk.run(agreements.get, ids[0]).number
    assert any(number in p.name for p in written)
    code = desk.run(printing.render, "agreement", ids[0]).code
    assert desk.run(printing.verify, code).status == "match"  # batch copies are recorded prints


def test_cancel_stops_the_batch_with_only_whole_files(qtbot, worker, ids, tmp_path):
    dialog = _dialog(qtbot, worker, ids, tmp_path / "out")

    def cancel_after_first(done: int, _total: int) -> None:  # on the worker thread, like a click mid-batch
        if done >= 1:
            dialog.cancel()

    dialog.progressed.connect(cancel_after_first, Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(dialog.finished_batch, timeout=60000) as blocker:
        dialog.start()
    written = blocker.args[0]
    assert len(written) == 1
    assert _whole_pdfs(tmp_path / "out") == written
    assert dialog.cancelled
    assert "已停止" in dialog.outcome.text()


def test_the_progress_dialog_cancel_button_cancels(qtbot, worker, ids, tmp_path):
    dialog = _dialog(qtbot, worker, ids, tmp_path / "out")
    with qtbot.waitSignal(dialog.finished_batch, timeout=60000):
        dialog.start()
        assert dialog.progress is not None
        button = dialog.progress.findChild(QPushButton)
        assert button is not None and button.text() == "取消"
        button.click()  # at once: the worker stops at its next progress call
    assert len(dialog.written) < len(ids)
    assert _whole_pdfs(tmp_path / "out") == dialog.written
    assert dialog.cancelled


def test_a_missing_folder_is_refused_before_starting(qtbot, worker, ids, tmp_path):
    dialog = _dialog(qtbot, worker, ids, tmp_path / "nope")
    (tmp_path / "nope").rmdir()
    dialog.start()
    assert dialog.outcome.isVisible() and "文件夹" in dialog.outcome.text()
    assert dialog.progress is None


def test_open_batch_print(qtbot, worker, ids):
    dialog = open_batch_print(None, worker, "agreement", ids[:2])
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.agreement_ids == ids[:2]

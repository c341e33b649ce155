"""月度汇总 page: the figures of the chosen period, export in the background, a clear failure."""

from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path

from app.documents import output
from app.views.summaries_page import SummariesPage
from app.views.worker import Worker
from tests.summary_data import seed


def _page(qtbot, desk) -> SummariesPage:
    page = SummariesPage(Worker(desk), today=date(2026, 6, 15))
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    return page


def test_shows_last_month_and_exports_to_a_folder(qtbot, db, desk, tmp_path):
    seed(db, n=40)
    page = _page(qtbot, desk)
    qtbot.waitUntil(lambda: page.summary is not None, timeout=10000)
    assert page.summary.period.key == "2026-05"  # last month is the one to report
    assert "2026" in page.view.toPlainText() and "合计" in page.view.toPlainText()
    assert "付款0笔" in page.view.toPlainText()  # issue 10: payments are recorded, so the figure is a real zero
    page.set_period("2026-Q1")
    qtbot.waitUntil(lambda: page.summary.period.key == "2026-Q1", timeout=10000)
    target = tmp_path / "stick"
    target.mkdir()
    page.use_folder(str(target))
    page.formats["pdf"].setChecked(False)
    with qtbot.waitSignal(page.exported, timeout=60000) as sig:
        page.export_button.click()
    pkg = Path(sig.args[0])
    assert pkg.parent == target and output.verify_package(pkg).ok
    assert not any(p.suffix == ".pdf" for p in pkg.iterdir())
    assert "SHA-256" in page.outcome.text()
    page.worker.wait()


def test_every_deadline_in_the_csv_when_asked(qtbot, db, desk, tmp_path, monkeypatch):
    import csv

    from app.services import summary

    seed(db, n=40)
    page = _page(qtbot, desk)
    qtbot.waitUntil(lambda: page.summary is not None, timeout=10000)
    total = page.summary.deadlines_total
    assert total > 2 and str(total) in page.view.toPlainText()
    monkeypatch.setattr(summary, "DEADLINE_ROWS", total - 1)  # one more than the package lists
    page.use_folder(str(tmp_path))
    page.formats["pdf"].setChecked(False)

    def rows(pkg: Path) -> int:
        return len(list(csv.reader((pkg / "汇总-2026-05-deadlines.csv").read_text("utf-8-sig").splitlines()))) - 1

    for every, listed, folder in ((False, total - 1, "a"), (True, total, "b")):
        (tmp_path / folder).mkdir()
        page.use_folder(str(tmp_path / folder))
        page.all_deadlines.setChecked(every)
        with qtbot.waitSignal(page.exported, timeout=60000) as sig:
            page.export_button.click()
        assert rows(Path(sig.args[0])) == listed
        page.worker.wait()


def test_a_read_only_target_gives_a_clear_message(qtbot, db, desk, tmp_path, monkeypatch):
    page = _page(qtbot, desk)
    target = tmp_path / "ro"
    target.mkdir()
    real_mkdir = os.mkdir

    def ro(path, *a, **kw):
        if Path(path).parent == target:
            raise OSError(errno.EROFS, "Read-only file system")
        return real_mkdir(path, *a, **kw)

    monkeypatch.setattr(os, "mkdir", ro)
    page.use_folder(str(target))
    with qtbot.waitSignal(page.export_failed, timeout=60000) as sig:
        page.export_button.click()
    assert "只读" in sig.args[0] and "只读" in page.outcome.text()
    assert list(target.iterdir()) == []
    assert page.export_button.isEnabled()
    page.worker.wait()


def test_cancel_leaves_nothing(qtbot, db, desk, tmp_path, monkeypatch):
    from app.views import summaries_page

    seed(db, n=20)
    page = _page(qtbot, desk)
    target = tmp_path / "c"
    target.mkdir()
    page.use_folder(str(target))
    real_write = summaries_page.exports.write

    def pressed_cancel_meanwhile(*args, **kw):
        page.cancel()  # thread-safe, as the progress dialog's Cancel button does
        return real_write(*args, **kw)

    monkeypatch.setattr(summaries_page.exports, "write", pressed_cancel_meanwhile)
    page.export_button.click()
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=60000)
    assert "取消" in page.outcome.text()
    assert list(target.iterdir()) == [] and page.last_package is None
    page.worker.wait()

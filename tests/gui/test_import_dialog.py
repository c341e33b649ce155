"""The ledger import dialog: preview on the worker, import the valid rows, clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.services import orgs
from app.services.context import Desk
from app.views.orgs.import_dialog import ROW_ROLE, ImportDialog, ImportReportModel, ReportColumn
from app.views.worker import Worker
from tests.factories import code, org_input


@pytest.fixture
def worker(qtbot, desk: Desk) -> Iterator[Worker]:
    w = Worker(desk)
    yield w
    w.wait()


def _ledger(tmp_path: Path, existing_code: str) -> Path:
    path = tmp_path / "台账.csv"
    path.write_text(
        "序号,单位名称,统一社会信用代码,法定代表人,联系电话\n"
        f"1,阳光青少年成长服务中心,{code('52')},王芳,010-64000001\n"
        f"2,巾帼家庭服务中心,{code('52')},李红,13900000002\n"
        "3,代码不对协会,12345,赵强,13900000003\n"
        f"4,已登记的协会,{existing_code},钱明,13900000004\n",
        encoding="utf-8")
    return path


def _dialog(qtbot, worker: Worker, path: Path) -> ImportDialog:
    dialog = ImportDialog(worker)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.previewed, timeout=10000):
        dialog.load(str(path))
    return dialog


def test_preview_then_import_the_valid_rows(qtbot, qtmodeltester, worker, desk, tmp_path):
    existing = code("51")
    desk.run(orgs.save, org_input("已登记的协会", credit_code=existing))
    d = _dialog(qtbot, worker, _ledger(tmp_path, existing))
    qtmodeltester.check(d.model, force_py=True)
    assert d.model.rowCount() == 4
    statuses = [d.model.data(d.model.index(r, ReportColumn.STATUS)) for r in range(4)]
    assert statuses[:2] == ["将导入", "将导入"]
    assert "有误" in statuses[2] and "重复" in statuses[3]
    assert "18" in d.model.data(d.model.index(2, ReportColumn.REASONS))
    assert d.model.data(d.model.index(0, ReportColumn.ROW)) == "2"
    assert d.model.data(d.model.index(0, ReportColumn.NAME), ROW_ROLE).name == "阳光青少年成长服务中心"
    assert d.import_button.text() == "导入 2 条有效记录" and d.import_button.isEnabled()
    assert desk.run(orgs.count, orgs.OrgQuery()) == 1  # the preview saved nothing

    with qtbot.waitSignal(d.imported, timeout=10000) as blocker:
        d.import_button.click()
    assert blocker.args == [2]
    assert desk.run(orgs.count, orgs.OrgQuery()) == 3
    assert "2" in d.message.text()
    assert not d.import_button.isEnabled()
    assert d.model.data(d.model.index(0, ReportColumn.STATUS)) == "已导入"


def test_unreadable_file_shows_a_clear_message(qtbot, worker, desk, tmp_path):
    bad = tmp_path / "台账.xlsx"
    bad.write_bytes(b"this is not a spreadsheet at all")
    d = _dialog(qtbot, worker, bad)
    assert d.message.text()
    assert "b3261e" in d.message.styleSheet()
    assert "Traceback" not in d.message.text()
    assert not d.import_button.isEnabled()
    assert d.model.rowCount() == 0
    assert desk.run(orgs.count, orgs.OrgQuery()) == 0


def test_report_model_alone(qtmodeltester):
    model = ImportReportModel()
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 0
    assert model.headerData(ReportColumn.REASONS, Qt.Orientation.Horizontal) == "原因"

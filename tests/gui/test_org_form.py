"""The organization form: live code check, override, saving, problems shown at the fields."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLineEdit, QMessageBox, QWidget

from app.services import orgs
from app.services.context import Desk
from app.views import messages
from app.views.orgs import form as form_module
from app.views.orgs.form import (
    COL_EVIDENCE,
    COL_STATUS,
    COL_UNTIL,
    TAB_BASIC,
    TAB_CHECKLIST,
    OrgFormDialog,
)
from app.views.orgs.page import OrganizationsPage
from app.views.worker import Worker
from tests.factories import code, org_input


@pytest.fixture
def worker(qtbot, desk: Desk) -> Iterator[Worker]:
    w = Worker(desk)
    yield w
    w.wait()


def _dialog(qtbot, worker: Worker, org_id: int | None = None) -> OrgFormDialog:
    dialog = OrgFormDialog(worker, org_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    return dialog


def _wrong_check(valid: str) -> str:
    return valid[:-1] + ("0" if valid[-1] != "0" else "1")


def test_live_code_messages_for_each_kind_of_mistake(qtbot, worker):
    d = _dialog(qtbot, worker)
    valid = code("51")
    cases = [
        ("5211010", "应为18位，实际为7位"),
        (valid[:5] + "I" + valid[6:], "含有信用代码中不会出现的字符：I"),
        ("52ABCDEF" + valid[8:], "第3至8位应为6位数字的行政区划码"),
        (_wrong_check(valid), f"校验码为{_wrong_check(valid)[-1]}，按规则应为{valid[-1]}"),
    ]
    for text, message in cases:
        d.code.setText(text)
        assert message in d.code_message.text()
        assert d.override_box.isVisible() == ("校验码" in message), text
    d.code.setText(valid)
    assert d.code_message.text() == "代码校验通过。"
    assert not d.override_box.isVisible()


def test_type_comes_from_the_code_or_is_chosen(qtbot, worker):
    d = _dialog(qtbot, worker)
    d.code.setText(code("51"))
    assert d.org_type_label.isVisible() and "社会团体" in d.org_type_label.text()
    assert not d.org_type.isVisible()
    d.code.setText("Y1110105MA00000000")
    assert not d.org_type_label.isVisible() and d.org_type.isVisible()


def test_saving_a_valid_org_closes_and_it_appears_in_the_list(qtbot, worker, desk):
    page = OrganizationsPage(worker)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.refresh()
    assert page.model.rowCount() == 0
    page.add_org()
    d = page.form
    qtbot.waitUntil(lambda: d.loaded, timeout=5000)
    d.name.setText("北京市协作者社会工作发展中心")
    d.code.setText(code("52"))
    d.legal_representative.setText("李涛")
    d.established_on.setText("2003年4月1日")
    d.domains.item(1).setCheckState(form_module.Qt.CheckState.Checked)
    d.add_inspection(2025, "passed")
    d.rating.setCurrentIndex(d.rating.findData("5A"))
    d.rating_valid_until.setText("2027/12/31")
    with qtbot.waitSignal(d.finished, timeout=5000) as blocker:
        d.save_button.click()
    assert blocker.args == [QDialog.DialogCode.Accepted]
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    row = page.model.row_at(0)
    assert row is not None and row.name == "北京市协作者社会工作发展中心"
    assert page.count_label.text() == "共 1 家"
    detail = desk.run(orgs.get, row.id)
    assert detail.data.legal_representative == "李涛"
    assert detail.data.rating == "5A" and str(detail.data.rating_valid_until) == "2027-12-31"
    assert [int(i.year) for i in detail.data.inspections] == [2025]
    assert detail.data.domains == ["扶老助残"]


def test_validation_error_keeps_the_dialog_open_and_names_the_fields(qtbot, worker, desk):
    d = _dialog(qtbot, worker)
    d.name.setText("")
    d.code.setText(code())
    d.phone.setText("call me")
    d.tabs.setCurrentIndex(TAB_CHECKLIST)
    d.save()
    qtbot.waitUntil(lambda: d.problem_box.isVisible(), timeout=5000)
    assert d.isVisible() and d.result() == 0
    assert "名称" in d.problem_box.text() and "联系电话" in d.problem_box.text()
    assert d.errors["name"].text() == "为必填项" and d.errors["name"].isVisible()
    assert "数字" in d.errors["phone"].text()
    assert d.name.property("invalid") is True
    assert d.errors["address"].isHidden()
    assert d.tabs.currentIndex() == TAB_BASIC  # the first problem's tab is shown
    assert desk.run(orgs.count, orgs.OrgQuery()) == 0


def test_wrong_check_character_saved_with_a_reason(qtbot, worker, desk):
    d = _dialog(qtbot, worker)
    d.name.setText("福州文化传播有限公司")
    d.code.setText("91350100M0001TGQXM")
    assert d.override_box.isVisible()
    d.override.setChecked(True)
    d.save()  # no reason given yet
    assert "必填" in d.errors["code_override_reason"].text() or "填写" in d.errors["code_override_reason"].text()
    assert desk.run(orgs.count, orgs.OrgQuery()) == 0
    d.override_reason.setText("经核对营业执照原件无误")
    with qtbot.waitSignal(d.saved, timeout=5000) as blocker:
        d.save()
    detail = desk.run(orgs.get, blocker.args[0])
    assert detail.data.code_override_reason == "经核对营业执照原件无误"
    assert detail.code_override_at is not None


def test_same_name_asks_and_saves_with_the_token(qtbot, worker, desk, monkeypatch):
    desk.run(orgs.save, org_input("社区书法协会", credit_code=code("51")))
    asked: list[str] = []
    monkeypatch.setattr(form_module, "confirm", lambda _p, _t, text: asked.append(text) or True)
    d = _dialog(qtbot, worker)
    d.name.setText("社区书法协会")
    d.code.setText(code("51"))
    with qtbot.waitSignal(d.saved, timeout=5000):
        d.save()
    assert asked and "社区书法协会" in asked[0]
    assert desk.run(orgs.count, orgs.OrgQuery(search="书法")) == 2


def test_stale_form_is_refused(qtbot, worker, desk, monkeypatch):
    oid = desk.run(orgs.save, org_input("邻里互助服务中心"))
    d = _dialog(qtbot, worker, oid)
    assert d.name.text() == "邻里互助服务中心"
    changed = desk.run(orgs.get, oid).data
    changed.phone = "010-12345678"
    desk.run(orgs.save, changed, org_id=oid)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: warnings.append(text))
    d.address.setText("示例路1号")
    d.save()
    qtbot.waitUntil(lambda: bool(warnings), timeout=5000)
    assert "其他人" in warnings[0] or "他人" in warnings[0]
    assert desk.run(orgs.get, oid).data.address == ""
    assert d.isVisible()


def _edit_cell(qtbot, d: OrgFormDialog, row: int, col: int) -> QWidget:
    """Open the cell's editor from the keyboard (F2), as a clerk does; returns the editor."""
    d.checks.setCurrentCell(row, col)
    qtbot.keyClick(d.checks, Qt.Key.Key_F2)
    editor = d.check_delegate.editor
    assert isinstance(editor, QComboBox if col == COL_STATUS else QLineEdit) and editor.isVisible()
    return editor


def _enter(qtbot, d: OrgFormDialog, editor: QWidget) -> None:
    """Return in an editor commits it (Qt hands the value over queued)."""
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d.check_delegate.editor is None, timeout=3000)


def _row_of(d: OrgFormDialog, code: str) -> int:
    return next(i for i, c in enumerate(d.detail.checks) if c.code == code)  # type: ignore[union-attr]


def test_checklist_edited_inline_with_the_keyboard_and_saved_as_the_row_is_left(qtbot, worker, desk):
    oid = desk.run(orgs.save, org_input("阳光青少年成长服务中心"))
    d = _dialog(qtbot, worker, oid)
    d.tabs.setCurrentIndex(TAB_CHECKLIST)
    assert "不符合" in d.eligibility_banner.text() and "未核验" in d.eligibility_banner.text()
    manual = _row_of(d, "governance")
    auto = _row_of(d, "no_major_violation")
    assert not d.checks.item(auto, COL_STATUS).flags() & Qt.ItemFlag.ItemIsEditable
    assert d.checks.item(manual, COL_EVIDENCE).flags() & Qt.ItemFlag.ItemIsEditable
    combo = _edit_cell(qtbot, d, manual, COL_STATUS)
    combo.setCurrentIndex(combo.findData("met"))
    _enter(qtbot, d, combo)
    evidence = _edit_cell(qtbot, d, manual, COL_EVIDENCE)
    qtbot.keyClicks(evidence, "Articles and board minutes 2025")
    _enter(qtbot, d, evidence)
    until = _edit_cell(qtbot, d, manual, COL_UNTIL)
    until.clear()
    qtbot.keyClicks(until, "2030-12-31")
    _enter(qtbot, d, until)
    assert d.check_edits == {"governance": {"status": "met", "evidence": "Articles and board minutes 2025",
                                            "valid_until": "2030-12-31"}}
    assert desk.run(orgs.get, oid).checks[manual].status == "unchecked"  # nothing saved while in the row
    scroll = d.checks.verticalScrollBar().value()
    qtbot.keyClick(d.checks, Qt.Key.Key_Down)  # leaving the row saves it
    qtbot.waitUntil(lambda: not d.check_edits and d.checks.item(manual, COL_STATUS).text() == "符合", timeout=5000)
    qtbot.waitUntil(lambda: d.check_message.text().startswith("已保存"), timeout=5000)
    stored = desk.run(orgs.get, oid)
    governance = next(c for c in stored.checks if c.code == "governance")
    assert governance.status == "met" and governance.evidence == "Articles and board minutes 2025"
    assert str(governance.valid_until) == "2030-12-31" and governance.checked_by
    assert (d.checks.currentRow(), d.checks.currentColumn()) == (manual + 1, COL_UNTIL)  # position kept
    assert d.checks.verticalScrollBar().value() == scroll
    assert d.checks.item(manual, COL_UNTIL).text() == "2030-12-31"
    assert d.version == stored.version  # the form keeps up with the record for its own save
    d.phone.setText("010-64000001")
    with qtbot.waitSignal(d.saved, timeout=5000):
        d.save()
    assert desk.run(orgs.get, oid).data.phone == "010-64000001"


def test_a_row_that_cannot_be_saved_stays_and_closing_asks(qtbot, worker, desk, monkeypatch):
    oid = desk.run(orgs.save, org_input("阳光青少年成长服务中心"))
    d = _dialog(qtbot, worker, oid)
    d.tabs.setCurrentIndex(TAB_CHECKLIST)
    row = _row_of(d, "finance")
    combo = _edit_cell(qtbot, d, row, COL_STATUS)
    combo.setCurrentIndex(combo.findData("met"))
    _enter(qtbot, d, combo)
    d.checks.setCurrentCell(row + 1, COL_STATUS)  # left without evidence: refused by the service
    qtbot.waitUntil(lambda: "finance" in d.check_failed, timeout=5000)
    d.checks.setCurrentCell(row, COL_STATUS)
    assert "核验依据" in d.check_message.text() and "未保存" in d.check_message.text()
    assert d.check_edits["finance"]["status"] == "met"  # what was chosen is kept, not dropped
    assert d.checks.item(row, COL_STATUS).text() == "符合"
    assert next(c for c in desk.run(orgs.get, oid).checks if c.code == "finance").status == "unchecked"
    asked: list[str] = []
    answer = [messages.UnsavedChoice.CANCEL]
    monkeypatch.setattr(messages, "ask_unsaved", lambda parent: asked.append("x") or answer[0])
    d.reject()
    assert asked and d.isVisible()
    answer[0] = messages.UnsavedChoice.DISCARD
    d.reject()
    assert not d.isVisible() and d.result() == QDialog.DialogCode.Rejected


def test_annual_inspection_result_recorded_in_the_checklist(qtbot, worker, desk):
    oid = desk.run(orgs.save, org_input("阳光青少年成长服务中心", inspections=[]))
    d = _dialog(qtbot, worker, oid)
    d.tabs.setCurrentIndex(TAB_CHECKLIST)
    row = _row_of(d, "inspection_passed")
    year = date.today().year - 1
    assert d.checks.item(row, COL_STATUS).text() == "未录入"
    assert str(year) in d.checks.item(row, COL_EVIDENCE).text()
    assert not d.checks.item(row, COL_EVIDENCE).flags() & Qt.ItemFlag.ItemIsEditable
    combo = _edit_cell(qtbot, d, row, COL_STATUS)
    assert [combo.itemData(i) for i in range(combo.count())] == ["passed", "basic", "failed"]
    combo.setCurrentIndex(combo.findData("failed"))
    _enter(qtbot, d, combo)
    d.checks.setCurrentCell(row - 1, COL_STATUS)
    qtbot.waitUntil(lambda: not d.check_edits and d.check_message.text().startswith("已保存"), timeout=5000)
    assert d.checks.item(row, COL_STATUS).text() == "不合格"
    stored = desk.run(orgs.get, oid)
    assert [(int(str(i.year)), i.result) for i in stored.data.inspections] == [(year, "failed")]
    assert f"{year}年度年检不合格" in d.eligibility_banner.text() or "不合格" in d.eligibility_banner.text()
    assert [i.result for i in d.collect().inspections] == ["failed"]  # the form's own table follows
    assert not d.has_unsaved()
    with qtbot.waitSignal(d.saved, timeout=5000):
        d.save()
    assert [i.result for i in desk.run(orgs.get, oid).data.inspections] == ["failed"]


def test_cancel_asks_only_when_something_is_unsaved(qtbot, worker, desk, monkeypatch):
    oid = desk.run(orgs.save, org_input("邻里互助服务中心"))
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask_unsaved",
                        lambda parent: asked.append("x") or messages.UnsavedChoice.SAVE)
    d = _dialog(qtbot, worker, oid)
    d.reject()
    assert not asked and not d.isVisible()
    d = _dialog(qtbot, worker, oid)
    d.address.setText("示例路1号")
    with qtbot.waitSignal(d.saved, timeout=5000):
        d.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert asked == ["x"]
    assert desk.run(orgs.get, oid).data.address == "示例路1号"
    assert d.result() == QDialog.DialogCode.Accepted


def test_attachments_add_save_copy_and_remove(qtbot, worker, desk, tmp_path: Path):
    oid = desk.run(orgs.save, org_input("绿色家园环保协会"))
    d = _dialog(qtbot, worker, oid)
    src = tmp_path / "登记证书.pdf"
    src.write_bytes(b"%PDF-1.4 sample" * 100)
    d.attachments_panel.add_file(str(src))
    qtbot.waitUntil(lambda: d.attachments.rowCount() == 1, timeout=5000)
    assert d.attachments.item(0, 0).text() == "登记证书.pdf"
    assert d.attachments.item(0, 2).text() == hashlib.sha256(src.read_bytes()).hexdigest()
    d.attachments.selectRow(0)
    copy = tmp_path / "copy.pdf"
    d.attachments_panel.save_copy(str(copy))
    qtbot.waitUntil(copy.exists, timeout=5000)
    assert copy.read_bytes() == src.read_bytes()
    d.attachments_panel.remove(ask=False)
    qtbot.waitUntil(lambda: d.attachments.rowCount() == 0, timeout=5000)
    assert desk.run(orgs.get, oid).attachments == []


def test_new_org_cannot_have_checks_or_files_yet(qtbot, worker):
    d = _dialog(qtbot, worker)
    assert d.checks.rowCount() == 0 and not d.checks.isEnabled()
    assert not d.attachments_panel.add_button.isEnabled()


def test_a_saved_org_hidden_by_the_search_is_announced(qtbot, worker, desk):
    desk.run(orgs.save, org_input("阳光青少年成长服务中心"))
    page = OrganizationsPage(worker)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.refresh()
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.search.setText("阳光")
        page.apply_filters()
    assert page.model.rowCount() == 1
    for name, hidden in (("北京市协作者社会工作发展中心", True), ("阳光助老服务社", False)):
        page.add_org()
        d = page.form
        qtbot.waitUntil(lambda d=d: d.loaded, timeout=5000)
        d.name.setText(name)
        d.code.setText(code("52"))
        with qtbot.waitSignal(d.finished, timeout=5000):
            d.save_button.click()
        qtbot.waitUntil(lambda: bool(page.notice.text()), timeout=5000)
        if hidden:
            assert "不符合当前搜索" in page.notice.text()
            assert page.model.rowCount() == 1  # the list still shows what the search asks for
        else:
            assert page.notice.text() == f"已保存：{name}。"
            qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
        page.notice.clear()
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.search.setText("nothing-like-this")
        page.apply_filters()
    assert page.model.rowCount() == 0 and page.count_label.text().startswith("未找到")


def test_problem_reports_go_when_their_fields_are_corrected(qtbot, worker, desk):
    d = _dialog(qtbot, worker)
    d.name.setText("")
    d.code.setText(code())
    d.phone.setText("call me")
    d.save()
    qtbot.waitUntil(lambda: d.problem_box.isVisible(), timeout=5000)
    assert "名称" in d.problem_box.text() and "联系电话" in d.problem_box.text()
    d.name.setText("邻里互助服务中心")
    assert d.errors["name"].isHidden() and d.name.property("invalid") is False
    assert d.problem_box.isVisible() and "名称" not in d.problem_box.text() and "联系电话" in d.problem_box.text()
    d.phone.setText("010-64000100")
    assert d.errors["phone"].isHidden() and not d.problem_box.isVisible()
    with qtbot.waitSignal(d.saved, timeout=5000):
        d.save()

"""The shared widgets and the change bus: one reason dialog, one instalment editor, writes published."""

from __future__ import annotations

from decimal import Decimal

from app.services import orgs
from app.services.changes import Changes
from app.views.widgets.instalment_editor import InstalmentEditor
from app.views.widgets.reason_dialog import ReasonDialog
from app.views.worker import Worker
from tests.factories import org_input


def test_worker_publishes_what_a_write_changed(qtbot, desk):
    worker = Worker(desk)
    seen: list[Changes] = []
    worker.bus.changed.connect(seen.append)
    got: list[object] = []
    with qtbot.waitSignal(worker.bus.changed, timeout=5000):
        worker.call(orgs.save, org_input("阳光社工服务中心"), on_done=got.append)
    assert isinstance(got[0], int) and seen == [Changes.of("org", got[0])]
    worker.call(orgs.get, got[0], on_done=got.append)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    assert len(seen) == 1  # reading publishes nothing
    worker.wait()


def test_reason_dialog_refuses_an_empty_reason(qtbot):
    dialog = ReasonDialog("终止", "“终止”需要填写原因。")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok.isEnabled()
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.message.text() == "请填写原因。"
    dialog.editor.setPlainText("  服务对象迁出 ")
    assert dialog.ok.isEnabled() and dialog.reason() == "服务对象迁出" and dialog.message.text() == ""


def test_instalment_editor_total_follows_amount_and_free(qtbot):
    editor = InstalmentEditor()
    qtbot.addWidget(editor)
    editor.set_amount(Decimal("1000.01"))
    editor.add_row(percent="50")
    editor.add_row(percent="50", condition="final_acceptance")
    assert editor.total_label.text() == "各期合计 ¥1,000.01，与协议金额一致"
    editor.table.item(1, 1).setText("40")
    assert "相差 ¥100.00" in editor.total_label.text()  # 500.01 + 400.00 of 1000.01
    editor.table.item(1, 1).setText("abc")
    assert "相差" in editor.total_label.text()
    assert [(i.percent, i.condition) for i in editor.rows()] == [("50", "on_signing"), ("abc", "final_acceptance")]
    editor.set_free(True)
    assert editor.total_label.text() == "无偿服务，无需付款"
    assert not editor.add_button.isEnabled()
    editor.set_free(False)
    editor.set_editable(False)
    assert not editor.add_button.isEnabled() and not editor.table.cellWidget(0, 2).isEnabled()

"""The checklist form filled with the keyboard, a payment recorded by the finance role, the Assessments page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services import agreements as ag
from app.services import assessments as asv
from app.services import orgs, payments
from app.services import settings as settings_service
from app.services.context import Desk
from app.views.assessments.checklist_form import NAME, SCORE, AssessmentDialog
from app.views.assessments.page import AssessmentsPage
from app.views.assessments.panels import PaymentsTab
from app.views.worker import Worker
from tests.factories import agreement_input, awarded_project, make_user, org_input

TODAY = date(2026, 6, 15)


class People:
    def __init__(self, db) -> None:  # type: ignore[no-untyped-def]
        self.desks = {name: Desk(db, make_user(db, name, roles)) for name, roles in (
            ("clerk", "clerk"), ("clerk2", "clerk"), ("reviewer", "reviewer"), ("reviewer2", "reviewer"),
            ("finance", "finance"))}
        self.workers = {name: Worker(desk) for name, desk in self.desks.items()}

    def __getitem__(self, name: str) -> Desk:
        return self.desks[name]


@pytest.fixture
def people(qtbot, db) -> Iterator[People]:
    p = People(db)
    yield p
    for w in p.workers.values():
        w.wait()


def performing(people: People, desk: Desk) -> int:
    c, r = people["clerk"], people["reviewer"]
    desk.run(settings_service.update, office_name="示例街道办事处")
    org = desk.run(orgs.save, org_input("阳光社工服务中心", inspections=[orgs.InspectionInput(2025, "passed")]),
                   today=TODAY)
    for item in orgs.elig.MANUAL_ITEMS:
        desk.run(orgs.save_check, org, item.code, "met", "已核验", today=TODAY)
    pid = awarded_project(people, org)
    aid = c.run(ag.save, agreement_input(pid, org))
    c.run(ag.transition, aid, "submit_review")
    r.run(ag.transition, aid, "approve")
    r.run(ag.transition, aid, "record_signing", signing=ag.SigningInput("王主任", "李涛", "2026-02-26", "2026-02-27"),
          today=TODAY)
    c.run(ag.transition, aid, "start_performance", today=TODAY)
    return aid


def type_keys(qtbot, text: str) -> None:
    """Each key goes where the focus is: the first digit opens the score editor, the rest go into it."""
    for ch in text:
        qtbot.keyClick(QApplication.focusWidget(), ch)


def test_fill_a_checklist_with_the_keyboard(qtbot, people, desk):
    aid = performing(people, desk)
    mid = next(m for m in people["clerk"].run(asv.milestones, aid) if m.kind == "mid_term")
    dialog = AssessmentDialog(people.workers["clerk"], aid, None, mid.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    assert dialog.milestone.currentData() == mid.id
    tree = dialog.tree
    leaves = tree.leaves()
    assert len(leaves) == 9 and tree.currentItem() is leaves[0] and tree.currentColumn() == SCORE
    tree.setFocus()
    assert "0.00" in dialog.total_label.text()
    # 1.1 组织实施 (weight 12, max 12): typing updates the total on every keystroke
    type_keys(qtbot, "1")
    assert "1.00" in dialog.total_label.text()
    type_keys(qtbot, "2")
    assert "12.00" in dialog.total_label.text()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tree.currentItem() is leaves[1])  # Enter went on to the next score, editing it
    maxima = [leaf.text(2) for leaf in leaves]
    for n, value in enumerate(maxima[1:], start=1):
        qtbot.waitUntil(lambda n=n: tree.currentItem() is leaves[n] and QApplication.focusWidget() is not tree)
        type_keys(qtbot, value)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.wait(50)
    assert [leaf.text(SCORE) for leaf in leaves] == maxima
    assert "100.00" in dialog.total_label.text() and "优秀" in dialog.total_label.text()
    assert leaves[0].parent().text(SCORE) == "30.00"  # 过程管理 subtotal
    # a score above the maximum is marked at once and the total does not count it
    tree.setCurrentItem(leaves[0], SCORE)
    tree.setFocus()
    type_keys(qtbot, "13")
    assert "12" in leaves[0].toolTip(SCORE) or "12" in dialog.message.text()
    assert "88.00" in dialog.total_label.text()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    dialog.assessed_on.setText("2026-08-30")
    dialog.staff.setText("张评估、李科长")
    dialog.surveyed.setText("40")
    dialog.surveyed.textEdited.emit("40")
    dialog.satisfied.setText("38")
    dialog.satisfied.textEdited.emit("38")
    assert "95.00" in dialog.rate.text()
    dialog.buttons["save"].click()
    qtbot.waitUntil(lambda: dialog.assessment_id is not None and dialog.state is not None
                    and dialog.state.assessment_id is not None, timeout=5000)
    st = people["clerk"].run(asv.assessment_form_state, dialog.assessment_id)
    assert st.total == Decimal("100.00") and st.grade == "excellent"
    assert st.assessors == [("张评估", "purchaser_staff"), ("李科长", "purchaser_staff")]
    assert dialog.buttons["submit"].isEnabled() and not dialog.buttons["approve"].isEnabled()
    dialog.buttons["submit"].click()
    qtbot.waitUntil(lambda: dialog.state is not None and dialog.state.state == "submitted", timeout=5000)
    assert not dialog.buttons["save"].isEnabled()
    assert not (leaves := tree.leaves())[0].flags() & Qt.ItemFlag.ItemIsEditable  # clerk cannot correct
    assert leaves[0].data(NAME, Qt.ItemDataRole.UserRole) == "1.1"


def test_record_a_payment_as_finance(qtbot, people, desk):
    aid = performing(people, desk)
    clerk_tab = PaymentsTab(people.workers["clerk"], aid)
    qtbot.addWidget(clerk_tab)
    qtbot.waitUntil(lambda: clerk_tab.state is not None, timeout=5000)
    assert not clerk_tab.pay_button.isEnabled() and "财务" in clerk_tab.pay_button.toolTip()
    tab = PaymentsTab(people.workers["finance"], aid)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.state is not None, timeout=5000)
    assert "¥280,000.00" in tab.summary.text() and "¥84,000.00" in tab.summary.text()  # payable now: instalment 1
    assert tab.instalments.item(1, 3).text() == "未到期" and "中期考核" in tab.instalments.item(1, 4).text()
    tab.instalments.selectRow(1)
    assert not tab.pay_button.isEnabled() and "中期考核" in tab.message.text()
    tab.instalments.selectRow(0)
    assert tab.pay_button.isEnabled()
    tab.pay_button.click()
    dialog = tab.payment_dialog
    assert dialog.amount.text() == "84000.00"
    dialog.paid_on.setText("2026-03-05")
    dialog.amount.setText("90000")
    dialog.record_button.click()
    qtbot.waitUntil(lambda: "84,000.00" in dialog.errors.errors["amount"].text(), timeout=5000)
    dialog.amount.setText("84000")
    dialog.reference.setText("GK-2026-0001")
    dialog.channel.setCurrentIndex(dialog.channel.findData("treasury_direct"))
    dialog.record_button.click()
    qtbot.waitUntil(lambda: tab.instalments.item(0, 3).text() == "已付", timeout=5000)
    assert "2026-03-05" == tab.instalments.item(0, 6).text()
    assert tab.payments.rowCount() == 1 and tab.payments.item(0, 3).text() == "GK-2026-0001"
    with people["finance"].db.session() as s:
        st = payments.money_summary(s, [aid])[aid]
    assert st.paid == Decimal("84000.00") and st.outstanding == Decimal("196000.00")


def test_assessments_page_lists_deadlines_by_due_date(qtbot, people, desk, qtmodeltester):
    aid = performing(people, desk)
    page = AssessmentsPage(people.workers["clerk"])
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: page.loaded, timeout=5000)
    rows = page.deadline_model.rows
    assert rows and all(r.agreement_id == aid for r in rows)
    dues = [r.due for r in rows]
    assert dues == sorted(dues)
    qtmodeltester.check(page.deadline_model)
    qtmodeltester.check(page.assessment_model)
    opened: list[int] = []
    page.agreement_opened.connect(opened.append)
    page.deadlines.selectRow(0)
    page.open_button.click()
    assert opened == [aid]


def test_the_administrator_edits_a_checklist_as_a_new_version(qtbot, db, monkeypatch):
    from app.services import checklists
    from app.views.assessments.checklist_editor import FIELDS, ChecklistEditorDialog

    admin = Worker(Desk(db, make_user(db, "admin1", "admin")))
    dlg = ChecklistEditorDialog(admin)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.loaded, timeout=10000)
    first = dlg.state.detail
    assert first is not None and dlg.table.rowCount() == len(first.indicators)
    weight = FIELDS.index("weight")
    before = dlg.table.item(0, weight).text()
    dlg.table.item(0, weight).setText("1")  # level 1 weights no longer add up to 100
    assert dlg.dirty
    dlg.save()
    qtbot.waitUntil(lambda: dlg.message.isVisibleTo(dlg), timeout=10000)
    assert "100" in dlg.message.text() and dlg.save_button.isEnabled()
    with admin.desk.db.session() as s:
        assert checklists.current(s, first.template_id).version == first.version  # nothing saved
    dlg.table.item(0, weight).setText(before)
    name = FIELDS.index("name")
    dlg.table.item(0, name).setText("服务过程（含台账）")
    dlg.save()
    qtbot.waitUntil(lambda: dlg.state.detail.version == first.version + 1, timeout=10000)
    assert dlg.state.detail.indicators[0].name == "服务过程（含台账）" and not dlg.dirty
    # A clerk has no way in: the page hides the button, and the service refuses.
    clerk = Worker(Desk(db, make_user(db, "clerk9", "clerk")))
    page = AssessmentsPage(clerk)
    qtbot.addWidget(page)
    assert page.checklists_button.isHidden()
    clerk.wait()
    admin.wait()

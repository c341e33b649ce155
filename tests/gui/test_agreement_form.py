"""The agreement form: an agreement driven through its states through the window, bad input shown at the
fields, refused moves with their message, supplementary agreements, the renewal gate, attachments."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from app.domain import lifecycle as lc
from app.services import agreements as ag
from app.services import orgs
from app.services import settings as settings_service
from app.services.context import Desk
from app.views.agreements.form import TAB_HISTORY, TAB_MONEY, TAB_PARTIES, TAB_PERIOD, AgreementFormDialog
from app.views.worker import Worker
from tests.factories import agreement_input, awarded_project, make_user, org_input, passed_acceptance

TODAY = date(2026, 6, 15)
SIGNING = ag.SigningInput("王主任", "李涛", "2026-02-26", "2026-02-27")


class People:
    """A clerk, a second clerk, two reviewers, each with their own worker (as in separate windows)."""

    def __init__(self, db) -> None:
        self.desks = {name: Desk(db, make_user(db, name, roles)) for name, roles in (
            ("clerk", "clerk"), ("clerk2", "clerk"), ("reviewer", "reviewer"), ("reviewer2", "reviewer"))}
        self.workers = {name: Worker(desk) for name, desk in self.desks.items()}

    def __getitem__(self, name: str) -> Desk:
        return self.desks[name]


@pytest.fixture
def people(qtbot, db) -> Iterator[People]:
    p = People(db)
    yield p
    for w in p.workers.values():
        w.wait()


def eligible_org(desk: Desk, name: str = "阳光社工服务中心") -> int:
    desk.run(settings_service.update, office_name="示例街道办事处")
    oid = desk.run(orgs.save, org_input(name, inspections=[orgs.InspectionInput(2025, "passed")]), today=TODAY)
    for item in orgs.elig.MANUAL_ITEMS:
        desk.run(orgs.save_check, oid, item.code, "met", "已核验", today=TODAY)
    return oid


def signed_agreement(people: People, org_id: int, pid: int, upto: str = "effective") -> int:
    c, r = people["clerk"], people["reviewer"]
    aid = c.run(ag.save, agreement_input(pid, org_id))
    c.run(ag.transition, aid, "submit_review")
    r.run(ag.transition, aid, "approve")
    c.run(ag.transition, aid, "record_signing", signing=SIGNING, today=TODAY)
    if upto in ("performing", "final_acceptance"):
        c.run(ag.transition, aid, "start_performance", today=TODAY)
    if upto == "final_acceptance":
        c.run(ag.transition, aid, "start_final_acceptance")
    return aid


def open_form(qtbot, worker: Worker, agreement_id: int | None = None, project_id: int | None = None
              ) -> AgreementFormDialog:
    dialog = AgreementFormDialog(worker, agreement_id, project_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    return dialog


def wait_state(qtbot, desk: Desk, aid: int, state: str) -> None:
    qtbot.waitUntil(lambda: desk.run(ag.get, aid).state == state, timeout=5000)


def click_move(qtbot, form: AgreementFormDialog, name: str, state: str, desk: Desk) -> None:
    assert name in form.transition_buttons, (name, list(form.transition_buttons))
    form.transition_buttons[name].click()
    aid = form.agreement_id
    assert aid is not None
    wait_state(qtbot, desk, aid, state)
    qtbot.waitUntil(lambda: form.data is not None and form.data.detail is not None
                    and form.data.detail.state == state, timeout=5000)


def fill_new(form: AgreementFormDialog) -> None:
    form.service_content.setPlainText("为辖区60岁以上老人提供助餐、探访服务")
    form.target_group.setPlainText("辖区老年人")
    form.place.setText("示例社区养老驿站")
    form.acceptance_standard.setPlainText("按考核办法评分，80分以上为合格")
    form.rights_obligations.setPlainText("双方权利义务见附件")
    form.breach_liability.setPlainText("违约方承担相应责任")
    form.signatory_a.setText("王主任")
    form.signatory_b.setText("李涛")
    form.add_instalment(percent="30", condition="on_signing")
    form.add_instalment(percent="40", condition="milestone_passed", milestone="中期考核")
    form.add_instalment(percent="30", condition="final_acceptance")


def test_agreement_through_its_states_end_to_end(qtbot, desk, people):
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    clerk = people.workers["clerk"]
    form = open_form(qtbot, clerk, project_id=pid)
    # Prefilled from the award.
    assert form.undertaker.currentData() == org
    assert form.amount.text() == "280000.00"
    assert form.amount_upper.text() == "人民币贰拾捌万元整"
    assert form.period_start.text() == "2026-02-10"
    assert form.period_end.placeholderText() == "2027-02-09"
    assert form.purchaser_name.text() == "示例街道办事处"
    assert (form.party_a_label.text(), form.party_b_label.text()) == ("示例街道办事处", "阳光社工服务中心")
    form.parties_reversed.setChecked(True)
    assert (form.party_a_label.text(), form.party_b_label.text()) == ("阳光社工服务中心", "示例街道办事处")
    form.parties_reversed.setChecked(False)
    assert "符合承接条件" in form.eligibility_banner.text() or "具备" in form.eligibility_banner.text()
    assert form.transition_buttons == {}
    fill_new(form)
    assert form.total_label.text() == "各期合计 ¥280,000.00，与协议金额一致"
    form.save_button.click()
    qtbot.waitUntil(lambda: form.agreement_id is not None and form.data.detail is not None, timeout=5000)
    aid = form.agreement_id
    c = people["clerk"]
    detail = c.run(ag.get, aid)
    assert detail.number.endswith("购服〔2026〕001号") and form.number_label.text() == detail.number
    assert [i.amount for i in detail.instalments] == [ag.Decimal("84000.00"), ag.Decimal("112000.00"),
                                                      ag.Decimal("84000.00")]
    assert set(form.transition_buttons) == {"submit_review"}
    click_move(qtbot, form, "submit_review", "review", c)
    assert form.state_label.text() == "审核中"
    assert form.service_content.isReadOnly() and not form.save_button.isVisible()
    assert form.transition_buttons == {}  # a clerk cannot approve

    # The reviewer, in another window.
    rform = open_form(qtbot, people.workers["reviewer"], aid)
    assert set(rform.transition_buttons) == {"approve", "return_draft"}
    click_move(qtbot, rform, "approve", "awaiting_signature", c)

    form.reload()
    qtbot.waitUntil(lambda: "record_signing" in form.transition_buttons, timeout=5000)
    form.transition_buttons["record_signing"].click()
    qtbot.waitUntil(lambda: form.signing_dialog is not None and form.signing_dialog.isVisible(), timeout=5000)
    sd = form.signing_dialog
    assert sd.signatory_a.text() == "王主任"
    sd.signed_on_a.setText("2026-02-26")
    sd.signed_on_b.setText("2026-02-27")
    sd.buttons.accepted.emit()
    # The period was prefilled from the award notice (10 February), before the signing: the service asks why.
    qtbot.waitUntil(lambda: sd.reason_dialog is not None and sd.reason_dialog.isVisible(), timeout=5000)
    assert "不得先实施后签订合同" in sd.reason_dialog.findChild(QLabel).text()
    assert c.run(ag.get, aid).state == "awaiting_signature"  # nothing recorded without the reason
    sd.reason_dialog.editor.setPlainText("寒假助餐服务不能中断，经主任办公会同意先行服务")
    sd.reason_dialog.ok.click()
    wait_state(qtbot, c, aid, "effective")
    qtbot.waitUntil(lambda: form.data.detail.state == "effective", timeout=5000)
    assert "2026-02-27" in form.signing_label.text() and "寒假助餐服务不能中断" in form.signing_label.text()
    assert form.amount.isReadOnly() and form.amend_button.isVisible()
    click_move(qtbot, form, "start_performance", "performing", c)
    click_move(qtbot, form, "start_final_acceptance", "final_acceptance", c)
    assert "complete" not in form.transition_buttons  # accepting the work is a reviewer's move

    passed_acceptance(c, people["reviewer2"], aid)  # the work is completed on a passed acceptance (验收)
    third = open_form(qtbot, people.workers["reviewer2"], aid)
    click_move(qtbot, third, "complete", "completed", c)
    assert third.state_label.text() == "已办结"
    third.tabs.setCurrentIndex(TAB_HISTORY)
    states = [third.history.item(r, 3).text() for r in range(third.history.rowCount())]
    assert states == ["草稿", "审核中", "待签订", "已生效", "履约中", "终期验收", "已办结"]


def test_bad_input_is_shown_at_the_fields_and_nothing_is_saved(qtbot, desk, people):
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    form = open_form(qtbot, people.workers["clerk"], project_id=pid)
    fill_new(form)
    form.amount.setText("二十八万")
    assert form.amount_upper.text() == "不是有效金额（请按 123456.78 格式填写）"  # live, before saving
    form.period_start.setText("2026-05-01")
    form.period_end.setText("2026-04-01")
    form.save_button.click()
    qtbot.waitUntil(lambda: form.errors.errors["amount"].isVisible(), timeout=5000)
    assert "不是有效金额" in form.errors.errors["amount"].text() or "金额" in form.errors.errors["amount"].text()
    assert not form.errors.errors["period_end"].isHidden() and "早于" in form.errors.errors["period_end"].text()
    assert form.box.isVisible() and "未保存" in form.box.text()
    assert form.tabs.currentIndex() in (TAB_MONEY, TAB_PERIOD)
    # Instalments that do not add up to the amount.
    form.amount.setText("280000")
    form.period_end.setText("")
    form.instalments.item(0, 1).setText("20")
    assert "相差 ¥28,000.00" in form.total_label.text()
    form.save_button.click()
    qtbot.waitUntil(lambda: form.errors.errors["instalments"].isVisible(), timeout=5000)
    assert "252,000.00" in form.errors.errors["instalments"].text()
    assert not form.errors.errors["amount"].isVisible()
    assert form.tabs.currentIndex() == TAB_MONEY
    assert people["clerk"].run(ag.count_agreements) == 0


def test_refused_moves_say_why_and_change_nothing(qtbot, desk, people):
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    c = people["clerk"]
    aid = c.run(ag.save, agreement_input(pid, org, breach_liability=""))
    form = open_form(qtbot, people.workers["clerk"], aid)
    form.transition_buttons["submit_review"].click()
    qtbot.waitUntil(lambda: "未办理" in form.action_message.text(), timeout=5000)
    assert "违约责任" in form.action_message.text()
    assert c.run(ag.get, aid).state == "draft" and form.state_label.text() == "草稿"
    # Separation of duties: the reviewer who recorded the signing cannot also accept the work.
    pid2 = awarded_project(people, org)
    aid2 = c.run(ag.save, agreement_input(pid2, org))
    r = people["reviewer"]
    c.run(ag.transition, aid2, "submit_review")
    r.run(ag.transition, aid2, "approve")
    r.run(ag.transition, aid2, "record_signing", signing=SIGNING, today=TODAY)
    c.run(ag.transition, aid2, "start_performance", today=TODAY)
    c.run(ag.transition, aid2, "start_final_acceptance")
    rform = open_form(qtbot, people.workers["reviewer"], aid2)
    rform.transition_buttons["complete"].click()
    qtbot.waitUntil(lambda: "未办理" in rform.action_message.text(), timeout=5000)
    assert "第十七条" in rform.action_message.text()
    assert c.run(ag.get, aid2).state == "final_acceptance"
    # Another reviewer may accept, but only on a passed acceptance record (验收), and is told so.
    r2form = open_form(qtbot, people.workers["reviewer2"], aid2)
    assert "尚未登记验收" in r2form.transition_buttons["complete"].toolTip()  # said before the click too
    r2form.transition_buttons["complete"].click()
    qtbot.waitUntil(lambda: "尚未登记验收" in r2form.action_message.text(), timeout=5000)
    assert c.run(ag.get, aid2).state == "final_acceptance"


def test_return_for_revision_asks_for_the_reason(qtbot, desk, people):
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    c = people["clerk"]
    aid = c.run(ag.save, agreement_input(pid, org))
    c.run(ag.transition, aid, "submit_review")
    form = open_form(qtbot, people.workers["reviewer"], aid)
    form.transition_buttons["return_draft"].click()
    dialog = form.reason_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.buttons.accepted.emit()  # no reason yet
    assert dialog.isVisible() and dialog.message.text() == "请填写原因。"
    dialog.editor.setPlainText("服务对象范围需细化")
    dialog.buttons.accepted.emit()
    wait_state(qtbot, c, aid, "draft")
    qtbot.waitUntil(lambda: "服务对象范围需细化" in form.state_label.text(), timeout=5000)


def test_supplementary_agreement_dialog(qtbot, desk, people):
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    aid = signed_agreement(people, org, pid)
    form = open_form(qtbot, people.workers["clerk"], aid)
    assert form.place.isReadOnly() and not form.save_button.isVisible()
    form.amend_button.click()
    d = form.amendment_dialog
    assert d is not None and d.isVisible()
    d.new_values["place"].setText("新址养老驿站")
    assert d.preview.text() == "服务地点：示例社区养老驿站 → 新址养老驿站"
    d.buttons.accepted.emit()  # the reason is missing
    qtbot.waitUntil(lambda: d.errors.errors["reason"].isVisible(), timeout=5000)
    assert people["clerk"].run(ag.get, aid).amendments == []
    d.reason.setPlainText("服务地点迁址")
    d.signed_on.setText("2026-05-01")
    d.buttons.accepted.emit()
    qtbot.waitUntil(lambda: form.amendments.rowCount() == 1, timeout=5000)
    assert form.amendments.item(0, 2).text() == "服务地点迁址"
    assert form.amendments.item(0, 3).text() == "服务地点：示例社区养老驿站 → 新址养老驿站"
    qtbot.waitUntil(lambda: form.place.text() == "新址养老驿站", timeout=5000)
    assert "第 1 号补充协议" in form.action_message.text()


def test_renewal_is_disabled_with_its_reason(qtbot, desk, people):
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    aid = signed_agreement(people, org, pid, upto="final_acceptance")
    form = open_form(qtbot, people.workers["clerk"], aid)
    reason = people["clerk"].run(ag.get, aid).renewal_refusal
    assert "考核" in reason
    assert form.renew_button.isVisible() and not form.renew_button.isEnabled()
    assert form.renew_button.toolTip() == reason
    assert form.renewal_note.isVisible() and reason in form.renewal_note.text()


def test_deadlines_and_recorded_dates(qtbot, desk, people):
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    aid = signed_agreement(people, org, pid)
    form = open_form(qtbot, people.workers["clerk"], aid)
    form.tabs.setCurrentIndex(TAB_PERIOD)
    assert form.deadlines.rowCount() == 3
    # Signed Friday 2026-02-27; Saturday 02-28 is a make-up working day, so two working days end on Monday 03-02.
    assert form.deadlines.item(1, 1).text() == "2026-03-02"
    assert form.deadlines.item(0, 3).text() == "按期完成"
    form.announced_on.setText("2026-07-01")  # after "today" (2026-06-15 in this test)
    form.record_dates_button.click()
    qtbot.waitUntil(lambda: form.errors.errors["announced_on"].isVisible(), timeout=5000)
    form.announced_on.setText("2026-03-02")
    form.record_dates_button.click()
    qtbot.waitUntil(lambda: form.deadlines.item(1, 2) is not None and form.deadlines.item(1, 2).text() == "2026-03-02",
                    timeout=5000)
    assert form.deadlines.item(1, 3).text() == "按期完成"


def test_ineligible_undertaker_is_shown_on_the_parties_tab(qtbot, desk, people):
    desk.run(settings_service.update, office_name="示例街道办事处")
    # Eligible at the award (which refuses an ineligible one); its inspection record is removed since.
    org = eligible_org(desk, "未年检中心")
    pid = awarded_project(people, org)
    detail = desk.run(orgs.get, org, today=TODAY)
    detail.data.inspections = []
    desk.run(orgs.save, detail.data, org, expected_version=detail.version, today=TODAY)
    form = open_form(qtbot, people.workers["clerk"], project_id=pid)
    assert form.tabs.currentIndex() == TAB_PARTIES
    assert "不具备承接资格" in form.eligibility_banner.text() and "年检" in form.eligibility_banner.text()


def test_attachments_add_save_copy_and_remove(qtbot, desk, people, tmp_path: Path):
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    aid = signed_agreement(people, org, pid)
    form = open_form(qtbot, people.workers["clerk"], aid)
    src = tmp_path / "签字盖章件.pdf"
    src.write_bytes(b"%PDF-1.4 signed scan")
    form.attachments_panel.add_file(str(src))
    qtbot.waitUntil(lambda: form.attachments.rowCount() == 1, timeout=5000)
    assert form.attachments.item(0, 0).text() == "签字盖章件.pdf"
    assert form.attachments.item(0, 2).text() == hashlib.sha256(src.read_bytes()).hexdigest()
    form.attachments.selectRow(0)
    copy = tmp_path / "copy.pdf"
    form.attachments_panel.save_copy(str(copy))
    qtbot.waitUntil(copy.exists, timeout=5000)
    assert copy.read_bytes() == src.read_bytes()
    form.attachments_panel.remove(ask=False)
    qtbot.waitUntil(lambda: form.attachments.rowCount() == 0, timeout=5000)


def test_free_of_charge_agreement_saved_through_the_form(qtbot, desk, people):
    org = eligible_org(desk, "社区书法协会")
    pid = awarded_project(people, org)
    form = open_form(qtbot, people.workers["clerk"], project_id=pid)
    fill_new(form)
    form.free.setChecked(True)
    assert form.amount.text() == "0.00" and not form.amount.isEnabled()
    assert form.amount_upper.text() == "人民币零元整"
    form.parties_reversed.setChecked(True)
    form.save_button.click()
    qtbot.waitUntil(lambda: form.agreement_id is not None, timeout=5000)
    row = people["clerk"].run(ag.list_agreements)[0]
    assert row.free_of_charge and row.party_a == "社区书法协会" and row.amount == ag.Decimal("0.00")
    assert lc.AgreementState(row.state) == lc.AgreementState.DRAFT


def test_odd_fen_schedule_shows_what_the_service_saves(qtbot, desk, people):
    """1000.01 at 50 %/50 %: the form's total and the saved instalments come from one function (500.01 + 500.00)."""
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    form = open_form(qtbot, people.workers["clerk"], project_id=pid)
    fill_new(form)
    form.instalments.setRowCount(0)
    form.amount.setText("1000.01")
    form.add_instalment(percent="50", condition="on_signing")
    form.add_instalment(percent="50", condition="final_acceptance")
    assert form.total_label.text() == "各期合计 ¥1,000.01，与协议金额一致"
    assert form.instalment_editor.amounts() == [ag.Decimal("500.01"), ag.Decimal("500.00")]
    assert form.instalments.item(1, 1).toolTip() == "¥500.00"
    form.save_button.click()
    qtbot.waitUntil(lambda: form.agreement_id is not None and form.data.detail is not None, timeout=5000)
    saved = [i.amount for i in people["clerk"].run(ag.get, form.agreement_id).instalments]
    assert saved == form.instalment_editor.amounts()


def test_a_late_signing_asks_for_the_reason_and_is_marked_late(qtbot, desk, people):
    org = eligible_org(desk)
    pid = awarded_project(people, org)  # award notice 2026-02-10: sign by 2026-03-12
    c, r = people["clerk"], people["reviewer"]
    aid = c.run(ag.save, agreement_input(pid, org, period_start="2026-04-01"))
    c.run(ag.transition, aid, "submit_review")
    r.run(ag.transition, aid, "approve")
    form = open_form(qtbot, people.workers["clerk"], aid)
    form.transition_buttons["record_signing"].click()
    qtbot.waitUntil(lambda: form.signing_dialog is not None and form.signing_dialog.isVisible(), timeout=5000)
    sd = form.signing_dialog
    sd.signatory_a.setText("王主任")
    sd.signatory_b.setText("李涛")
    sd.signed_on_a.setText("2026-03-20")
    sd.signed_on_b.setText("2026-03-20")
    sd.buttons.accepted.emit()
    qtbot.waitUntil(lambda: sd.reason_dialog is not None and sd.reason_dialog.isVisible(), timeout=5000)
    prompt = sd.reason_dialog.findChild(QLabel).text()
    assert "政府采购法第四十六条" in prompt and "2026-03-12" in prompt
    assert not sd.reason_dialog.ok.isEnabled()  # no empty reason
    sd.reason_dialog.editor.setPlainText("乙方法定代表人出差，延期用印")
    sd.reason_dialog.ok.click()
    wait_state(qtbot, c, aid, "effective")
    form.tabs.setCurrentIndex(TAB_PERIOD)
    qtbot.waitUntil(lambda: form.data.detail.state == "effective", timeout=5000)
    status = form.deadlines.item(0, 3).text()
    assert "乙方法定代表人出差，延期用印" in status and "逾期" in status


def test_eligibility_in_january_warns_of_the_pending_inspection_without_blocking(qtbot, desk, people):
    org = eligible_org(desk)  # the 2025 inspection passed; the 2026 one is filed by 30 June 2027
    pid = awarded_project(people, org)
    form = AgreementFormDialog(people.workers["clerk"], None, pid, today=date(2027, 1, 4))
    qtbot.addWidget(form)
    form.show()
    qtbot.waitUntil(lambda: form.loaded, timeout=5000)
    qtbot.waitUntil(lambda: "2026年度年检结果尚未报送" in form.eligibility_banner.text(), timeout=5000)
    banner = form.eligibility_banner.text()
    assert "具备承接政府购买服务的资格" in banner and "2027-06-30" in banner and "不符合" not in banner


def test_an_open_form_shows_a_change_made_on_another_screen(qtbot, desk, people):
    """The change bus: the announcement recorded elsewhere (same window, another screen) shows in the open form."""
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    aid = signed_agreement(people, org, pid)
    worker = people.workers["clerk"]
    form = open_form(qtbot, worker, aid)
    assert all(form.deadlines.item(r, 2).text() != "2026-02-28" for r in range(form.deadlines.rowCount()))
    worker.call(ag.record_dates, aid, "2026-02-28", None, today=TODAY)
    qtbot.waitUntil(lambda: any(form.deadlines.item(r, 2).text() == "2026-02-28"
                                for r in range(form.deadlines.rowCount())), timeout=5000)


def test_closing_with_unsaved_changes_asks(qtbot, desk, people, monkeypatch):
    from app.views import messages

    org = eligible_org(desk)
    pid = awarded_project(people, org)
    aid = people["clerk"].run(ag.save, agreement_input(pid, org))
    answers: list[messages.UnsavedChoice] = []
    monkeypatch.setattr(messages, "ask_unsaved", lambda parent: answers.pop(0))
    form = open_form(qtbot, people.workers["clerk"], aid)
    form.reject()  # nothing changed: closes without asking
    assert not form.isVisible()
    form = open_form(qtbot, people.workers["clerk"], aid)
    form.place.setText("示例社区活动中心")
    answers[:] = [messages.UnsavedChoice.CANCEL]
    form.reject()
    assert form.isVisible() and not answers
    answers[:] = [messages.UnsavedChoice.SAVE]
    form.close_button.click()
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=5000)
    assert not answers and people["clerk"].run(ag.get, aid).data.place == "示例社区活动中心"


def test_after_the_award_the_project_form_offers_the_agreement(qtbot, desk, people, db):
    from sqlalchemy import update

    from app.models import User
    from app.views.projects.form import ProjectFormDialog

    with db.session() as s:  # people are shown by their names, not their user names
        s.execute(update(User).where(User.username == "clerk").values(display_name="张晓明"))
        s.execute(update(User).where(User.username == "reviewer").values(display_name="李审核"))
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    clerk = people.workers["clerk"]
    form = ProjectFormDialog(clerk, pid)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitUntil(lambda: form.loaded, timeout=5000)
    assert "张晓明" in form.requirement_people.text() and "李审核" in form.requirement_people.text()
    assert "clerk" not in form.requirement_people.text()
    first = form.transitions_row.itemAt(1).widget()
    assert first is form.transition_buttons["new_agreement"] and first.text() == "新建协议…"
    assert not form.new_agreement_button.isHidden()
    first.click()
    agreement_form = form.agreement_form
    qtbot.waitUntil(lambda: agreement_form.loaded, timeout=5000)
    assert agreement_form.undertaker.currentData() == org and agreement_form.amount.text() == "280000.00"
    fill_new(agreement_form)
    with qtbot.waitSignal(agreement_form.saved, timeout=5000):
        agreement_form.save_button.click()
    qtbot.waitUntil(lambda: form.agreements_model.rowCount() == 1, timeout=5000)  # the project form follows
    assert "new_agreement" not in form.transition_buttons
    assert len(people["clerk"].run(ag.list_agreements, ag.AgreementQuery(project_id=pid))) == 1
    reviewer_form = ProjectFormDialog(people.workers["reviewer"], pid)
    qtbot.addWidget(reviewer_form)
    reviewer_form.show()
    qtbot.waitUntil(lambda: reviewer_form.loaded, timeout=5000)
    assert reviewer_form.new_agreement_button.isHidden()  # a reviewer drafts none

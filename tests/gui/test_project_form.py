"""The project form: a project driven through its states in the window by two people, refused moves
shown with their reasons, and bad input shown at the fields."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.domain import lifecycle as lc
from app.models import User
from app.services import agreements as ag
from app.services import orgs, projects
from app.services.context import Actor, Desk
from app.views.main_window import MainWindow
from app.views.projects.form import TAB_BASIC, TAB_PROCUREMENT, TAB_REQUIREMENT, ProjectFormDialog
from app.views.projects.page import ProjectsPage
from app.views.widgets.reason_dialog import ReasonDialog
from app.views.worker import Worker
from tests.factories import RULE_FIELDS, org_input

TODAY = date(2026, 6, 15)
REQUIRED_TEXT = {
    "req_goals": "为辖区高龄、独居老人提供居家养老服务",
    "req_quantity_scope": "覆盖本街道8个社区，服务老人不少于300人",
    "req_period": "自协议生效之日起一年",
    "req_target_group": "辖区60岁以上老年人",
    "req_content": "助餐、探访、健康讲座",
    "req_quality": "服务对象满意度不低于90%",
    "req_assessment_standard": "按季度考核，80分以上为合格",
    "req_settlement": "按考核结果分三期支付",
}


def _user(db, username: str, roles: str) -> Actor:
    with db.session() as s:
        u = User(username=username, display_name=username, roles=roles)
        s.add(u)
        s.flush()
        uid = u.id
    return Actor(uid, username, username, frozenset(roles.split(",")))


@pytest.fixture
def windows(qtbot, db) -> Iterator[dict[str, MainWindow]]:
    """One main window per person, as two people at two desks would have."""
    made = {}
    for name, roles in (("clerk1", "clerk"), ("rev1", "reviewer"), ("both", "clerk,reviewer")):
        w = MainWindow(Desk(db, _user(db, name, roles)))
        qtbot.addWidget(w)
        made[name] = w
    yield made
    for w in made.values():
        w.worker.wait()


@pytest.fixture
def worker(qtbot, desk: Desk) -> Iterator[Worker]:
    w = Worker(desk)
    yield w
    w.wait()


def _eligible_org(desk: Desk, name: str = "阳光社工服务中心") -> int:
    oid = desk.run(orgs.save, org_input(name, inspections=[orgs.InspectionInput(2025, "passed")]), today=TODAY)
    for item in orgs.elig.MANUAL_ITEMS:
        desk.run(orgs.save_check, oid, item.code, "met", "已核验", today=TODAY)
    return oid


def _projects_page(qtbot, w: MainWindow) -> ProjectsPage:
    w.show()
    page = w.pages["projects"]
    assert isinstance(page, ProjectsPage)
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        w.go_to("projects")
    return page


def _open(qtbot, page: ProjectsPage, project_id: int | None) -> ProjectFormDialog:
    page.open_form(project_id)
    d = page.form
    assert isinstance(d, ProjectFormDialog)
    qtbot.waitUntil(lambda: d.loaded and not d.busy, timeout=5000)
    return d


def _state_after(qtbot, d: ProjectFormDialog, action) -> str:
    """Do `action` and wait for the form to show the outcome (a new state or a message)."""
    before = d.detail.state if d.detail else None
    d.status_message.hide()
    d.status_message.setText("")
    action()
    qtbot.waitUntil(lambda: d.loaded and not d.busy and (
        (d.detail is not None and d.detail.state != before) or bool(d.status_message.text())), timeout=5000)
    assert d.detail is not None
    return d.detail.state


def _fill_new(d: ProjectFormDialog, name: str = "社区居家养老服务项目", amount: str = "300,000") -> None:
    d.name.setText(name)
    d.purchaser_department.setText("社区服务科")
    d.budget_year.setValue(2026)
    d.budget_amount.setText(amount)
    d.plan_years.setValue(3)
    for key, text in REQUIRED_TEXT.items():
        d.sections[key].setPlainText(text)
    for box in d.exclusions.values():  # what may not be purchased: confirmed by the drafter
        box.setChecked(True)
    d.consultation_on.setText("2026-01-20")  # a class-3 service consults the public (成都规程第十五条)
    d.consultation_method.setText("社区居民问卷")
    d.consultation_result.setPlainText("收回问卷120份，多数支持")


def _button(d: ProjectFormDialog, name: str):
    assert name in d.transition_buttons, (name, list(d.transition_buttons))
    return d.transition_buttons[name]


def test_project_through_its_states_in_the_window(qtbot, windows, desk):
    org = _eligible_org(desk)
    clerk_page = _projects_page(qtbot, windows["clerk1"])
    d = _open(qtbot, clerk_page, None)
    assert d.state_chip.text() == "尚未保存" and not d.transition_buttons
    _fill_new(d)
    assert d.amount_words.text() == "人民币叁拾万元整"
    d.save_button.click()
    qtbot.waitUntil(lambda: d.detail is not None and d.loaded, timeout=5000)
    pid = d.project_id
    assert pid is not None and d.detail.state == lc.ProjectState.PLANNED
    assert d.state_chip.text() == "计划中"
    qtbot.waitUntil(lambda: clerk_page.model.rowCount() == 1, timeout=5000)
    assert [b.text() for b in d.transition_buttons.values()] == ["登记预算批复"]  # a clerk cannot cancel

    assert _state_after(qtbot, d, _button(d, "approve_budget").click) == lc.ProjectState.BUDGETED
    assert _state_after(qtbot, d, _button(d, "draft_requirement").click) == lc.ProjectState.REQUIREMENT_DRAFT
    assert "approve_requirement" not in d.transition_buttons  # the clerk's role cannot approve

    # The reviewer, at another desk, approves.
    rev_page = _projects_page(qtbot, windows["rev1"])
    r = _open(qtbot, rev_page, pid)
    assert set(r.transition_buttons) == {"approve_requirement", "return_requirement", "cancel"}
    assert not r.save_button.isVisible()
    assert _state_after(qtbot, r, _button(r, "approve_requirement").click) == lc.ProjectState.REQUIREMENT_APPROVED
    # Once approved, the requirement and the budget are locked in the form.
    assert r.sections["req_goals"].isReadOnly()
    # Who drafted and who reviewed the requirement is shown (成都规程第十三条: its drafter and reviewer).
    qtbot.waitUntil(lambda: "rev1" in r.requirement_people.text(), timeout=5000)
    assert "clerk1" in r.requirement_people.text()

    # The clerk compiles the purchase documents; the reviewer re-checks them.
    d.reload()
    qtbot.waitUntil(lambda: d.detail.state == lc.ProjectState.REQUIREMENT_APPROVED and d.loaded, timeout=5000)
    assert d.budget_amount.isReadOnly()
    d.tabs.setCurrentIndex(TAB_PROCUREMENT)
    assert d.compile_button.isEnabled() and not d.recheck_button.isEnabled()
    d.compile_button.click()
    qtbot.waitUntil(lambda: d.compiled_by.text() == "clerk1", timeout=5000)
    r.reload()
    qtbot.waitUntil(lambda: r.recheck_button.isEnabled(), timeout=5000)
    r.recheck_button.click()
    qtbot.waitUntil(lambda: r.checked_by.text() == "rev1", timeout=5000)
    assert r.compiled_by.text() == "clerk1"

    d.reload()
    qtbot.waitUntil(lambda: d.checked_by.text() == "rev1", timeout=5000)
    assert _state_after(qtbot, d, _button(d, "start_procurement").click) == lc.ProjectState.SOLICITING

    # Recording the award opens the award fields.
    _button(d, "record_award").click()
    assert d.tabs.currentIndex() == TAB_PROCUREMENT and "登记成交结果" in d.status_message.text()
    d.award_org.search.setText("阳光")
    d.award_org.refresh()
    qtbot.waitUntil(lambda: d.award_org.current_id() == org, timeout=5000)
    d.award_notice_date.setText("2026-02-10")
    d.award_price.setText("280000")
    d.award_price_basis.setCurrentIndex(d.award_price_basis.findData("per_year"))
    assert _state_after(qtbot, d, d.record_award_button.click) == lc.ProjectState.AWARDED
    assert "阳光社工服务中心" in d.award_undertaker_shown.text()
    assert not d.award_price.isEnabled()
    assert "2026年3月12日" in d.deadlines.text()  # 30 days after the award notice

    # The agreement is made on the agreement screens (here through the service) and the project moves on.
    clerk, reviewer = windows["clerk1"].desk, windows["rev1"].desk
    aid = clerk.run(ag.save, ag.AgreementInput(
        project_id=pid, undertaker_id=org, service_content="助餐、探访", target_group="辖区老年人", place="养老驿站",
        amount="280000.00", period_start="2026-03-01",
        instalments=[ag.InstalmentInput(percent="100", condition="final_acceptance")],
        acceptance_standard="80分以上为合格", rights_obligations="见附件", breach_liability="违约方承担责任",
        dispute_resolution="mediation", copies=4))
    clerk.run(ag.transition, aid, "submit_review")
    reviewer.run(ag.transition, aid, "approve")
    clerk.run(ag.transition, aid, "record_signing", signing=ag.SigningInput("王主任", "李涛", "2026-02-26", "2026-02-27"),
              today=TODAY)
    clerk.run(ag.transition, aid, "start_performance", today=TODAY)
    d.reload()
    qtbot.waitUntil(lambda: d.detail.state == lc.ProjectState.IN_PERFORMANCE and d.loaded, timeout=5000)
    assert d.state_chip.text() == "履约中"
    assert "期限2026年3月12日，已于2026年2月27日完成" in d.deadlines.text()
    assert d.agreements_model.rowCount() == 1
    assert d.agreements_model.data(d.agreements_model.index(0, 0)) == "第1年（2026年）"
    with qtbot.waitSignal(d.agreement_opened, timeout=2000) as opened:
        d.agreements.selectRow(0)
        d.open_agreement_button.click()
    assert opened.args == [aid]
    clerk_page.refresh()
    qtbot.waitUntil(lambda: clerk_page.model.row_at(0) is not None and clerk_page.model.row_at(0).agreements == 1,
                    timeout=5000)


def test_a_refused_move_shows_why_and_nothing_changes(qtbot, windows):
    page = _projects_page(qtbot, windows["clerk1"])
    d = _open(qtbot, page, None)
    _fill_new(d)
    d.sections["req_settlement"].setPlainText("")
    d.save_button.click()
    qtbot.waitUntil(lambda: d.detail is not None and d.loaded, timeout=5000)
    assert _state_after(qtbot, d, _button(d, "approve_budget").click) == lc.ProjectState.BUDGETED
    # The requirement lacks a required section: the service refuses and says which.
    assert _state_after(qtbot, d, _button(d, "draft_requirement").click) == lc.ProjectState.BUDGETED
    assert "需求缺少" in d.status_message.text() and "结算方式" in d.status_message.text()
    assert d.status_message.isVisible()
    assert windows["clerk1"].desk.run(projects.get, d.project_id).state == lc.ProjectState.BUDGETED
    # Filling it in and trying again saves the edit first, then moves.
    d.tabs.setCurrentIndex(TAB_REQUIREMENT)
    d.sections["req_settlement"].setPlainText("分期支付")
    assert d.dirty
    assert _state_after(qtbot, d, _button(d, "draft_requirement").click) == lc.ProjectState.REQUIREMENT_DRAFT
    assert windows["clerk1"].desk.run(projects.get, d.project_id).data.req_settlement == "分期支付"


def test_the_same_person_cannot_draft_and_approve(qtbot, windows):
    page = _projects_page(qtbot, windows["both"])
    d = _open(qtbot, page, None)
    _fill_new(d)
    d.save_button.click()
    qtbot.waitUntil(lambda: d.detail is not None and d.loaded, timeout=5000)
    _state_after(qtbot, d, _button(d, "approve_budget").click)
    _state_after(qtbot, d, _button(d, "draft_requirement").click)
    assert _state_after(qtbot, d, _button(d, "approve_requirement").click) == lc.ProjectState.REQUIREMENT_DRAFT
    text = d.status_message.text()
    assert "不相容岗位分设" in text and "第十七条" in text and "both" in text


def test_a_move_that_needs_a_reason_asks_for_it(qtbot, windows, monkeypatch):
    page = _projects_page(qtbot, windows["both"])
    d = _open(qtbot, page, None)
    _fill_new(d)
    d.save_button.click()
    qtbot.waitUntil(lambda: d.detail is not None and d.loaded, timeout=5000)
    assert _button(d, "cancel").text() == "撤销项目…"
    monkeypatch.setattr(d, "ask_reason", lambda t: None)  # the user pressed Cancel
    _button(d, "cancel").click()
    assert d.detail.state == lc.ProjectState.PLANNED and not d.busy
    monkeypatch.setattr(d, "ask_reason", lambda t: "预算调整，本年度不再实施")
    assert _state_after(qtbot, d, _button(d, "cancel").click) == lc.ProjectState.CANCELLED
    assert "预算调整" in d.state_reason.text()
    assert "本状态下没有" in d.next_steps.text() and not d.transition_buttons


def test_reason_dialog_needs_text(qtbot):
    dialog = ReasonDialog("退回修改")
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    dialog.editor.setPlainText("  ")
    assert not dialog.ok.isEnabled()
    dialog.editor.setPlainText("服务对象范围不清")
    assert dialog.ok.isEnabled() and dialog.reason() == "服务对象范围不清"
    with qtbot.waitSignal(dialog.finished, timeout=2000) as done:
        dialog.open()
        dialog.ok.click()
    assert done.args == [QDialog.DialogCode.Accepted]


def test_bad_input_is_shown_at_the_fields(qtbot, worker, desk):
    d = ProjectFormDialog(worker, None)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.loaded, timeout=5000)
    d.name.setText("")
    d.budget_amount.setText("三十万元")
    assert "不是有效金额" in d.amount_words.text()
    d.procurement_method.setCurrentIndex(d.procurement_method.findData("single_source"))
    assert d.method_reason.isVisible()
    d.tabs.setCurrentIndex(TAB_REQUIREMENT)
    d.save_button.click()
    qtbot.waitUntil(lambda: d.problem_box.isVisible(), timeout=5000)
    assert {n for n, e in d.f.errors.items() if e.isVisible()} == {"name", "budget_amount", "method_reason"}
    assert d.f.errors["name"].text() == "为必填项"
    assert "不是金额" in d.f.errors["budget_amount"].text()  # the one amount grammar (issue 14)
    assert "单一来源" in d.f.errors["method_reason"].text()
    assert d.budget_amount.property("invalid") is True
    assert "预算金额" in d.problem_box.text() and "未保存" in d.problem_box.text()
    assert d.tabs.currentIndex() == TAB_BASIC
    assert d.project_id is None and desk.run(projects.count_projects) == 0
    # Another method hides the reason again; correcting the input saves.
    d.procurement_method.setCurrentIndex(d.procurement_method.findData("open_tender"))
    assert not d.method_reason.isVisible()
    d.name.setText("社区心理服务")
    d.budget_amount.setText("120000")
    d.save_button.click()
    qtbot.waitUntil(lambda: d.detail is not None, timeout=5000)
    assert not d.problem_box.isVisible() and d.f.errors["budget_amount"].isHidden()
    assert desk.run(projects.get, d.project_id).data.budget_amount == 120000


def test_award_problems_are_shown_at_the_award_fields(qtbot, worker, desk):
    org = _eligible_org(desk)
    pid = desk.run(projects.save, projects.ProjectInput(name="助餐服务", budget_year=2026, budget_amount="100000",
                                                         **REQUIRED_TEXT, **RULE_FIELDS))
    for step in ("approve_budget", "draft_requirement"):
        desk.run(projects.transition, pid, step)
    other = Desk(desk.db, _user(desk.db, "rev9", "reviewer,clerk"))
    other.run(projects.transition, pid, "approve_requirement")
    desk.run(projects.compile_documents, pid)
    other.run(projects.recheck_documents, pid)
    desk.run(projects.transition, pid, "start_procurement")
    d = ProjectFormDialog(worker, pid)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.loaded, timeout=5000)
    d.run_transition("record_award")
    d.award_org.set_current(org, "阳光社工服务中心")
    d.award_notice_date.setText("明天")
    d.award_price.setText("150000")
    d.award_price_basis.setCurrentIndex(d.award_price_basis.findData("per_year"))
    d.record_award_button.click()
    qtbot.waitUntil(lambda: d.problem_box.isVisible(), timeout=5000)
    assert "不是有效日期" in d.f.errors["award_notice_date"].text()
    assert "超过预算" in d.f.errors["award_price"].text()
    assert "请更正" in d.status_message.text()
    assert desk.run(projects.get, pid).state == lc.ProjectState.SOLICITING


def test_agreements_model_passes_the_model_tester(qtbot, qtmodeltester):
    from app.views.projects.model import ProjectAgreementsModel

    model = ProjectAgreementsModel()
    model.set_rows([(7, "示例街道购服〔2025〕001号", 1, "completed"), (9, "示例街道购服〔2026〕004号", 2, "performing")],
                   2025)
    assert model.data(model.index(1, 0)) == "第2年（2026年）"
    assert model.data(model.index(1, 2)) == "履约中"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "协议编号"
    qtmodeltester.check(model, force_py=True)


def test_the_requirement_prints_from_the_form(qtbot, windows, monkeypatch, tmp_path):
    page = _projects_page(qtbot, windows["both"])
    d = _open(qtbot, page, None)
    assert not d.print_requirement_button.isEnabled()  # nothing saved to print yet
    _fill_new(d)
    d.save_button.click()
    qtbot.waitUntil(lambda: d.detail is not None and d.loaded, timeout=5000)
    target = tmp_path / "需求.pdf"
    monkeypatch.setattr("app.views.projects.form.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), "PDF"))
    d.print_requirement_button.click()
    qtbot.waitUntil(lambda: bool(d.requirement_message.text()), timeout=15000)
    assert target.read_bytes().startswith(b"%PDF") and str(target) in d.requirement_message.text()
    d.print_requirement_button.click()  # a second time over its own PDF: allowed, written anew
    qtbot.waitUntil(lambda: d.print_requirement_button.isEnabled(), timeout=15000)
    db_file = str(windows["both"].worker.desk.db.path)
    monkeypatch.setattr("app.views.projects.form.QFileDialog.getSaveFileName", lambda *a, **k: (db_file, "PDF"))
    d.print_requirement_button.click()
    qtbot.waitUntil(lambda: "数据库" in d.requirement_message.text(), timeout=15000)


def test_closing_with_unsaved_changes_asks(qtbot, worker, desk, monkeypatch):
    from app.views import messages

    answers: list[messages.UnsavedChoice] = []
    monkeypatch.setattr(messages, "ask_unsaved", lambda parent: answers.pop(0))
    d = ProjectFormDialog(worker, None)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.loaded, timeout=5000)
    d.reject()  # nothing typed: closes without asking
    assert not d.isVisible()
    d = ProjectFormDialog(worker, None)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.loaded, timeout=5000)
    d.name.setText("社区居家养老服务项目")
    answers[:] = [messages.UnsavedChoice.CANCEL]
    d.close_button.click()
    assert d.isVisible() and not answers
    answers[:] = [messages.UnsavedChoice.DISCARD]
    d.reject()
    assert not d.isVisible() and d.result() == QDialog.DialogCode.Rejected
    assert desk.run(projects.count_projects) == 0

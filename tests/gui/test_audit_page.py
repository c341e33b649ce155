"""The audit trail viewer: the paged model (qtmodeltester), filters, translated labels, chain check."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt

from app.i18n import set_language
from app.models import User
from app.services import audit, orgs
from app.services import settings as settings_service
from app.services.context import Actor, Desk
from app.views.audit_page import ROW_ROLE, AuditModel, AuditPage, Column
from app.views.worker import Worker
from tests.factories import org_input

TODAY = date(2026, 6, 15)
REVIEWER = Actor(5, "li", "李审核", frozenset({"reviewer"}))


@pytest.fixture
def filled(desk, db):
    with db.session() as s:
        s.add(User(id=REVIEWER.id, username="li", display_name="李审核", roles="reviewer"))
    for i in range(12):
        desk.run(orgs.save, org_input(f"审计页面测试中心{i}", phone="010-12345678"), today=TODAY)
    Desk(db, REVIEWER).run(settings_service.put, settings_service.OFFICE_NAME, "某街道办事处")
    return desk


def _wait_loaded(qtbot, model: AuditModel) -> None:
    qtbot.waitUntil(lambda: not model.busy, timeout=10000)


def test_model_pages_and_passes_the_model_tester(qtbot, qtmodeltester, filled, db):
    worker = Worker(Desk(db, REVIEWER))
    model = AuditModel(worker, page_size=25)
    with qtbot.waitSignal(model.loaded, timeout=10000):
        model.reload()
    with db.read_session() as s:
        total = audit.count(s, REVIEWER, audit.AuditQuery())
    assert model.total == total > 50 and model.rowCount() == 25
    qtmodeltester.check(model, force_py=True)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 50, timeout=10000)
    qtmodeltester.check(model, force_py=True)
    newest = model.index(0, Column.ACTION).data(ROW_ROLE)
    assert newest.entity == "setting" and model.index(0, Column.USER).data() == "li"
    assert model.index(0, Column.ACTION).data() == "修改"
    assert model.index(0, Column.RECORD).data() == "系统设置 单位名称"  # the setting by its name, not its key
    assert model.index(0, Column.CHANGE).data() == "— → 某街道办事处"
    assert model.headerData(Column.CHANGE, Qt.Orientation.Horizontal) == "原值 → 新值"
    worker.wait()


def test_english_labels(qtbot, filled, db):
    set_language("en")
    worker = Worker(Desk(db, REVIEWER))
    model = AuditModel(worker)
    with qtbot.waitSignal(model.loaded, timeout=10000):
        model.set_query(audit.AuditQuery(entity="organization", text="010-1234"))
    assert model.total == 12
    assert model.index(0, Column.ACTION).data() == "Created"
    assert model.index(0, Column.FIELD).data() == "Phone"
    assert model.index(0, Column.RECORD).data().startswith("Organization 审计页面测试中心")
    worker.wait()


def test_page_filters_by_person_record_date_and_text(qtbot, filled, db):
    worker = Worker(Desk(db, REVIEWER))
    page = AuditPage(worker)
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: page.user_filter.count() > 1 and not page.model.busy, timeout=10000)
    everything = page.model.total
    assert "条记录" in page.count_label.text()
    page.user_filter.setCurrentIndex(page.user_filter.findData("li"))
    qtbot.waitUntil(lambda: page.model.total == 1 and not page.model.busy, timeout=10000)
    assert "李审核" in page.user_filter.currentText()
    page.clear_filters()
    qtbot.waitUntil(lambda: page.model.total == everything and not page.model.busy, timeout=10000)
    page.entity_filter.setCurrentIndex(page.entity_filter.findData("setting"))
    qtbot.waitUntil(lambda: page.model.total == 1 and not page.model.busy, timeout=10000)
    page.clear_filters()
    page.date_to.setDate(QDate(2001, 1, 1))
    qtbot.waitUntil(lambda: page.model.total == 0 and not page.model.busy, timeout=10000)
    page.date_to.setDate(page.date_to.minimumDate())  # back to "any date"
    qtbot.waitUntil(lambda: page.model.total == everything and not page.model.busy, timeout=10000)
    page.search.setText("审计页面测试中心3")
    page.apply_filters()
    qtbot.waitUntil(lambda: 0 < page.model.total < everything and not page.model.busy, timeout=10000)
    page.verify()
    qtbot.waitUntil(lambda: page.verify_button.isEnabled(), timeout=10000)
    assert "完好" in page.verify_label.text()
    worker.wait()


def test_a_clerk_sees_a_permission_message(qtbot, filled, db):
    worker = Worker(Desk(db, Actor(9, "wang", "王经办", frozenset({"clerk"}))))
    page = AuditPage(worker)
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: "审核人" in page.verify_label.text(), timeout=10000)
    assert page.model.rowCount() == 0
    worker.wait()


def test_every_row_of_a_days_work_reads_in_chinese(qtbot, db):
    """Sample organizations, projects and agreements through every state, settings saved twice: the
    viewer shows field labels, state names and record titles, never a stored code or a database id."""
    import re

    from app.services import accounts, demo
    from app.services.context import SYSTEM

    desk = Desk(db, SYSTEM)
    desk.run(settings_service.complete_setup, "桃源街道办事处", "zh_CN")
    admin = desk.run(accounts.create_first_admin, "boss", "张主任", "Office-pass-2026", "Office-pass-2026")
    desk.run(demo.load_sample, today=TODAY)
    for _ in range(2):  # the second save changes nothing and writes nothing
        Desk(db, admin).run(settings_service.update_office_details, {"office_phone": "010-64000100",
                                                                     "office_address": ""})
    worker = Worker(Desk(db, admin))
    model = AuditModel(worker, page_size=5000)
    with qtbot.waitSignal(model.loaded, timeout=30000):
        model.reload()
    assert model.rowCount() == model.total > 500
    code = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b(?:met|draft|review|effective|performing|passed|basic|planned|"
                      r"budgeted|awarded|completed|terminated|operator|mediation)\b")
    raw: list[str] = []
    for r in range(model.rowCount()):
        row = model.index(r, 0).data(ROW_ROLE)
        texts = [model.index(r, c).data() or "" for c in (Column.ACTION, Column.RECORD, Column.FIELD)]
        change = model.index(r, Column.CHANGE).data() or ""
        # Every kind of record (assessments, acceptance, payments, objections too) and every action is named.
        assert row.entity in audit.ENTITY_LABELS and row.action in audit.ACTION_LABELS, (row.entity, row.action)
        typed = row.field in ("req_goals", "service_content", "notes", "name", "method_reason", "evidence")
        for text in [*texts, *([] if typed else [change])]:
            if code.search(text):
                raw.append(f"{row.entity}.{row.field}: {text}")
        if row.entity in ("agreement", "project", "organization"):
            assert not model.index(r, Column.RECORD).data().split(" ", 1)[-1].isdigit(), texts
        assert change != "— → —", (row.entity, row.field)
    assert not raw, "\n".join(sorted(set(raw))[:40])
    office_phone = [r for r in range(model.rowCount())
                    if model.index(r, 0).data(ROW_ROLE).entity_id == "office_phone"]
    assert len(office_phone) == 1 and model.index(office_phone[0], Column.RECORD).data() == "系统设置 联系电话"
    worker.wait()

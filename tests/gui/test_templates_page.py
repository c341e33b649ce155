"""The Templates screen: the library list, the clause editor's live checks, saving a new version."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from app.i18n import _
from app.services import templates
from app.services.context import Actor, Desk
from app.views.templates_page import (
    ROW_ROLE,
    ClauseListModel,
    Column,
    TemplateListModel,
    TemplatesPage,
    clause_label,
    numbers,
)
from app.views.templates_page import Clause as EditorClause
from app.views.worker import Worker
from tests.db_templates import sample_data

CLERK = Actor(None, "clerk1", "王经办", frozenset({"clerk"}))


@pytest.fixture
def worker(qtbot, desk: Desk) -> Iterator[Worker]:
    w = Worker(desk)
    yield w
    w.wait()


def _page(qtbot, worker: Worker, kind: str = "contract") -> TemplatesPage:
    page = TemplatesPage(worker)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    with qtbot.waitSignal(page.opened, timeout=10000):
        page.show()
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).kind == kind)
    if page.detail.kind != kind:
        with qtbot.waitSignal(page.opened, timeout=10000):
            page.table.selectRow(row)
    return page


def _select_clause(page: TemplatesPage, row: int) -> None:
    page.clause_list.setCurrentIndex(page.clause_model.index(row))


def _problem_texts(page: TemplatesPage) -> list[str]:
    return [page.problem_list.item(i).text() for i in range(page.problem_list.count())]


def test_library_lists_the_shipped_templates(qtbot, qtmodeltester, worker):
    page = _page(qtbot, worker)
    kinds = {page.model.row_at(r).kind for r in range(page.model.rowCount())}
    assert kinds == set(templates.KINDS)
    assert page.model.headerData(Column.VERSION, Qt.Orientation.Horizontal) == "版本"
    row = page.model.row_of(page.detail.id)
    assert page.model.data(page.model.index(row, Column.KIND)) == _(templates.KINDS["contract"])
    assert isinstance(page.model.data(page.model.index(row, 0), ROW_ROLE), templates.TemplateRow)
    qtmodeltester.check(page.model, force_py=True)
    assert page.problems == templates.check_clauses("contract", page.clause_inputs())


def test_a_clean_template_says_so(qtbot, worker):
    page = _page(qtbot, worker, "community")
    assert page.problems == []
    assert page.check_label.text() == "未发现问题。"
    assert not page.problem_list.isVisible()


def test_models_pass_the_model_tester(qtmodeltester):
    model = TemplateListModel()
    qtmodeltester.check(model, force_py=True)
    clauses = ClauseListModel()
    clauses.set_clauses([EditorClause("", "前言{party_a}"), EditorClause("服务内容", "{service_content}", "content"),
                         EditorClause("付款", "{payment_table}", "payment")])
    qtmodeltester.check(clauses, force_py=True)
    clauses.move(0, 2)
    clauses.insert(1, EditorClause("新条款", "文字"))
    clauses.remove(0)
    qtmodeltester.check(clauses, force_py=True)


def test_clauses_are_numbered_as_they_print(qtbot, worker):
    page = _page(qtbot, worker)
    shown = [clause_label(page.clause_model.index(r)) for r in range(page.clause_model.rowCount())]
    first_titled = next(i for i, c in enumerate(page.clause_model.clauses) if c.title)
    assert shown[first_titled].startswith("第一条")
    assert numbers([EditorClause("", "x"), EditorClause("甲", "y"), EditorClause("乙", "z")]) == [0, 1, 2]


def test_unknown_field_is_an_error_while_typing(qtbot, worker):
    page = _page(qtbot, worker, "community")
    row = next(i for i, c in enumerate(page.clause_model.clauses) if c.title)
    _select_clause(page, row)
    assert page.clause_title.text() == page.clause_model.clauses[row].title
    with qtbot.waitSignal(page.checked) as blocker:
        page.clause_text.setPlainText(page.clause_text.toPlainText() + "联系人：{contact_persn}")
    assert any("contact_persn" in str(p) for p in blocker.args[0])
    assert _problem_texts(page) == [str(p) for p in templates.check_clauses(page.detail.kind, page.clause_inputs())]
    assert any("contact_persn" in t for t in _problem_texts(page))
    assert page.problem_list.isVisible()
    assert not page.save_button.isEnabled()
    assert page.clause_model.data(page.clause_model.index(row), Qt.ItemDataRole.ForegroundRole) is not None
    # Fixing the name clears the error at once.
    page.clause_text.setPlainText(page.clause_text.toPlainText().replace("{contact_persn}", "{party_b}"))
    assert page.problems == []
    assert page.save_button.isEnabled()


def test_removing_a_required_clause_is_flagged(qtbot, worker):
    page = _page(qtbot, worker)
    row = next(i for i, c in enumerate(page.clause_model.clauses) if c.requirement == "no_subcontracting")
    _select_clause(page, row)
    count = page.clause_model.rowCount()
    page.remove_button.click()
    assert page.clause_model.rowCount() == count - 1
    missing = _(templates.REQUIREMENTS["no_subcontracting"])
    assert any(missing in t for t in _problem_texts(page))
    assert not page.save_button.isEnabled()


def test_field_catalogue_inserts_at_the_cursor(qtbot, worker):
    page = _page(qtbot, worker)
    _select_clause(page, next(i for i, c in enumerate(page.clause_model.clauses) if c.title))
    page.clause_text.setPlainText("甲方：。")
    cursor = page.clause_text.textCursor()
    cursor.setPosition(3)
    page.clause_text.setTextCursor(cursor)
    item = next(page.fields.item(i) for i in range(page.fields.count())
                if page.fields.item(i).data(Qt.ItemDataRole.UserRole) == "party_a")
    assert "{party_a}" in item.text()
    page.fields.itemClicked.emit(item)
    assert page.clause_text.toPlainText() == "甲方：{party_a}。"


def test_add_and_move_clauses(qtbot, worker):
    page = _page(qtbot, worker, "community")
    _select_clause(page, 1)
    title = page.clause_model.clauses[1].title
    page.down_button.click()
    assert page.clause_model.clauses[2].title == title
    assert page.clause_list.currentIndex().row() == 2
    page.up_button.click()
    assert page.clause_model.clauses[1].title == title
    count = page.clause_model.rowCount()
    page.add_button.click()
    assert page.clause_model.rowCount() == count + 1
    assert page.clause_list.currentIndex().row() == 2
    assert len(page.problems) == 1 and "新条款" in _problem_texts(page)[0]  # the new clause has no text yet
    page.clause_text.setPlainText("乙方应按月报送服务台账。")
    assert page.problems == []


def test_saving_makes_a_new_version(qtbot, worker, desk):
    page = _page(qtbot, worker, "community")
    template_id, version = page.detail.id, page.detail.version
    before = desk.run(templates.get_template, template_id)
    row = next(i for i, c in enumerate(page.clause_model.clauses) if c.requirement == "content")
    _select_clause(page, row)
    page.clause_text.setPlainText(page.clause_text.toPlainText() + "\n活动前三日在社区公告栏公布活动安排。")
    assert page.dirty and page.save_button.isEnabled()
    with qtbot.waitSignal(page.saved, timeout=10000) as blocker, qtbot.waitSignal(page.opened, timeout=10000):
        page.save_button.click()
    assert blocker.args[0] == version + 1
    assert page.detail.version == version + 1 and not page.dirty
    assert "社区公告栏" in page.detail.clauses[row].text
    assert page.model.row_at(page.model.row_of(template_id)).version == version + 1
    old = desk.run(templates.get_template, template_id, version)
    assert old.clauses == before.clauses  # the version agreements were printed from is unchanged
    assert "版本" in page.notice.text()


def test_clerk_reads_but_cannot_edit(qtbot, db):
    worker = Worker(Desk(db, CLERK))
    try:
        page = _page(qtbot, worker)
        assert page.findChild(type(page.check_label), "read_only_note") is not None
        _select_clause(page, 1)
        assert page.clause_text.isReadOnly() and page.clause_title.isReadOnly()
        assert not page.add_button.isEnabled() and not page.remove_button.isEnabled()
        assert not page.save_button.isEnabled()
        assert page.preview_button.isEnabled()
    finally:
        worker.wait()


@pytest.mark.db_content(sample_data(None))
def test_preview_renders_the_selected_template_with_a_sample_agreement(qtbot, worker, desk):
    from app.services import demo

    assert desk.run(demo.load_sample) == 0  # there already: the db_content marker
    page = _page(qtbot, worker, "community")
    page.preview_button.click()
    qtbot.waitUntil(lambda: getattr(page, "preview_dialog", None) is not None, timeout=10000)
    dialog = page.preview_dialog
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.document is not None, timeout=20000)
    assert dialog.document.pageCount() > 0
    assert dialog.template_id == page.detail.id and dialog.kind == "agreement"
    assert dialog.rendered.template_version == page.detail.version


def test_preview_without_any_agreement_says_so(qtbot, worker):
    page = _page(qtbot, worker)
    with qtbot.waitSignal(page.notice_shown, timeout=10000):
        page.preview_button.click()
    assert "暂无" in page.notice.text()

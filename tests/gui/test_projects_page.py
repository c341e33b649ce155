"""The project list (model tester, columns, filters), the consortium editor and the catalogue dialog."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.domain import lifecycle as lc
from app.models import User
from app.services import demo, orgs, projects
from app.services.context import Actor, Desk
from app.views.projects.dialogs import CatalogueDialog, ConsortiumDialog
from app.views.projects.model import ROW_ROLE, SORT_ROLE, Column, ProjectListModel
from app.views.projects.page import ProjectsPage
from app.views.worker import Worker
from tests.db_templates import sample_data
from tests.factories import org_input

TODAY = date(2026, 11, 23)
SAMPLE = sample_data(TODAY)  # made once per process, copied for each test that uses `sample`


@pytest.fixture
def worker(qtbot, desk: Desk) -> Iterator[Worker]:
    w = Worker(desk)
    yield w
    w.wait()


@pytest.fixture
def sample(desk: Desk) -> int:
    """The sample projects: the test's db_content marker starts its database with them."""
    assert desk.run(demo.load_sample, today=TODAY) == 0
    return desk.run(projects.count_projects)


def _page(qtbot, worker: Worker) -> ProjectsPage:
    page = ProjectsPage(worker)
    qtbot.addWidget(page)
    page.resize(1280, 640)
    page.show()
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.refresh()
    return page


def _rows(model: ProjectListModel) -> list[projects.ProjectRow]:
    return [model.row_at(r) for r in range(model.rowCount())]  # type: ignore[misc]  # rows are ProjectRow


@pytest.mark.db_content(SAMPLE)
def test_model_passes_the_model_tester(qtbot, qtmodeltester, worker, sample):
    model = ProjectListModel(worker, page_size=5)
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.reload()
    assert model.rowCount() == 5 and model.total == sample > 5
    qtmodeltester.check(model, force_py=True)
    def fetched_all() -> bool:
        model.fetchMore()  # does nothing while a page is on its way
        return model.rowCount() == sample

    qtbot.waitUntil(fetched_all, timeout=5000)
    assert not model.canFetchMore()
    assert model.rowCount() == sample
    qtmodeltester.check(model, force_py=True)


def test_columns_roles_and_headers(qtbot, worker, desk):
    pid = desk.run(projects.save, projects.ProjectInput(name="社区心理服务", budget_year=2026, budget_amount="123456.7",
                                                         plan_years=2, is_sample=True))
    model = ProjectListModel(worker)
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.reload()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers == ["项目名称", "预算年度", "预算金额", "采购方式", "实施周期（年）", "承接主体", "服务协议", "状态"]
    row = model.row_of(pid)
    display = [model.data(model.index(row, c)) for c in Column]
    assert display[1:] == ["2026", "¥123,456.70", "公开招标", "2年", "", "0", "计划中"]
    assert display[0] != "社区心理服务" and "示例" in display[0] and "社区心理服务" in display[0]
    assert model.data(model.index(row, Column.AMOUNT), SORT_ROLE) == Decimal("123456.70")
    assert model.data(model.index(row, Column.YEAR), SORT_ROLE) == 2026
    record = model.data(model.index(row, Column.NAME), ROW_ROLE)
    assert isinstance(record, projects.ProjectRow) and record.id == pid
    assert model.data(model.index(row, Column.STATE), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(row, Column.STATE), Qt.ItemDataRole.ForegroundRole).name() == "#44546a"


@pytest.mark.db_content(SAMPLE)
def test_filters_and_search(qtbot, worker, sample):
    page = _page(qtbot, worker)
    assert page.model.rowCount() == sample
    assert page.count_label.text() == f"共 {sample} 个项目"
    names = [r.name for r in _rows(page.model)]
    assert all(n.startswith(demo.SAMPLE_MARK) for n in names)

    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.state_filter.setCurrentIndex(page.state_filter.findData(lc.ProjectState.IN_PERFORMANCE.value))
    rows = _rows(page.model)
    assert rows and all(r.state == lc.ProjectState.IN_PERFORMANCE for r in rows)
    assert page.model.data(page.model.index(0, Column.STATE)) == "履约中"

    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.clear_filters()
    year = rows[0].budget_year
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.year_filter.setCurrentIndex(page.year_filter.findData(year))
    assert {r.budget_year for r in _rows(page.model)} == {year}

    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.clear_filters()
    page.search.setText("养老")
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.apply_filters()
    assert _rows(page.model) and all("养老" in r.name for r in _rows(page.model))


@pytest.mark.db_content(SAMPLE)
def test_open_button_follows_the_selection_and_opens_the_form(qtbot, worker, sample):
    page = _page(qtbot, worker)
    assert not page.open_button.isEnabled()
    page.table.selectRow(0)
    assert page.open_button.isEnabled()
    page.open_button.click()
    form = page.form
    qtbot.waitUntil(lambda: form.loaded, timeout=5000)
    assert form.detail is not None and form.detail.id == page.model.row_at(0).id
    form.close()


def test_buttons_follow_the_roles(qtbot, db):
    def page_for(roles: str) -> ProjectsPage:
        w = Worker(Desk(db, Actor(None, roles, roles, frozenset(roles.split(",")))))
        p = ProjectsPage(w)
        qtbot.addWidget(p)
        return p

    reviewer = page_for("reviewer")
    assert reviewer.add_button.isHidden() and reviewer.catalogue_button.isHidden()
    clerk = page_for("clerk")
    assert not clerk.add_button.isHidden() and not clerk.consortia_button.isHidden()
    assert clerk.catalogue_button.isHidden()
    assert not page_for("admin").catalogue_button.isHidden()


def test_consortium_editor_saves_members_and_steering_group(qtbot, worker, desk):
    a = desk.run(orgs.save, org_input("朝阳文化馆"))
    b = desk.run(orgs.save, org_input("协作者支持中心"))
    d = ConsortiumDialog(worker)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.loaded and d.picker.loaded, timeout=5000)
    d.save()
    qtbot.waitUntil(lambda: d.box.isVisible(), timeout=5000)
    assert d.f.errors["name"].isVisible() and "至少" in d.f.errors["members"].text()

    d.name.setText("朝阳文化组团")
    d.model_label.setText("16+1+N")
    for org_id, text, role in ((a, "朝阳", "operator"), (b, "协作者", "support_org")):
        d.picker.search.setText(text)
        d.picker.refresh()
        qtbot.waitUntil(lambda org_id=org_id: d.picker.current_id() == org_id, timeout=5000)
        d.member_role.setCurrentIndex(d.member_role.findData(role))
        d.add_member_button.click()
    assert d.members.rowCount() == 2
    d.add_steering("李涛", b, "support_org")
    d.add_steering()  # an empty row is ignored
    d.notes.setPlainText("临时党支部已成立")
    with qtbot.waitSignal(d.saved, timeout=5000) as saved:
        d.save()
    cid = saved.args[0]
    got = desk.run(projects.get_consortium, cid)
    assert got.data.name == "朝阳文化组团" and got.data.model_label == "16+1+N"
    assert [(m.org_id, m.role) for m in got.data.members] == [(a, "operator"), (b, "support_org")]
    assert [(s.person, s.org_id, s.source) for s in got.data.steering] == [("李涛", b, "support_org")]
    qtbot.waitUntil(lambda: d.chooser.currentData() == cid and d.loaded, timeout=5000)
    assert d.message.text() == "已保存。"


def test_catalogue_dialog_adds_and_renames_items(qtbot, worker, desk):
    d = CatalogueDialog(worker)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.loaded, timeout=5000)
    before = d.table.rowCount()
    assert before >= 10
    d.new_item()
    d.save()
    qtbot.waitUntil(lambda: d.box.isVisible(), timeout=5000)
    assert d.f.errors["name"].text() == "为必填项"
    d.name.setText("困境儿童关爱服务")
    with qtbot.waitSignal(d.changed, timeout=5000):
        d.save()
    qtbot.waitUntil(lambda: d.table.rowCount() == before + 1, timeout=5000)
    d.name.setText("困境儿童关爱保护服务")
    with qtbot.waitSignal(d.changed, timeout=5000):
        d.save()
    names = [r.name for r in desk.run(projects.list_catalogue)]
    assert "困境儿童关爱保护服务" in names and "困境儿童关爱服务" not in names


def test_catalogue_is_refused_to_a_clerk(qtbot, db):
    with db.session() as s:
        s.add(User(username="clerk7", display_name="clerk7", roles="clerk"))
    w = Worker(Desk(db, Actor(None, "clerk7", "clerk7", frozenset({"clerk"}))))
    d = CatalogueDialog(w)
    qtbot.addWidget(d)
    qtbot.waitUntil(lambda: d.loaded, timeout=5000)
    d.new_item()
    d.name.setText("新目录项")
    d.save()
    qtbot.waitUntil(lambda: not d.box.isHidden(), timeout=5000)
    assert "管理员" in d.box.text()
    w.wait()


@pytest.mark.db_content(SAMPLE)
def test_header_click_sorts_in_sql_and_shows_the_indicator(qtbot, worker, sample):
    page = _page(qtbot, worker)
    header = page.table.horizontalHeader()
    assert page.table.isSortingEnabled()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (Column.YEAR, Qt.SortOrder.DescendingOrder)
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        header.setSortIndicator(Column.AMOUNT, Qt.SortOrder.AscendingOrder)  # what a header click does
    assert page.model.query.sort is projects.ProjectSort.AMOUNT and not page.model.query.descending
    amounts = [r.budget_amount for r in _rows(page.model)]
    assert amounts == sorted(amounts) and len(set(amounts)) > 1
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        header.setSortIndicator(Column.AMOUNT, Qt.SortOrder.DescendingOrder)
    assert [r.budget_amount for r in _rows(page.model)] == sorted(amounts, reverse=True)
    order = list(lc.PROJECT_STATE_LABELS)
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        header.setSortIndicator(Column.STATE, Qt.SortOrder.AscendingOrder)
    states = [order.index(lc.ProjectState(r.state)) for r in _rows(page.model)]
    assert states == sorted(states)  # by the lifecycle, not by the state's internal name
    # A filter keeps the order chosen in the header.
    page.search.setText("社区")
    page.apply_filters()
    qtbot.waitUntil(lambda: not page.model.busy, timeout=5000)
    assert page.model.query.sort is projects.ProjectSort.STATE
    assert header.sortIndicatorSection() == Column.STATE


@pytest.mark.db_content(SAMPLE)
def test_sorting_pages_in_sql_not_within_one_page(desk, sample):
    query = projects.ProjectQuery(sort=projects.ProjectSort.NAME, descending=False)
    first = desk.run(projects.list_projects, query, 0, 3)
    rest = desk.run(projects.list_projects, query, 3, 1000)
    names = [r.name for r in first + rest]
    assert names == sorted(names) and len(names) == sample
    for sort in projects.ProjectSort:  # keyset pages (after the last row's key) follow every order
        for descending in (False, True):
            q = projects.ProjectQuery(sort=sort, descending=descending)
            whole = [r.id for r in desk.run(projects.list_projects, q, 0, 1000)]
            page1 = desk.run(projects.list_projects, q, 0, 4)
            page2 = desk.run(projects.list_projects, q, limit=1000, after=page1[-1].page_key)
            assert [r.id for r in page1 + page2] == whole, (sort, descending)

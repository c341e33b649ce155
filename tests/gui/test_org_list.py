"""The registry list: paging from SQL, sorting by header, filters and the search box."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt

from app.domain.uscc import make_code
from app.services import demo, orgs
from app.services.context import Actor, Desk
from app.views.orgs.model import ROW_ROLE, SORT_ROLE, Column, OrgListModel
from app.views.orgs.page import OrganizationsPage
from app.views.worker import Worker
from tests.db_templates import DatabaseTemplates, sample_data
from tests.factories import org_input


@pytest.fixture
def worker(qtbot, desk: Desk) -> Iterator[Worker]:
    w = Worker(desk)
    yield w
    w.wait()


SAMPLE = sample_data(None)  # made once per process, copied for each test that uses `sample`


@pytest.fixture
def sample(desk: Desk, db_templates: DatabaseTemplates) -> int:
    """How many sample organizations there are: the test's db_content marker starts its database with them."""
    assert desk.run(demo.load_sample) == 0
    return db_templates.value(SAMPLE)


def _page(qtbot, worker: Worker) -> OrganizationsPage:
    page = OrganizationsPage(worker)
    qtbot.addWidget(page)
    page.resize(1280, 700)
    page.show()
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.refresh()
    return page


def _names(model: OrgListModel) -> list[str]:
    return [model.row_at(r).name for r in range(model.rowCount())]  # type: ignore[union-attr]  # every row is loaded


def _requery(qtbot, page: OrganizationsPage, action) -> None:
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        action()


def _insert_many(desk: Desk, n: int) -> None:
    def add(session, actor: Actor) -> None:
        for i in range(n):
            orgs.save(session, actor, org_input(f"测试服务中心{i:04d}",
                                                credit_code=make_code("52", "110105", f"PG{i:06d}")))
    desk.run(add)


@pytest.mark.db_content(SAMPLE)
def test_model_passes_the_model_tester(qtbot, qtmodeltester, worker, sample):
    model = OrgListModel(worker)
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.reload()
    assert model.rowCount() == sample
    qtmodeltester.check(model, force_py=True)


@pytest.mark.db_content(SAMPLE)
def test_roles_headers_and_sample_marker(qtbot, worker, sample):
    model = OrgListModel(worker)
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.reload()
    assert model.headerData(Column.NAME, Qt.Orientation.Horizontal) == "名称"
    assert model.headerData(Column.CODE, Qt.Orientation.Horizontal) == "统一社会信用代码"
    assert model.headerData(Column.LEGAL_REP, Qt.Orientation.Horizontal) == "法定代表人"
    row = model.row_of(next(r.id for r in map(model.row_at, range(model.rowCount())) if "协作者" in r.name))
    index = model.index(row, Column.NAME)
    record = model.data(index, ROW_ROLE)
    assert isinstance(record, orgs.OrgRow) and record.is_support_org
    assert "示例" in model.data(index)
    assert model.data(model.index(row, Column.SUPPORT), SORT_ROLE) is True
    assert model.data(model.index(row, Column.SUPPORT)) == "是"
    assert model.data(model.index(row, Column.TYPE)) == "社会服务机构"
    assert model.data(model.index(row, Column.ELIGIBILITY)) in ("符合条件", "不符合条件")
    assert model.data(model.index(row, Column.ELIGIBILITY), Qt.ItemDataRole.ForegroundRole) is not None


def test_sample_marker_added_when_the_name_lacks_it(qtbot, worker, desk):
    data = org_input("无标记的示例机构")
    data.is_sample = True
    desk.run(orgs.save, data)
    model = OrgListModel(worker)
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.reload()
    assert model.data(model.index(0, Column.NAME)) == "[示例] 无标记的示例机构"


def test_model_tester_while_paging(qtbot, qtmodeltester, worker, desk):
    _insert_many(desk, 500)
    model = OrgListModel(worker)
    with qtbot.waitSignal(model.loaded, timeout=10000):
        model.reload()
    qtmodeltester.check(model, force_py=True)  # the tester itself asks for one more page
    qtbot.waitUntil(lambda: model.rowCount() >= 400 and not model.busy, timeout=5000)
    if model.canFetchMore(QModelIndex()):
        with qtbot.waitSignal(model.rowsInserted, timeout=5000):
            model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: not model.busy, timeout=5000)
    assert model.rowCount() == 500
    assert not model.canFetchMore(QModelIndex())


def test_pages_of_200_rows_and_fetch_more(qtbot, worker, desk):
    _insert_many(desk, 1000)
    model = OrgListModel(worker)
    with qtbot.waitSignal(model.loaded, timeout=10000):
        model.reload()
    assert model.total == 1000
    assert model.rowCount() == 200
    assert model.canFetchMore(QModelIndex())
    with qtbot.waitSignal(model.rowsInserted, timeout=5000):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    while model.canFetchMore(QModelIndex()) or model.busy:
        if model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.busy, timeout=5000)
    assert model.rowCount() == 1000
    assert len(set(_names(model))) == 1000
    assert _names(model)[:2] == ["测试服务中心0000", "测试服务中心0001"]


@pytest.mark.db_content(SAMPLE)
def test_count_label_and_header_sorting(qtbot, worker, sample):
    page = _page(qtbot, worker)
    assert page.count_label.text() == f"共 {sample} 家"
    header = page.table.horizontalHeader()

    def click(col: int) -> None:
        x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

    _requery(qtbot, page, lambda: click(Column.CODE))
    codes = [page.model.row_at(r).credit_code for r in range(page.model.rowCount())]
    assert page.model.query.sort == orgs.SortKey.CODE
    assert codes == sorted(codes)
    _requery(qtbot, page, lambda: click(Column.CODE))
    codes = [page.model.row_at(r).credit_code for r in range(page.model.rowCount())]
    assert page.model.query.descending and codes == sorted(codes, reverse=True)

    # The phone column cannot be sorted in SQL: the order and the indicator stay.
    click(Column.PHONE)
    worker.wait()
    assert page.model.query.sort == orgs.SortKey.CODE
    assert header.sortIndicatorSection() == Column.CODE


@pytest.mark.db_content(SAMPLE)
@pytest.mark.parametrize(("text", "expected"), [
    ("协作", ["北京市协作者社会工作发展中心"]),
    ("xzz", ["北京市协作者社会工作发展中心"]),
    ("5311", ["社区发展基金会"]),
])
def test_search_box_finds_by_fragment_initials_and_code_prefix(qtbot, worker, sample, text, expected):
    page = _page(qtbot, worker)
    _requery(qtbot, page, lambda: page.search.setText(text))  # textChanged starts the debounce timer
    assert [n.removeprefix(demo.SAMPLE_MARK) for n in _names(page.model)] == expected
    assert page.count_label.text() == "共 1 家"
    _requery(qtbot, page, page.clear_filters)
    assert page.model.rowCount() == sample


@pytest.mark.db_content(SAMPLE)
def test_search_is_debounced(qtbot, worker, sample):
    page = _page(qtbot, worker)
    page.search.setText("协")
    page.search.setText("协作")
    assert page.model.query.search == ""  # nothing asked yet
    qtbot.waitUntil(lambda: page.model.query.search == "协作", timeout=2000)


def _choose(qtbot, page: OrganizationsPage, combo, data) -> None:
    _requery(qtbot, page, lambda: combo.setCurrentIndex(combo.findData(data)))


@pytest.mark.db_content(SAMPLE)
def test_each_filter(qtbot, worker, desk, sample):
    page = _page(qtbot, worker)
    rows = lambda: [page.model.row_at(r) for r in range(page.model.rowCount())]  # noqa: E731

    _choose(qtbot, page, page.type_filter, "social_group")
    assert rows() and all(r.org_type == "social_group" for r in rows())
    assert page.model.total == desk.run(orgs.count, orgs.OrgQuery(org_type="social_group")) == 3
    page.type_filter.setCurrentIndex(0)

    domains = {d.name: d.id for d in desk.run(orgs.list_domains)}
    qtbot.waitUntil(lambda: page.domain_filter.count() == len(domains) + 1, timeout=5000)
    _choose(qtbot, page, page.domain_filter, domains["法律援助"])
    assert [r.name for r in rows()] == ["【示例】人民调解协会"]
    page.domain_filter.setCurrentIndex(0)

    _choose(qtbot, page, page.eligibility_filter, "ineligible")
    assert rows() and all(r.eligibility == "ineligible" for r in rows())
    assert any("人民调解协会" in r.name for r in rows())  # a major violation last year
    page.eligibility_filter.setCurrentIndex(0)

    _choose(qtbot, page, page.support_filter, True)
    assert [r.name for r in rows()] == ["【示例】北京市协作者社会工作发展中心"]
    _choose(qtbot, page, page.support_filter, False)
    assert page.model.total == sample - 1


def test_building_the_page_runs_no_query(qtbot, worker, monkeypatch):
    calls: list[object] = []
    monkeypatch.setattr(worker, "call", lambda fn, *a, **k: calls.append(fn))
    page = OrganizationsPage(worker)
    qtbot.addWidget(page)
    assert calls == []  # the window builds every page at start; the list loads when shown
    assert page.model.query == orgs.OrgQuery()


def test_a_row_saved_elsewhere_updates_in_place_and_keeps_the_selection(qtbot, worker, desk):
    """A save from another screen reaches the list through the change bus: the row changes in place, a new
    record appears at the top, a deleted one leaves; the selected row stays selected and nothing is reset."""
    ids = [desk.run(orgs.save, org_input(f"测试服务中心{i}", phone="010-1000000" + str(i))) for i in range(5)]
    page = _page(qtbot, worker)
    model = page.model
    target = ids[3]
    page.table.selectRow(model.row_of(target))
    page.table.scrollTo(model.index(model.row_of(target), 0))
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))

    def selected_id() -> int | None:
        row = page.selected_row()
        return row.id if row is not None else None

    detail = desk.run(orgs.get, target)
    changed = detail.data
    changed.phone = "010-99999999"
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        worker.call(orgs.save, changed, org_id=target, expected_version=detail.version)
    assert model.row_at(model.row_of(target)).phone == "010-99999999"
    assert selected_id() == target
    with qtbot.waitSignal(model.rowsInserted, timeout=5000):
        worker.call(orgs.save, org_input("新登记服务中心"))
    assert model.row_at(0).name == "新登记服务中心" and model.total == 6
    assert selected_id() == target
    with qtbot.waitSignal(model.rowsRemoved, timeout=5000):
        worker.call(orgs.delete_org, ids[0])
    assert model.row_of(ids[0]) == -1 and model.total == 5
    assert selected_id() == target and not resets

"""The agreement list: the model (tester, headers, roles, colours), filters, and opening the form."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from app.services import agreements as ag
from app.views.agreements.model import ROW_ROLE, SORT_ROLE, AgreementListModel, Column
from app.views.agreements.page import AgreementsPage
from tests.gui.test_agreement_form import (
    TODAY,
    agreement_input,
    awarded_project,
    eligible_org,
    people,  # noqa: F401 - fixture
    signed_agreement,
)


def _two_agreements(desk, people) -> tuple[int, int]:  # noqa: F811
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    draft = people["clerk"].run(ag.save, agreement_input(pid, org, free_of_charge=True, amount=None, instalments=[],
                                                         parties_reversed=True))
    other = eligible_org(desk, "明德社区服务社")
    pid2 = awarded_project(people, other)
    signed = signed_agreement(people, other, pid2, upto="performing")
    return draft, signed


def _loaded_model(qtbot, worker) -> AgreementListModel:
    model = AgreementListModel(worker)
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.reload()
    return model


def test_model_passes_the_model_tester(qtbot, qtmodeltester, desk, people):  # noqa: F811
    _two_agreements(desk, people)
    model = _loaded_model(qtbot, people.workers["clerk"])
    assert model.rowCount() == 2
    qtmodeltester.check(model, force_py=True)


def test_headers_roles_money_and_state(qtbot, desk, people):  # noqa: F811
    draft, signed = _two_agreements(desk, people)
    model = _loaded_model(qtbot, people.workers["clerk"])
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers == ["协议编号", "购买服务项目", "实施年度", "甲方", "乙方", "金额", "已付", "服务期限", "状态", "示例"]
    r_signed, r_draft = model.row_of(signed), model.row_of(draft)
    assert model.data(model.index(r_signed, Column.PAID)) == "¥0.00"  # issue 10: paid so far
    assert model.data(model.index(r_draft, Column.PAID)) == ""  # free of charge: nothing to pay
    idx = model.index(r_signed, Column.AMOUNT)
    assert model.data(idx) == "¥280,000.00"
    assert model.data(idx, SORT_ROLE) == Decimal("280000.00")
    assert model.data(idx, Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)
    assert model.data(model.index(r_signed, Column.STATE)) == "履约中"
    assert model.data(model.index(r_signed, Column.STATE), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(r_draft, Column.AMOUNT)) == "无偿服务"
    assert model.data(model.index(r_draft, Column.PARTY_A)) == "阳光社工服务中心"  # reversed parties
    assert model.data(model.index(r_draft, Column.YEAR_INDEX)) == "第 1 年"
    assert model.data(model.index(r_draft, 0), ROW_ROLE).id == draft


def test_filters_narrow_the_list(qtbot, desk, people):  # noqa: F811
    draft, signed = _two_agreements(desk, people)
    page = AgreementsPage(people.workers["clerk"], today=TODAY)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.refresh()
    qtbot.waitUntil(lambda: page.org_filter.count() == 3, timeout=5000)
    assert page.count_label.text() == "共 2 份协议"
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.state_filter.setCurrentIndex(page.state_filter.findData("performing"))
    assert [page.model.row_at(r).id for r in range(page.model.rowCount())] == [signed]
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.clear_filters()
    assert page.model.rowCount() == 2
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.org_filter.setCurrentIndex(page.org_filter.findText("阳光社工服务中心"))
    assert [page.model.row_at(r).id for r in range(page.model.rowCount())] == [draft]
    page.clear_filters()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    page.search.setText("明德")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.model.row_at(0).id == signed
    page.clear_filters()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    # Ending within N days of the real clock: the signed agreement runs to 2027-02-28.
    page.expiring.setValue(365 * 1)
    qtbot.waitUntil(lambda: page.model.query.expiring_within_days == 365 and not page.model.busy, timeout=5000)
    assert [page.model.row_at(r).id for r in range(page.model.rowCount())] == [signed]


def test_new_agreement_from_an_awarded_project_and_open(qtbot, desk, people):  # noqa: F811
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    page = AgreementsPage(people.workers["clerk"], today=TODAY)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    page.new_button.click()
    chooser = page.chooser
    assert chooser is not None
    qtbot.waitUntil(lambda: chooser.loaded, timeout=5000)
    assert chooser.list.count() == 1 and "社区居家养老服务项目" in chooser.list.item(0).text()
    chooser.buttons.accepted.emit()
    form = page.form
    assert form is not None
    qtbot.waitUntil(lambda: form.loaded, timeout=5000)
    assert form.data.project.id == pid and form.amount.text() == "280000.00"
    assert form.number_label.text() == "新协议（保存后自动编号）"
    form.reject()
    aid = people["clerk"].run(ag.save, agreement_input(pid, org))
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.refresh()
    page.table.selectRow(0)
    assert page.open_button.isEnabled()
    page.open_button.click()
    qtbot.waitUntil(lambda: page.form.loaded and page.form.agreement_id == aid, timeout=5000)
    assert page.form.number_label.text() == people["clerk"].run(ag.get, aid).number


def test_a_reviewer_has_no_new_button(qtbot, desk, people):  # noqa: F811
    page = AgreementsPage(people.workers["reviewer"], today=TODAY)
    qtbot.addWidget(page)
    assert page.new_button.isHidden()


def test_header_click_sorts_in_sql_and_shows_the_indicator(qtbot, desk, people):  # noqa: F811
    draft, signed = _two_agreements(desk, people)
    page = AgreementsPage(people.workers["clerk"])
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.model.loaded, timeout=5000):
        page.refresh()
    header = page.table.horizontalHeader()
    assert page.table.isSortingEnabled()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (Column.PERIOD,
                                                                             Qt.SortOrder.DescendingOrder)
    ids = [page.model.row_at(r).id for r in range(page.model.rowCount())]
    for order, expected in ((Qt.SortOrder.AscendingOrder, [draft, signed]),
                            (Qt.SortOrder.DescendingOrder, [signed, draft])):
        with qtbot.waitSignal(page.model.loaded, timeout=5000):
            header.setSortIndicator(Column.STATE, order)  # draft comes before performing in the lifecycle
        assert page.model.query.sort is ag.AgreementSort.STATE
        assert [page.model.row_at(r).id for r in range(page.model.rowCount())] == expected
    header.setSortIndicator(Column.PAID, Qt.SortOrder.AscendingOrder)  # not sortable: the indicator stays
    assert header.sortIndicatorSection() == Column.STATE
    assert page.model.headerData(Column.PAID, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert sorted(ids) == sorted([draft, signed])


def test_keyset_pages_follow_every_order(qtbot, desk, people):  # noqa: F811
    _two_agreements(desk, people)
    for sort in ag.AgreementSort:
        for descending in (False, True):
            q = ag.AgreementQuery(sort=sort, descending=descending)
            whole = [r.id for r in desk.run(ag.list_agreements, q)]
            first = desk.run(ag.list_agreements, q, limit=1)
            rest = desk.run(ag.list_agreements, q, after=first[-1].page_key)
            assert [r.id for r in first + rest] == whole and len(whole) == 2, (sort, descending)


def test_a_very_common_fragment_says_at_least_and_loads_every_match(qtbot, desk, people, monkeypatch):  # noqa: F811
    """The first page of a search matching more than the cap counts only so far: the page says "at least", the
    list goes on loading pages until one comes back short, and then says the exact count."""
    from app.services import scale_data

    desk.run(scale_data.generate, scale_data.Scale("t", 20, 60), 3, today=TODAY)
    monkeypatch.setattr(ag, "SEARCH_COUNT_CAP", 25)
    page = AgreementsPage(people.workers["clerk"], today=TODAY)
    qtbot.addWidget(page)
    page.model.page_size = 10
    page.search.setText("街道")  # in every project's name
    qtbot.waitUntil(lambda: page.model.query.search == "街道" and not page.model.busy and page.model.rowCount() == 10,
                    timeout=10000)
    assert not page.model.exact and page.count_label.text() == "至少 25 份协议" and page.total_label.text() == ""
    while page.model.canFetchMore():
        page.model.fetchMore()
        qtbot.waitUntil(lambda: not page.model.busy, timeout=5000)
    assert page.model.rowCount() == 60 and page.model.exact and page.model.total == 60
    assert page.count_label.text() == "共 60 份协议" and page.total_label.text()

"""Keyset paging (issue 17): walking a list page by page after the last row's page key gives exactly
the rows, in exactly the order, that OFFSET paging gives — across page boundaries that fall inside runs
of equal sort values (ties), with NULLs, ascending and descending, filtered or not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import update

from app.models import Organization
from app.services import agreements as ag
from app.services import audit, orgs, projects, scale_data

TODAY = date(2026, 6, 15)
SMALL = scale_data.Scale("test", 60, 300)


@pytest.fixture
def generated(desk, db):  # type: ignore[no-untyped-def]
    desk.run(scale_data.generate, SMALL, 5, today=TODAY)
    with db.session() as s:  # NULL codes and tied sort values: the hard cases for a seek condition
        s.execute(update(Organization).where(Organization.id % 7 == 0).values(credit_code=None))
        s.execute(update(Organization).where(Organization.id % 3 == 0).values(region="110101", rating=""))
    return desk


def walk(next_page: Callable[[Any, int], list[Any]], size: int) -> list[Any]:
    """Every row, a page at a time, each page asked for after the previous page's last row."""
    rows: list[Any] = []
    after = None
    while True:
        page = next_page(after, size)
        rows.extend(page)
        if len(page) < size:
            return rows
        after = page[-1].page_key


def by_offset(page: Callable[[int, int], list[Any]], size: int) -> list[Any]:
    rows: list[Any] = []
    while True:
        chunk = page(len(rows), size)
        rows.extend(chunk)
        if len(chunk) < size:
            return rows


def ids(rows: list[Any]) -> list[int]:
    return [r.id for r in rows]


def test_agreements_and_projects_keyset_equals_offset(generated) -> None:  # type: ignore[no-untyped-def]
    desk = generated
    for query in (ag.AgreementQuery(), ag.AgreementQuery(state="completed"), ag.AgreementQuery(search="街道")):
        everything = desk.run(ag.list_agreements, query, 0, 100_000, today=TODAY)
        # Agreements start on 1 January: hundreds share a period_start, so page boundaries fall inside ties.
        assert len({r.period_start for r in everything}) < len(everything) / 10
        for size in (1, 7, 50):
            keyset = walk(lambda after, n, q=query: desk.run(ag.next_page, q, after, n), size)
            offset = by_offset(lambda o, n, q=query: desk.run(ag.list_agreements, q, o, n), size)
            assert ids(keyset) == ids(offset) == ids(everything), (query, size)
            assert len(set(ids(keyset))) == len(keyset)
    for pquery in (projects.ProjectQuery(), projects.ProjectQuery(year=TODAY.year - 1)):
        prows = desk.run(projects.list_projects, pquery, 0, 100_000)
        assert len({r.budget_year for r in prows}) < len(prows)
        for size in (1, 6, 40):
            keyset = walk(lambda after, n, q=pquery: desk.run(projects.next_page, q, after, n), size)
            offset = by_offset(lambda o, n, q=pquery: desk.run(projects.list_projects, q, o, n), size)
            assert ids(keyset) == ids(offset) == ids(prows), (pquery, size)


def test_registry_keyset_equals_offset_for_every_order(generated) -> None:  # type: ignore[no-untyped-def]
    desk = generated
    for sort in orgs.SortKey:
        for descending in (False, True):
            for search in ("", "北京市"):
                query = orgs.OrgQuery(search=search, sort=sort, descending=descending)
                everything = desk.run(orgs.page, query, 0, 100_000)
                assert len(everything) == 60
                for size in (1, 4, 9):
                    keyset = walk(lambda after, n, q=query: desk.run(orgs.next_page, q, after, n), size)
                    offset = by_offset(lambda o, n, q=query: desk.run(orgs.page, q, o, n), size)
                    assert ids(keyset) == ids(offset) == ids(everything), (sort, descending, search, size)


def test_null_codes_sort_first_ascending_and_last_descending(generated) -> None:  # type: ignore[no-untyped-def]
    desk = generated
    up = desk.run(orgs.page, orgs.OrgQuery(sort=orgs.SortKey.CODE), 0, 100)
    down = desk.run(orgs.page, orgs.OrgQuery(sort=orgs.SortKey.CODE, descending=True), 0, 100)
    nulls = {r.id for r in up if r.sort_value is None}
    assert len(nulls) == 60 // 7
    assert {r.id for r in up[:len(nulls)]} == nulls and {r.id for r in down[-len(nulls):]} == nulls


def test_audit_trail_keyset_equals_offset(generated, actor) -> None:  # type: ignore[no-untyped-def]
    desk = generated
    query = audit.AuditQuery(entity="agreement")
    everything = desk.run(audit.page, query, 0, 100_000)
    assert len(everything) > 300
    keyset = walk(lambda after, n: desk.run(audit.page, query, 0, n, after=after), 97)
    assert ids(keyset) == ids(everything)


@pytest.mark.parametrize("walks", [True, False])
def test_a_search_pages_alike_whether_it_walks_the_order_or_its_matches(generated, monkeypatch, walks) -> None:  # type: ignore[no-untyped-def]
    """A common fragment walks the list's order probing the set of matches; a rare one reads its matches and
    sorts them. Either plan gives the same first page and the same keyset pages, in every order."""
    desk = generated
    monkeypatch.setattr(ag, "_walks_the_order", lambda session, found, limit: walks)
    for search in ("社区", "街道", "阳光", "yg", "2025", "无此名称"):
        for sort in ag.AgreementSort:
            for descending in (True, False):
                query = ag.AgreementQuery(search=search, sort=sort, descending=descending)
                monkeypatch.undo()  # the reference: the full result of the plan the service picks
                everything = desk.run(ag.list_agreements, query, 0, 100_000, today=TODAY)
                monkeypatch.setattr(ag, "_walks_the_order", lambda session, found, limit: walks)
                total, first = desk.run(ag.first_page, query, 7)
                assert total == len(everything) and ids(first) == ids(everything)[:7], (search, sort, descending)
                keyset = walk(lambda after, n, q=query: desk.run(ag.next_page, q, after, n), 7)
                assert ids(keyset) == ids(everything), (search, sort, descending)


def test_a_very_common_fragment_is_counted_only_so_far(generated, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Above the cap the first page's count is paging.AtLeast(cap); the pages still bring every match, and a
    count of the whole list (or a rarer fragment) stays exact."""
    from app.services import paging

    desk = generated
    monkeypatch.setattr(ag, "SEARCH_COUNT_CAP", 50)
    query = ag.AgreementQuery(search="街道")  # every project name
    total, first = desk.run(ag.first_page, query, 20)
    assert isinstance(total, paging.AtLeast) and total == 50 and len(first) == 20
    assert desk.run(ag.count_agreements, query) == 300 == len(walk(
        lambda after, n: desk.run(ag.next_page, query, after, n), 20))
    rare = ag.AgreementQuery(search="00012")
    total, first = desk.run(ag.first_page, rare, 20)
    assert not isinstance(total, paging.AtLeast) and total == len(first) == desk.run(ag.count_agreements, rare)
    with_filter = ag.AgreementQuery(search="街道", state="completed")
    total, _rows = desk.run(ag.first_page, with_filter, 20)
    assert not isinstance(total, paging.AtLeast) and total == desk.run(ag.count_agreements, with_filter)


@pytest.mark.parametrize("walks", [True, False])
def test_a_registry_search_pages_alike_whether_it_walks_the_order_or_its_matches(generated, monkeypatch,
                                                                                walks) -> None:  # type: ignore[no-untyped-def]
    """The registry's plan follows the count too (a code prefix such as 5 matches every organization); both plans
    give the same rows in every order, with NULL codes and ties, a page at a time."""
    desk = generated
    for search in ("5", "52", "阳光", "yg", "北京市", "无此名称"):
        for sort in orgs.SortKey:
            for descending in (False, True):
                query = orgs.OrgQuery(search=search, sort=sort, descending=descending)
                monkeypatch.undo()
                everything = desk.run(orgs.page, query, 0, 100_000)
                monkeypatch.setattr(orgs, "_walks_the_order", lambda session, found, limit: walks)
                total, first = desk.run(orgs.first_page, query, 4)
                assert total == len(everything) and ids(first) == ids(everything)[:4], (search, sort, descending)
                keyset = walk(lambda after, n, q=query: desk.run(orgs.next_page, q, after, n), 4)
                assert ids(keyset) == ids(everything), (search, sort, descending)
    assert desk.run(orgs.count, orgs.OrgQuery(search="5")) > 0  # not vacuous

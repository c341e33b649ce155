"""The agreements' full-text index (issue 17, migration 0010): the same agreements as a substring search
over number, project name and undertaker name, plus the undertaker's pinyin initials; kept in step
when an agreement, its project or its undertaker changes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text, update

from app.models import Organization
from app.models.project import Agreement, Project
from app.services import agreements as ag
from app.services import scale_data

TODAY = date(2026, 6, 15)


def _ids(desk, search: str) -> set[int]:  # type: ignore[no-untyped-def]
    q = ag.AgreementQuery(search=search)
    rows = desk.run(ag.list_agreements, q, 0, 100_000, today=TODAY)
    assert desk.run(ag.count_agreements, q, today=TODAY) == len(rows)
    return {r.id for r in rows}


def _expected(db, search: str) -> set[int]:  # type: ignore[no-untyped-def]
    low = search.lower()
    with db.read_session() as s:
        return {i for i, number, project, name, initials in s.execute(
            select(Agreement.id, Agreement.number, Project.name, Organization.name, Organization.name_initials)
            .join(Project, Project.id == Agreement.project_id).join(Organization, Organization.id == Agreement.undertaker_id))
            if low in number.lower() or low in project.lower() or low in name.lower()
            or (low.isascii() and low.isalpha() and low in initials)}


def test_index_finds_what_a_substring_search_finds(desk, db) -> None:
    desk.run(scale_data.generate, scale_data.Scale("t", 40, 160), 3, today=TODAY)
    queries = ["社区", "阳光", "养老服务", "东华门", "2025", "〔2024〕", "00012", "12", "1", "号", "yg", "bjs",
               "助", "北京市东城区", "无此名称", "xyz"]
    for q in queries:
        assert _ids(desk, q) == _expected(db, q), q
    assert _ids(desk, "社区") and _ids(desk, "yg") and _ids(desk, "00012")  # not vacuous


def test_the_index_follows_agreements_projects_and_undertakers(desk, db) -> None:
    desk.run(scale_data.generate, scale_data.Scale("t", 5, 12), 3, today=TODAY)
    with db.session() as s:
        aid, pid, oid = s.execute(select(Agreement.id, Agreement.project_id, Agreement.undertaker_id).limit(1)).one()
        s.execute(update(Project).where(Project.id == pid).values(name="晨曦读书会项目"))
    assert aid in _ids(desk, "晨曦读书")
    with db.session() as s:
        s.execute(update(Organization).where(Organization.id == oid).values(name="暮光社工站", name_initials="mgsgz"))
    assert aid in _ids(desk, "暮光") and aid in _ids(desk, "mgsg")
    with db.session() as s:
        s.execute(update(Agreement).where(Agreement.id == aid).values(number="特别编号〔2026〕777号"))
    assert _ids(desk, "特别编号") == {aid}
    with db.session() as s:
        triggers = set(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%search%'")))
        assert {"agreements_search_insert", "agreements_search_update", "agreements_search_delete",
                "projects_agreement_search", "organizations_agreement_search"} <= triggers
        assert s.scalar(text("SELECT count(*) FROM agreement_search")) == s.scalar(
            select(text("count(*)")).select_from(Agreement))


def _pages(desk, q: ag.AgreementQuery, limit: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Every row of the list, page after page, as the list loads them (first page, then by page key)."""
    _total, rows = desk.run(ag.first_page, q, limit)
    out = [r.id for r in rows]
    while len(rows) == limit:
        rows = desk.run(ag.next_page, q, rows[-1].page_key, limit)
        out += [r.id for r in rows]
    return out


def test_a_fragment_in_nearly_every_agreement_lists_the_same_pages(desk, db, monkeypatch) -> None:
    """A search counted as "at least SEARCH_COUNT_CAP" reads a window of the list's order and asks the index
    for the matches by id range; where the window does not hold a page, the page goes back to the set of
    matches. Either way the
    pages hold the same agreements in the same order as the plain plan, for every order and direction."""
    desk.run(scale_data.generate, scale_data.Scale("t", 30, 120), 3, today=TODAY)
    searches = ["东华门", "2", "号", "社区", "助", "yg"]
    plain = {}
    for search in searches:
        for sort in ag.AgreementSort:
            for descending in (False, True):
                q = ag.AgreementQuery(search=search, sort=sort, descending=descending)
                plain[q] = _pages(desk, q, 7)
    monkeypatch.setattr(ag, "SEARCH_COUNT_CAP", 3)  # every search here is then "at least" that many
    used: list[bool] = []
    real = ag._common_fragment_page
    monkeypatch.setattr(ag, "_common_fragment_page", lambda *a, **k: used.append((r := real(*a, **k)) is not None) or r)
    for q, ids in plain.items():
        assert _pages(desk, q, 7) == ids, q
        assert set(ids) == _expected(db, q.search), q
    assert any(used) and not all(used)  # both ways taken: windows for 东华门, the set for sparse ones
    assert len(plain[ag.AgreementQuery(search="东华门")]) == 120

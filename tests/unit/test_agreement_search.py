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

"""The registry's full-text index (issue 17): the same results as a substring search, kept in step
with every insert, rename and delete, filled by the migration for existing rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from app.domain.search import grams, match_expression
from app.models import Organization
from app.services import orgs, scale_data
from app.store import migrate
from app.store.db import make_engine
from tests.factories import org_input

TODAY = date(2026, 6, 15)


def _ids(desk, search: str) -> set[int]:  # type: ignore[no-untyped-def]
    q = orgs.OrgQuery(search=search)
    rows = desk.run(orgs.page, q, 0, 100_000)
    assert desk.run(orgs.count, q) == len(rows)
    return {r.id for r in rows}


def _expected(db, search: str) -> set[int]:  # type: ignore[no-untyped-def]
    """What the search means: a fragment of the name, of the initials or full pinyin, or a code prefix."""
    low = search.lower()
    with db.read_session() as s:
        return {i for i, name, ini, full, code in s.execute(select(
            Organization.id, Organization.name, Organization.name_initials, Organization.name_pinyin,
            Organization.credit_code))
            if low in name.lower() or (low.isalpha() and low.isascii() and (low in ini or low in full))
            or (code or "").startswith(search.upper())}


def test_index_finds_what_a_substring_search_finds(desk, db) -> None:
    desk.run(scale_data.generate, scale_data.Scale("t", 150, 10), 3, today=TODAY)
    queries = ["阳", "阳光", "助老服", "北京市东城区", "协会", "会", "y", "yg", "ygzl", "bjs", "zhu", "5", "52",
               "5211", "53110101", "服务中心", "区", "社会工作事务所", "xyz", "无此名称"]
    for q in queries:
        assert _ids(desk, q) == _expected(db, q), q
    assert _ids(desk, "阳光")  # not vacuous


def test_a_search_is_counted_alike_alone_and_with_other_filters(desk, db) -> None:
    """A search alone is counted from the index's set of ids (no organization read); with another filter,
    from the rows. Both agree with the rows the list shows, and with what the search means."""
    desk.run(scale_data.generate, scale_data.Scale("t", 150, 10), 3, today=TODAY)
    with db.read_session() as s:
        types = dict(s.execute(select(Organization.id, Organization.org_type)).all())
    for search in ["y", "yg", "5", "52", "5Y", "协会", "会", "zhu", "无此名称"]:
        expected = _expected(db, search)
        assert _ids(desk, search) == expected, search
        for org_type in ("social_group", "private_non_enterprise"):
            q = orgs.OrgQuery(search=search, org_type=org_type)
            want = {i for i in expected if types[i] == org_type}
            assert desk.run(orgs.count, q) == len(want), (search, org_type)
            assert {r.id for r in desk.run(orgs.page, q, 0, 100_000)} == want
        for sort in orgs.SortKey:
            assert desk.run(orgs.count, orgs.OrgQuery(search=search, sort=sort, descending=True)) == len(expected)
    assert len(_expected(db, "y")) > 10 and len(_expected(db, "5")) > 10  # not vacuous


def test_the_index_follows_inserts_renames_and_deletes(desk, db) -> None:
    oid = desk.run(orgs.save, org_input("晨曦社会工作服务中心"))
    assert _ids(desk, "晨曦") == {oid} and _ids(desk, "cx") >= {oid}
    with db.session() as s:  # a rename (even one not made through the form)
        s.execute(update(Organization).where(Organization.id == oid).values(name="暮光社会工作服务中心",
                                                                           name_initials="mgshgzfwzx"))
    assert _ids(desk, "晨曦") == set() and _ids(desk, "暮光") == {oid} and _ids(desk, "mgs") == {oid}
    with db.session() as s:
        s.execute(delete(Organization).where(Organization.id == oid))
        assert s.scalar(text("SELECT count(*) FROM org_search")) == 0
    assert _ids(desk, "暮光") == set()


def test_the_migration_indexes_existing_rows(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "old.sqlite3")
    try:
        migrate.upgrade(engine, target="0005")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO organizations (name, name_initials, name_pinyin, credit_code, org_type, "
                              "code_override_reason, registration_authority, region, legal_representative, "
                              "contact_person, phone, address, bank_name, bank_account_name, bank_account_no, "
                              "is_support_org, fiscally_funded_mass_org, rating, notes, eligibility, is_sample, "
                              "created_at, updated_at, version) VALUES ('星光助残服务社', 'xgzcfws', "
                              "'xingguangzhucanfuwushe', NULL, 'other', '', '', '', '', '', '', '', '', '', '', 0, 0, "
                              "'', '', 'ineligible', 0, '2026-01-01', '2026-01-01', 1)"))
        migrate.upgrade(engine)
        with engine.connect() as conn:
            found = conn.execute(text("SELECT rowid FROM org_search WHERE org_search MATCH :m"),
                                 {"m": match_expression("星光")}).scalars().all()
            assert found == [1]
    finally:
        engine.dispose()


def test_the_triggers_exist_at_head(db) -> None:
    """A batch migration that re-creates `organizations` drops its triggers; this notices."""
    with db.read_session() as s:
        names = set(s.scalars(text("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='organizations'")))
    assert {"organizations_search_insert", "organizations_search_update", "organizations_search_delete"} <= names


@pytest.mark.parametrize(("texts", "present", "absent"), [
    (("社区书法",), ["社\x1f\x1f", "社区\x1f", "法\x1f\x1f"], ["区书法", "社书\x1f"]),
    (("AB c",), ["ab\x1f", "c\x1f\x1f"], ["b \x1f", " \x1f\x1f"]),
])
def test_grams_hold_each_character_and_pair(texts: tuple[str, ...], present: list[str], absent: list[str]) -> None:
    g = grams(*texts)
    assert all(p in g for p in present) and not any(a in g for a in absent)

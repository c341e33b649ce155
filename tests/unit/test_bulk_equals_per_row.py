"""The fast ledger import (issue 17) stores what the form's path stores.

The bulk path (ledger_import → orgs.create_many → bulk.insert_rows, audit.record_many) must leave the
same records, the same audit trail, the same search index and so the same search results as saving each
row through `orgs.save`; its pinyin keys must be pypinyin's own; the search grams and the check for
invisible characters, rewritten for speed, must answer as before.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date

import pytest
from sqlalchemy import select, text

from app.domain import search
from app.domain.text import forbidden_character, normalize_name
from app.models import AnnualInspection, AuditRecord, Organization
from app.services import audit, bulk, orgs
from app.services import ledger_import as li
from app.services.context import SYSTEM, Desk
from app.store.startup import open_database
from tests.factories import code

TODAY = date(2026, 6, 15)

# Names whose characters have several readings; pypinyin's phrase dictionary picks the reading by word.
POLYPHONE_NAMES = [
    "重庆市长寿区长者服务中心", "朝阳区音乐爱好者协会", "银行街社区居民委员会", "单县曾家庄乐善会",
    "会计服务中心", "人民调解委员会", "重阳节敬老服务社", "长沙市少年宫志愿者协会", "都江堰市行知学校",
    "蚌埠市和平社区服务站", "六安市单亲家庭援助中心", "厦门市藏族文化传播中心", "解放军退役军人之家",
    "便民服务站", "大理市女子互助会", "北京市东城区（测试）社会工作服务中心", "ABC养老驿站",
    "朝阳区长安街道重新就业指导中心", "乐清市音乐学校", "行长俱乐部", "石家庄市长安区银行业协会",
]


def reference_keys(name: str) -> tuple[str, str]:
    """What pinyin_keys gave before it remembered words: pypinyin.lazy_pinyin on the whole name."""
    import re

    from pypinyin import lazy_pinyin

    parts = lazy_pinyin(name, errors="default")
    initials = "".join(p[:1] for p in parts).lower()
    return re.sub(r"[^0-9a-z]", "", initials), re.sub(r"[^0-9a-z]", "", "".join(parts).lower())


def test_pinyin_keys_are_pypinyins_in_any_order() -> None:
    names = POLYPHONE_NAMES + [f"第{i}号{n}" for i, n in enumerate(POLYPHONE_NAMES)]
    expected = {n: reference_keys(n) for n in names}
    assert expected["重庆市长寿区长者服务中心"][0].startswith("cq")  # the phrase reading, not 重 = zhong
    assert expected["银行街社区居民委员会"][1].startswith("yinhang")
    for order in (names, list(reversed(names)), random.Random(3).sample(names, len(names))):
        assert {n: orgs.pinyin_keys(n) for n in order} == expected


def reference_grams(*texts: str) -> str:
    """The gram column as the search index's first version built it, a character at a time."""
    out: list[str] = []
    for t in texts:
        t = t.lower()
        for i, ch in enumerate(t):
            if ch.isspace() or ch == search.MARK:
                continue
            out.append(ch + search.MARK + search.MARK)
            nxt = t[i + 1:i + 2]
            if nxt and not nxt.isspace() and nxt != search.MARK:
                out.append(ch + nxt + search.MARK)
    return "".join(out)


def queryable(grams: str) -> set[str]:
    """The trigrams of a gram column that a query can name: a pair (XY␟) or one character (X␟␟)."""
    m = search.MARK
    windows = {grams[i:i + 3] for i in range(len(grams) - 2)}
    return {w for w in windows if w[0] != m and w[2] == m}


def test_search_grams_answer_as_the_first_form() -> None:
    """The gram column is written more compactly than the index's first version wrote it; every query
    (match_expression: one character + ␟␟, or a pair + ␟) finds the same texts in both forms."""
    spaces = [chr(c) for c in range(0x3100) if chr(c).isspace()]
    alphabet = [*spaces, search.MARK, "社", "区", "a", "B", "İ", "1", "（", '"', "\u3000"]
    rng = random.Random(17)
    for _ in range(20_000):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(rng.randint(0, 3))]
        new, old = search.grams(*texts), reference_grams(*texts)
        assert queryable(new) == queryable(old), texts
        assert len(new) <= len(old)
    for name in POLYPHONE_NAMES:
        keys = orgs.pinyin_keys(name)
        assert queryable(search.grams(name, *keys)) == queryable(reference_grams(name, *keys))
        assert len(search.grams(name, *keys)) * 4 < len(reference_grams(name, *keys)) * 3


def test_an_index_holding_both_forms_answers_alike(db) -> None:
    """Rows indexed by the first form and by the second, side by side: every one- and two-character
    query finds a row whatever its form."""
    names = ["社区书法协会", "阳光社工服务中心 ab", "重庆市长寿区长者服务中心"]
    with db.session() as s:
        for i, name in enumerate(names):
            keys = orgs.pinyin_keys(name)
            for rowid, form in ((1000 + i, reference_grams), (2000 + i, search.grams)):
                s.execute(text("INSERT INTO org_search(rowid, body, grams) VALUES (:r, :b, :g)"),
                          {"r": rowid, "b": "\n".join([name, *keys]), "g": form(name, *keys)})
        for i, name in enumerate(names):
            fragments = {c for t in (name, *orgs.pinyin_keys(name)) for c in t.lower() if not c.isspace()}
            fragments |= {t.lower()[j:j + 2] for t in (name, *orgs.pinyin_keys(name)) for j in range(len(t) - 1)
                          if not any(ch.isspace() for ch in t[j:j + 2])}
            for fragment in fragments:
                found = set(s.scalars(text("SELECT rowid FROM org_search WHERE org_search MATCH :m"),
                                      {"m": search.match_expression(fragment)}))
                assert {1000 + i, 2000 + i} <= found, fragment
                assert {r - 1000 for r in found if r < 2000} == {r - 2000 for r in found if r >= 2000}, fragment
        s.rollback()


def test_forbidden_character_answers_as_the_category_check() -> None:
    refused = ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp")
    bidi = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    for c in [*range(0x10000), *range(0x1F000, 0x1F100), *range(0xE0000, 0xE0100), 0x10FFFF]:
        ch = chr(c)
        bad = unicodedata.category(ch) in refused or ch in bidi
        assert (forbidden_character(f"名称{ch}") is not None) == bad, hex(c)
        if ch not in "\n\r\t":
            assert (forbidden_character(f"备注{ch}", multiline=True) is not None) == bad, hex(c)


# ---------------------------------------------------------------------------------------------


def _ledger(tmp_path, existing_code: str) -> tuple[object, dict[str, str]]:
    """A ledger with polyphone names, a name twice, a code twice, an already registered code and bad rows."""
    codes = {n: code("52", "110101") for n in POLYPHONE_NAMES}
    lines = ["名称,统一社会信用代码,法定代表人,联系电话,服务领域,2025年度年检结果,成立日期,备注"]
    for i, (name, c) in enumerate(codes.items()):
        lines.append(f"{name},{c},王{i},010-6{i:07d},{'扶老助残、法律援助' if i % 2 else '促进就业'},"
                     f"{'合格' if i % 3 else '基本合格'},2015-03-0{1 + i % 9},第{i}行")
    twin = code("52", "110101")
    lines.append(f"{POLYPHONE_NAMES[0]},{twin},李四,010-12345678,,,,同名另一家")  # the same name, another code
    lines.append(f"重复代码服务社,{codes[POLYPHONE_NAMES[1]]},张三,,,,,")  # a code already in this file
    lines.append(f"已登记服务社,{existing_code},张三,,,,,")  # a code already registered
    lines.append("代码有误服务社,91110000ABCDEFGHIJ,张三,,,,,")  # a bad check digit
    lines.append(f"电话有误服务社,{code('52', '110101')},张三,电话号码,,,,")  # a bad phone
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, {**codes, "twin": twin}


# Not compared: the id and times, and `version`, the optimistic-lock counter (the form's path counts its
# second flush, the eligibility, as a change: 2; the bulk path writes 1 — either is what the next save expects).
_COLUMNS = [c.name for c in Organization.__table__.c if c.name not in ("id", "created_at", "updated_at", "version")]


def _state(s, queries: list[str]) -> dict[str, object]:
    """Every organization by code: its columns, domains, inspections, audit rows and index row; and the
    codes each search finds."""
    by_code: dict[str, object] = {}
    for o in s.scalars(select(Organization)):
        trail = [(r.action, r.entity, r.entity_label, r.field, r.old_value, r.new_value) for r in s.scalars(
            select(AuditRecord).where(AuditRecord.entity == "organization", AuditRecord.entity_id == str(o.id))
            .order_by(AuditRecord.id))]
        index = s.execute(text("SELECT body, grams FROM org_search WHERE rowid = :id"), {"id": o.id}).one()
        by_code[o.credit_code] = ({c: getattr(o, c) for c in _COLUMNS}, sorted(d.name for d in o.domains),
                                  sorted((i.year, i.result) for i in s.scalars(
                                      select(AnnualInspection).where(AnnualInspection.org_id == o.id))),
                                  trail, tuple(index))
    found = {}
    for q in queries:
        query = orgs.OrgQuery(search=q)
        n = orgs.count(s, None, query)
        found[q] = (n, sorted(r.credit_code for r in orgs.page(s, None, query, 0, 1000)))
    return {"orgs": by_code, "found": found}


QUERIES = ["cq", "cqs", "zz", "zzf", "yh", "yhj", "银行", "长者", "重庆", "chongqing", "zhangzhe", "yinhang", "cy",
           "yy", "乐", "yue", "le", "sx", "dx", "ctr", "hz", "行长", "hangzhang", "xz", "5", "服务"]


@pytest.mark.parametrize("variables", [None, 40])
def test_bulk_import_stores_what_saving_each_row_stores(tmp_path, desk, db, monkeypatch, variables) -> None:
    if variables is not None:  # many small statements instead of one per table and chunk
        monkeypatch.setattr(bulk, "_variable_limit", lambda _conn: variables)
    first = orgs.OrgInput(name="已登记的社会组织", credit_code=code("52", "110101"))
    desk.run(orgs.save, first, today=TODAY)
    path, codes = _ledger(tmp_path, first.credit_code)

    report = li.import_file(desk, path, today=TODAY)
    statuses = {r.credit_code: r.status for r in report.rows}
    assert report.imported_count == len(POLYPHONE_NAMES) + 1  # and the same name with another code
    assert statuses[codes["twin"]] == li.IMPORTED
    assert (report.duplicate_count, report.invalid_count) == (2, 2)

    other = open_database(tmp_path / "other.sqlite3")
    try:
        per_row = Desk(other, SYSTEM)
        per_row.run(orgs.save, first, today=TODAY)
        parsed = li.read_ledger(path)
        by_row = {r.row: r.data for r in parsed.rows}
        for r in report.rows:  # the imported rows, in the file's order, each saved as the form saves it
            if r.status == li.IMPORTED:
                data = by_row[r.row]
                per_row.run(orgs.save, data, confirm=orgs.duplicate_name_token(normalize_name(data.name)),
                            today=TODAY)
        with other.read_session() as s:
            expected = _state(s, QUERIES)
            assert audit.verify_chain(s).ok
    finally:
        other.dispose()
    with db.read_session() as s:
        got = _state(s, QUERIES)
        assert audit.verify_chain(s).ok
    assert got["orgs"].keys() == expected["orgs"].keys()
    for c in expected["orgs"]:
        for part, (g, e) in enumerate(zip(got["orgs"][c], expected["orgs"][c], strict=True)):
            if isinstance(e, dict):
                assert {k: v for k, v in g.items() if v != e[k]} == {}, (c, part, e)
            assert g == e, (c, part)
    assert got["found"] == expected["found"]
    assert got["found"]["cq"][0] >= 2 and got["found"]["yh"][0] >= 2  # the searches do find something


def test_insert_rows_refuses_rows_that_would_lose_a_default_or_differ(db) -> None:
    with db.session() as s:
        with pytest.raises(ValueError, match="give a value for"):
            bulk.insert_rows(s, Organization.__table__, [{"id": 999_999, "name": "缺少默认值"}])
        with pytest.raises((ValueError, KeyError)):
            bulk.insert_rows(s, AnnualInspection.__table__, [{"org_id": 1, "year": 2024, "result": "passed"},
                                                            {"org_id": 1, "year": 2025}])
        s.rollback()

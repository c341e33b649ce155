"""The bulk path of the ledger import (issue 17): every imported row has its audit records, exactly as
orgs.save writes them, in one hash chain; a failure in any chunk rolls back every chunk."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.models import AnnualInspection, AuditRecord, Organization, org_domains
from app.services import audit, orgs
from app.services import ledger_import as li
from app.services.context import SYSTEM, Desk
from app.store.startup import open_database
from tests.factories import code

TODAY = date(2026, 6, 15)
HEADER = "名称,统一社会信用代码,法定代表人,联系电话,服务领域,2025年度年检结果,成立日期,备注\n"


def ledger(tmp_path, n: int) -> tuple[object, list[str]]:
    codes = [code("52", "110101") for _ in range(n)]
    lines = [f"第{i}号邻里互助服务中心,{c},王{i},010-6{i:07d},扶老助残、法律援助,{'合格' if i % 3 else '基本合格'},"
             f"2015-03-0{1 + i % 9},第一行\n" for i, c in enumerate(codes, 1)]
    path = tmp_path / "ledger.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path, codes


def _rows(session, oid: int) -> tuple[tuple[object, ...], list[tuple[object, ...]]]:
    o = session.get(Organization, oid)
    record = tuple(getattr(o, c) for c in ("name", "credit_code", "org_type", "region", "legal_representative",
                                           "phone", "established_on", "rating", "notes", "eligibility",
                                           "eligibility_on", "name_initials", "name_pinyin", "is_sample"))
    trail = [(r.action, r.entity, r.entity_label, r.field, r.old_value, r.new_value) for r in session.scalars(
        select(AuditRecord).where(AuditRecord.entity == "organization", AuditRecord.entity_id == str(oid))
        .order_by(AuditRecord.id))]
    return record + (tuple(d.name for d in o.domains), tuple((i.year, i.result) for i in o.inspections)), trail


def test_every_imported_row_has_its_audit_records_as_save_writes_them(tmp_path, desk, db) -> None:
    n = 2 * li.SAVE_CHUNK + 7  # three chunks
    path, codes = ledger(tmp_path, n)
    report = li.import_file(desk, path, today=TODAY)
    assert report.imported_count == n
    with db.read_session() as s:
        ids = {c: i for c, i in s.execute(select(Organization.credit_code, Organization.id))}
        assert set(codes) <= set(ids)
        created = set(s.scalars(select(AuditRecord.entity_id).where(
            AuditRecord.entity == "organization", AuditRecord.action == "create")))
        assert {str(ids[c]) for c in codes} <= created
        assert s.scalar(select(func.count()).select_from(org_domains)) == 2 * n
        assert s.scalar(select(func.count()).select_from(AnnualInspection)) == n
        assert audit.verify_chain(s).ok
        assert s.scalar(select(func.count()).where(AuditRecord.action == "import")) == 1
        bulk = _rows(s, ids[codes[4]])
    # The same row saved through the form's path, in another database: the same record and trail.
    other = open_database(tmp_path / "other.sqlite3")
    try:
        parsed = li.read_ledger(path)
        data = next(r.data for r in parsed.rows if r.data.credit_code == codes[4])
        oid = Desk(other, SYSTEM).run(orgs.save, data, confirm=orgs.duplicate_name_token(data.name), today=TODAY)
        with other.read_session() as s:
            single = _rows(s, oid)
    finally:
        other.dispose()
    assert bulk[0] == single[0]
    assert bulk[1] == single[1] and len(bulk[1]) > 8


def test_a_failure_in_a_later_chunk_rolls_back_every_chunk(tmp_path, desk, db, monkeypatch) -> None:
    path, _codes = ledger(tmp_path, 2 * li.SAVE_CHUNK + 7)
    with db.read_session() as s:
        before = (s.scalar(select(func.count()).select_from(Organization)),
                  s.scalar(select(func.count()).select_from(AuditRecord)))
    real = orgs.create_many
    chunks = {"n": 0}

    def third_fails(session, actor, items, today=None):  # type: ignore[no-untyped-def]
        chunks["n"] += 1
        if chunks["n"] == 3:
            raise RuntimeError("disk gone")
        return real(session, actor, items, today=today)

    monkeypatch.setattr(orgs, "create_many", third_fails)
    with pytest.raises(RuntimeError):
        li.import_file(desk, path, today=TODAY)
    assert chunks["n"] == 3
    with db.read_session() as s:
        assert (s.scalar(select(func.count()).select_from(Organization)),
                s.scalar(select(func.count()).select_from(AuditRecord))) == before

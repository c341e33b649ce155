"""The audit trail: hash chain, tamper detection, refusing triggers, head, the viewer's query, coverage."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
from sqlalchemy import exc, select, text

from app.models import AuditRecord
from app.models.base import utcnow
from app.services import audit, orgs
from app.services import settings as settings_service
from app.services.context import Actor, Desk
from app.services.permissions import PermissionDenied
from tests.factories import org_input

TODAY = date(2026, 6, 15)


def _report(db) -> audit.ChainReport:
    with db.read_session() as s:
        return audit.verify_chain(s)


def _ids(db) -> list[int]:
    with db.read_session() as s:
        return list(s.scalars(select(AuditRecord.id).order_by(AuditRecord.id)))


def _raw(db) -> sqlite3.Connection:
    """A connection outside the program, as someone with the file would use."""
    return sqlite3.connect(db.path)


@pytest.fixture
def filled(desk, db):
    for i in range(3):
        desk.run(orgs.save, org_input(f"测试社会工作服务中心{i}", phone="010-12345678"), today=TODAY)
    desk.run(settings_service.put, settings_service.OFFICE_NAME, "某街道办事处")
    return db


def test_an_untouched_chain_verifies_and_head_is_the_last_hash(filled):
    report = _report(filled)
    assert report.ok and report.count == len(_ids(filled)) > 10
    with filled.read_session() as s:
        assert audit.head(s) == report.head == s.scalar(
            select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1))
    assert "OK" in report.describe() or "完好" in report.describe()


def test_the_database_refuses_update_and_delete_of_audit_rows(filled):
    for statement in ("UPDATE audit_log SET new_value = 'x' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2"):
        with pytest.raises(exc.DBAPIError, match="audit records cannot be changed"), filled.session() as s:
            s.execute(text(statement))
        con = _raw(filled)
        with pytest.raises(sqlite3.DatabaseError, match="audit records cannot be changed"):
            con.execute(statement)
        con.close()
    assert _report(filled).ok


def _tamper(db, statement: str) -> None:
    con = _raw(db)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute(statement)
    con.commit()
    con.close()


def test_a_changed_value_is_detected_at_that_row(filled):
    target = _ids(filled)[5]
    _tamper(filled, f"UPDATE audit_log SET new_value = '010-99999999' WHERE id = {target}")
    report = _report(filled)
    assert not report.ok and report.broken_at == target and report.reason == "content"
    assert report.count == 5 and str(target) in report.describe()


def test_a_rehashed_change_breaks_the_next_link(filled):
    """Someone who recomputes the changed row's own hash still breaks the link of the row after it."""
    ids = _ids(filled)
    target = ids[3]
    with filled.read_session() as s:
        row = s.get(AuditRecord, target)
        assert row is not None
        row.new_value = "forged"
        forged_hash = audit.row_digest(row)
        s.rollback()
    _tamper(filled, f"UPDATE audit_log SET new_value = 'forged', hash = '{forged_hash}' WHERE id = {target}")
    report = _report(filled)
    assert not report.ok and report.broken_at == ids[4] and report.reason == "link"


def test_a_deleted_row_is_detected(filled):
    ids = _ids(filled)
    _tamper(filled, f"DELETE FROM audit_log WHERE id = {ids[7]}")
    report = _report(filled)
    assert not report.ok and report.broken_at == ids[7] and report.reason == "missing row"


def test_a_deleted_last_row_changes_the_head(filled):
    """Deleting the newest rows leaves a valid but shorter chain: the head printed earlier exposes it."""
    before = _report(filled).head
    _tamper(filled, f"DELETE FROM audit_log WHERE id = {_ids(filled)[-1]}")
    after = _report(filled)
    assert after.ok and after.head != before


def test_every_write_is_audited(desk, db):
    """Create, update, check, attachment, domains, settings, delete: each leaves rows in the trail."""
    oid = desk.run(orgs.save, org_input("审计覆盖测试中心", inspections=[orgs.InspectionInput(2025, "passed")]),
                   today=TODAY)
    for item in orgs.elig.MANUAL_ITEMS:
        desk.run(orgs.save_check, oid, item.code, "met", "已核验", valid_until=date(2030, 12, 31), today=TODAY)
    data = desk.run(orgs.get, oid, today=TODAY).data
    data.phone = "010-87654321"
    desk.run(orgs.save, data, org_id=oid, today=TODAY)
    att = desk.run(orgs.add_attachment, oid, "证书.pdf", b"%PDF-1.4")
    desk.run(orgs.remove_attachment, att)
    desk.run(orgs.save_domains, ["养老服务", "文体科普"])
    desk.run(settings_service.update, office_name="某街道", language="en")
    assert desk.run(orgs.refresh_all_eligibility, today=date(2027, 7, 1)) == 1  # the 2026 inspection is due (30 June passed)
    desk.run(orgs.delete_org, oid)
    with db.read_session() as s:
        seen = set(s.execute(select(AuditRecord.action, AuditRecord.entity)).tuples())
    assert {("create", "organization"), ("update", "organization"), ("update", "qualification_check"),
            ("attach", "organization"), ("detach", "organization"), ("update", "service_domains"),
            ("update", "setting"), ("state", "organization"), ("delete", "organization")} <= seen
    assert _report(db).ok


def test_the_viewer_query_filters_and_pages(filled, desk):
    other = Actor(7, "li", "李审核", frozenset({"reviewer"}))
    Desk(filled, other).run(settings_service.put, "numbering", "2026-001")
    with filled.read_session() as s:
        everything = audit.count(s, other, audit.AuditQuery())
        assert everything == len(_ids(filled))
        mine = audit.page(s, other, audit.AuditQuery(username="li"), 0, 50)
        assert [r.username for r in mine] == ["li"] and mine[0].new_value == "2026-001"
        settings_rows = audit.page(s, other, audit.AuditQuery(entity="setting"), 0, 50)
        assert {r.entity for r in settings_rows} == {"setting"} and len(settings_rows) == 2
        assert audit.count(s, other, audit.AuditQuery(text="99999999")) == 0
        assert audit.count(s, other, audit.AuditQuery(text="010-1234")) == 3
        assert audit.count(s, other, audit.AuditQuery(text="100%_")) == 0  # LIKE wildcards are literal
        today = utcnow().date()
        assert audit.count(s, other, audit.AuditQuery(date_from=today - timedelta(days=1))) == everything
        assert audit.count(s, other, audit.AuditQuery(date_to=today - timedelta(days=2))) == 0
        first = audit.page(s, other, audit.AuditQuery(), 0, 10)
        second = audit.page(s, other, audit.AuditQuery(), 10, 10)
        assert [r.id for r in first + second] == sorted(_ids(filled), reverse=True)[:20]  # newest first
        total, rows = audit.first_page(s, other, audit.AuditQuery(entity="organization"), 5)
        assert len(rows) == 5 and total > 5
        choices = audit.filter_choices(s, other)
        assert "li" in choices.usernames and {"organization", "setting"} <= set(choices.entities)


def test_a_clerk_may_not_read_the_trail(filled):
    clerk = Actor(8, "wang", "王经办", frozenset({"clerk"}))
    with filled.read_session() as s, pytest.raises(PermissionDenied):
        audit.page(s, clerk, audit.AuditQuery(), 0, 10)


def test_labels_are_translated_and_unknown_codes_pass_through():
    assert audit.action_label("create") == "新增" or audit.action_label("create") != "create"
    assert audit.entity_label("no_such_entity") == "no_such_entity"
    assert audit.action_label("no_such_action") == "no_such_action"

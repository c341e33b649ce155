"""The generic attachments service: hash, size limit, owners, permissions, audit."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from app.domain.errors import NotFound, ValidationError
from app.models import AuditRecord
from app.services import attachments, orgs
from app.services.context import Actor, Desk
from app.services.permissions import PermissionDenied
from tests.factories import org_input

SCAN = b"%PDF-1.4 signed agreement scan"


@pytest.fixture
def org_id(desk):
    return desk.run(orgs.save, org_input("附件测试中心"))


def test_add_list_data_and_remove(desk, org_id):
    aid = desk.run(attachments.add, "organization", org_id, "签字盖章件.pdf", SCAN, "application/pdf", "双方签章")
    rows = desk.run(attachments.list_for, "organization", org_id)
    assert [(r.id, r.filename, r.size, r.sha256, r.mime, r.note) for r in rows] == [
        (aid, "签字盖章件.pdf", len(SCAN), hashlib.sha256(SCAN).hexdigest(), "application/pdf", "双方签章")]
    assert desk.run(attachments.data, aid) == ("签字盖章件.pdf", SCAN)
    desk.run(attachments.remove, aid)
    assert desk.run(attachments.list_for, "organization", org_id) == []
    with pytest.raises(NotFound):
        desk.run(attachments.data, aid)


def test_owners_are_kept_apart(desk, org_id):
    desk.run(attachments.add, "organization", org_id, "a.pdf", b"a")
    assert desk.run(attachments.list_for, "agreement", org_id) == []
    with pytest.raises(NotFound):  # no agreement with that id
        desk.run(attachments.add, "agreement", 999, "scan.pdf", SCAN)
    with pytest.raises(ValueError):
        desk.run(attachments.add, "nonsense", org_id, "x.pdf", SCAN)


def test_empty_and_oversized_files_are_refused(desk, org_id, monkeypatch):
    with pytest.raises(ValidationError) as info:
        desk.run(attachments.add, "organization", org_id, "empty.pdf", b"")
    assert "attachment" in info.value.fields() and "空" in info.value.message
    monkeypatch.setattr(attachments, "MAX_BYTES", 10)
    with pytest.raises(ValidationError) as info:
        desk.run(attachments.add, "organization", org_id, "big.pdf", b"x" * 11)
    assert "50" in info.value.message
    assert desk.run(attachments.list_for, "organization", org_id) == []


def test_roles_are_checked(db, desk, org_id):
    finance = Desk(db, Actor(None, "fin", "fin", frozenset({"finance"})))
    with pytest.raises(PermissionDenied):
        finance.run(attachments.add, "organization", org_id, "a.pdf", b"a")
    aid = desk.run(attachments.add, "organization", org_id, "a.pdf", b"a")
    with pytest.raises(PermissionDenied):
        finance.run(attachments.remove, aid)


def test_adding_and_removing_are_audited(db, desk, org_id):
    aid = desk.run(attachments.add, "organization", org_id, "证书.pdf", SCAN)
    desk.run(attachments.remove, aid)
    with db.session() as s:
        rows = s.execute(select(AuditRecord.action, AuditRecord.entity, AuditRecord.old_value, AuditRecord.new_value)
                         .where(AuditRecord.action.in_(["attach", "detach"])).order_by(AuditRecord.id)).all()
    digest = hashlib.sha256(SCAN).hexdigest()
    assert rows == [("attach", "organization", None, digest), ("detach", "organization", digest, None)]


def test_org_wrappers_behave_as_before(desk, org_id):
    aid = desk.run(orgs.add_attachment, org_id, "登记证书.pdf", b"scan")
    assert desk.run(orgs.get, org_id).attachments[0].sha256 == hashlib.sha256(b"scan").hexdigest()
    assert desk.run(orgs.attachment_data, aid) == ("登记证书.pdf", b"scan")
    desk.run(orgs.remove_attachment, aid)
    assert desk.run(orgs.get, org_id).attachments == []

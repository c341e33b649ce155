"""Sample rows in an office database (put there by earlier versions) are removed in one audited
transaction with nothing left dangling; a refused delete names what refers to the record."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from app.domain.errors import DatabaseRefused, ValidationError
from app.models import Attachment, Organization
from app.models.printing import PrintRecord
from app.models.project import Agreement, Instalment, Project
from app.models.system import AuditRecord, DutyRecord
from app.services import agreements as ag
from app.services import audit, demo, orgs
from app.services.context import Desk
from tests.db_templates import sample_data
from tests.factories import agreement_input, awarded_project, eligible_org, make_user

TODAY = date(2026, 6, 15)


def _dangling(db) -> list:  # type: ignore[no-untyped-def]
    """Foreign-key violations, and rows that point at a record by id without a foreign key."""
    with db.session() as s:
        found: list = list(s.execute(text("PRAGMA foreign_key_check")))
        orgs_, projects_ = set(s.scalars(select(Organization.id))), set(s.scalars(select(Project.id)))
        agreements_ = set(s.scalars(select(Agreement.id)))
        owners = {"organization": orgs_, "project": projects_, "agreement": agreements_}
        found += [("attachment", a.id) for a in s.scalars(select(Attachment))
                  if a.owner_type in owners and a.owner_id not in owners[a.owner_type]]
        found += [("duty", d.id) for d in s.scalars(select(DutyRecord))
                  if d.entity in owners and int(d.entity_id) not in owners[d.entity]]
        found += [("instalment", i.id) for i in s.scalars(select(Instalment)) if i.agreement_id not in agreements_]
    return found


@pytest.mark.db_content(sample_data(TODAY))
def test_removing_sample_data_leaves_real_records_and_nothing_dangling(desk: Desk, db) -> None:
    assert desk.run(demo.load_sample, today=TODAY) == 0  # there already: the db_content marker
    sample_org = desk.run(lambda s, a: s.scalar(select(Organization.id).where(Organization.is_sample.is_(True))))
    desk.run(orgs.add_attachment, sample_org, "证书.pdf", b"%PDF-1.4 sample")
    people = {n: Desk(db, make_user(db, n, r)) for n, r in (("clerk", "clerk"), ("clerk2", "clerk"),
                                                          ("reviewer", "reviewer"))}
    real_org = eligible_org(desk, "真实社工服务中心")
    pid = awarded_project(people, real_org)
    real_agreement = people["clerk"].run(ag.save, agreement_input(pid, real_org))
    before = desk.run(demo.sample_counts)
    assert before["organizations"] == 25 and before["agreements"] >= 10

    removed = desk.run(demo.remove_sample_data)
    assert removed == before
    assert desk.run(demo.sample_counts) == {"organizations": 0, "projects": 0, "agreements": 0, "consortia": 0}
    with db.session() as s:
        assert s.get(Organization, real_org) is not None and s.get(Agreement, real_agreement) is not None
        assert s.scalar(select(func.count()).select_from(PrintRecord)) == 0
        last = s.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
        assert last.entity == "sample_data"
        assert audit.verify_chain(s).ok
    assert _dangling(db) == []
    assert desk.run(demo.remove_sample_data) == {"organizations": 0, "consortia": 0, "projects": 0,
                                                "agreements": 0}


@pytest.mark.db_content(sample_data(TODAY))
def test_removal_is_refused_by_name_when_a_real_record_uses_a_sample(desk: Desk, db) -> None:
    assert desk.run(demo.load_sample, today=TODAY) == 0  # there already: the db_content marker
    people = {n: Desk(db, make_user(db, n, r)) for n, r in (("clerk", "clerk"), ("clerk2", "clerk"),
                                                          ("reviewer", "reviewer"))}
    sample_org = desk.run(lambda s, a: s.scalar(select(Organization.id).where(
        Organization.is_sample.is_(True), Organization.eligibility == "eligible")))
    pid = awarded_project(people, sample_org)
    before = desk.run(demo.sample_counts)
    with pytest.raises(ValidationError) as err:
        desk.run(demo.remove_sample_data)
    assert "社区居家养老服务项目" in err.value.message
    assert desk.run(demo.sample_counts) == before  # nothing removed
    assert pid


def test_a_refused_delete_names_what_refers_to_the_organization(desk: Desk, db) -> None:
    people = {n: Desk(db, make_user(db, n, r)) for n, r in (("clerk", "clerk"), ("clerk2", "clerk"),
                                                          ("reviewer", "reviewer"))}
    org = eligible_org(desk)
    pid = awarded_project(people, org)
    people["clerk"].run(ag.save, agreement_input(pid, org))
    with pytest.raises(ValidationError) as err:
        desk.run(orgs.delete_org, org)
    message = err.value.message
    assert "阳光社工服务中心" in message and "1 份服务协议" in message and "1 个购买项目" in message
    assert "FOREIGN KEY" not in message and "IntegrityError" not in message


def test_no_raw_database_error_leaves_a_use_case(desk: Desk) -> None:
    def bad(session, actor):  # type: ignore[no-untyped-def]
        session.execute(text("INSERT INTO consortium_members (consortium_id, org_id, role) VALUES (999, 999, 'x')"))
        session.flush()

    with pytest.raises(DatabaseRefused) as err:
        desk.run(bad)
    assert "FOREIGN KEY" not in err.value.message and "nothing was saved" not in err.value.message  # Chinese

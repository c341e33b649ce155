from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.domain.errors import NeedsConfirmation, StaleRecord, ValidationError
from app.models import AuditRecord, Organization
from app.services import orgs
from app.services.context import Actor, Desk
from app.services.permissions import PermissionDenied
from tests.factories import code, org_input

TODAY = date(2026, 6, 15)


def _count(desk: Desk) -> int:
    return desk.run(orgs.count, orgs.OrgQuery())


def test_save_and_read_back(desk):
    data = org_input("北京市协作者社会工作发展中心", legal_representative="李涛", domains=["扶老助残"],
                     established_on="2003年4月1日", rating="5a", rating_valid_until="2027/12/31",
                     inspections=[orgs.InspectionInput("2025", "合格")])
    oid = desk.run(orgs.save, data, today=TODAY)
    detail = desk.run(orgs.get, oid, today=TODAY)
    assert detail.data.name == "北京市协作者社会工作发展中心"
    assert detail.org_type == "social_service_agency"
    assert detail.data.established_on == date(2003, 4, 1)
    assert detail.data.rating == "5A"
    assert detail.data.domains == ["扶老助残"]
    assert detail.data.region == "110105"


def test_every_bad_field_is_named_and_nothing_saved(desk):
    data = org_input("", credit_code="123", phone="call me", established_on="2023-02-30", rating="6A",
                     inspections=[orgs.InspectionInput("2025", "优秀")], domains=["不存在的领域"])
    with pytest.raises(ValidationError) as info:
        desk.run(orgs.save, data, today=TODAY)
    assert {"name", "credit_code", "phone", "established_on", "rating", "inspections", "domains"} <= info.value.fields()
    assert "统一社会信用代码：应为18位，实际为3位" in info.value.message
    assert _count(desk) == 0


def test_one_organization_per_code(desk):
    c = code()
    desk.run(orgs.save, org_input("甲组织", credit_code=c), today=TODAY)
    with pytest.raises(ValidationError) as info:
        desk.run(orgs.save, org_input("乙组织", credit_code=c.lower()), today=TODAY)
    assert "甲组织" in info.value.message
    assert _count(desk) == 1


def test_same_name_other_code_asks_for_confirmation(desk):
    desk.run(orgs.save, org_input("阳光社工中心"), today=TODAY)
    with pytest.raises(NeedsConfirmation) as info:
        desk.run(orgs.save, org_input("阳光社工中心"), today=TODAY)
    assert _count(desk) == 1
    desk.run(orgs.save, org_input("阳光社工中心"), confirm=info.value.token, today=TODAY)
    assert _count(desk) == 2


def test_early_code_override_records_who(desk, db):
    bad = "91350100M0001TGQXM"
    with pytest.raises(ValidationError) as info:
        desk.run(orgs.save, org_input("福州早期企业", credit_code=bad), today=TODAY)
    assert "应为1" in info.value.message
    clerk = Actor(7, "zhang", "张三", frozenset({"clerk"}))
    oid = Desk(db, clerk).run(orgs.save, org_input("福州早期企业", credit_code=bad, code_override_reason="核对原件"),
                             today=TODAY)
    with db.read_session() as s:
        org = s.get(Organization, oid)
        assert org.code_override_by == 7 and org.code_override_at is not None
        assert org.code_override_reason == "核对原件"


def test_override_cannot_excuse_a_wrong_length(desk):
    with pytest.raises(ValidationError):
        desk.run(orgs.save, org_input("某组织", credit_code="91350100M0001TGQX", code_override_reason="x"), today=TODAY)


def test_stale_form_cannot_overwrite(desk):
    oid = desk.run(orgs.save, org_input("旧名称"), today=TODAY)
    v = desk.run(orgs.get, oid).version
    data = desk.run(orgs.get, oid).data
    data.notes = "第一次修改"
    desk.run(orgs.save, data, org_id=oid, expected_version=v, today=TODAY)
    data.notes = "过期表单"
    with pytest.raises(StaleRecord):
        desk.run(orgs.save, data, org_id=oid, expected_version=v, today=TODAY)
    assert desk.run(orgs.get, oid).data.notes == "第一次修改"


def test_changes_are_audited_in_the_same_transaction(desk, db):
    oid = desk.run(orgs.save, org_input("审计测试中心", phone="010-1234567"), today=TODAY)
    data = desk.run(orgs.get, oid).data
    data.phone = "010-7654321"
    desk.run(orgs.save, data, org_id=oid, today=TODAY)
    with db.read_session() as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.entity == "organization",
                                                   AuditRecord.field == "phone")).all()
        assert [(r.old_value, r.new_value) for r in rows] == [(None, "010-1234567"), ("010-1234567", "010-7654321")]


def test_eligibility_follows_the_checklist(desk):
    oid = desk.run(orgs.save, org_input("资格测试中心", inspections=[orgs.InspectionInput(2025, "passed")]),
                   today=TODAY)
    assert not desk.run(orgs.get, oid, today=TODAY).eligibility.eligible
    for item in orgs.elig.MANUAL_ITEMS:
        desk.run(orgs.save_check, oid, item.code, "met", "已核验", today=TODAY)
    detail = desk.run(orgs.get, oid, today=TODAY)
    assert detail.eligibility.eligible
    assert desk.run(orgs.count, orgs.OrgQuery(eligibility="eligible")) == 1
    with pytest.raises(ValidationError):
        desk.run(orgs.save_check, oid, "finance", "met", "", today=TODAY)  # evidence required


def test_clerk_cannot_delete(db, desk):
    oid = desk.run(orgs.save, org_input("删除测试"), today=TODAY)
    clerk = Desk(db, Actor(3, "li", "李四", frozenset({"clerk"})))
    with pytest.raises(PermissionDenied) as info:
        clerk.run(orgs.delete_org, oid)
    assert "管理员" in info.value.message
    desk.run(orgs.delete_org, oid)
    assert _count(desk) == 0


@pytest.fixture
def registry(desk):
    names = ["北京市协作者社会工作发展中心", "阳光青少年成长服务中心", "社区书法协会", "绿色家园环保协会", "巾帼家庭服务中心"]
    codes = {}
    for i, n in enumerate(names):
        c = code("51" if "协会" in n else "52", "110105" if i % 2 else "440106")
        codes[n] = c
        desk.run(orgs.save, org_input(n, credit_code=c, is_support_org=(i == 0),
                                      domains=["生态环境"] if "环保" in n else []), today=TODAY)
    return codes


def _names(desk, **kw) -> list[str]:
    q = orgs.OrgQuery(**kw)
    return [r.name for r in desk.run(orgs.page, q, 0, 100)]


def test_search_by_two_characters(desk, registry):
    assert _names(desk, search="书法") == ["社区书法协会"]
    assert set(_names(desk, search="服务")) == {"阳光青少年成长服务中心", "巾帼家庭服务中心"}


def test_search_by_pinyin_initials(desk, registry):
    assert _names(desk, search="xzz") == ["北京市协作者社会工作发展中心"]
    assert _names(desk, search="SQSF") == ["社区书法协会"]


def test_search_by_code_prefix(desk, registry):
    c = registry["社区书法协会"]
    assert "社区书法协会" in _names(desk, search=c[:10].lower())
    assert _names(desk, search=c) == ["社区书法协会"]


def test_filters_and_sort(desk, registry):
    assert set(_names(desk, org_type="social_group")) == {"社区书法协会", "绿色家园环保协会"}
    assert _names(desk, support_only=True) == ["北京市协作者社会工作发展中心"]
    domain = next(d for d in desk.run(orgs.list_domains) if d.name == "生态环境")
    assert _names(desk, domain_id=domain.id) == ["绿色家园环保协会"]
    by_pinyin = _names(desk)
    assert by_pinyin[0] == "北京市协作者社会工作发展中心" and by_pinyin[-1] == "阳光青少年成长服务中心"
    assert _names(desk, descending=True) == list(reversed(by_pinyin))
    assert desk.run(orgs.count, orgs.OrgQuery(search="不存在")) == 0


def test_like_wildcards_are_literal(desk, registry):
    assert _names(desk, search="%") == []
    assert _names(desk, search="_") == []


def test_domains_are_editable_and_never_lost(desk, registry):
    desk.run(orgs.save_domains, ["扶老助残", "社区治理"])
    names = [d.name for d in desk.run(orgs.list_domains)]
    assert names == ["扶老助残", "社区治理"]
    # The domain in use stays on the organization's record.
    oid = next(r.id for r in desk.run(orgs.page, orgs.OrgQuery(search="环保"), 0, 5))
    assert desk.run(orgs.get, oid).data.domains == ["生态环境"]


def test_attachments_keep_their_hash(desk, db):
    oid = desk.run(orgs.save, org_input("附件测试"), today=TODAY)
    aid = desk.run(orgs.add_attachment, oid, "登记证书.pdf", b"%PDF-1.4 scan")
    detail = desk.run(orgs.get, oid)
    import hashlib

    assert detail.attachments[0].sha256 == hashlib.sha256(b"%PDF-1.4 scan").hexdigest()
    assert desk.run(orgs.attachment_data, aid) == ("登记证书.pdf", b"%PDF-1.4 scan")
    with pytest.raises(ValidationError):
        desk.run(orgs.add_attachment, oid, "empty.pdf", b"")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=30), credit=st.text(max_size=20), phone=st.text(max_size=12),
       est=st.one_of(st.text(max_size=12), st.integers(), st.none()), rating=st.text(max_size=3),
       year=st.text(max_size=6), result=st.text(max_size=4))
def test_validator_never_raises_anything_but_validation_error(name, credit, phone, est, rating, year, result):
    data = orgs.OrgInput(name=name, credit_code=credit, phone=phone, established_on=est, rating=rating,
                         inspections=[orgs.InspectionInput(year, result)])
    try:
        orgs.validate(data, TODAY)
    except ValidationError as exc:
        assert exc.problems and all(p.reason and p.label for p in exc.problems)


def test_refresh_eligibility_when_the_year_turns(desk, db):
    oid = desk.run(orgs.save, org_input("跨年测试", inspections=[orgs.InspectionInput(2025, "passed")]), today=TODAY)
    for item in orgs.elig.MANUAL_ITEMS:
        desk.run(orgs.save_check, oid, item.code, "met", "已核验", today=TODAY)
    assert desk.run(orgs.count, orgs.OrgQuery(eligibility="eligible")) == 1
    changed = desk.run(orgs.refresh_all_eligibility, today=date(2027, 7, 1))  # 2026 inspection due by 30 June
    assert changed == 1
    assert desk.run(orgs.count, orgs.OrgQuery(eligibility="eligible")) == 0
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Organization)) == 1

"""Ledger import: the golden files in tests/data/ledgers, re-import, dry run, rollback, and fuzzing."""

from __future__ import annotations

import importlib.util
import string
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.i18n import set_language
from app.models import AuditRecord, Organization
from app.services import audit, orgs
from app.services import ledger_import as li
from tests.factories import org_input

TODAY = date(2026, 6, 15)
LEDGERS = Path(__file__).resolve().parents[1] / "data" / "ledgers"

_spec = importlib.util.spec_from_file_location("make_ledgers", LEDGERS / "make_ledgers.py")
assert _spec and _spec.loader
G = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(G)  # the codes the golden files were built with

IMP, DUP, INV = li.IMPORTED, li.DUPLICATE, li.INVALID


def _counts(db) -> tuple[int, int]:
    with db.read_session() as s:
        return (s.scalar(select(func.count()).select_from(Organization)),
                s.scalar(select(func.count()).select_from(AuditRecord)))


def _org(db, code: str) -> Organization:
    with db.read_session() as s:
        org = s.scalar(select(Organization).where(Organization.credit_code == code))
        assert org is not None, code
        s.expunge(org)
        return org


def _statuses(report: li.ImportReport) -> dict[int, str]:
    return {r.row: r.status for r in report.rows}


def _reasons(report: li.ImportReport, row: int) -> str:
    return "；".join(next(r for r in report.rows if r.row == row).reasons)


STREET = {5: IMP, 6: IMP, 8: IMP, 9: INV, 10: INV, 11: INV, 12: DUP, 13: IMP, 14: INV, 15: INV}


# ---------------------------------------------------------------------------------------------
# Golden files


def test_street_ledger_rows_and_reasons(desk, db):
    report = li.import_file(desk, LEDGERS / "street_ledger.xlsx", today=TODAY)
    assert report.sheet == "社会组织名录" and report.header_row == 4
    assert _statuses(report) == STREET  # title, blank rows and the signature line are not rows
    assert (report.imported_count, report.duplicate_count, report.invalid_count) == (4, 1, 5)
    assert "统一社会信用代码：应为18位，实际为17位" in _reasons(report, 9)
    assert "统一社会信用代码" in _reasons(report, 10) and "O" in _reasons(report, 10)
    assert "统一社会信用代码：校验码为" in _reasons(report, 11)
    assert "第5行" in _reasons(report, 12)
    assert "成立日期" in _reasons(report, 14)
    assert "服务领域" in _reasons(report, 15) and "托管服务" in _reasons(report, 15)
    assert all(r.reasons for r in report.rows if r.status != IMP)
    assert "4" in report.summary() and "5" in report.summary()


def test_street_ledger_values_are_normalised(desk, db):
    li.import_file(desk, LEDGERS / "street_ledger.xlsx", today=TODAY)
    sun = _org(db, G.SUNSHINE)  # the code was written in full-width digits
    assert sun.name == "阳光社会工作服务中心"
    assert sun.phone == "138 0001 2345"
    assert sun.established_on == date(2016, 3, 15)  # an Excel date cell
    assert sun.is_support_org and sun.rating == "3A" and sun.rating_valid_until == date(2027, 12, 31)
    assert sun.bank_account_no == "621700001234567890" + "1"
    assert sun.org_type == "social_service_agency" and sun.region == "110105"
    detail = desk.run(orgs.get, sun.id, today=TODAY)
    assert detail.data.domains == ["扶老助残", "法律援助"]
    assert [(i.year, i.result) for i in detail.data.inspections] == [(2024, "passed")]
    assert _org(db, G.NEIGHBOURS).established_on == date(2019, 3, 15)
    assert _org(db, G.NEIGHBOURS).rating == "4A"  # 4A级
    sunset = _org(db, G.SUNSET)
    assert sunset.established_on == date(2018, 6, 1) and sunset.rating == "3A"  # ３Ａ
    assert sunset.phone == "13800138000"  # a number cell
    assert _org(db, G.CORRECTION).established_on == date(2019, 1, 1)  # an Excel serial number


def test_vertical_two_row_header(desk, db):
    report = li.import_file(desk, LEDGERS / "vertical_header.xlsx", today=TODAY)
    assert report.header_row == 4
    assert _statuses(report) == {5: IMP, 6: IMP, 7: IMP}
    a, b = _org(db, G.VOLUNTEERS), _org(db, G.ELDERLY)
    assert (a.contact_person, a.phone, a.established_on) == ("林一", "13600136000", date(2012, 5, 4))
    assert (b.contact_person, b.legal_representative, b.established_on) == ("何三", "黄二", date(2014, 2, 8))
    detail = desk.run(orgs.get, b.id, today=TODAY)
    assert [(i.year, i.result) for i in detail.data.inspections] == [(2024, "basic")]


def test_gbk_csv(desk, db):
    report = li.import_file(desk, LEDGERS / "gbk.csv", today=TODAY)
    assert report.header_row == 3
    assert _statuses(report) == {4: IMP, 5: IMP, 6: INV, 7: DUP, 8: IMP}
    assert "统一社会信用代码" in _reasons(report, 6)
    assert "第4行" in _reasons(report, 7)
    first = _org(db, G.GBK_1)
    assert (first.phone, first.established_on, first.rating) == ("65123456", date(2023, 5, 1), "3A")
    assert first.rating_valid_until == date(2028, 5, 1)
    second = desk.run(orgs.get, _org(db, G.GBK_2).id, today=TODAY)
    assert second.data.domains == ["妇幼保护", "促进就业"] or set(second.data.domains) == {"妇幼保护", "促进就业"}


def test_utf8_bom_csv_with_starred_and_bracketed_headers(desk, db):
    report = li.import_file(desk, LEDGERS / "utf8_bom.csv", today=TODAY)
    assert _statuses(report) == {2: IMP, 4: IMP}  # row 3 is blank
    a = _org(db, G.BOM_1)
    assert a.name == "和谐社区发展中心" and a.address == "北京市朝阳区和平里1号,2层"
    assert a.is_support_org and a.rating == "4A" and a.established_on == date(2019, 5, 6)
    assert _org(db, G.BOM_2).phone == "010-12345678"


def test_utf16_csv_is_detected_and_read(desk, db):
    # Issue 14: the encoding is detected per file; UTF-16 (Excel's "Unicode text") used to be refused.
    report = li.import_file(desk, LEDGERS / "utf16.csv", today=TODAY)
    assert _statuses(report) == {2: IMP}
    assert any("UTF-16" in n for n in report.notes)
    assert _org(db, G.BOM_1).name == "和谐社区发展中心"


def test_english_headers(desk, db):
    report = li.import_file(desk, LEDGERS / "english.csv", today=TODAY)
    assert _statuses(report) == {2: IMP, 3: IMP}
    assert _org(db, G.EN_2).established_on == date(2019, 2, 3)


@pytest.mark.parametrize("name, words", [
    ("empty.csv", "空"),
    ("empty.xlsx", "空"),
    ("protected.xlsx", "密码"),
    ("no_header.csv", "表头"),
    ("truncated.xlsx", "Excel"),
    ("missing.xlsx", "不存在"),
    ("old.xls", ".xlsx"),
    ("ledger.txt", ".csv"),
])
def test_unusable_files_give_a_message(desk, db, name, words):
    with pytest.raises(li.LedgerError) as info:
        li.import_file(desk, LEDGERS / name, today=TODAY)
    assert words in info.value.message
    assert "Traceback" not in info.value.message
    assert _counts(db) == (0, 0)


def test_header_without_rows_and_directory(tmp_path):
    (tmp_path / "h.csv").write_text("名称,统一社会信用代码\n,,\n", encoding="utf-8")
    with pytest.raises(li.LedgerError, match="表头"):
        li.read_ledger(tmp_path / "h.csv")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(li.LedgerError):
        li.read_ledger(tmp_path / "d.csv")


def test_messages_follow_the_language():
    set_language("en")
    with pytest.raises(li.LedgerError, match="password"):
        li.read_ledger(LEDGERS / "protected.xlsx")


# ---------------------------------------------------------------------------------------------
# Database behaviour


def test_reimport_adds_nothing(desk, db):
    first = li.import_file(desk, LEDGERS / "street_ledger.xlsx", today=TODAY)
    before = _counts(db)
    again = li.import_file(desk, LEDGERS / "street_ledger.xlsx", today=TODAY)
    assert _counts(db) == before
    assert again.imported_count == 0
    assert {r.row for r in again.rows if r.status == DUP} == {r.row for r in first.rows if r.status != INV}
    assert "已登记" in _reasons(again, 5)
    clean = li.import_file(desk, LEDGERS / "utf8_bom.csv", today=TODAY)
    assert clean.imported_count == 2
    assert {r.status for r in li.import_file(desk, LEDGERS / "utf8_bom.csv", today=TODAY).rows} == {DUP}


def test_dry_run_saves_nothing_and_says_the_same(desk, db):
    dry = li.import_file(desk, LEDGERS / "street_ledger.xlsx", dry_run=True, today=TODAY)
    assert _counts(db) == (0, 0)
    assert _statuses(dry) == STREET
    assert dry.rows[0].status_label != li.RowResult(5, IMP, "", "").status_label
    assert "未保存" in dry.summary() or "没有保存" in dry.summary()
    assert _statuses(li.preview(desk, LEDGERS / "street_ledger.xlsx", today=TODAY)) == STREET
    assert _counts(db) == (0, 0)
    real = li.import_file(desk, LEDGERS / "street_ledger.xlsx", today=TODAY)
    assert _statuses(real) == STREET
    assert [r.reasons for r in real.rows] == [r.reasons for r in dry.rows]


def test_each_imported_row_is_audited_and_judged(desk, db):
    li.import_file(desk, LEDGERS / "utf8_bom.csv", today=TODAY)
    with db.read_session() as s:
        created = s.scalars(select(AuditRecord.entity_label).where(
            AuditRecord.action == "create", AuditRecord.field == "name")).all()
        assert sorted(created) == sorted(["和谐社区发展中心", "社区文化艺术团"])
        assert all(o.eligibility_on == TODAY for o in s.scalars(select(Organization)))
        event = s.scalars(select(AuditRecord).where(AuditRecord.action == "import")).one()  # CSV: no sheet
        assert (event.entity_label, event.field, event.new_value) == ("utf8_bom.csv", "imported", "2")
    li.import_file(desk, LEDGERS / "utf8_bom.csv", today=TODAY)  # all duplicates: no import event
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "import")) == 1


def test_failure_mid_import_leaves_the_database_unchanged(desk, db, monkeypatch):
    # Rows are saved in bulk (orgs.create_many): the failure strikes after the records were inserted,
    # while their audit rows are written, so the transaction holds new records when it fails.
    desk.run(orgs.save, org_input("已有组织"), today=TODAY)
    before = _counts(db)
    real_record_many = audit.record_many
    calls = {"n": 0}

    def failing_audit(session, actor, entries):
        calls["n"] += 1
        assert session.scalar(select(func.count()).select_from(Organization)) > before[0]  # records written
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(audit, "record_many", failing_audit)
    with pytest.raises(li.LedgerError) as info:
        li.import_file(desk, LEDGERS / "street_ledger.xlsx", today=TODAY)
    assert calls["n"] == 1
    assert "没有导入" in info.value.message or "未导入" in info.value.message
    assert _counts(db) == before

    def broken_audit(session, actor, entries):
        real_record_many(session, actor, entries)  # records and audit rows written, then a bug
        raise RuntimeError("bug")

    monkeypatch.setattr(audit, "record_many", broken_audit)
    with pytest.raises(RuntimeError):
        li.import_file(desk, LEDGERS / "street_ledger.xlsx", today=TODAY)
    assert _counts(db) == before


def test_existing_code_and_same_name(desk, db):
    desk.run(orgs.save, org_input("原登记名称", credit_code=G.SUNSHINE), today=TODAY)
    desk.run(orgs.save, org_input("夕阳红养老服务中心"), today=TODAY)
    report = li.import_file(desk, LEDGERS / "street_ledger.xlsx", today=TODAY)
    assert report.rows[0].status == DUP and "原登记名称" in _reasons(report, 5)
    assert _statuses(report)[12] == DUP and "原登记名称" in _reasons(report, 12)
    assert _statuses(report)[8] == IMP
    assert "名称" in _reasons(report, 8) and "另一" in _reasons(report, 8)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Organization)
                        .where(Organization.name == "夕阳红养老服务中心")) == 2


def test_same_name_twice_in_one_file(desk, db, tmp_path):
    a, b = G.code("52", 90), G.code("52", 91)
    (tmp_path / "n.csv").write_text(f"名称,统一社会信用代码\n甲中心,{a}\n甲中心,{b}\n", encoding="utf-8")
    report = li.import_file(desk, tmp_path / "n.csv", today=TODAY)
    assert _statuses(report) == {2: IMP, 3: IMP}
    assert "第2行" in _reasons(report, 3)


def test_clerk_role_is_required(db):
    from app.services.context import Actor, Desk
    from app.services.permissions import PermissionDenied

    viewer = Desk(db, Actor(3, "viewer", "", frozenset({"reviewer"})))
    assert li.preview(viewer, LEDGERS / "english.csv", today=TODAY).imported_count == 2
    with pytest.raises(PermissionDenied):
        li.import_file(viewer, LEDGERS / "english.csv", today=TODAY)
    assert _counts(db) == (0, 0)


# ---------------------------------------------------------------------------------------------
# Headers and cells


@pytest.mark.parametrize("text, field", [
    ("＊单位名称", "name"), ("* 名 称 ", "name"), ("社会组织名称", "name"), ("Organization Name", "name"),
    ("统一社会信用代码（18位）", "credit_code"), ("统一代码", "credit_code"), ("Credit Code", "credit_code"),
    ("法人代表", "legal_representative"), ("联系电话", "phone"), ("手机", "phone"), ("住所", "address"),
    ("成立日期（年/月/日）", "established_on"), ("登记机关", "registration_authority"),
    ("业务领域", "domains"), ("类型", "org_type"), ("是否支持性组织", "is_support_org"),
    ("等级", "rating"), ("等级有效期", "rating_valid_until"), ("年检结果", "inspection"),
    ("2024年检", "inspection:2024"), ("2024年度年检结果", "inspection:2024"), ("年检（2023年度）", "inspection:2023"),
    ("开户行", "bank_name"), ("户名", "bank_account_name"), ("银行账号", "bank_account_no"), ("备注", "notes"),
    ("序号", None), ("基本信息", None), ("XX街道社会组织名录（2025年）", None), (None, None), (12, None),
])
def test_match_header(text, field):
    assert li.match_header(text) == field


def _row(**cells: object) -> li.LedgerRow:
    columns = {f: i for i, f in enumerate(cells)}
    return li._build_row(2, list(cells.values()), columns)


@pytest.mark.parametrize("raw, want", [("AAA", "3A"), ("3A级", "3A"), ("３Ａ", "3A"), ("aaaaa级", "5A"),
                                       ("未评估", ""), ("—", ""), ("6A", "6A")])
def test_rating_forms(raw, want):
    assert _row(name="x", credit_code="", rating=raw).data.rating == want


def test_support_flag_and_placeholders():
    assert _row(name="x", is_support_org="√").data.is_support_org is True
    assert _row(name="x", is_support_org="否").data.is_support_org is False
    assert _row(name="x", is_support_org=True).data.is_support_org is True
    bad = _row(name="x", is_support_org="也许")
    assert bad.problems and "支持性组织" in str(bad.problems[0])
    assert _row(name="x", phone="/", address="无").data.phone == ""


def test_numbers_excel_has_mangled():
    r = _row(name="x", credit_code=5.21101e17, bank_account_no=6217000012345678901)
    assert {p.field for p in r.problems} == {"credit_code", "bank_account_no"}
    r = _row(name="x", credit_code="5.21101E+17")
    assert "Excel" in str(r.problems[0])
    assert _row(name="x", bank_account_no="'6217000012345678901").data.bank_account_no == "6217000012345678901"


def test_inspection_year_in_the_text_or_missing():
    r = _row(name="x", inspection="2023年合格；2024年基本合格")
    assert [(i.year, i.result) for i in r.data.inspections] == [("2023", "合格"), ("2024", "基本合格")]
    r = _row(name="x", inspection="合格")
    assert r.problems and r.problems[0].field == "inspections"


def test_rating_period_keeps_the_end_date():
    assert _row(name="x", rating_valid_until="2021-01-01至2025-12-31").data.rating_valid_until == "2025-12-31"


# ---------------------------------------------------------------------------------------------
# Property-based: no input lets an exception escape; every rejection carries a message.

_cell = st.one_of(
    st.none(), st.text(max_size=25), st.text(alphabet="0123456789０１２３ＡAOIa-/.年月日 ", max_size=20),
    st.integers(min_value=-10**20, max_value=10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1, 1, 1)), st.booleans(),
    st.sampled_from(["合格", "基本合格", "不合格", "是", "否", "√", "AAA", "3A级", "扶老助残、法律援助", "2023年5月1日",
                     "2023-02-30", G.SUNSHINE, G.NEIGHBOURS, "—", "无"]),
)
_headers = st.lists(st.sampled_from(["名称", "统一社会信用代码", "法定代表人", "联系电话", "成立日期", "服务领域",
                                     "是否支持性组织", "评估等级", "评估有效期", "年检年度", "年检结果", "2024年检",
                                     "银行账号", "备注", "组织类型", "基本信息", None, "随便"]), min_size=0, max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(top=_headers, header=_headers, body=st.lists(st.lists(_cell, max_size=14), max_size=8))
def test_any_grid_parses_and_every_rejection_has_a_reason(top, header, body):
    grid = [top, ["名称", "统一社会信用代码", *header], *body]
    parsed = li.parse_grid(Path("x.xlsx"), "", grid)
    assert parsed is not None
    plan = li.plan_rows(parsed.rows, {G.NEIGHBOURS: "邻里互助协会"}, {"甲": G.NEIGHBOURS},
                        set(orgs.DEFAULT_DOMAINS), TODAY)
    assert len(plan.results) == len(parsed.rows)
    for r in plan.results:
        assert r.status in (IMP, DUP, INV)
        assert r.row >= 2
        if r.status != IMP:
            assert r.reasons and all(isinstance(x, str) and x.strip() for x in r.reasons)
    for result, data in plan.to_save:
        assert orgs.validate(data, TODAY, known_domains=set(orgs.DEFAULT_DOMAINS)).credit_code == result.credit_code


@settings(max_examples=100, deadline=None)
@given(grid=st.lists(st.lists(_cell, max_size=8), max_size=20))
def test_any_grid_without_a_known_header_is_refused_quietly(grid):
    parsed = li.parse_grid(Path("x.csv"), "", grid)
    assert parsed is None or parsed.rows is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=400),
                      st.text(alphabet=string.printable + "名称统一社会信用代码，、年", max_size=300).map(str.encode),
                      st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b)),
       suffix=st.sampled_from([".csv", ".xlsx"]))
def test_any_file_bytes_give_a_ledger_or_a_ledger_error(tmp_path, data, suffix):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    try:
        parsed = li.read_ledger(path)
    except li.LedgerError as exc:
        assert exc.message.strip()
    else:
        assert parsed.rows


def test_progress_is_reported_and_cancel_saves_nothing(desk, db):
    seen: list[tuple[int, int]] = []
    li.import_file(desk, LEDGERS / "vertical_header.xlsx", today=TODAY, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    before = _counts(db)
    with pytest.raises(li.LedgerError, match="取消"):
        li.import_file(desk, LEDGERS / "gbk.csv", today=TODAY, progress=lambda d, t: d < 2)
    assert _counts(db) == before


def test_an_early_code_accepted_in_the_form_is_a_duplicate_not_an_error(desk, db, tmp_path):
    early = "91350100M0001TGQXM"  # fails the check character; registered with a reason
    desk.run(orgs.save, org_input("福州早期企业", credit_code=early, code_override_reason="核对原件"), today=TODAY)
    (tmp_path / "e.csv").write_text(f"名称,统一社会信用代码\n福州早期企业,{early}\n新组织,{early[:-1]}1\n",
                                    encoding="utf-8")
    report = li.import_file(desk, tmp_path / "e.csv", today=TODAY)
    assert _statuses(report) == {2: DUP, 3: IMP}

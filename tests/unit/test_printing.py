"""Printed documents: text, fonts, watermark, verification, template versions, missing glyphs."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from app.documents import fonts
from app.domain import lifecycle as lc
from app.models import Organization, User
from app.models.project import Agreement
from app.services import agreements as ag
from app.services import demo, printing
from app.services import templates as tp
from app.services.context import Actor, Desk
from tests.db_templates import sample_data

TODAY = date(2026, 6, 15)
# Every test prints from the sample agreements: one copy each of a template made once per process.
pytestmark = pytest.mark.db_content(sample_data(TODAY))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The text of every page (pypdf) with all white space removed (lines wrap anywhere in Chinese)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    f = tmp_path / "fonts.pdf"
    f.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(f)], capture_output=True, check=True, text=True).stdout.splitlines()[2:]
    return [line.split() for line in lines]


@pytest.fixture
def sample(desk) -> dict[str, int]:
    assert desk.run(demo.load_sample, today=TODAY) == 0  # there already: the module's db_content marker
    rows = desk.run(ag.list_agreements)
    by: dict[str, int] = {}
    for r in rows:
        by.setdefault(r.state, r.id)
        if r.free_of_charge:
            by["community"] = r.id
    return by


def _render(desk: Desk, kind: str, aid: int, **kw) -> printing.Rendered:
    return desk.run(printing.render, kind, aid, **kw)


def test_contract_has_every_clause_parties_amount_period_and_page_numbers(desk, sample, tmp_path):
    aid = sample["performing"]
    r = _render(desk, "agreement", aid)
    text = pdf_text(r.pdf, tmp_path)
    d = desk.run(ag.get, aid)
    assert "政府购买服务合同" in text
    for clause in tp.shipped("contract").clauses:
        if clause.title:
            assert clause.title in text, clause.title
    for title in ("服务范围", "服务标的", "服务数量", "服务质量", "服务期限", "资金支付方式", "验收标准和考核办法",
                  "双方的权利和义务", "违约责任", "不得转包", "争议解决", "合同份数", "合同生效"):
        assert title in text
    # 承接主体 (the consortium's members) is there only for a consortium award, and numbering follows
    assert re.search(r"第一条合同文件.*第[二三]条服务范围.*第[三四]条服务标的.*第二十[一二]条合同生效", text)
    assert d.number in text
    assert d.data.purchaser_name in text and d.undertaker_name in text
    a_at = text.index("甲方（购买主体）：")
    assert text.index(d.data.purchaser_name, a_at) == a_at + len("甲方（购买主体）：")
    b_at = text.index("乙方（承接主体）：")
    assert text.index(d.undertaker_name, b_at) == b_at + len("乙方（承接主体）：")
    digits = f"¥{d.data.amount:,.2f}"
    assert digits in text and d.amount_upper in text
    assert f"{d.amount_upper}（{digits}）" in text  # the contract way: capitals then digits
    start, end = d.data.period_start, d.data.period_end
    assert f"自{start.year}年{start.month}月{start.day}日起至{end.year}年{end.month}月{end.day}日止" in text
    assert "本合同一式四份" in text and "各执两份" in text
    assert r.pages >= 3
    for page in range(1, r.pages + 1):
        assert f"第{page}页共{r.pages}页" in text
    for i in d.instalments:
        assert f"¥{i.amount:,.2f}" in text
    assert "年月日" in text and "（盖章）" in text  # signature and seal blocks with dates
    assert r.code in text and "草稿" not in text


def test_every_font_is_embedded(desk, sample, tmp_path):
    for kind in ("agreement", "assessment_notice", "acceptance_form"):
        rows = pdf_fonts(_render(desk, kind, sample["performing"]).pdf, tmp_path)
        assert rows
        for row in rows:
            emb = row[-5]
            assert emb == "yes", row


def test_draft_watermark_only_before_review_passed(desk, sample, tmp_path):
    for state in ("draft", "review"):
        r = _render(desk, "agreement", sample[state])
        assert r.draft and "草稿" in pdf_text(r.pdf, tmp_path)
    r = _render(desk, "agreement", sample["awaiting_signature"])
    assert not r.draft and "草稿" not in pdf_text(r.pdf, tmp_path)


def test_same_input_same_bytes(desk, sample):
    assert _render(desk, "agreement", sample["draft"]).pdf == _render(desk, "agreement", sample["draft"]).pdf


def test_verification_round_trip(desk, sample):
    aid = sample["performing"]
    r = _render(desk, "agreement", aid, final=True)
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}", r.code)
    res = desk.run(printing.verify, r.code.lower().replace("-", " "))
    assert res.status == "match" and res.number == r.number
    desk.run(ag.amend, aid, "服务对象增加", {"target_group": "辖区居民及流动人口"})
    res = desk.run(printing.verify, r.code)  # the signed text is still genuine, and amended later
    assert res.status == "match" and r.number in res.message and res.later_supplementary == 1
    assert res.in_force is False
    assert desk.run(printing.verify, "ZZZZ-ZZZZ").status == "unknown"
    assert desk.run(printing.verify, "not a code").status == "unknown"
    # A preview records nothing.
    preview = _render(desk, "agreement", sample["draft"])
    assert desk.run(printing.verify, preview.code).status == "unknown"


def test_code_depends_on_content_not_on_bytes_or_time(desk, sample):
    aid = sample["performing"]
    assert _render(desk, "agreement", aid).code == _render(desk, "agreement", aid, final=True).code
    assert _render(desk, "agreement", aid).code != _render(desk, "agreement", sample["review"]).code


def _admin(db) -> Desk:
    with db.session() as s:
        u = User(username="admin1", display_name="管理员", roles="admin")
        s.add(u)
        s.flush()
        uid = u.id
    return Desk(db, Actor(uid, "admin1", "管理员", frozenset({"admin"})))


def test_reprint_of_a_signed_agreement_uses_the_recorded_template_version(db, desk, sample, tmp_path):
    signed, draft = sample["performing"], sample["draft"]
    first = _render(desk, "agreement", signed, final=True)
    admin = _admin(db)
    contract = next(t for t in admin.run(tp.list_templates) if t.kind == "contract")
    detail = admin.run(tp.get_template, contract.id)
    clauses = [tp.ClauseInput(c.title, c.text.replace("合同价款按照考核", "合同价款依据考核"), c.requirement)
               for c in detail.clauses]
    assert admin.run(tp.save_template, contract.id, detail.name, clauses) == 2
    again = _render(desk, "agreement", signed)
    assert again.template_version == first.template_version == 1
    assert again.pdf == first.pdf
    assert desk.run(printing.verify, first.code).status == "match"
    new = _render(desk, "agreement", draft)
    assert new.template_version == 2 and "合同价款依据考核" in pdf_text(new.pdf, tmp_path)


def test_community_agreement_free_of_charge_with_parties_reversed(desk, sample, tmp_path):
    aid = sample["community"]
    d = desk.run(ag.get, aid)
    assert d.data.free_of_charge and d.data.parties_reversed
    text = pdf_text(_render(desk, "agreement", aid).pdf, tmp_path)
    assert "承接村（社区）服务协议" in text
    a_at, b_at = text.index("甲方："), text.index("乙方：")
    assert text.index(d.undertaker_name, a_at) == a_at + 3  # 甲方 = the association (seed 000 第三篇)
    assert text.index(d.data.purchaser_name, b_at) == b_at + 3
    assert "就甲方承接乙方社区公共服务事宜" in text
    assert "甲方以无偿服务的方式" in text and "甲方无偿为乙方提供服务" in text
    assert "不得将服务项目委托给第三人" in text and "本协议一式四份" in text
    for title in ("服务目的及要求", "服务群体", "服务内容", "服务形式", "服务考核", "服务费用", "服务期限"):
        assert title in text
    assert "付款条件" not in text  # no payment table for a free agreement


def test_supplementary_agreement_lists_each_change(desk, sample, tmp_path):
    aid = sample["performing"]
    desk.run(ag.amend, aid, "服务对象增加服务量相应调整", {"target_group": "辖区6至12岁儿童"})
    r = _render(desk, "supplementary", aid)
    text = pdf_text(r.pdf, tmp_path)
    assert "补充协议" in text and "（第一号）" in text
    assert "服务对象增加服务量相应调整" in text
    assert "变更前" in text and "变更后" in text and "辖区居民" in text and "辖区6至12岁儿童" in text
    assert "原合同其他条款继续有效" in text  # the original is a contract (合同): one word throughout
    with pytest.raises(lc.TransitionRefused) as info:
        _render(desk, "supplementary", sample["draft"])
    assert "补充协议" in info.value.message


@pytest.mark.parametrize(("kind", "title"), [("assessment_notice", "考核结果告知书"),
                                             ("acceptance_form", "政府购买服务项目验收单")])
def test_notice_and_acceptance_form_have_supervisor_lines(desk, sample, tmp_path, kind, title):
    text = pdf_text(_render(desk, kind, sample["performing"]).pdf, tmp_path)
    assert title in text
    assert "序号姓名身份（服务对象）联系电话签字" in text
    assert re.search(r"1\D*2\D*3", text[text.index("签字"):])
    assert "服务对象" in text and "（签字）" in text
    if kind == "assessment_notice":
        assert "五个工作日内" in text and "考核得分" in text


def test_rare_name_characters_print_and_missing_ones_are_reported(db, desk, sample, tmp_path):
    aid = sample["draft"]  # a signed agreement prints its frozen text; a draft prints the record as it is
    with db.session() as s:
        a = s.get(Agreement, aid)
        org = s.get(Organization, a.undertaker_id)
        org.legal_representative = "徐喆旸镕"
    assert "徐喆旸镕" in pdf_text(_render(desk, "agreement", aid).pdf, tmp_path)
    assert fonts.missing_glyphs("徐喆旸镕 ABC ¥1,234.00（）") == set()
    assert fonts.missing_glyphs("\u9feb𠀀") == {"\u9feb", "𠀀"}
    with db.session() as s:
        s.get(Agreement, aid).service_content = "为𠀀老人提供\u9feb服务"
    with pytest.raises(printing.MissingGlyphs) as info:
        _render(desk, "agreement", aid)
    problem = next(p for p in info.value.problems if p.field == "service_content")
    assert "U+20000" in problem.reason and "U+9FEB" in problem.reason
    assert problem.label == "服务内容"


def test_batch_writes_complete_files_and_can_be_cancelled(desk, sample, tmp_path):
    ids = [sample["performing"], sample["review"], sample["draft"]]
    out = tmp_path / "batch"
    seen: list[tuple[int, int]] = []
    files = printing.render_batch(desk, "agreement", ids, out, lambda i, n: seen.append((i, n)) or True)
    assert len(files) == 3 and seen[-1] == (3, 3)
    assert all(f.read_bytes().startswith(b"%PDF") for f in files)
    out2 = tmp_path / "cancelled"
    files = printing.render_batch(desk, "agreement", ids, out2, lambda i, n: i < 1)
    assert len(files) == 1 and sorted(p.name for p in out2.iterdir()) == [files[0].name]


def test_final_print_is_audited_and_needs_a_clerk_or_reviewer(db, desk, sample):
    from app.models import AuditRecord
    from app.services.permissions import PermissionDenied

    _render(desk, "agreement", sample["performing"], final=True)
    with db.session() as s:
        assert s.scalar(select(AuditRecord).where(AuditRecord.action == "print")) is not None
    finance = Desk(db, Actor(None, "fin", "fin", frozenset({"finance"})))
    with pytest.raises(PermissionDenied):
        finance.run(printing.render, "agreement", sample["performing"], final=True)
    assert finance.run(printing.render, "agreement", sample["performing"]).pdf.startswith(b"%PDF")


@pytest.mark.parametrize("number", ["东华门购服〔2026〕5号", "北京市东城区东华门街道办事处（练习数据）购服〔2026〕00389号",
                                    "北京市东城区东华门街道办事处政府购买服务合同（社区养老、助残与儿童关爱服务）〔2026〕第00389号补充"])
def test_the_footer_never_runs_the_number_into_the_page_label(monkeypatch, number):
    """The number and the verification code sit beside "第 X 页 共 Y 页" where they leave it room, else on a line
    of their own below it, the number smaller if it must be; never cut, never over the label or the code."""
    from app.documents import rendering
    from app.documents.spec import DocumentSpec

    drawn: list[tuple[str, float, float, float, str]] = []
    real = rendering._draw_text
    monkeypatch.setattr(rendering, "_draw_text", lambda c, x, y, text, size, anchor="left":
                        drawn.append((text, x, y, size, anchor)) or real(c, x, y, text, size, anchor))
    rendering.render_pdf(DocumentSpec(title="政府购买服务合同", number=number, verification_code="ABCD-EFGH"))

    def extent(text: str, x: float, size: float, anchor: str) -> tuple[float, float]:
        w = fonts.string_width(text, size)
        left = x - w / 2 if anchor == "center" else x - w if anchor == "right" else x
        return left, left + w

    label = next(d for d in drawn if d[0].startswith("第 1 页"))
    num = next(d for d in drawn if d[0] == number)  # the whole number, in one piece
    code = next(d for d in drawn if d[0] == "验证码 ABCD-EFGH")
    n_left, n_right = extent(num[0], num[1], num[3], num[4])
    c_left, _c_right = extent(code[0], code[1], code[3], code[4])
    l_left, _l_right = extent(label[0], label[1], label[3], label[4])
    assert num[2] == code[2] and n_right < c_left  # one line, number before the code
    assert n_left >= rendering.LEFT - 0.01
    if num[2] == label[2]:  # beside the label: clear of it
        assert n_right < l_left
    else:
        assert num[2] < label[2] and len(number) > 20
    assert (num[2] == label[2]) == (len(number) < 20)
    assert (num[3] < 8) == (len(number) > 50)

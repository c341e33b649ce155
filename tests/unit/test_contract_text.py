"""Contracts as an office writes them: the user's punctuation and paragraphs survive saving and
printing, and lines follow the Chinese line-breaking rules (禁则)."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pypdf
import pytest
from sqlalchemy import select

from app.documents import fonts
from app.documents.linebreak import break_lines
from app.domain.errors import ValidationError
from app.domain.text import clean_line, clean_prose, normalize_text
from app.domain.uscc import make_code
from app.models.project import Agreement, Consortium, Project
from app.services import agreements as ag
from app.services import demo, printing, settings, templates
from app.services.context import Desk
from tests.db_templates import sample_data
from tests.factories import agreement_input, awarded_project, eligible_org, make_user

TODAY = date(2026, 6, 15)
CLOSING = "，。、；：？！）」』》】〕”’…—·%,.;:?!)]}"
OPENING = "（「『《【〔“‘([{"

ACCEPTANCE = ("按照考核办法评分，具体如下：\n"
              "1.探访记录完整，满意度不低于90%；\n"
              "2.助餐服务（含送餐）每周不少于5次；\n"
              "3.台账“一户一档”、按月归档。")
BREACH = ("乙方未按约定提供服务的，甲方有权要求限期整改；\n"
          "逾期不改的，甲方可以解除合同，并要求乙方退还未履行部分的服务费用。")


@pytest.fixture
def people(db):
    return {
        "clerk": Desk(db, make_user(db, "clerk1", "clerk")),
        "clerk2": Desk(db, make_user(db, "clerk2", "clerk")),
        "reviewer": Desk(db, make_user(db, "rev1", "reviewer")),
        "admin": Desk(db, make_user(db, "admin1", "admin")),
    }


def pdf_lines(pdf: bytes) -> list[str]:
    """Each printed line: the text shown between two line moves of the PDF's text operators.

    Text extraction by reading order (pdftotext) reorders table cells and splits a blank to tick,
    “合格（　　）”, at its gap; the text operators say exactly where reportlab put each line.
    """
    out: list[str] = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        lines: list[list[str]] = [[]]

        def after(op: bytes, *_args: object, lines: list[list[str]] = lines) -> None:
            if op in (b"BT", b"ET", b"Td", b"TD", b"T*", b"Tm", b"'", b'"'):
                lines.append([])

        def text(t: str, *_args: object, lines: list[list[str]] = lines) -> None:
            lines[-1].append(t)

        page.extract_text(visitor_operand_after=after, visitor_text=text)
        out += ["".join(parts).strip() for parts in lines]
    return [line for line in out if line and line not in ("草稿",)]  # the draft watermark


def _draft(people, **kw) -> int:
    org = eligible_org(people["clerk"])
    pid = awarded_project(people, org)
    return people["clerk"].run(ag.save, agreement_input(pid, org, **kw))


def test_clauses_keep_chinese_punctuation_and_paragraphs_when_saved(people):
    aid = _draft(people, acceptance_standard=ACCEPTANCE, breach_liability=BREACH,
                 service_content="  为辖区老人提供助餐、探访服务（每周五次）。\r\n\r\n\r\n第二段：文体活动。  ")
    d = people["clerk"].run(ag.get, aid)
    assert d.data.acceptance_standard == ACCEPTANCE
    assert d.data.breach_liability == BREACH
    assert d.data.service_content == "为辖区老人提供助餐、探访服务（每周五次）。\n\n第二段：文体活动。"


def test_printed_clauses_keep_punctuation_and_print_each_paragraph_on_its_own_line(people):
    aid = _draft(people, acceptance_standard=ACCEPTANCE, breach_liability=BREACH)
    lines = pdf_lines(people["clerk"].run(printing.render, "agreement", aid).pdf)
    text = "".join(lines)
    for para in (ACCEPTANCE + "\n" + BREACH).split("\n"):
        assert para in text, para  # every character as typed, ，；：（）“”、 included
    # a paragraph starts a new line: each numbered item begins a printed line
    for start in ("1.探访记录完整", "2.助餐服务", "3.台账", "逾期不改的"):
        assert any(line.startswith(start) for line in lines), start
    assert "探访记录完整,满意度" not in text and "（含送餐）" in text


def test_no_printed_line_starts_with_closing_or_ends_with_opening_punctuation(people):
    # Clauses built so that a naive break would put ，；：）” at the start of a line.
    long = "；".join(f"第{n}项服务（含“上门探访”、电话问候）：按月记录，逐户核对" for n in range(1, 40))
    aid = _draft(people, acceptance_standard=long, breach_liability=long, rights_obligations=long,
                 service_content=long)
    for kind in ("agreement", "assessment_notice", "acceptance_form"):
        lines = pdf_lines(people["clerk"].run(printing.render, kind, aid).pdf)
        bad_start = [line for line in lines if line[0] in CLOSING]
        bad_end = [line for line in lines if line[-1] in OPENING]
        assert not bad_start, (kind, bad_start[:3])
        assert not bad_end, (kind, bad_end[:3])


def test_prose_is_kept_and_identifiers_are_normalised():
    typed = "１.探访记录完整，满意度不低于90%；\r\n2.台账（纸质）：按月归档。  \n\n\n\n3.其他"
    assert clean_prose(typed) == "１.探访记录完整，满意度不低于90%；\n2.台账（纸质）：按月归档。\n\n3.其他"
    assert clean_line(" 成都市（青羊区）\n府南街道 ") == "成都市（青羊区） 府南街道"
    assert normalize_text("１２Ａ　号") == "12A 号"  # identifiers and search keys only


@pytest.mark.parametrize(("text", "width", "expected"), [
    ("甲乙丙丁，戊己", 4, ["甲乙丙", "丁，戊己"]),  # the comma never starts a line: 丁 goes down with it
    ("甲乙丙（丁戊", 4, ["甲乙丙", "（丁戊"]),  # nor does an opening bracket end one
    ("甲乙丙丁）；戊", 4, ["甲乙丙", "丁）；戊"]),
    ("金额2026元", 4, ["金额", "2026", "元"]),  # a number is not split
    ("甲乙丙“丁”，戊", 4, ["甲乙丙", "“丁”，", "戊"]),
    ("ABCDEFGH", 4, ["ABCD", "EFGH"]),  # a word longer than the line is split
])
def test_break_lines_follows_the_chinese_rules(text, width, expected):
    ends = break_lines(list(text), [1.0] * len(text), [width])
    starts = [0, *ends[:-1]]
    assert [text[s:e] for s, e in zip(starts, ends, strict=True)] == expected


# --- What is printed: the template by what the agreement is, every required clause, named forum,
# one word for the document, the purchaser's particulars, requirement items, consortium members. ----

OFFICE = {"office_credit_code": "11510105MB1234567X", "office_address": "成都市青羊区府南街道（示例路1号）",
          "office_head": "张主任", "office_contact": "刘干事", "office_phone": "028-12345678"}


def _office(people, **extra: str) -> None:
    details = {**OFFICE, **extra}
    details["office_credit_code"] = make_code("11", "510105", "MB000001")
    people["admin"].run(settings.update_office_details, details)


def _text(pdf: bytes) -> str:
    return "".join(pdf_lines(pdf))


def test_a_paid_agreement_with_parties_reversed_prints_as_a_contract_with_every_required_clause(db, people):
    _office(people)
    aid = _draft(people, parties_reversed=True)
    text = _text(people["clerk"].run(printing.render, "agreement", aid).pdf)
    assert text.count("政府购买服务合同") >= 1 and "承接村（社区）服务协议" not in text
    assert "甲方（承接主体）：阳光社工服务中心" in text and "乙方（购买主体）：" in text
    for title in ("违约责任", "争议解决", "资金支付方式", "验收标准和考核办法", "不得转包"):
        assert title in text, title
    assert "违约方承担相应责任" in text  # the breach clause as entered
    assert "考核和验收结果与资金支付挂钩" in text and "付款条件" in text
    assert "就乙方向甲方购买" in text  # the purchaser is 乙方 here, and the clauses say so


def test_the_community_template_cannot_print_a_paid_agreement(db, people):
    aid = _draft(people)
    community = next(t for t in people["admin"].run(templates.list_templates) if t.kind == "community")
    with pytest.raises(ValidationError) as info:
        people["clerk"].run(printing.render, "agreement", aid, template_id=community.id)
    assert "承接村（社区）服务协议" in str(info.value)


def test_one_word_for_the_document_and_the_purchasers_particulars_from_the_settings(db, people):
    _office(people)
    aid = _draft(people, signatory_a="王副主任", signatory_b="李涛")
    text = _text(people["clerk"].run(printing.render, "agreement", aid).pdf)
    assert "合同编号：" in text and "协议编号" not in text and "本协议" not in text
    code = people["admin"].run(settings.get_all)["office_credit_code"]
    block = text[text.index("甲方（购买主体）"):text.index("乙方（承接主体）")]
    assert f"统一社会信用代码：{code}" in block
    assert "地址：成都市青羊区府南街道（示例路1号）" in block
    assert "负责人：张主任" in block and "联系人及电话：刘干事 028-12345678" in block
    assert "王副主任" not in block  # the signatory signs; the head of the office is the head
    assert "签字人：王副主任" in text and "签字人：李涛" in text


def test_arbitration_names_the_commission_and_a_suit_names_the_court(db, people):
    aid = _draft(people, dispute_resolution="arbitration")
    with pytest.raises(ValidationError) as info:
        people["clerk"].run(printing.render, "agreement", aid)
    assert info.value.problems[0].field == "arbitration_commission"
    _office(people, arbitration_commission="成都仲裁委员会")
    text = _text(people["clerk"].run(printing.render, "agreement", aid).pdf)
    assert "提交成都仲裁委员会" in text and "_____仲裁委员会" not in text


def test_a_suit_goes_to_the_named_court_or_the_court_of_the_purchasers_place(db, people):
    aid = _draft(people, dispute_resolution="court")
    assert "依法向甲方所在地有管辖权的人民法院提起诉讼" in _text(people["clerk"].run(printing.render, "agreement", aid).pdf)
    _office(people, court="成都市青羊区人民法院")
    assert "依法向成都市青羊区人民法院提起诉讼" in _text(people["clerk"].run(printing.render, "agreement", aid).pdf)


def test_requirement_items_and_the_shipped_clauses_are_in_the_contract(db, people):
    aid = _draft(people)
    text = _text(people["clerk"].run(printing.render, "agreement", aid).pdf)
    assert "req_team 内容" in text  # the requirement's team qualifications (成都规程第十三条)
    for title in ("服务团队", "服务交接", "应急处置", "不可抗力", "服务对象个人信息保护", "合同文件"):
        assert title in text, title
    assert "个人信息保护法" in text and "中标（成交）通知书" in text
    assert "承接主体联合体" not in text  # no consortium clause for a single undertaker


@pytest.mark.db_content(sample_data(TODAY))
def test_a_consortium_award_names_every_member_and_each_signs(desk):
    assert desk.run(demo.load_sample, today=TODAY) == 0  # there already: the db_content marker
    with desk.db.session() as s:
        a = s.scalars(select(Agreement).join(Project, Project.id == Agreement.project_id)
                      .where(Project.award_consortium_id.is_not(None))).first()
        assert a is not None
        aid = a.id
        members = [m.organization.name for m in s.get(Consortium, a.project.award_consortium_id).members]
    text = _text(desk.run(printing.render, "agreement", aid).pdf)
    assert "联合体各方共同签订本合同" in text and "承担连带责任" in text
    assert "序号联合体成员统一社会信用代码承担角色盖章" in text
    assert len(members) > 2 and all(name in text for name in members)


# --- Frozen versions: the text sent for signature never changes. ------------------------------


def test_the_approved_text_is_frozen_and_stays_genuine_after_signing_and_a_supplementary_agreement(people):
    c, r = people["clerk"], people["reviewer"]
    aid = _draft(people)
    c.run(ag.transition, aid, "submit_review")
    r.run(ag.transition, aid, "approve")
    sent = c.run(printing.render, "agreement", aid, final=True)  # printed, then signed and sealed
    res = c.run(printing.verify, sent.code)
    assert res.status == "match" and res.version == "agreement" and res.in_force is False  # not signed yet

    c.run(ag.transition, aid, "record_signing", signing=ag.SigningInput("王主任", "李涛", "2026-02-26", "2026-02-27"),
          today=TODAY)
    res = c.run(printing.verify, sent.code)
    assert res.status == "match" and res.in_force is True and res.later_supplementary == 0
    assert c.run(printing.render, "agreement", aid).code == sent.code  # recording the signing changed nothing

    c.run(ag.amend, aid, "服务对象增加，服务量相应调整", {"target_group": "辖区6至12岁儿童"}, signed_on="2026-05-10")
    res = c.run(printing.verify, sent.code)
    assert res.status == "match" and res.in_force is False and res.later_supplementary == 1
    assert "补充协议" in res.message
    again = c.run(printing.render, "agreement", aid)
    assert again.pdf == sent.pdf  # the original reprints exactly as signed
    assert "辖区6至12岁儿童" not in _text(again.pdf)

    supp = c.run(printing.render, "supplementary", aid, final=True)
    text = _text(supp.pdf)
    assert supp.code != sent.code and "补充协议" in text
    assert "原合同编号：" in text and "甲乙双方于2026年2月27日签订《政府购买服务合同》" in text
    assert "辖区6至12岁儿童" in text
    res = c.run(printing.verify, supp.code)
    assert res.status == "match" and res.version == "supplementary 1" and res.in_force is True


def test_a_draft_print_that_no_longer_matches_the_record_is_changed(people):
    c = people["clerk"]
    aid = _draft(people)
    printed = c.run(printing.render, "agreement", aid, final=True)
    data = c.run(ag.get, aid).data
    data.place = "本街道党群服务中心"
    c.run(ag.save, data, aid)
    assert c.run(printing.verify, printed.code).status == "changed"
    assert c.run(printing.verify, "ZZZZ-ZZZZ").status == "unknown"


# --- Typography -------------------------------------------------------------------------------


def test_body_in_the_ming_face_headings_in_the_sans_face_all_embedded_as_subsets(people, tmp_path):
    assert fonts.serif_path() is not None, "fonts-arphic-uming is missing: run scripts/system-deps.sh"
    aid = _draft(people)
    for kind in ("agreement", "assessment_notice", "acceptance_form"):
        f = tmp_path / f"{kind}.pdf"
        f.write_bytes(people["clerk"].run(printing.render, kind, aid).pdf)
        rows = [line.split() for line in subprocess.run(["pdffonts", str(f)], capture_output=True, check=True,
                                                        text=True).stdout.splitlines()[2:]]
        names = " ".join(r[0] for r in rows)
        assert "UMingCN" in names and "DroidSansFallback" in names, names
        for r in rows:
            assert r[-5:-3] == ["yes", "yes"], r  # embedded, subset


def test_a_paragraph_is_broken_once_per_width_and_again_when_its_text_changes() -> None:
    """reportlab wraps a paragraph many times at the same widths; the lines are kept per width and
    recomputed for another width or for new fragments (a split's remainder)."""
    from reportlab.lib.styles import ParagraphStyle

    from app.documents.linebreak import KinsokuParagraph

    fonts.register()
    style = ParagraphStyle("t", fontName=fonts.SERIF_FONT_NAME, fontSize=12, leading=18, wordWrap="CJK")
    p = KinsokuParagraph("服务对象满意度不低于90%，探访记录完整；每月向甲方报送服务台账（含照片）。" * 3, style)
    first = p.breakLinesCJK([120.0])
    assert p.breakLinesCJK([120.0]) is first  # the same width: not broken again
    wider = p.breakLinesCJK([300.0])
    assert wider is not first and len(wider.lines) < len(first.lines)
    p.frags = p.frags[:1]  # new fragments: broken anew
    assert p.breakLinesCJK([120.0]) is not first

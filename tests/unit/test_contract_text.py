"""Contracts as an office writes them: the user's punctuation and paragraphs survive saving and
printing, and lines follow the Chinese line-breaking rules (禁则)."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest

from app.documents.linebreak import break_lines
from app.domain.text import clean_line, clean_prose, normalize_text
from app.services import agreements as ag
from app.services import printing
from app.services.context import Desk
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

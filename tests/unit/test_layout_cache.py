"""Line breaks shared across the documents of a batch (issue 17): a paragraph whose lines come from
the shared cache prints exactly as one broken afresh, whatever was printed before it."""

from __future__ import annotations

from typing import Any

import pytest
from reportlab.lib.styles import ParagraphStyle

from app.documents import fonts, linebreak
from app.documents.linebreak import KinsokuParagraph
from app.documents.rendering import render_pdf
from app.documents.spec import Article, DocumentSpec, Paragraph, Party, SignBlock, Table

CLAUSE = "服务对象满意度不低于90%，探访记录完整；每月向甲方报送服务台账（含照片）。乙方应当“一户一档”归档。"


@pytest.fixture(autouse=True)
def fresh_cache():
    fonts.register()
    linebreak.SHARED.clear()
    linebreak.PARSED.clear()
    yield
    linebreak.SHARED.clear()
    linebreak.PARSED.clear()


def style(name: str = "t", **kw: Any) -> ParagraphStyle:
    return ParagraphStyle(name, **{"fontName": fonts.SERIF_FONT_NAME, "fontSize": 12, "leading": 18, "wordWrap": "CJK",
                                   **kw})


def lines_of(para: Any) -> list[tuple[Any, ...]]:
    """Everything a broken line carries, with the words' text and style, as plain values."""
    return [(line.extraSpace, line.wordCount, line.fontSize, line.ascent, line.descent, line.maxWidth,
             line.currentWidth, line.lineBreak, [sorted((k, repr(v)) for k, v in w.__dict__.items()) for w in line.words])
            for line in para.lines]


def test_a_cached_break_equals_a_fresh_one_and_is_a_copy() -> None:
    text = CLAUSE * 4
    fresh = KinsokuParagraph(text, style()).breakLinesCJK([200.0, 220.0])
    assert linebreak.SHARED.misses == 1 and len(fresh.lines) > 3
    other = KinsokuParagraph(text, style("another document's style object"))
    cached = other.breakLinesCJK([200.0, 220.0])
    assert linebreak.SHARED.hits == 1
    assert lines_of(cached) == lines_of(fresh)
    assert cached is not fresh and cached.lines[0] is not fresh.lines[0]
    assert cached.lines[0].words[0] is not fresh.lines[0].words[0]
    # what reportlab writes into one paragraph's lines (a page split appends a space) stays there
    fresh.lines[0].words[-1].text += " "
    third = KinsokuParagraph(text, style()).breakLinesCJK([200.0, 220.0])
    assert lines_of(third) == lines_of(cached)


def test_another_width_font_size_or_text_is_broken_anew() -> None:
    base = KinsokuParagraph(CLAUSE * 3, style()).breakLinesCJK([200.0])
    assert KinsokuParagraph(CLAUSE * 3, style()).breakLinesCJK([201.0]) is not None
    assert KinsokuParagraph(CLAUSE * 3, style(fontSize=10.5)).breakLinesCJK([200.0]) is not None
    assert KinsokuParagraph(CLAUSE * 3 + "。", style()).breakLinesCJK([200.0]) is not None
    assert linebreak.SHARED.hits == 0 and linebreak.SHARED.misses == 4
    bigger = KinsokuParagraph(CLAUSE * 3, style(fontSize=14, leading=20)).breakLinesCJK([200.0])
    assert len(bigger.lines) > len(base.lines)


def text_of(line: Any) -> str:
    return "".join(w.text for w in line.words)


def test_a_page_split_keeps_the_text_as_typed_and_the_remainder_keeps_its_lines() -> None:
    p = KinsokuParagraph(CLAUSE * 6, style(firstLineIndent=24))
    p.wrap(300, 1000)
    whole = [text_of(line) for line in p.blPara.lines]
    first, rest = p.split(300, 18 * 3)
    assert [text_of(line) for line in first.blPara.lines] == whole[:3]
    rest.wrap(300, 1000)
    # reportlab's split appended a space to each line's end: the remainder broke at other places
    # and showed a gap mid-line where two of its lines met
    assert [text_of(line) for line in rest.blPara.lines] == whole[3:]
    assert "".join(w.text for w in rest.frags) == "".join(whole[3:])
    from_cache = lines_of(rest.blPara)
    linebreak.SHARED.clear()
    again = KinsokuParagraph(None, rest.style, frags=rest.frags)  # type: ignore[arg-type]
    again.wrap(300, 1000)
    assert linebreak.SHARED.hits == 0
    assert lines_of(again.blPara) == from_cache


def spec(n: int, undertaker: str, amount: str) -> DocumentSpec:
    clauses = tuple(Article(f"第{c}条", "服务内容", (Paragraph(CLAUSE * (1 + c % 4)), Paragraph(f"乙方{undertaker}应当按期提供服务。")))
                    for c in range(1, 16))
    pay = Article("第十六条", "付款", (Paragraph("付款计划如下：", indent=False),
                                     Table(("期次", "金额（元）"), (("第一期", amount), ("合计", amount)), (1, 2))))
    return DocumentSpec(title="政府购买服务合同", number=f"示例〔2026〕{n:03d}号", subtitle="居家养老服务",
                        parties=(Party("甲方", "示例街道办事处", (("地址", "示例路1号"),)),
                                 Party("乙方", undertaker, (("联系人及电话", "张三 13800000000"),))),
                        articles=(*clauses, pay), signatures=(SignBlock("甲方", "示例街道办事处"), SignBlock("乙方", undertaker)),
                        closing_note="（以下无正文）", verification_code=f"ABCD-{n:04d}", qr_payload=f"SPDESK-VERIFY:{n}")


def test_documents_print_the_same_bytes_whatever_was_printed_before() -> None:
    a = spec(1, "阳光社会工作服务中心", "¥280,000.00")
    b = spec(2, "长者之家（北京）养老服务有限公司第二分公司", "¥1,000.00")
    alone_b = render_pdf(b)
    linebreak.SHARED.clear()
    linebreak.PARSED.clear()
    alone_a = render_pdf(a)
    assert linebreak.SHARED.hits > 0  # a page split's remainder and repeated table cells, within one document
    after_a = render_pdf(b)
    assert linebreak.SHARED.hits > 40  # b's clauses came from a's
    assert after_a == alone_b
    assert render_pdf(a) == alone_a  # and a again, entirely from the cache
    assert alone_a != alone_b


def frags_of(p: Any) -> list[list[tuple[str, str]]]:
    return [sorted((k, repr(v)) for k, v in f.__dict__.items()) for f in p.frags]


def test_a_parsed_paragraph_is_reused_as_a_copy_of_a_fresh_parse() -> None:
    markup = f'甲方：<font name="{fonts.FONT_NAME}">䶮</font>示例&amp;街道 {CLAUSE}'
    s = style()
    fresh = KinsokuParagraph(markup, s)
    assert linebreak.PARSED.misses == 1 and len(fresh.frags) >= 3
    again = KinsokuParagraph(markup, s)
    assert linebreak.PARSED.hits == 1
    assert frags_of(again) == frags_of(fresh) and again.text == fresh.text
    assert again.frags is not fresh.frags and again.frags[0] is not fresh.frags[0]
    again.frags[0].text = "changed"
    assert KinsokuParagraph(markup, s).frags[0].text == fresh.frags[0].text
    # another style object is another paragraph (its fragments carry the style's font and size)
    bigger = KinsokuParagraph(markup, style(fontSize=16))
    assert bigger.frags[0].fontSize == 16 and linebreak.PARSED.misses == 2


def test_the_styles_are_the_same_objects_for_every_document() -> None:
    from app.documents import rendering

    assert rendering._styles() is rendering._styles()
    body = rendering._styles()["body"]
    assert rendering._kept_with_next(body) is rendering._kept_with_next(body)
    assert rendering._kept_with_next(body).keepWithNext == 1 and not getattr(body, "keepWithNext", 0)


def test_the_verification_qr_code_is_drawn_module_for_module() -> None:
    """Runs of dark modules are drawn as one rectangle each; together they cover exactly the code's dark modules."""
    import qrcode
    from reportlab.pdfgen.pathobject import PDFPathObject

    from app.documents import rendering

    class Canvas:
        def __init__(self) -> None:
            self.paths: list[PDFPathObject] = []

        def beginPath(self) -> PDFPathObject:  # noqa: N802 - reportlab's name
            return PDFPathObject()

        def drawPath(self, path: PDFPathObject, **_kw: object) -> None:  # noqa: N802
            self.paths.append(path)

        def saveState(self) -> None:  # noqa: N802
            pass

        restoreState = saveState  # noqa: N815

        def setFillColor(self, _color: object) -> None:  # noqa: N802
            pass

    payload = "SPDESK-VERIFY:4ACA-MJSQ"
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(payload)
    qr.make(fit=True)
    expected = qr.get_matrix()
    n = len(expected)
    c = Canvas()
    rendering._draw_qr(c, payload, 0, 0, n)  # type: ignore[arg-type]  # one point per module
    drawn = [[False] * n for _ in range(n)]
    rects = [op.split() for op in c.paths[0]._code if op.endswith(" re")]
    for x, y, w, h, _op in rects:
        assert float(h) == 1
        row = n - 1 - round(float(y))
        for col in range(round(float(x)), round(float(x) + float(w))):
            assert not drawn[row][col]
            drawn[row][col] = True
    assert drawn == [list(map(bool, r)) for r in expected]
    assert len(rects) < sum(map(sum, expected)) / 2

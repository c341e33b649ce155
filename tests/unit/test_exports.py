"""Export files: xlsx/csv/json/pdf contents against SQL, formula injection, masking, safe writing, verify."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.documents import output
from app.documents import report as rp
from app.services import exports
from tests.summary_data import FORMULA_NAME, seed

TODAY = date(2026, 6, 15)
PERIOD = "2026-05"


@pytest.fixture
def data(db, desk):
    seed(db)
    return desk.run(exports.build, PERIOD, today=TODAY)


def _sql_one(db, q: str, *params):
    con = sqlite3.connect(db.path)
    try:
        return con.execute(q, params).fetchone()
    finally:
        con.close()


def _yuan(fen) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


def test_xlsx_sheets_headers_formats_and_totals_agree_with_sql(db, data):
    wb = load_workbook(io.BytesIO(rp.to_xlsx(data.report)))
    assert wb.sheetnames[:5] == ["说明", "总体情况", "按服务领域", "按承接组织", "按采购方式"]
    n_signed, fen_signed = _sql_one(db, "SELECT count(*), sum(amount) FROM agreements WHERE effective_on "
                                        "BETWEEN '2026-05-01' AND '2026-05-31'")
    n_force, fen_force = _sql_one(db, "SELECT count(*), sum(amount) FROM agreements WHERE effective_on <= '2026-05-31'"
                                      " AND period_end >= '2026-05-01' AND state IN "
                                      "('effective','performing','final_acceptance','completed')")
    assert n_signed and n_force
    for name in ("按服务领域", "按承接组织", "按采购方式"):
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        headers = [c.value for c in ws[1]]
        assert "签订金额（元）" in headers and "执行中金额（元）" in headers
        money_cols = [i for i, h in enumerate(headers, 1) if "金额" in h]
        last = ws.max_row
        assert ws.cell(last, 1).value == "合计" and ws.cell(last, 1).font.bold
        body = range(2, last)
        for col in money_cols:
            assert ws.cell(2, col).number_format == "#,##0.00"
            # the rows add up to the totals row, to the fen
            assert sum(Decimal(str(ws.cell(r, col).value)) for r in body) == Decimal(str(ws.cell(last, col).value))
        signed_col = headers.index("签订金额（元）") + 1
        force_col = headers.index("执行中金额（元）") + 1
        assert Decimal(str(ws.cell(last, signed_col).value)) == _yuan(fen_signed)
        assert Decimal(str(ws.cell(last, force_col).value)) == _yuan(fen_force)
        assert ws.cell(last, headers.index("签订份数") + 1).value == n_signed
        assert ws.column_dimensions["A"].width >= 20
    ov = wb["总体情况"]
    assert [c.value for c in ov[2]][:3] == ["本期签订协议", n_signed, Decimal("0") + _yuan(fen_signed)] or \
        Decimal(str(ov.cell(2, 3).value)) == _yuan(fen_signed)
    # payments, assessments and objections (issue 10) have their own sheets with real figures
    pay = [r for r in wb["付款情况"].iter_rows(values_only=True)]
    assert pay[0][:3] == ("项目", "笔数", "金额（元）") and pay[1][0] == "本期付款"
    assert "考核情况" in wb.sheetnames and "异议处理" in wb.sheetnames


def test_formula_looking_names_stay_text_in_xlsx_and_csv(data):
    wb = load_workbook(io.BytesIO(rp.to_xlsx(data.report)))
    ws = wb["按承接组织"]
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    hit = [c for c in cells if c.value == FORMULA_NAME]
    assert hit, "the formula-looking organization is in the period's sheet"
    assert hit[0].data_type == "s" and hit[0].quotePrefix
    for c in cells:
        assert c.data_type == "s"
    # and the raw sheet XML has no <f> formula element at all
    import zipfile
    z = zipfile.ZipFile(io.BytesIO(rp.to_xlsx(data.report)))
    assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    sec = next(s for s in data.report.sections if s.key == "by_org")
    raw = rp.to_csv(sec)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    names = [r[0] for r in rows[1:]]
    assert "'" + FORMULA_NAME in names and FORMULA_NAME not in names
    assert all(not n.startswith(rp.FORMULA_START) for n in names)
    # + @ - prefixed names too, and tab/CR
    for text in ("+86", "@x", "-1", "\tx", "\rx", "=1+1"):
        assert rp.neutralise_csv(text) == "'" + text
    assert rp.neutralise_csv("阳光") == "阳光"


def test_personal_numbers_are_masked_by_default(data):
    sec = next(s for s in data.report.sections if s.key == "by_org")
    text = rp.to_csv(sec).decode("utf-8-sig")
    assert "138****00" in text and "13800130001" not in text
    assert "13800130001" in rp.to_csv(sec, mask=False).decode("utf-8-sig") or "1380013000" in \
        rp.to_csv(sec, mask=False).decode("utf-8-sig")
    assert rp.mask_id_number("11010519491231002X") == "110105********002X"
    assert rp.mask_phone("138-0013-8000") == "138****8000"
    js = rp.to_json(data.report).decode()
    assert "13800130001" not in js


def test_json_money_is_exact(db, data):
    js = json.loads(rp.to_json(data.report))
    dom = next(s for s in js["sections"] if s["key"] == "by_domain")
    _n, fen = _sql_one(db, "SELECT count(*), sum(amount) FROM agreements WHERE effective_on "
                           "BETWEEN '2026-05-01' AND '2026-05-31'")
    assert dom["totals"][2] == {"yuan": f"{_yuan(fen):.2f}", "fen": fen}
    assert sum(r[2]["fen"] for r in dom["rows"]) == fen


def test_pdf_has_every_section_page_numbers_and_signature_lines(data):
    from pypdf import PdfReader

    pdf = rp.to_pdf(data.report)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    for title in ("总体情况", "按服务领域", "按承接组织", "下月到期协议", "制表人", "审核人"):
        assert title in text.replace(" ", "")
    assert f"共{len(reader.pages)}页" in "".join(reader.pages[0].extract_text().split())
    fonts = {str(f) for p in reader.pages for f in (p["/Resources"].get("/Font") or {}).values()}
    assert fonts  # embedded fonts come from the contract renderer; Helvetica would show up here
    for p in reader.pages:
        for f in (p["/Resources"].get("/Font") or {}).values():
            assert "Helvetica" not in str(f.get_object().get("/BaseFont"))


def _package(data, target: Path) -> Path:
    return exports.write(data, target, exports.FORMATS)


def test_package_manifest_and_verify(db, desk, data, tmp_path):
    pkg = _package(data, tmp_path)
    man = json.loads((pkg / "manifest.json").read_text("utf-8"))
    names = {e["name"] for e in man["files"]}
    assert names == {p.name for p in pkg.iterdir()} - {"manifest.json"}
    assert {"汇总-2026-05.xlsx", "汇总-2026-05.pdf", "汇总-2026-05.json", "汇总-2026-05-by_domain.csv"} <= names
    from app.services import audit
    assert man["audit_head"] == desk.run(audit.head)
    assert man["period"]["key"] == PERIOD and man["program"] == "spdesk" and man["schema_version"]
    assert output.verify_package(pkg).ok


def test_tampered_truncated_missing_and_extra_files_fail_verify(data, tmp_path):
    pkg = _package(data, tmp_path)
    (pkg / "汇总-2026-05-by_org.csv").write_bytes((pkg / "汇总-2026-05-by_org.csv").read_bytes().replace(b"0", b"9"))
    with open(pkg / "汇总-2026-05.pdf", "r+b") as f:
        f.truncate(1000)
    (pkg / "汇总-2026-05.json").unlink()
    (pkg / "note.txt").write_text("x")
    check = output.verify_package(pkg)
    assert not check.ok
    got = {(p.name, p.kind) for p in check.problems}
    assert got == {("汇总-2026-05-by_org.csv", "changed"), ("汇总-2026-05.pdf", "changed"),
                   ("汇总-2026-05.json", "missing"), ("note.txt", "unexpected")}
    (pkg / "manifest.json").write_text("{not json")
    assert [p.kind for p in output.verify_package(pkg).problems] == ["manifest"]


def _nothing_left(target: Path) -> None:
    assert not target.exists() or list(target.iterdir()) == []


class _FullFile(io.BufferedWriter):
    pass


def test_full_target_leaves_nothing_and_says_so(data, tmp_path, monkeypatch):
    target = tmp_path / "stick"
    target.mkdir()
    real_open = open
    written = {"n": 0}

    def full_open(path, mode="r", *a, **kw):
        f = real_open(path, mode, *a, **kw)
        if "x" in mode or "w" in mode:
            real_write = f.write

            def write(b):
                written["n"] += len(b)
                if written["n"] > 20000:
                    real_write(b[:100])
                    raise OSError(errno.ENOSPC, "No space left on device")
                return real_write(b)
            f.write = write
        return f

    monkeypatch.setattr(output, "open", full_open, raising=False)
    with pytest.raises(output.ExportError) as e:
        _package(data, target)
    assert "空间" in e.value.message
    _nothing_left(target)


def test_read_only_target_leaves_nothing_and_says_so(data, tmp_path, monkeypatch):
    target = tmp_path / "ro"
    target.mkdir()
    real_mkdir = os.mkdir

    def ro_mkdir(path, *a, **kw):
        if Path(path).parent == target:
            raise OSError(errno.EROFS, "Read-only file system")
        return real_mkdir(path, *a, **kw)

    monkeypatch.setattr(os, "mkdir", ro_mkdir)
    with pytest.raises(output.ExportError) as e:
        _package(data, target)
    assert "只读" in e.value.message
    _nothing_left(target)


def test_a_stick_pulled_out_halfway_leaves_no_final_name(data, tmp_path, monkeypatch):
    target = tmp_path / "stick"
    target.mkdir()
    real_fsync = os.fsync
    calls = {"n": 0}

    def pulled(fd):
        calls["n"] += 1
        if calls["n"] == 3:
            shutil.rmtree(target)  # the stick is gone
            raise OSError(errno.EIO, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(output.os, "fsync", pulled)
    with pytest.raises(output.ExportError) as e:
        _package(data, target)
    assert "不可用" in e.value.message or "拔出" in e.value.message or "移除" in e.value.message
    assert not target.exists()


def test_missing_target_and_existing_package(data, tmp_path):
    with pytest.raises(output.ExportError):
        _package(data, tmp_path / "nope")
    _package(data, tmp_path)
    with pytest.raises(output.ExportError) as e:
        _package(data, tmp_path)
    assert "已存在" in e.value.message or "exists" in e.value.message


@pytest.mark.parametrize("after", [2, 7])  # while rendering, while writing
def test_cancel_leaves_nothing(data, tmp_path, after):
    target = tmp_path / "out"
    target.mkdir()
    seen = []

    def cancelled() -> bool:
        return len(seen) >= after

    with pytest.raises(output.Cancelled):
        exports.write(data, target, exports.FORMATS, progress=lambda *a: seen.append(a), cancelled=cancelled)
    assert seen[-1][0] == ("render" if after == 2 else "write")
    assert list(target.iterdir()) == []


def test_a_narrow_number_column_keeps_its_heading_on_two_lines() -> None:
    """A money column of short figures (0.00) was as narrow as two characters: its heading broke into
    签订 / 金额 / （元 / ）. It is now at least as wide as the heading before its unit."""
    from app.documents import report as rp
    from app.documents.fonts import string_width

    sec = rp.Section("t", "表", (rp.Column("承接组织", width=30), rp.Column("签订金额（元）", rp.MONEY, 18),
                                 rp.Column("执行中份数", rp.COUNT, 10)), (("某组织", "0.00", "1"),))
    widths = rp._pdf_widths(sec, [("某组织", "0.00", "1")])
    assert widths[1] >= string_width("签订金额", 10.5) + rp.PDF_CELL_PAD
    assert widths[1] < string_width("签订金额（元）", 10.5) + rp.PDF_CELL_PAD  # two lines, not one wide column
    assert widths[2] >= string_width("执行中份数", 10.5) + rp.PDF_CELL_PAD


def test_figures_are_plain_strings_only_where_they_fit_on_one_line() -> None:
    """A right-aligned figure is drawn as a plain string in the paragraphs' face (no markup parse, no line
    break per cell); anything that would not fit on one line, or needs another face or markup, stays a
    paragraph, which wraps."""
    from app.documents import fonts, rendering
    from app.documents.spec import Table

    fonts.register()
    st = rendering._styles()
    face = st["cell_right"].fontName
    assert rendering._plain_fits("2,763,000.00", face, 100.0)
    assert not rendering._plain_fits("2,763,000.00", face, 40.0)  # too narrow: a paragraph wraps it
    assert not rendering._plain_fits("合计", face, 100.0) and not rendering._plain_fits("a<b", face, 100.0)
    table = rendering._table(Table(("名称", "金额"), (("甲", "1,234.00"), ("乙", "合计 12")), align=("left", "right")), st)
    cells = [row[1] for row in table._cellvalues[1:]]
    assert cells[0] == "1,234.00"  # plain
    assert not isinstance(cells[1], str)  # a paragraph
    assert isinstance(table._cellvalues[1][0], type(cells[1]))  # left-aligned text stays a paragraph

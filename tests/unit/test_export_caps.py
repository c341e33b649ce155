"""The monthly package at district scale: every count counts everything, long lists are cut with a note.

The open obligations (hundreds of thousands in a district) are listed up to summary.DEADLINE_ROWS,
overdue first, in every file, with how many there are; with all_deadlines the CSV lists every one. The PDF and the xlsx list the largest undertakers up to exports.ORG_PRINT_ROWS and
fold the others into one row, so the columns still add up to the totals. The boundaries (exactly
N rows and N + 1) are tested with the cap set to the data's own size, against the per-record list.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.documents import report as rp
from app.services import exports, summary
from tests.summary_data import seed

TODAY = date(2026, 6, 15)
PERIOD = "2026-05"
AS_OF, HORIZON = date(2026, 5, 31), date(2026, 6, 30)
NOTE = "此处列出前"


@pytest.fixture
def seeded(db, desk):
    seed(db, n=80)
    return db


def _expected(desk) -> list[summary.DeadlineItem]:
    """The oracle: every obligation dated one record at a time (summary.deadlines_as_of), overdue first."""
    return sorted(desk.run(lambda s, a: summary.deadlines_as_of(s, AS_OF, HORIZON)), key=summary.deadline_order)


def _section(data: exports.ExportData, key: str) -> rp.Section:
    return next(s for s in data.report.sections if s.key == key)


def _pdf_text(data: exports.ExportData) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(exports.render(data, exports.FORMATS)[f"汇总-{PERIOD}.pdf"]))
    return "".join("".join(p.extract_text().split()) for p in reader.pages)


def _csv_rows(files: dict[str, bytes], key: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(files[f"汇总-{PERIOD}-{key}.csv"].decode("utf-8-sig"))))[1:]


@pytest.mark.parametrize("extra", [0, 1])
def test_deadlines_listed_up_to_the_cap_and_counted_in_full(seeded, desk, monkeypatch, tmp_path, extra):
    expected = _expected(desk)
    total, overdue = len(expected), sum(1 for d in expected if d.overdue)
    assert total > 3 and 0 < overdue < total
    cap = total - extra  # exactly N rows (nothing cut), then N + 1 rows (one cut)
    monkeypatch.setattr(summary, "DEADLINE_ROWS", cap)
    data = desk.run(exports.build, PERIOD, today=TODAY)
    sec = _section(data, "deadlines")
    assert [r[1] for r in sec.rows] == [d.reference for d in expected[:cap]]
    assert [r[3] for r in sec.rows] == [d.due for d in expected[:cap]]
    overview = {r[0]: r for r in _section(data, "overview").rows}["期限提醒"]
    assert overview[1] == total and f"其中逾期 {overdue} 项" in overview[3]
    cut = f"共 {total:,} 项（其中逾期 {overdue:,} 项），{NOTE} {cap:,} 项"
    assert (cut in sec.note) == bool(extra)

    files = exports.render(data, exports.FORMATS)
    assert len(_csv_rows(files, "deadlines")) == cap
    doc = json.loads(files[f"汇总-{PERIOD}.json"])
    jsec = next(s for s in doc["sections"] if s["key"] == "deadlines")
    assert len(jsec["rows"]) == cap
    assert (jsec.get("total_rows"), jsec.get("listed_rows")) == ((total, cap) if extra else (None, None))
    ws = load_workbook(io.BytesIO(files[f"汇总-{PERIOD}.xlsx"]))["期限提醒"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert sum(1 for row in ws.iter_rows(min_row=2) if row[0].value and str(row[0].value).endswith("）")) == cap
    assert any(cut in t for t in texts) == bool(extra)
    assert (cut.replace(" ", "") in _pdf_text(data)) == bool(extra)

    man = json.loads((exports.write(data, tmp_path, exports.FORMATS) / "manifest.json").read_text("utf-8"))
    if extra:
        assert man["truncated"]["deadlines"]["total_rows"] == total
        assert set(man["truncated"]["deadlines"]["listed_rows"].values()) == {cap}
        assert man["truncated"]["deadlines"]["complete_in"] == []
    else:
        assert "truncated" not in man


def test_all_deadlines_in_the_csv_the_first_in_pdf_xlsx_and_json(seeded, desk, monkeypatch, tmp_path):
    expected = _expected(desk)
    cap = len(expected) - 2
    monkeypatch.setattr(summary, "DEADLINE_ROWS", cap)
    data = desk.run(exports.build, PERIOD, today=TODAY, all_deadlines=True)
    files = exports.render(data, exports.FORMATS)
    assert [r[1] for r in _csv_rows(files, "deadlines")] == [d.reference for d in expected]
    jsec = next(s for s in json.loads(files[f"汇总-{PERIOD}.json"])["sections"] if s["key"] == "deadlines")
    assert len(jsec["rows"]) == cap and (jsec["total_rows"], jsec["listed_rows"]) == (len(expected), cap)
    where = f"完整清单见本导出包中的 汇总-{PERIOD}-deadlines.csv。"
    ws = load_workbook(io.BytesIO(files[f"汇总-{PERIOD}.xlsx"]))["期限提醒"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(f"{NOTE} {cap} 项" in t and where in t for t in texts)
    assert sum(1 for row in ws.iter_rows(min_row=2) if row[0].value and str(row[0].value).endswith("）")) == cap
    assert where.replace(" ", "") in _pdf_text(data)
    man = json.loads((exports.write(data, tmp_path, exports.FORMATS) / "manifest.json").read_text("utf-8"))
    cut = man["truncated"]["deadlines"]
    assert cut["listed_rows"] == {f"汇总-{PERIOD}.pdf": cap, f"汇总-{PERIOD}.xlsx": cap, f"汇总-{PERIOD}.json": cap}
    assert cut["complete_in"] == [f"汇总-{PERIOD}-deadlines.csv"]
    # Only an xlsx: the note says the complete list is not in this package.
    only = exports.render(data, ["xlsx"])
    ws = load_workbook(io.BytesIO(only[f"汇总-{PERIOD}.xlsx"]))["期限提醒"]
    assert any("本导出包未含完整清单" in str(c.value) for row in ws.iter_rows() for c in row if c.value)


@pytest.mark.parametrize("extra", [0, 1])
def test_undertakers_beyond_the_printed_rows_fold_into_one_row(seeded, desk, monkeypatch, extra):
    rows = desk.run(summary.summarize, PERIOD, today=TODAY).by_org
    cap = len(rows) - extra
    monkeypatch.setattr(exports, "ORG_PRINT_ROWS", cap)
    data = desk.run(exports.build, PERIOD, today=TODAY)
    sec = _section(data, "by_org")
    assert len(sec.rows) == len(rows)
    files = exports.render(data, exports.FORMATS)
    assert len(_csv_rows(files, "by_org")) == len(rows) + 1  # every undertaker and the totals
    ws = load_workbook(io.BytesIO(files[f"汇总-{PERIOD}.xlsx"]))["按承接组织"]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=2) if row[0].value]
    listed = [r for r in body if r[0] != "合计" and not str(r[0]).startswith("共 ")]
    assert [r[0] for r in listed[:cap]] == [r.label for r in rows[:cap]]
    if extra:
        assert listed[-1][0] == "其余 1 家承接组织" and len(listed) == cap + 1
        last = rows[-1].figures
        assert listed[-1][2:] == [last.signed_count, float(last.signed_amount), last.in_force_count,
                                  float(last.in_force_amount)]
        assert any(str(r[0]).startswith(f"共 {len(rows)} 家承接组织") for r in body)
    else:
        assert len(listed) == len(rows) and not any(str(r[0]).startswith("共 ") for r in body)
    totals = next(r for r in body if r[0] == "合计")
    money = [Decimal(str(v)) for v in totals[3::2]]
    assert money == [sum((Decimal(str(r[3])) for r in listed), Decimal(0)),
                     sum((Decimal(str(r[5])) for r in listed), Decimal(0))]
    assert ("其余" in _pdf_text(data)) == bool(extra)

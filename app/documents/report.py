"""A tabular report as plain data (sections of typed columns), and its writers: xlsx, CSV, PDF, JSON.

The services fill a Report; this module never touches the database. Reports that leave the office
are Chinese documents, so their headers are data (Chinese), like the contract templates.

Spreadsheet safety (OWASP "CSV injection"): a text cell beginning with = + - @ TAB or CR is
written so it cannot run as a formula — in xlsx as an explicit string cell with Excel's quote
prefix (the text itself is kept), in CSV with a leading apostrophe. Personal numbers (ID card,
phone) are masked unless the caller asks otherwise.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from app.documents.spec import Article, BarChart, DocumentSpec, Paragraph, Table

TEXT, MONEY, COUNT, DATE, PHONE, ID_NUMBER = "text", "money", "count", "date", "phone", "id_number"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT
    width: float = 14  # characters, for xlsx; relative, for PDF


@dataclass(frozen=True)
class Section:
    key: str  # file-safe machine name: "by_domain"
    title: str  # sheet and heading: "按服务领域"
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    totals: tuple[Cell, ...] | None = None  # the totals row, first cell "合计"
    note: str = ""  # e.g. why a figure is not available
    chart: BarChart | None = None  # printed under the table in the PDF
    total_rows: int | None = None  # `rows` are the first of this many (the others were not read); None: all
    print_rows: int | None = None  # the PDF and the xlsx list only the first rows, ...
    print_rest: tuple[Cell, ...] | None = None  # ... then this row standing for the others (e.g. their sum)
    print_note: str = ""  # said in the PDF and the xlsx when they list fewer rows than `rows`
    json_rows: int | None = None  # the JSON lists only the first rows (saying how many there are)

    @property
    def printed(self) -> tuple[tuple[Cell, ...], ...]:
        """The rows the PDF and the xlsx list (with `print_rest` after the first `print_rows`)."""
        if self.print_rows is None or len(self.rows) <= self.print_rows:
            return self.rows
        return self.rows[:self.print_rows] + ((self.print_rest,) if self.print_rest is not None else ())

    @property
    def printed_note(self) -> str:
        cut = self.print_rows is not None and len(self.rows) > self.print_rows and self.print_note
        # "{complete}": where the whole list is, filled in by the export for the files it writes
        return "".join(x for x in (self.note, self.print_note.replace("{complete}", "") if cut else "") if x)

    def listed(self, rows: int) -> dict[str, int] | None:
        """What a file listing `rows` rows says about the rows it leaves out (None: it lists them all)."""
        total = len(self.rows) if self.total_rows is None else self.total_rows
        return None if rows >= total else {"total_rows": total, "listed_rows": rows}


@dataclass(frozen=True)
class Report:
    title: str
    office: str
    period_label: str
    sections: tuple[Section, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    footer_note: str = ""


# --- Cell safety ------------------------------------------------------------------------------

def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def neutralise_csv(text: str) -> str:
    """OWASP: prefix a formula-looking value with an apostrophe so a spreadsheet shows it as text."""
    return "'" + text if is_formula_like(text) else text


def mask_phone(text: str) -> str:
    """Keep the first three and last four digits of a mobile number: 138****0001."""
    digits = re.sub(r"\D", "", text or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_number(text: str) -> str:
    """居民身份证号: keep the first six (region) and the last four: 110105********123X."""
    t = (text or "").strip()
    if len(t) <= 10:
        return "*" * len(t)
    return t[:6] + "*" * (len(t) - 10) + t[-4:]


def _masked(col: Column, value: Cell, mask: bool) -> Cell:
    if not mask or not isinstance(value, str) or not value:
        return value
    if col.kind == PHONE:
        return mask_phone(value)
    if col.kind == ID_NUMBER:
        return mask_id_number(value)
    return value


def money_text(value: Decimal) -> str:
    return f"{value:,.2f}"


def _plain(col: Column, value: Cell) -> str:
    """A cell as text for CSV, JSON and PDF (money with two decimals, no thousands separator in CSV)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- xlsx -------------------------------------------------------------------------------------

def _sheet_title(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", title)[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}_{n}"
        n += 1
    used.add(name)
    return name


def to_xlsx(report: Report, mask: bool = True) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="E8ECF2")
    used: set[str] = set()
    info = wb.create_sheet(_sheet_title("说明", used))
    for r, (k, v) in enumerate([("报表", report.title), ("单位", report.office), ("期间", report.period_label),
                                *[(str(k), str(v)) for k, v in report.meta.items()]], start=1):
        _set(info.cell(r, 1), k)
        _set(info.cell(r, 2), v)
        info.cell(r, 1).font = bold
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 70
    for sec in report.sections:
        ws = wb.create_sheet(_sheet_title(sec.title, used))
        for c, col in enumerate(sec.columns, start=1):
            cell = ws.cell(1, c)
            _set(cell, col.title)
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(c)].width = col.width
        ws.freeze_panes = "A2"
        rows = list(sec.printed)
        for r, row in enumerate(rows, start=2):
            for c, (col, value) in enumerate(zip(sec.columns, row, strict=True), start=1):
                _write(ws.cell(r, c), col, _masked(col, value, mask))
        last = len(rows) + 1
        if sec.totals is not None:
            last += 1
            for c, (col, value) in enumerate(zip(sec.columns, sec.totals, strict=True), start=1):
                cell = ws.cell(last, c)
                _write(cell, col, value)
                cell.font = bold
        if sec.printed_note:
            _set(ws.cell(last + 2, 1), sec.printed_note)
        ws.auto_filter.ref = None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _set(cell: Any, text: str) -> None:
    """A text cell that can never be a formula: explicit string type, plus Excel's quote prefix when it looks like one."""
    cell.value = text
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True


def _write(cell: Any, col: Column, value: Cell) -> None:
    if value is None:
        return
    if isinstance(value, Decimal):
        cell.value = value
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, bool):
        _set(cell, "是" if value else "否")
    elif isinstance(value, int):
        cell.value = value
        cell.number_format = "0"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        _set(cell, str(value))


# --- CSV --------------------------------------------------------------------------------------

def to_csv(section: Section, mask: bool = True) -> bytes:
    """One section as CSV, UTF-8 with a BOM so Excel opens Chinese text right; CRLF line ends."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([neutralise_csv(c.title) for c in section.columns])

    def line(row: tuple[Cell, ...], masked: bool) -> list[str]:
        out = []
        for col, value in zip(section.columns, row, strict=True):
            v = _masked(col, value, masked)
            text = _plain(col, v)
            out.append(neutralise_csv(text) if isinstance(v, str) else text)
        return out

    for row in section.rows:
        w.writerow(line(row, mask))
    if section.totals is not None:
        w.writerow(line(section.totals, False))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# --- JSON -------------------------------------------------------------------------------------

def _json_cell(col: Column, value: Cell) -> Any:
    if isinstance(value, Decimal):
        return {"yuan": f"{value:.2f}", "fen": int(value * 100)}
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_json(report: Report, mask: bool = True) -> bytes:
    data = {
        "title": report.title, "office": report.office, "period": report.period_label, "meta": report.meta,
        "sections": [{
            "key": s.key, "title": s.title, "note": s.note,
            "columns": [{"title": c.title, "kind": c.kind} for c in s.columns],
            "rows": [[_json_cell(c, _masked(c, v, mask)) for c, v in zip(s.columns, row, strict=True)]
                     for row in s.rows[:s.json_rows]],
            "totals": None if s.totals is None else [_json_cell(c, v) for c, v in zip(s.columns, s.totals, strict=True)],
            **(s.listed(len(s.rows[:s.json_rows])) or {}),  # a section of which only the first rows are listed says how many there are
        } for s in report.sections],
    }
    return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")


# --- PDF --------------------------------------------------------------------------------------

CN_NUMERALS = "一二三四五六七八九十"
PDF_TEXT_WIDTH = 442.0  # points: 156 mm, the contracts' text block
PDF_CELL_PAD = 12.0


def _pdf_widths(sec: Section, rows: list[tuple[str, ...]]) -> tuple[float, ...]:
    """Numbers and dates get the width they need on one line; text columns share the rest."""
    from app.documents.fonts import string_width

    fixed: dict[int, float] = {}
    for i, col in enumerate(sec.columns):
        if col.kind in (MONEY, COUNT, DATE, PHONE, ID_NUMBER):
            need = max((string_width(r[i], 10.5) for r in rows), default=0) + PDF_CELL_PAD
            # the heading on at most two lines, broken before its unit: 签订金额 / （元）, not 签订 / 金额 / （元 / ）
            head = max((string_width(part, 10.5) for part in re.split(r"(?=（)", col.title) if part), default=0)
            fixed[i] = max(need, head + PDF_CELL_PAD, 2 * 10.5 + PDF_CELL_PAD)
    rest = max(PDF_TEXT_WIDTH - sum(fixed.values()), 60.0)
    flex = [c.width for i, c in enumerate(sec.columns) if i not in fixed]
    share = sum(flex) or 1.0
    return tuple(fixed[i] if i in fixed else rest * c.width / share for i, c in enumerate(sec.columns))


def to_pdf_spec(report: Report, mask: bool = True) -> DocumentSpec:
    articles: list[Article] = []
    for i, sec in enumerate(report.sections):
        body: list[Paragraph | Table | BarChart] = []
        if sec.printed_note:
            body.append(Paragraph(sec.printed_note, indent=False))
        if sec.rows or sec.totals:
            align = tuple("right" if c.kind in (MONEY, COUNT) else "left" for c in sec.columns)
            rows = [tuple(money_text(v) if isinstance(v, Decimal) else _plain(c, _masked(c, v, mask))
                          for c, v in zip(sec.columns, row, strict=True)) for row in sec.printed]
            if sec.totals is not None:
                rows.append(tuple(money_text(v) if isinstance(v, Decimal) else _plain(c, v)
                                  for c, v in zip(sec.columns, sec.totals, strict=True)))
            body.append(Table(tuple(c.title for c in sec.columns), tuple(rows), _pdf_widths(sec, rows), align))
        elif not sec.note:
            body.append(Paragraph("（本期无）", indent=False))
        if sec.chart is not None and sec.chart.labels:
            body.append(sec.chart)
        label = f"{CN_NUMERALS[i]}、" if i < len(CN_NUMERALS) else f"{i + 1}、"
        articles.append(Article(label, sec.title, tuple(body)))
    sign = Table((), (("制表人", "", "审核人", ""), ("日期", "", "日期", "")), (1, 2, 1, 2),
                 row_heights=(12, 12), label_column=True)
    articles.append(Article("", "", (sign,)))
    return DocumentSpec(title=report.title, number=report.period_label, number_label="报表期间",
                        subtitle=report.office, articles=tuple(articles), closing_note=report.footer_note,
                        meta_subject=f"{report.office} {report.period_label}")


def to_pdf(report: Report, mask: bool = True) -> bytes:
    from app.documents.rendering import render_pdf

    return render_pdf(to_pdf_spec(report, mask))

"""Import of a street office's organization ledger (社会组织台账) from .xlsx or .csv.

Ledgers are kept by hand in Excel: a title row, blank lines, a header that may span two rows
(merged group cells above the real headers), full-width digits, dates in every form. Parsing is
pure (read_ledger); deciding what each row becomes and saving it run in one transaction.
"""

from __future__ import annotations

import csv
import gc
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.domain.errors import FieldProblem, ValidationError
from app.domain.text import forbidden_character, normalize_compact, normalize_name, normalize_text
from app.domain.uscc import ORG_TYPE_LABELS, OrgType, normalize_code
from app.i18n import N_, _, ngettext
from app.models import Organization, ServiceDomain
from app.services import audit, orgs
from app.services.context import Actor, Desk
from app.services.permissions import Role, require

HEADER_SEARCH_ROWS = 15
MAX_COLUMNS = 200
# Limits, so that a hostile or broken file cannot exhaust memory or run for hours. A street office's
# ledger has hundreds of rows; 50,000 are saved in bulk (orgs.create_many) in well under a minute.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an .xlsx is a zip: what its parts unpack to
MAX_DATA_ROWS = 50_000
MAX_SHEET_ROWS = 1_048_576  # Excel's own limit; more rows than this is not a workbook Excel wrote
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls are OLE files
ZIP_MAGIC = b"PK\x03\x04"

IMPORTED = "imported"
DUPLICATE = "duplicate"
INVALID = "invalid"
STATUS_LABELS = {IMPORTED: N_("Imported"), DUPLICATE: N_("Duplicate, skipped"), INVALID: N_("Invalid, skipped")}
DRY_RUN_LABELS = {IMPORTED: N_("Will be imported"), DUPLICATE: N_("Duplicate, will be skipped"),
                  INVALID: N_("Invalid, will be skipped")}


class LedgerError(Exception):
    """The file as a whole cannot be read. `message` is translated and shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------
# Headers

# Field -> header words, written as header_key() leaves them (lower case, no spaces, brackets or *).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "单位名称", "组织名称", "社会组织名称", "机构名称", "单位全称", "组织全称",
             "name", "organizationname", "orgname", "organisationname"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码", "统一代码", "统一社会信用代码证号",
                    "creditcode", "unifiedsocialcreditcode", "uscc", "socialcreditcode"),
    "legal_representative": ("法定代表人", "负责人", "法人代表", "法人", "法定代表人姓名",
                             "legalrepresentative", "legalrep"),
    "contact_person": ("联系人", "联系人姓名", "contact", "contactperson"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "电话号码", "联系方式",
              "phone", "telephone", "tel", "mobile"),
    "address": ("地址", "住所", "办公地址", "注册地址", "通讯地址", "单位地址", "address"),
    "registration_authority": ("登记管理机关", "登记机关", "registrationauthority"),
    "established_on": ("成立日期", "成立时间", "登记日期", "登记时间",
                       "established", "dateestablished", "establishedon"),
    "domains": ("服务领域", "业务领域", "domains", "servicedomains"),
    "org_type": ("组织类型", "类型", "单位类型", "机构类型", "type", "orgtype", "organizationtype"),
    "is_support_org": ("是否支持性组织", "支持性组织", "supportorg", "supportingorganization"),
    "rating": ("评估等级", "等级", "rating"),
    "rating_valid_until": ("评估有效期", "等级有效期", "评估等级有效期", "ratingvaliduntil"),
    "inspection": ("年检", "年检结果", "年检情况", "年度检查", "年度检查结果",
                   "annualinspection", "inspection", "inspectionresult"),
    "inspection_year": ("年检年度", "年检年份", "年度", "inspectionyear", "year"),
    "bank_name": ("开户银行", "开户行", "bank", "bankname"),
    "bank_account_name": ("账户名称", "户名", "账户名", "accountname"),
    "bank_account_no": ("银行账号", "账号", "银行账户", "accountnumber", "bankaccount", "accountno"),
    "notes": ("备注", "notes", "remarks", "note"),
}
_BY_WORD = {w: f for f, words in _SYNONYMS.items() for w in words}
_IGNORED_HEADERS = {"序号", "编号", "no", "no.", "#"}
_INSPECTION_WORDS = r"(?:年检|年度检查)(?:结果|情况)?"
_YEAR_HEADER = [re.compile(rf"^(\d{{4}})年?度?{_INSPECTION_WORDS}$"),
                re.compile(rf"^{_INSPECTION_WORDS}(\d{{4}})年?度?$")]
_BRACKETED = re.compile(r"[(\[【〔<《][^)\]】〕>》]*[)\]】〕>》]")
_DROP = re.compile(r"[\s*:：()\[\]【】〔〕<>《》]")


def header_key(value: object) -> str:
    """Lower-cased, half-width text with spaces, brackets, * and colons removed."""
    return _DROP.sub("", unicodedata.normalize("NFKC", "" if value is None else str(value))).lower()


def match_header(value: object) -> str | None:
    """The field a header cell names: a field name, "inspection:2024" for a year column, or None."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value))
    full, stripped = header_key(text), header_key(_BRACKETED.sub("", text))
    for pattern in _YEAR_HEADER:  # "2024年度年检结果", "年检（2024）"
        m = pattern.match(full)
        if m:
            return f"inspection:{m.group(1)}"
    # Without what is in brackets first ("成立日期（年/月/日）"), then with it.
    return _BY_WORD.get(stripped) or _BY_WORD.get(full)


# ---------------------------------------------------------------------------------------------
# Parsing


@dataclass
class LedgerRow:
    """One data row as read: the values handed to the registry's validation, plus reading problems."""

    row: int
    data: orgs.OrgInput
    problems: list[FieldProblem] = field(default_factory=list)


@dataclass
class ParsedLedger:
    path: Path
    sheet: str  # worksheet name, "" for CSV
    header_row: int  # 1-based, the last header row when the header spans two rows
    columns: dict[str, int]  # field -> 0-based column
    ignored_columns: list[str]  # header texts not recognised
    rows: list[LedgerRow]
    notes: list[str] = field(default_factory=list)  # how the file was read (encoding, separator, columns)


_PLACEHOLDERS = {"", "-", "--", "—", "——", "/", "\\", "无", "暂无", "n/a", "na", "none", "null"}
_YES = {"是", "√", "✓", "✔", "y", "yes", "true", "1", "支持性组织", "是支持性组织"}
_NO = {"否", "×", "✗", "✘", "x", "n", "no", "false", "0", "不是"}
_SCI = re.compile(r"^\d(?:\.\d+)?E\+?\d+$", re.IGNORECASE)
_INSPECTION_IN_TEXT = re.compile(r"(\d{4})\s*年?度?\s*(?:年检)?\s*[:：]?\s*(基本合格|不合格|合格)")
_SPLIT_DOMAINS = re.compile(r"[、,，;；/／\s]+")
_ORG_TYPE_WORDS: dict[str, str] = {
    "社会团体": OrgType.SOCIAL_GROUP, "社团": OrgType.SOCIAL_GROUP,
    "民办非企业单位": OrgType.SOCIAL_SERVICE_AGENCY, "民非": OrgType.SOCIAL_SERVICE_AGENCY,
    "社会服务机构": OrgType.SOCIAL_SERVICE_AGENCY, "民办非企业": OrgType.SOCIAL_SERVICE_AGENCY,
    "基金会": OrgType.FOUNDATION, "企业": OrgType.ENTERPRISE, "事业单位": OrgType.PUBLIC_INSTITUTION,
    "机关": OrgType.AGENCY, "群众团体": OrgType.MASS_ORG, "人民团体": OrgType.MASS_ORG,
    "居委会": OrgType.RESIDENTS_COMMITTEE, "居民委员会": OrgType.RESIDENTS_COMMITTEE,
    "村委会": OrgType.VILLAGE_COMMITTEE, "村民委员会": OrgType.VILLAGE_COMMITTEE,
    "个体工商户": OrgType.INDIVIDUAL_BUSINESS, "农民专业合作社": OrgType.FARMER_COOP,
    "其他": OrgType.OTHER,
}
_FOOTER = re.compile(r"^(注|备注|说明|填表|制表|审核|合计|总计|小计|单位负责人|负责人[:：]|联系人[:：]|填报)")


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not normalize_text(value))


def _text(value: object) -> str:
    """A cell as text: whole numbers without ".0", dates as 2023-05-01."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("是" if value else "否")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    text = normalize_text(value)
    return "" if text.lower() in _PLACEHOLDERS else text


def _number_text(problems: list[FieldProblem], name: str, value: object) -> str:
    """Codes and account numbers: Excel keeps only 15 significant digits of a number cell."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = _text(value)
        if len(text.lstrip("-")) > 15 or (isinstance(value, float) and not value.is_integer()):
            problems.append(orgs.problem(name, _("was stored as a number in Excel and has lost digits; "
                                                 "format the column as text and type it again")))
        return text
    text = _text(value).lstrip("'`")  # a leading apostrophe forces text in Excel
    if _SCI.match(normalize_compact(text)):
        problems.append(orgs.problem(name, _("was shortened by Excel to {value}; format the column as text "
                                             "and type it again").format(value=text)))
    return text


def _date_value(value: object) -> object:
    """Dates stay as Excel gave them; texts like "2021-01-01至2025-12-31" keep the last part."""
    if isinstance(value, datetime | date | int | float) and not isinstance(value, bool):
        return value
    text = _text(value)
    for sep in ("至", "～", "~", "—"):
        if sep in text:
            text = text.rsplit(sep, 1)[1]
    return text or None


def _rating(value: object) -> str:
    text = normalize_compact(_text(value)).upper().removesuffix("级")
    if text in {"未评估", "未评", "无等级"}:
        return ""
    if re.fullmatch(r"A{1,5}", text):
        return f"{len(text)}A"
    return text


def _support_flag(problems: list[FieldProblem], value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize_compact(_text(value)).lower()
    if text in _YES:
        return True
    if text in _NO or not text:
        return False
    problems.append(orgs.problem("is_support_org", _("must be yes or no (是 or 否), not {value}").format(value=text)))
    return False


def _org_type(value: object) -> str:
    text = normalize_compact(_text(value))
    if not text:
        return ""
    if text in _ORG_TYPE_WORDS:
        return str(_ORG_TYPE_WORDS[text])
    for org_type, label in ORG_TYPE_LABELS.items():
        if text.lower() in (org_type.value, label.lower(), _(label).lower()):
            return org_type.value
    return text  # validate() says it is not a known type


def _inspections(problems: list[FieldProblem], cells: dict[str, object]) -> list[orgs.InspectionInput]:
    found: list[orgs.InspectionInput] = []
    for key, raw in cells.items():
        if not key.startswith("inspection:"):
            continue
        text = normalize_compact(_text(raw))
        if text:
            found.append(orgs.InspectionInput(key.split(":", 1)[1], text))
    text = normalize_compact(_text(cells.get("inspection")))
    if text:
        year = normalize_compact(_text(cells.get("inspection_year"))).removesuffix("年度").removesuffix("年")
        in_text = _INSPECTION_IN_TEXT.findall(text)
        if year:
            found.append(orgs.InspectionInput(year, text))
        elif in_text:
            found.extend(orgs.InspectionInput(y, r) for y, r in in_text)
        else:
            problems.append(orgs.problem("inspections", _("the year of the result {value} is missing "
                                                          "(add a year column or write it like 2024合格)")
                                         .format(value=text)))
    return found


def _is_footer(values: Sequence[object]) -> bool:
    """Signature lines and notes under the table ("填表人：", "注：", "合计")."""
    texts = [_text(v) for v in values if not _is_blank(v)]
    if not texts:
        return True
    return len(texts) == 1 or bool(_FOOTER.match(texts[0]))


# Columns that hold text (names, numbers written as text): a date cell there is a mistake in the sheet.
_TEXT_COLUMNS = ("name", "credit_code", "legal_representative", "contact_person", "phone", "address",
                 "registration_authority", "bank_name", "bank_account_name", "bank_account_no", "org_type")


def column_letter(index: int) -> str:
    """0-based column index -> A, B, … Z, AA (as Excel and WPS label columns)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_problems(problems: list[FieldProblem], cells: dict[str, object], columns: dict[str, int]) -> None:
    """Wrong-type cells and control or invisible characters, named with their column."""
    for f, value in cells.items():
        if value is None or f not in orgs.FIELD_LABELS:
            continue
        col = column_letter(columns[f])
        if f in _TEXT_COLUMNS and isinstance(value, datetime | date):
            problems.append(orgs.problem(f, _("column {col} holds a date ({value}), not text; check that the column "
                                              "is the right one").format(col=col, value=_text(value))))
        elif isinstance(value, str) and (bad := forbidden_character(
                unicodedata.normalize("NFKC", value).replace("\ufeff", ""), multiline=f == "notes")):
            problems.append(orgs.problem(f, _("column {col}: {reason}").format(col=col, reason=bad)))


def _build_row(number: int, values: Sequence[object], columns: dict[str, int]) -> LedgerRow:
    cells = {f: (values[c] if c < len(values) else None) for f, c in columns.items()}
    problems: list[FieldProblem] = []
    _cell_problems(problems, cells, columns)
    data = orgs.OrgInput(
        name=_text(cells.get("name")),
        credit_code=_number_text(problems, "credit_code", cells.get("credit_code")),
        legal_representative=_text(cells.get("legal_representative")),
        contact_person=_text(cells.get("contact_person")),
        phone=_text(cells.get("phone")),
        address=_text(cells.get("address")),
        registration_authority=_text(cells.get("registration_authority")),
        established_on=_date_value(cells.get("established_on")),
        domains=[d for d in _SPLIT_DOMAINS.split(_text(cells.get("domains"))) if d],
        org_type=_org_type(cells.get("org_type")),
        is_support_org=_support_flag(problems, cells.get("is_support_org")),
        rating=_rating(cells.get("rating")),
        rating_valid_until=_date_value(cells.get("rating_valid_until")),
        inspections=_inspections(problems, cells),
        bank_name=_text(cells.get("bank_name")),
        bank_account_name=_text(cells.get("bank_account_name")),
        bank_account_no=_number_text(problems, "bank_account_no", cells.get("bank_account_no")),
        notes=_text(cells.get("notes")),
    )
    return LedgerRow(number, data, problems)


def _recognise(values: Sequence[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, v in enumerate(values[:MAX_COLUMNS]):
        f = match_header(v)
        if f and f not in found:
            found[f] = i
    return found


def _is_header_continuation(values: Sequence[object], recognised: dict[str, int]) -> bool:
    """A second header row: mostly header words, no organization name under the name column."""
    filled = [v for v in values if not _is_blank(v)]
    return bool(recognised) and len(recognised) * 2 >= len(filled)


def _find_header(grid: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]] | None:
    """(index of the last header row, field -> column), merging a two-row header.

    Rows with no header word (the title, "基本信息" group cells) are passed over. A header row may be
    followed by a second one: cells merged downwards ("名称" over two rows) keep the upper text,
    group cells ("联系方式" over "联系人" and "联系电话") give way to the lower one.
    """
    for i in range(min(HEADER_SEARCH_ROWS, len(grid))):
        top = _recognise(grid[i])
        if not top:
            continue
        nxt_values = grid[i + 1] if i + 1 < len(grid) else ()
        nxt = _recognise(nxt_values)
        group: object = None
        for c, v in enumerate(nxt_values[:MAX_COLUMNS]):
            # A group cell's text, merged over several columns, sits only in its first one.
            if c < len(grid[i]) and not _is_blank(grid[i][c]):
                group = grid[i][c]
            if c in nxt.values() or _is_blank(v) or _is_blank(group):
                continue
            f = match_header(f"{group}{v}")  # "年检" over "结果" -> 年检结果
            if f and f not in nxt:
                nxt[f] = c
        if nxt and _is_header_continuation(nxt_values, nxt):
            cols = {f: c for f, c in top.items() if c not in nxt.values()}
            for f, c in nxt.items():
                cols.setdefault(f, c)
            if "name" in cols and "credit_code" in cols:
                return i + 1, cols
        if "name" in top and "credit_code" in top:
            return i, top
    return None


def parse_grid(path: Path, sheet: str, grid: Sequence[Sequence[object]]) -> ParsedLedger | None:
    """Turn rows of cell values into ledger rows; None when no header row is found."""
    found = _find_header(grid)
    if found is None:
        return None
    header_index, columns = found
    used = set(columns.values())
    ignored = []
    for c, v in enumerate(grid[header_index][:MAX_COLUMNS]):
        if c not in used and not _is_blank(v) and header_key(v) not in _IGNORED_HEADERS:
            ignored.append(normalize_text(v))
    notes = _duplicate_headers(grid[header_index], columns)
    name_col, code_col = columns["name"], columns["credit_code"]
    rows: list[LedgerRow] = []
    for index in range(header_index + 1, len(grid)):
        values = grid[index]
        name_v = values[name_col] if name_col < len(values) else None
        code_v = values[code_col] if code_col < len(values) else None
        if _is_blank(name_v) and _is_blank(code_v) and _is_footer(values):
            continue
        if match_header(name_v) == "name" and match_header(code_v) == "credit_code":
            continue  # the header repeated (a printout pasted back together)
        rows.append(_build_row(index + 1, values, columns))
    return ParsedLedger(path, sheet, header_index + 1, columns, ignored, rows, notes)


def _duplicate_headers(header: Sequence[object], columns: dict[str, int]) -> list[str]:
    """Two columns for one field (the same header twice, or two synonyms): reported, never dropped
    silently; only the first column is read."""
    notes: list[str] = []
    for c, v in enumerate(header[:MAX_COLUMNS]):
        f = match_header(v)
        if f is None or f not in columns or columns[f] == c:
            continue
        first = columns[f]
        notes.append(_("column {b} (“{other}”) also means “{label}”; only column {a} (“{header}”) was read").format(
            b=column_letter(c), other=normalize_text(v), label=orgs.label(f),
            a=column_letter(first),
            header=normalize_text(header[first]) if first < len(header) and not _is_blank(header[first])
            else orgs.label(f)))
    return notes


def _unpacked_size(path: Path) -> int:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # openpyxl says what is wrong with it


def _too_many_rows(path: Path) -> LedgerError:
    return LedgerError(_("{file} has more than {n} rows; a ledger this long cannot be imported at once. Split it "
                         "into several files.").format(file=path.name, n=f"{MAX_DATA_ROWS:,}"))


_BLANK: tuple[object, ...] = ()


def _read_sheet(path: Path, ws: object) -> list[Sequence[object]]:
    """Stream one worksheet (openpyxl read-only mode): memory holds only rows with something in them.

    A blank row costs one shared empty tuple, so a sheet of millions of empty rows (a 3 MB file
    that unpacks to hundreds of megabytes) stays small, and reading stops at Excel's own row limit.
    """
    grid: list[Sequence[object]] = []
    data_rows = 0
    for n, r in enumerate(ws.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        if n > MAX_SHEET_ROWS:
            raise LedgerError(_("{file} has more than {n} rows (more than Excel allows); it was not read. Save it "
                                "again from Excel or WPS.").format(file=path.name, n=f"{MAX_SHEET_ROWS:,}"))
        cells = r[:MAX_COLUMNS]
        if all(_is_blank(v) for v in cells):
            grid.append(_BLANK)
            continue
        data_rows += 1
        if data_rows > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
            raise _too_many_rows(path)
        grid.append(list(cells))
    while grid and grid[-1] is _BLANK:
        grid.pop()
    return grid


def _read_xlsx(path: Path) -> list[tuple[str, list[Sequence[object]]]]:
    import openpyxl

    unpacked = _unpacked_size(path)
    if unpacked > MAX_UNPACKED_BYTES:
        raise LedgerError(_("{file} unpacks to {size} MB, far more than a ledger needs (at most {limit} MB); it was "
                            "not read. It may hold millions of empty rows: copy the table into a new workbook.")
                          .format(file=path.name, size=unpacked // (1024 * 1024), limit=MAX_UNPACKED_BYTES // (1024 * 1024)))
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a dozen kinds for a damaged file
        raise LedgerError(_("{file} is not a readable Excel workbook ({error}).")
                          .format(file=path.name, error=type(exc).__name__)) from exc
    try:
        sheets = []
        for ws in wb.worksheets:
            if not hasattr(ws, "reset_dimensions"):
                continue  # a chart sheet
            ws.reset_dimensions()  # some programs write a wrong size; read what is there
            sheets.append((ws.title, _read_sheet(path, ws)))
        return sheets
    except LedgerError:
        raise
    except Exception as exc:
        raise LedgerError(_("{file} is not a readable Excel workbook ({error}).")
                          .format(file=path.name, error=type(exc).__name__)) from exc
    finally:
        wb.close()


ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": N_("UTF-8 with BOM"), "utf-16": "UTF-16", "gb18030": "GBK/GB18030",
                   "big5": "Big5"}


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _looks_utf8_chinese(line: bytes) -> bool:
    """A line with non-ASCII bytes that is valid UTF-8 and reads as Chinese."""
    if line.isascii():
        return False
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """The file's text and encoding, detected per file: UTF-8 (with or without BOM), UTF-16, GBK/GB18030.

    A file whose lines are not all in one encoding (a GBK header with UTF-8 rows pasted under it) is
    refused, naming the first line that differs; so is Big5 (Traditional Chinese, never what a
    street office's Excel writes: its characters would be read as other ones).
    """
    import codecs

    from charset_normalizer import from_bytes

    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            first_non_utf8 = _line_of(raw, exc.start)
        best = from_bytes(raw, cp_isolation=["utf_8", "gb18030", "big5", "utf_16_le", "utf_16_be"]).best()
        guess = best.encoding if best is not None else ""
        if guess.startswith("utf_16"):
            encoding = guess.replace("_", "-")
        elif guess == "big5":
            raise LedgerError(_("{file} is in the Big5 (Traditional Chinese) encoding, which this program does not "
                                "read, so that no character is misread. Open it in Excel or WPS and save it as "
                                "\"CSV UTF-8\".").format(file=path.name))
        elif guess in ("gb18030", "utf_8"):
            lines = raw.split(b"\n")
            utf8 = [i for i, ln in enumerate(lines, 1) if _looks_utf8_chinese(ln)]
            if utf8:  # some lines are UTF-8 and at least one is not
                # The first line of the minority encoding is the one that does not belong.
                bad = utf8[0] if len(utf8) * 2 < sum(1 for ln in lines if not ln.isascii()) else first_non_utf8
                raise LedgerError(_("{file} mixes text encodings: line {line} is not in the same encoding as the "
                                    "rest (UTF-8 and GBK in one file), so its characters would be misread. Save the "
                                    "whole file again from Excel as \"CSV UTF-8\".").format(file=path.name, line=bad))
            encoding = "gb18030"
        else:
            raise LedgerError(_("{file} is not text in UTF-8, GBK or UTF-16 (line {line} cannot be read). Save it "
                                "from Excel as \"CSV UTF-8\" and import it again.").format(
                file=path.name, line=first_non_utf8))
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise LedgerError(_("{file}: line {line} cannot be read as {encoding}; the file is damaged or mixes "
                            "encodings. Save it from Excel as \"CSV UTF-8\" and import it again.").format(
            file=path.name, line=_line_of(raw, exc.start), encoding=_(ENCODING_LABELS.get(encoding, encoding))
        )) from exc


_DELIMITERS = {",": N_("commas"), "\t": N_("tabs"), ";": N_("semicolons"), "|": N_("vertical bars")}


def _rows(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    out: list[list[str]] = []
    for r in reader:
        out.append(r)
        if limit is not None and len(out) >= limit:
            break
    return out


def _choose_delimiter(path: Path, text: str) -> str:
    """The separator under which a header row is found; of several, the one giving the top rows the
    most consistent number of cells. A name holding ";" no longer decides it."""
    scored: list[tuple[int, int, str]] = []
    for d in _DELIMITERS:
        try:
            top = _rows(text, d, HEADER_SEARCH_ROWS * 2)
        except csv.Error:
            continue
        found = _find_header(top)
        if found is None:
            continue
        width = len(top[found[0]])
        consistent = sum(1 for r in top[found[0]:] if len(r) == width)
        scored.append((len(found[1]), consistent, d))
    if not scored:
        return ","
    return max(scored, key=lambda t: (t[0], t[1], t[2] == ","))[2]


def _unbalanced_quote(path: Path, text: str, delimiter: str, grid: list[list[str]]) -> None:
    """A quote opened and never closed swallows the rows after it into one cell: say where."""
    found = _find_header(grid)
    width = len(grid[found[0]]) if found else 0
    line = 1
    for r in grid:
        for cell in r:
            if "\n" in cell and width > 1 and any(part.count(delimiter) >= width - 1 for part in cell.split("\n")[1:]):
                raise LedgerError(_("{file}: a quotation mark (\") opened on line {line} is never closed, so the "
                                    "lines after it would be read as one cell. Remove the stray quotation mark and "
                                    "import again.").format(file=path.name, line=line))
        line += 1 + sum(cell.count("\n") for cell in r)


def _open_quote_line(text: str) -> int | None:
    """The line of a quotation mark that is never closed (a doubled "" inside a cell counts twice)."""
    inside, opened = False, 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count('"') % 2:
            inside = not inside
            opened = number if inside else opened
    return opened if inside else None


def _read_csv(path: Path, raw: bytes) -> tuple[list[list[object]], list[str]]:
    text, encoding = _decode(path, raw)
    if (line := _open_quote_line(text)) is not None:
        raise LedgerError(_("{file}: a quotation mark (\") opened on line {line} is never closed, so the lines after "
                            "it would be read as one cell. Remove the stray quotation mark and import again.").format(
            file=path.name, line=line))
    delimiter = _choose_delimiter(path, text)
    try:
        grid = _rows(text, delimiter)
    except csv.Error as exc:
        raise LedgerError(_("{file} is not a well-formed CSV file ({error}).").format(file=path.name, error=exc)) from exc
    if sum(1 for r in grid if any(c.strip() for c in r)) > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
        raise _too_many_rows(path)
    _unbalanced_quote(path, text, delimiter, grid)
    notes = [_("read as {encoding} text, columns separated by {separator}").format(
        encoding=_(ENCODING_LABELS.get(encoding, encoding)), separator=_(_DELIMITERS[delimiter]))]
    return [list(r) for r in grid], notes


def read_ledger(path: str | Path) -> ParsedLedger:
    """Read and parse a ledger file; no database. Raises LedgerError for a file that cannot be used."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        if suffix in (".xls", ".et", ".wps"):
            raise LedgerError(_("{file} is in the old Excel format. Open it in Excel or WPS and save it as "
                                ".xlsx, then import it again.").format(file=path.name))
        raise LedgerError(_("{file}: only .xlsx and .csv files can be imported.").format(file=path.name))
    try:
        if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
            raise LedgerError(_("{file} is {size} MB; a ledger can be at most {limit} MB. Split it into several "
                                "files.").format(file=path.name, size=path.stat().st_size // (1024 * 1024),
                                                 limit=MAX_FILE_BYTES // (1024 * 1024)))
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise LedgerError(_("The file {file} does not exist.").format(file=str(path))) from exc
    except (IsADirectoryError, PermissionError, OSError) as exc:
        raise LedgerError(_("The file {file} cannot be read: {error}").format(
            file=str(path), error=exc.strerror or type(exc).__name__)) from exc
    if not raw.strip():
        raise LedgerError(_("{file} is empty.").format(file=path.name))
    if raw.startswith(OLE_MAGIC):
        raise LedgerError(_("{file} is protected with a password (or is an old .xls file). Remove the password "
                            "in Excel or WPS, save it as .xlsx and import it again.").format(file=path.name))
    if suffix == ".csv" and raw.startswith(ZIP_MAGIC):
        raise LedgerError(_("{file} is an Excel workbook with a .csv name. Rename it to .xlsx.")
                          .format(file=path.name))
    if suffix != ".csv" and not raw.startswith(ZIP_MAGIC):
        raise LedgerError(_("{file} is not a readable Excel workbook ({error}).")
                          .format(file=path.name, error=_("not an .xlsx file")))
    read_notes: list[str] = []
    if suffix == ".csv":
        grid, read_notes = _read_csv(path, raw)
        sheets: list[tuple[str, Sequence[Sequence[object]]]] = [("", grid)]
    else:
        sheets = list(_read_xlsx(path))
    if not any(any(not _is_blank(v) for v in row) for _title, grid in sheets for row in grid):
        raise LedgerError(_("{file} is empty.").format(file=path.name))
    for title, sheet_grid in sheets:
        parsed = parse_grid(path, title, sheet_grid)
        if parsed is not None:
            if not parsed.rows:
                raise LedgerError(_("{file} has a header row but no organizations under it.").format(file=path.name))
            if len(parsed.rows) > MAX_DATA_ROWS:
                raise _too_many_rows(path)
            parsed.notes[:0] = read_notes
            return parsed
    raise LedgerError(_("No header row found in {file}: the first {n} rows have no column for the name and "
                        "the unified social credit code.").format(file=path.name, n=HEADER_SEARCH_ROWS))


# ---------------------------------------------------------------------------------------------
# Deciding and saving


@dataclass
class RowResult:
    row: int
    status: str  # imported | duplicate | invalid
    name: str
    credit_code: str
    reasons: tuple[str, ...] = ()
    dry_run: bool = False

    @property
    def status_label(self) -> str:
        return _((DRY_RUN_LABELS if self.dry_run else STATUS_LABELS)[self.status])


@dataclass
class ImportReport:
    rows: list[RowResult]
    dry_run: bool = False
    file: str = ""
    sheet: str = ""
    header_row: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the file was read; duplicate columns

    def _count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def imported_count(self) -> int:
        return self._count(IMPORTED)

    @property
    def duplicate_count(self) -> int:
        return self._count(DUPLICATE)

    @property
    def invalid_count(self) -> int:
        return self._count(INVALID)

    def summary(self) -> str:
        n = self.imported_count
        first = (ngettext("{n} organization will be imported", "{n} organizations will be imported", n)
                 if self.dry_run else ngettext("{n} organization imported", "{n} organizations imported", n))
        text = _("{imported}; {duplicates} duplicate and {invalid} invalid rows skipped.").format(
            imported=first.format(n=n), duplicates=self.duplicate_count, invalid=self.invalid_count)
        if self.dry_run:
            text += " " + _("This was a check only; nothing was saved.")
        return text


@dataclass
class _Plan:
    results: list[RowResult]
    to_save: list[tuple[RowResult, orgs.OrgInput]]
    clean: list[orgs.CleanOrg] = field(default_factory=list)  # the validated values of to_save, in its order


def plan_rows(rows: Iterable[LedgerRow], existing_codes: dict[str, str], existing_names: dict[str, str],
              known_domains: set[str], today: date, dry_run: bool = False) -> _Plan:
    """Decide each row's fate without writing anything. existing_*: code -> name, name -> code."""
    results: list[RowResult] = []
    to_save: list[tuple[RowResult, orgs.OrgInput]] = []
    cleaned: list[orgs.CleanOrg] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, tuple[int, str]] = {}
    for lr in rows:
        name = normalize_name(lr.data.name)
        code = normalize_code(lr.data.credit_code)
        if code and code in existing_codes:  # also an early code accepted in the form with a reason
            reason = orgs.problem("credit_code", _("is already registered for {name}").format(name=existing_codes[code]))
            results.append(RowResult(lr.row, DUPLICATE, name, code, (str(reason),), dry_run))
            continue
        problems = list(lr.problems)
        try:
            clean = orgs.validate(lr.data, today, known_domains=known_domains)
        except ValidationError as exc:
            told = {p.field for p in lr.problems}  # already said, with the column
            problems.extend(p for p in exc.problems if p.field not in told)
        if problems:
            results.append(RowResult(lr.row, INVALID, name, code, tuple(str(p) for p in problems), dry_run))
            continue
        if clean.credit_code in seen_codes:
            reason = orgs.problem("credit_code", _("appears already in row {row} of this file")
                                  .format(row=seen_codes[clean.credit_code]))
            results.append(RowResult(lr.row, DUPLICATE, clean.name, clean.credit_code, (str(reason),), dry_run))
            continue
        notes: list[str] = []
        if clean.name in existing_names:
            notes.append(str(orgs.problem("name", _("an organization with this name is already registered with the "
                                                    "code {code}; imported as another one").format(
                                                        code=existing_names[clean.name] or "—"))))
        elif clean.name in seen_names:
            notes.append(str(orgs.problem("name", _("the same name appears in row {row} with the code {code}; "
                                                    "imported as another one").format(
                                                        row=seen_names[clean.name][0], code=seen_names[clean.name][1]))))
        seen_codes[clean.credit_code] = lr.row
        seen_names.setdefault(clean.name, (lr.row, clean.credit_code))
        result = RowResult(lr.row, IMPORTED, clean.name, clean.credit_code, tuple(notes), dry_run)
        results.append(result)
        to_save.append((result, lr.data))
        cleaned.append(clean)
    return _Plan(results, to_save, cleaned)


def _registry(session: Session) -> tuple[dict[str, str], dict[str, str], set[str]]:
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, code in session.execute(select(Organization.name, Organization.credit_code)):
        if code:
            codes[code] = name
        names.setdefault(name, code or "")
    domains = set(session.scalars(select(ServiceDomain.name))) or set(orgs.DEFAULT_DOMAINS)
    return codes, names, domains


def _report(parsed: ParsedLedger, results: list[RowResult], dry_run: bool) -> ImportReport:
    return ImportReport(results, dry_run, parsed.path.name, parsed.sheet, parsed.header_row, parsed.ignored_columns,
                        list(parsed.notes))


def check_rows(session: Session, actor: Actor, parsed: ParsedLedger, today: date | None = None) -> ImportReport:
    """What importing would do (a service: reads only)."""
    codes, names, domains = _registry(session)
    plan = plan_rows(parsed.rows, codes, names, domains, today or date.today(), dry_run=True)
    return _report(parsed, plan.results, True)


Progress = Callable[[int, int], object]
"""Called with (rows saved, rows to save) for each saved row (rows are saved a chunk at a time); returning
False cancels the import."""
SAVE_CHUNK = 250


def save_rows(session: Session, actor: Actor, parsed: ParsedLedger, today: date | None = None,
              progress: Progress | None = None) -> ImportReport:
    """Save every valid, new row in the caller's transaction; any failure raises and saves nothing."""
    require(actor, Role.CLERK, Role.ADMIN)
    today = today or date.today()
    orgs.ensure_default_domains(session)
    codes, names, domains = _registry(session)
    plan = plan_rows(parsed.rows, codes, names, domains, today)
    total = len(plan.to_save)
    # In chunks, each one bulk INSERT of the records and one of their audit rows (orgs.create_many), so that
    # progress can be shown and the import cancelled; all in the caller's one transaction.
    for start in range(0, total, SAVE_CHUNK):
        orgs.create_many(session, actor, plan.clean[start:start + SAVE_CHUNK], today=today)
        for done in range(start + 1, min(total, start + SAVE_CHUNK) + 1):  # as before: a call per row
            if progress is not None and progress(done, total) is False:
                raise LedgerError(_("The import was cancelled; nothing was saved."))
    if total:
        # Which file the new records came from, next to their own "create" rows.
        changes: dict[str, tuple[object, object]] = {"imported": (None, total)}
        if parsed.sheet:
            changes["sheet"] = (None, parsed.sheet)
        audit.record(session, actor, "import", "ledger", "", parsed.path.name[:255], changes)
    return _report(parsed, plan.results, False)


def preview(desk: Desk, path: str | Path, today: date | None = None) -> ImportReport:
    """What importing the file would do; saves nothing."""
    return import_file(desk, path, dry_run=True, today=today)


def import_file(desk: Desk, path: str | Path, dry_run: bool = False, today: date | None = None,
                progress: Progress | None = None) -> ImportReport:
    """Import a ledger: all valid new rows in one transaction, or nothing.

    Rows are saved in bulk (orgs.create_many with their audit rows, well under a millisecond a row); the
    GUI runs it through its worker and passes `progress`, which may cancel.
    """
    with _no_cycle_collection():
        parsed = read_ledger(path)
        try:
            if dry_run:
                with desk.db.read_session() as session:
                    return check_rows(session, desk.actor, parsed, today)
            return desk.run(save_rows, parsed, today, progress)
        except SQLAlchemyError as exc:
            raise LedgerError(_("The database could not be written, so nothing was imported: {error}")
                              .format(error=_database_fault(exc))) from exc


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a ledger is read and saved.

    Reading and saving 5,000 rows makes millions of objects that live until the end (cells, rows,
    parameters, audit rows), none of them garbage; the collector walked them again and again, an eighth of
    the import's time (py-spy, issue 17). Reference counting still frees everything as usual; the work is
    bounded (MAX_DATA_ROWS), and the collector runs again afterwards."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _database_fault(exc: BaseException) -> str:
    """Plain words for why SQLite refused the write (a full disk says so, not "OperationalError")."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    if "full" in text:
        return _("there is not enough free space on the disk")
    if "readonly" in text or "read-only" in text:
        return _("the database or its folder is read-only")
    if "locked" in text or "busy" in text:
        return _("another program is writing to the database")
    return str(orig).splitlines()[0] if str(orig) else type(orig).__name__

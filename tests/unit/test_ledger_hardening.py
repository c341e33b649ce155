"""Issue 14, ledger import: each finding reproduced and shown handled — mixed encodings and Big5
refused naming the line, duplicate headers reported, an unbalanced quote refused, a name holding ";"
no longer hides the header, a date in the phone column invalid, control characters refused with
row and column, size and row limits, and the 20-million-empty-row workbook refused in bounded memory."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.uscc import make_code
from app.services import ledger_import as li

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime(2026, 6, 15).date()
C1, C2, C3 = (make_code("52", "110105", f"HX{n:06d}") for n in (1, 2, 3))
HEADER = "名称,统一社会信用代码,法定代表人,联系电话\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_gbk_file_with_a_utf8_row_is_refused_naming_the_row(tmp_path: Path) -> None:
    data = (HEADER + f"朝阳区阳光社工服务中心,{C1},李四,13800000000\n").encode("gbk") \
        + f"北京混合服务中心,{C2},张三,010-64000000\n".encode()
    with pytest.raises(li.LedgerError) as caught:
        li.read_ledger(_write(tmp_path, "mixed.csv", data))
    assert "第 3 行" in caught.value.message or "line 3" in caught.value.message
    assert "编码" in caught.value.message


def test_a_utf8_file_with_a_gbk_row_is_refused_naming_the_row(tmp_path: Path) -> None:
    data = (HEADER + f"朝阳区阳光社工服务中心,{C1},李四,13800000000\n第二个服务中心,{C3},王五,13900000000\n").encode() \
        + f"北京混合服务中心,{C2},张三,010-64000000\n".encode("gbk")
    with pytest.raises(li.LedgerError) as caught:
        li.read_ledger(_write(tmp_path, "mixed.csv", data))
    assert "第 4 行" in caught.value.message


def test_a_big5_file_is_refused_not_misread(tmp_path: Path) -> None:
    data = ("名稱,統一社會信用代碼,法定代表人\n北京市東城區協作者社會工作發展中心,"
            f"{C1},張三\n朝陽區陽光社工服務中心,{C2},李四\n").encode("big5")
    with pytest.raises(li.LedgerError) as caught:
        li.read_ledger(_write(tmp_path, "big5.csv", data))
    assert "Big5" in caught.value.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_each_supported_encoding_is_detected(tmp_path: Path, encoding: str) -> None:
    data = (HEADER + f"北京市东城区协作者社会工作发展中心,{C1},张三,010-64000000\n"
            f"朝阳区阳光社工服务中心,{C2},李四,13800000000\n").encode(encoding)
    parsed = li.read_ledger(_write(tmp_path, f"{encoding}.csv", data))
    assert [r.data.name for r in parsed.rows] == ["北京市东城区协作者社会工作发展中心", "朝阳区阳光社工服务中心"]
    assert parsed.notes and "逗号" in parsed.notes[0]


def test_duplicate_headers_are_reported_not_dropped_silently(tmp_path: Path) -> None:
    data = ("名称,统一社会信用代码,联系电话,手机\n" f"阳光中心,{C1},010-64000000,13800000000\n").encode()
    parsed = li.read_ledger(_write(tmp_path, "dup.csv", data))
    assert any("D" in n and "C" in n and "手机" in n for n in parsed.notes)
    data = ("名称,统一社会信用代码,名称\n" f"阳光中心,{C1},另一个名称\n").encode()
    parsed = li.read_ledger(_write(tmp_path, "dup2.csv", data))
    assert any("C" in n and "A" in n for n in parsed.notes)


def test_an_unbalanced_quote_is_refused_naming_its_line(tmp_path: Path) -> None:
    data = (HEADER + f"\"阳光中心,{C1},李四,13800000000\n和谐中心,{C2},张三,010-64000000\n"
            f"第三中心,{C3},王五,13900000000\n").encode()
    with pytest.raises(li.LedgerError) as caught:
        li.read_ledger(_write(tmp_path, "quote.csv", data))
    assert "2" in caught.value.message and "引号" in caught.value.message


def test_a_name_with_semicolons_does_not_hide_the_header(tmp_path: Path) -> None:
    data = (HEADER + f"\"阳光;中心;;;;;;;\",{C1},李四,13800000000\n和谐中心,{C2},张三,010-64000000\n").encode()
    parsed = li.read_ledger(_write(tmp_path, "semi.csv", data))
    assert len(parsed.rows) == 2 and parsed.columns["credit_code"] == 1


def test_semicolon_separated_files_are_read_and_said_so(tmp_path: Path) -> None:
    data = HEADER.replace(",", ";").encode() + f"阳光中心;{C1};李四;13800000000\n".encode()
    parsed = li.read_ledger(_write(tmp_path, "semi.csv", data))
    assert len(parsed.rows) == 1 and "分号" in parsed.notes[0]


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_a_date_cell_in_the_phone_column_is_invalid_with_the_reason(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "t.xlsx", [["名称", "统一社会信用代码", "联系电话"],
                                       ["阳光中心", C1, datetime(2023, 5, 1)]])
    parsed = li.read_ledger(path)
    plan = li.plan_rows(parsed.rows, {}, {}, set(), TODAY)
    assert plan.results[0].status == li.INVALID
    assert "C" in plan.results[0].reasons[0] and "日期" in plan.results[0].reasons[0]


@pytest.mark.parametrize("bad", ["\x00", "\x1b[2J", "\x07", "\u200b", "\u202e", "\u2060"])
def test_control_and_invisible_characters_are_refused_with_row_and_column(tmp_path: Path, bad: str) -> None:
    data = (HEADER + f"阳光中心,{C1},李四,13800000000\n和谐{bad}中心,{C2},张三,010-64000000\n").encode()
    parsed = li.read_ledger(_write(tmp_path, "ctl.csv", data))
    plan = li.plan_rows(parsed.rows, {}, {}, set(), TODAY)
    assert [r.status for r in plan.results] == [li.IMPORTED, li.INVALID]
    bad_row = plan.results[1]
    assert bad_row.row == 3 and "A" in bad_row.reasons[0] and "U+" in bad_row.reasons[0]
    assert len(bad_row.reasons) == 1  # said once, with the column


def test_size_and_row_limits_give_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(li, "MAX_DATA_ROWS", 50)
    codes = [make_code("52", "110105", f"LM{n:06d}") for n in range(80)]
    rows = "".join(f"中心{n},{c},张三,13800000000\n" for n, c in enumerate(codes))
    path = _write(tmp_path, "long.csv", (HEADER + rows).encode())
    with pytest.raises(li.LedgerError, match="50"):
        li.read_ledger(path)
    xlsx = _xlsx(tmp_path / "long.xlsx", [["名称", "统一社会信用代码"],
                                          *[[f"中心{n}", make_code("52", "110105", f"LM{n:06d}")] for n in range(80)]])
    with pytest.raises(li.LedgerError, match="50"):
        li.read_ledger(xlsx)
    monkeypatch.setattr(li, "MAX_FILE_BYTES", 1000)
    with pytest.raises(li.LedgerError, match="MB"):
        li.read_ledger(path)


def _bomb(path: Path, empty_rows: int) -> Path:
    """A real workbook whose sheet holds `empty_rows` empty rows after the data (a few MB zipped)."""
    plain = _xlsx(path.with_name("plain.xlsx"), [["名称", "统一社会信用代码"], ["阳光中心", C1]])
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, data)
                continue
            head, tail = data.decode().split("</sheetData>")
            with dst.open(info.filename, "w") as out:
                out.write(head.encode())
                chunk = 1_000_000
                for start in range(0, empty_rows, chunk):
                    out.write(b"<row/>" * min(chunk, empty_rows - start))
                out.write(("</sheetData>" + tail).encode())
    return path


def test_a_sheet_of_empty_rows_is_streamed_in_bounded_memory_and_stops_at_excels_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(li, "MAX_SHEET_ROWS", 50_000)
    with pytest.raises(li.LedgerError) as caught:
        li.read_ledger(_bomb(tmp_path / "rows.xlsx", 60_000))
    assert "50,000" in caught.value.message


@pytest.mark.slow
def test_the_twenty_million_empty_row_workbook_is_refused_under_300_mb(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.xlsx", 20_000_000)
    assert bomb.stat().st_size < 5 * 1024 * 1024
    script = textwrap.dedent(f"""
        import sys
        from app.services import ledger_import as li
        try:
            li.read_ledger({str(bomb)!r})
        except li.LedgerError as exc:
            print("REFUSED", exc.message)
        # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over fork and exec, so a child of a
        # big pytest process would report the parent's size (CI measured 1,078 MB that way).
        status = open("/proc/self/status").read()
        print("MAXRSS_KB", status.split("VmHWM:")[1].split()[0])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert "REFUSED" in done.stdout, done.stderr
    rss_mb = int(done.stdout.split("MAXRSS_KB")[1]) / 1024
    print(f"\nbomb: {bomb.stat().st_size / 1e6:.1f} MB file, peak memory {rss_mb:.0f} MB")
    assert rss_mb < 300


_csv_cell = st.one_of(st.text(max_size=12), st.sampled_from(["阳光中心", C1, "\"", ";", ",", "\n", "\x00", "\u200b"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_csv_cell, min_size=1, max_size=5), max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "big5"]),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_any_csv_in_any_encoding_parses_or_is_refused_with_a_message(tmp_path: Path, rows: list[list[str]],
                                                                     encoding: str, delimiter: str) -> None:
    text = delimiter.join(["名称", "统一社会信用代码"]) + "\n" + "\n".join(delimiter.join(r) for r in rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    try:
        parsed = li.read_ledger(path)
    except li.LedgerError as exc:
        assert exc.message.strip()
        return
    plan = li.plan_rows(parsed.rows, {}, {}, set(), TODAY)
    for r in plan.results:
        assert r.status == li.IMPORTED or r.reasons

"""Benchmark at district scale (issue 17): prints a table and writes the same figures as JSON.

Not a test: nothing here asserts a time. It builds its own district database in a temporary folder
(`spdesk demo --scale district`), then measures, each as the median of several runs where a run is
cheap enough:

- cold start of the program to the log-in window, and from log-in to a usable main window that
  lists the agreements (whole processes, offscreen Qt);
- whole-process `spdesk agreements list --json` and `spdesk print agreement NUMBER`;
- search as you type (two Chinese characters, pinyin initials, credit-code prefix) on the registry
  and the agreements: count + first page, median and 95th percentile;
- the last page of the registry and of the agreements; opening an agreement form's data;
- one three-page agreement PDF, and a batch of 100;
- a 5,000-row ledger import;
- peak memory (RSS) of each process, and the database size;
- in the same run, what offices use instead: LibreOffice (headless) converting the same agreement
  from .docx to PDF, and opening a 100,000-row ledger .xlsx — with each ratio.

Child processes run with bytecode caching into the temporary folder (PYTHONPYCACHEPREFIX), as an
installed program runs with its .pyc files; the first run of each command warms that cache and the
operating system's file cache and is not counted.

Run: make bench, or .venv/bin/python tests/bench/bench_scale.py [--scale office|district] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-password-17"
RUNS = 5


@dataclass
class Figure:
    key: str
    label: str
    value: float | None
    unit: str
    target: str = ""
    note: str = ""
    samples: list[float] = field(default_factory=list)

    def shown(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value:,.0f} {self.unit}" if self.value >= 100 else f"{self.value:,.1f} {self.unit}"


FIGURES: list[Figure] = []


def add(key: str, label: str, value: float | None, unit: str = "ms", target: str = "", note: str = "",
        samples: list[float] | None = None) -> None:
    FIGURES.append(Figure(key, label, value, unit, target, note, samples or []))
    print(f"  {label}: {FIGURES[-1].shown()}  {note}", flush=True)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# ---------------------------------------------------------------------------------------------
# Whole processes


class Env:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.vars = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.vars.update(PYTHONPATH=str(ROOT), SPDESK_DATA_DIR=str(tmp / "data"), QT_QPA_PLATFORM="offscreen",
                         PYTHONPYCACHEPREFIX=str(tmp / "pycache"), XDG_CONFIG_HOME=str(tmp / "config"),
                         SPDESK_PASSWORD=PASSWORD, SPDESK_USER="admin")

    def run(self, args: list[str], until: str | None = None) -> tuple[float, float, str]:
        """(seconds from start to exit — or to the first line starting with `until` —, peak RSS MiB, stdout).

        The child is reaped with os.wait4, which gives that one process's peak RSS."""
        with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
            t0 = time.perf_counter()
            proc = subprocess.Popen(args, cwd=ROOT, env=self.vars, stdout=subprocess.PIPE if until else out_f,
                                    stderr=err_f, text=True)
            seen = None
            lines: list[str] = []
            if until is not None:
                assert proc.stdout is not None
                for line in proc.stdout:
                    lines.append(line)
                    if seen is None and line.startswith(until):
                        seen = time.perf_counter() - t0
            _pid, status, usage = os.wait4(proc.pid, 0)
            elapsed = seen if seen is not None else time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.stdout is not None:
                proc.stdout.close()
            out_f.seek(0)
            err_f.seek(0)
            out = "".join(lines) + out_f.read()
            if proc.returncode != 0:
                raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {err_f.read()[-2000:]}")
        return elapsed, usage.ru_maxrss / 1024, out

    def median(self, args: list[str], runs: int = RUNS, until: str | None = None) -> tuple[float, float, list[float]]:
        self.run(args, until=until)  # warm-up: bytecode and file caches
        samples, peak = [], 0.0
        for _ in range(runs):
            t, rss, _out = self.run(args, until=until)
            samples.append(t * 1000)
            peak = max(peak, rss)
        return statistics.median(samples), peak, samples


PY = [sys.executable]


# ---------------------------------------------------------------------------------------------
# Children: the window up to the log-in dialog, and from log-in to the agreements listed.


def child_login(db: str) -> None:
    """The window's start as run_gui does it: the lock taken and the log-in window's contents read with
    sqlite3, the window shown, the database opened (SQLAlchemy imported) and scanned on the worker.
    Prints "shown" when the window is up and "checked MS" when the scans passed."""
    import threading

    from PySide6.QtWidgets import QApplication

    from app.i18n import set_language
    from app.services import login_start
    from app.views.app import install_qt_translations, make_application, show_login
    from app.views.startup_check import RUNNING, StartupCheck
    from app.views.worker import Worker

    t0 = time.perf_counter()
    qapp = make_application([sys.argv[0]])
    start = login_start.read(Path(db))
    assert start is not None, "the first look did not find the file in order"
    set_language(start.language)
    install_qt_translations(qapp, start.language)
    worker = Worker(None)
    check = StartupCheck.opening(worker, Path(db), start.lock)
    dialog = show_login(worker, check, start)
    dialog.show()
    orm = "sqlalchemy" in sys.modules  # False: the window came before the database was opened
    QApplication.processEvents()
    print("shown", "sqlalchemy loaded" if orm else "", flush=True)
    while check.state == RUNNING:
        QApplication.processEvents()
        time.sleep(0.005)
    print(f"checked {(time.perf_counter() - t0) * 1000:.1f} {check.state}", flush=True)
    check.wait()
    for thread in threading.enumerate():
        if thread.name == "spdesk-preload":
            thread.join()  # the main window's modules, imported while the person types
    dialog.close()
    check.close()
    del qapp


def child_main(db: str) -> None:
    from PySide6.QtWidgets import QApplication

    from app.services import accounts
    from app.services.context import Desk
    from app.views.app import make_application, open_desk, preload_main_window
    from app.views.main_window import MainWindow

    make_application([sys.argv[0]])
    preload_main_window()  # the program does this while the log-in window waits for the password
    desk = open_desk(Path(db))
    result = desk.run(accounts.authenticate, "admin", PASSWORD)
    assert result.ok and result.actor is not None, result.message
    t0 = time.perf_counter()
    window = MainWindow(Desk(desk.db, result.actor))
    window.show()
    window.go_to("agreements")
    page = window.pages["agreements"]
    while page.model.rowCount() == 0:
        QApplication.processEvents()
        time.sleep(0.001)
    QApplication.processEvents()
    print(f"listed {(time.perf_counter() - t0) * 1000:.1f} {page.model.rowCount()}", flush=True)
    window.shutdown()
    desk.db.dispose()


# ---------------------------------------------------------------------------------------------
# In-process measurements


def timed(fn, *args, **kw) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn(*args, **kw)
    return (time.perf_counter() - t) * 1000


def typing_sequence(text: str) -> list[str]:
    """What the search box holds after each keystroke (the page waits for a pause, but a fast typist
    still triggers a query per character or two)."""
    return [text[:i] for i in range(1, len(text) + 1)]


def bench_search(desk, scale_agreements: bool) -> None:  # type: ignore[no-untyped-def]
    from app.services import agreements as ag
    from app.services import orgs

    cases = {
        "two Chinese characters": ["阳光", "社区", "助老", "协会", "基金", "家庭", "书法", "调解"],
        "pinyin initials": ["yg", "ygzl", "sqjy", "xh", "bjsdc", "tx", "zlfwzx"],
        "credit-code prefix": ["52", "5211", "52110105", "51110108", "53", "5311"],
    }
    for kind, words in cases.items():
        samples: list[float] = []
        for word in words:
            for typed in typing_sequence(word):
                q = orgs.OrgQuery(search=typed)
                # What the registry page asks for: the count and the first 100 rows, in one transaction.
                samples.append(timed(lambda q=q: desk.run(orgs.first_page, q, 100)))
        add(f"search_orgs_{kind.split()[0]}_p50", f"registry search, {kind}: median", statistics.median(samples))
        add(f"search_orgs_{kind.split()[0]}_p95", f"registry search, {kind}: 95th percentile", p95(samples),
            target="< 30 ms")
    samples = []
    for word in ["阳光", "社区", "助老", "家庭", "2025", "东华门"]:
        for typed in typing_sequence(word):
            q = ag.AgreementQuery(search=typed)
            # What the agreements page asks for: the count and the first 200 rows, in one transaction.
            samples.append(timed(lambda q=q: desk.run(ag.first_page, q, 200)))
    add("search_agreements_p50", "agreement search (name, number): median", statistics.median(samples))
    add("search_agreements_p95", "agreement search (name, number): 95th percentile", p95(samples), target="< 30 ms")


def bench_pages(desk) -> None:  # type: ignore[no-untyped-def]
    """First, middle and last page of each list, as the list asks for them: keyset paging, after the last
    row it holds (that row's page key is found beforehand, untimed). OFFSET, as before, for the same pages."""
    from app.services import agreements as ag
    from app.services import orgs, projects

    lists = [
        ("registry", "registry", orgs.OrgQuery(), orgs.count, orgs.page, orgs.next_page),
        ("projects", "projects", projects.ProjectQuery(), projects.count_projects, projects.list_projects,
         projects.next_page),
        ("agreements", "agreements", ag.AgreementQuery(), ag.count_agreements, ag.list_agreements, ag.next_page),
    ]
    size = 200  # the window's page (app/views/paged_model.PAGE_SIZE)
    for key, name, query, count, by_offset, after in lists:
        n = desk.run(count, query)
        for where, offset in (("first", 0), ("middle", n // 2), ("last", max(0, n - size))):
            previous = desk.run(by_offset, query, offset - 1, 1)[0].page_key if offset else None
            samples = [timed(desk.run, after, query, previous, size) for _ in range(RUNS)]
            add(f"{key}_{where}_page", f"{name} ({n:,}): {where} page, keyset", statistics.median(samples),
                target="< 50 ms", samples=samples)
            if offset:
                old = statistics.median([timed(desk.run, by_offset, query, offset, size) for _ in range(3)])
                add(f"{key}_{where}_page_offset", f"{name} ({n:,}): {where} page, same query by OFFSET", old)


def bench_form(desk, aid: int) -> None:  # type: ignore[no-untyped-def]
    from app.services import agreements as ag

    state_fn = getattr(ag, "agreement_form_state", None)
    samples = []
    for _ in range(RUNS):
        t = time.perf_counter()
        desk.run(ag.get, aid)
        if state_fn is not None:
            desk.run(state_fn, aid)
        samples.append((time.perf_counter() - t) * 1000)
    add("open_agreement_form", "open an agreement form (its data)", statistics.median(samples), target="")


def bench_pdf(desk, aid: int, tmp: Path) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    from app.services import printing

    first = timed(desk.run, printing.render, "agreement", aid)
    samples = []
    for _ in range(RUNS * 2):
        t = time.perf_counter()
        r = desk.run(printing.render, "agreement", aid)
        samples.append((time.perf_counter() - t) * 1000)
    add("pdf_first", f"first agreement PDF in a process ({r.pages} pages)", first)
    add("pdf_one", f"one agreement PDF ({r.pages} pages), warm", statistics.median(samples), target="< 40 ms")
    # A batch as an office prints one: 100 different agreements (the same one 100 times would be served by
    # the layout caches almost entirely), those that go out on paper: for signature, signed, or done.
    from app.services import agreements as ag

    rows = desk.run(ag.list_agreements, ag.AgreementQuery(), 0, 1000)
    ids = [r.id for r in rows if r.state in ("awaiting_signature", "effective", "performing", "completed")][:100]
    t = time.perf_counter()
    files = printing.render_batch(desk, "agreement", ids, tmp / "batch", final=False)
    batch = time.perf_counter() - t
    add("pdf_batch_100", f"batch of {len(ids)} different agreement PDFs", batch * 1000, note=f"{len(files)} files")
    add("pdf_batch_each", "… per PDF in the batch", batch * 1000 / max(len(ids), 1), target="< 40 ms")
    return r.pages, r.pdf


# ---------------------------------------------------------------------------------------------
# Files for the comparisons


def write_docx(path: Path, paragraphs: list[str]) -> None:
    """A plain .docx (WordprocessingML by hand: no extra library) holding the agreement's text."""
    body = "".join(f'<w:p><w:r><w:rPr><w:rFonts w:eastAsia="SimSun"/><w:sz w:val="24"/></w:rPr>'
                   f'<w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs)
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                f'{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" '
                'w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>'
                '</w:body></w:document>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="'
                   'application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                   'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="'
                   'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                   'Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", document)


def pdf_paragraphs(pdf: bytes) -> list[str]:
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [line for page in reader.pages for line in page.extract_text().splitlines() if line.strip()]


def write_ledger_xlsx(path: Path, rows: int, seed: int = 17) -> None:
    import random

    from openpyxl import Workbook

    from app.domain.uscc import ALPHABET, make_code

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["序号", "社会组织名称", "统一社会信用代码", "法定代表人", "联系电话", "住所", "成立日期"])
    for i in range(1, rows + 1):
        code = make_code("52", "110101", "".join(rng.choice(ALPHABET) for _ in range(8)))
        ws.append([i, f"台账导入测试第{i}号社会工作服务中心", code, "王" + "伟芳娜敏静"[i % 5], f"010-6{i:07d}",
                   f"北京市东城区测试路{i}号", f"20{10 + i % 14}-0{1 + i % 9}-1{i % 10}"])
    wb.save(path)


def ensure_libreoffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("LibreOffice is missing: installing libreoffice-writer-nogui and libreoffice-calc-nogui …", flush=True)
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "libreoffice-writer-nogui",
                        "libreoffice-calc-nogui"], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                       stdout=subprocess.DEVNULL, check=False)
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice(env: Env, exe: str, args: list[str]) -> list[str]:
    profile = (env.tmp / "lo-profile").as_uri()
    return [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", *args]


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["office", "district"], default="district")
    parser.add_argument("--json", type=Path, default=ROOT / "out" / "bench.json")
    parser.add_argument("--reuse", type=Path, default=None,
                        help="copy this database (made by spdesk demo --scale) instead of generating one")
    parser.add_argument("--child", choices=["login", "main"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "login":
        child_login(args.db)
        return 0
    if args.child == "main":
        child_main(args.db)
        return 0

    with tempfile.TemporaryDirectory(prefix="spdesk-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = Env(tmp)
        os.environ.update({k: env.vars[k] for k in ("SPDESK_DATA_DIR", "XDG_CONFIG_HOME")})
        db = tmp / f"{args.scale}.sqlite3"
        if args.reuse is not None:
            shutil.copy(args.reuse, db)
            print(f"Using a copy of {args.reuse}", flush=True)
        else:
            print(f"Building the {args.scale} database in {tmp} …", flush=True)
            built, rss, out = env.run([*PY, "-m", "app", "demo", "--scale", args.scale, "--db", str(db)])
            print("  " + out.strip(), flush=True)
            add("build_db", f"generate the {args.scale} database", built, "s", note="(setup, not a target)")

        from app.services import accounts
        from app.services import agreements as ag
        from app.services.context import SYSTEM, Desk
        from app.store.startup import open_database

        database = open_database(db)
        desk = Desk(database, SYSTEM)
        admin = desk.run(accounts.create_first_admin, "admin", "管理员", PASSWORD)
        desk = Desk(database, admin)
        rows = desk.run(ag.list_agreements, ag.AgreementQuery(), 0, 50)
        aid = next(r.id for r in rows if r.state in ("performing", "effective"))
        number = next(r.number for r in rows if r.id == aid)
        # An agreement in performance was approved, and approval freezes its text (the program does this at
        # every approval; the generator does not, as freezing 100,000 texts would take it an hour): freeze it
        # so the print below prints what an office's database holds. Another agreement without a frozen text
        # (one approved before texts were frozen) is printed from its template: timed as well.
        from app.services import printing

        desk.run(printing.freeze, aid)
        unfrozen = next(r.number for r in rows if r.state in ("performing", "effective") and r.id != aid)
        database.dispose()  # the children below each open the file (one program per database file)

        print("Start-up (whole processes) …", flush=True)
        t, rss_login, samples = env.median([*PY, __file__, "--child", "login", "--db", str(db)], until="shown")
        add("login_window", "cold start to the log-in window", t, target="< 500 ms", samples=samples)
        _t, _rss, out = env.run([*PY, __file__, "--child", "login", "--db", str(db)], until="shown")
        checked = next(float(ln.split()[1]) for ln in out.splitlines() if ln.startswith("checked"))
        add("startup_checks", "cold start to the database's scans passed (log-in window already up)", checked,
            note="(the log-in waits for them; one run)")
        main_samples, rss_main = [], 0.0
        env.run([*PY, __file__, "--child", "main", "--db", str(db)])
        for _ in range(RUNS):
            _t, rss, out = env.run([*PY, __file__, "--child", "main", "--db", str(db)])
            line = next(ln for ln in out.splitlines() if ln.startswith("listed"))
            main_samples.append(float(line.split()[1]))
            rss_main = max(rss_main, rss)
        add("main_window", "log-in to a usable main window listing the agreements", statistics.median(main_samples),
            target="< 1000 ms", samples=main_samples)
        t, rss_list, samples = env.median([*PY, "-m", "app", "--db", str(db), "agreements", "list", "--json"])
        add("cli_list", "spdesk agreements list --json (whole process)", t, target="< 300 ms", samples=samples)
        # A reading command remembers the file's last clean scan (app.store.integrity): the first one after
        # a change pays both scans. Forget it once to time that.
        (tmp / "data" / "cache" / "integrity" / "clean.json").unlink(missing_ok=True)
        t_scan, _rss, _out = env.run([*PY, "-m", "app", "--db", str(db), "agreements", "list", "--json"])
        add("cli_list_scan", "spdesk agreements list --json, first after a change (both scans)", t_scan * 1000)
        out_pdf = tmp / "one.pdf"
        t_print, rss_print, samples = env.median([*PY, "-m", "app", "--db", str(db), "print", "agreement", number,
                                                  "--out", str(out_pdf), "--preview"])
        add("cli_print", "spdesk print agreement --preview (whole process, frozen text)", t_print, samples=samples)
        t_built, _rss, samples = env.median([*PY, "-m", "app", "--db", str(db), "print", "agreement", unfrozen,
                                             "--out", str(tmp / "built.pdf"), "--preview"], runs=3)
        add("cli_print_built", "spdesk print agreement --preview (whole process, no frozen text: built through "
            "the ORM)", t_built, samples=samples)

        print("Search, pages, form, printing (in this process) …", flush=True)
        database = open_database(db)
        desk = Desk(database, admin)
        bench_search(desk, True)
        bench_pages(desk)
        bench_form(desk, aid)
        pages, pdf = bench_pdf(desk, aid, tmp)

        print("Ledger import (5,000 rows) …", flush=True)
        ledger = tmp / "ledger5000.xlsx"
        write_ledger_xlsx(ledger, 5000)
        import_db = tmp / "import.sqlite3"
        database.dispose()
        shutil.copy(db, import_db)
        t_import, rss_import, out = env.run([*PY, "-m", "app", "--db", str(import_db), "orgs", "import", str(ledger)])
        add("import_5000", "import a 5,000-row ledger (whole process, audited)", t_import * 1000, target="< 3000 ms")

        # The monthly export (issue 12), whole process, for last month; exports read only.
        month = time.strftime("%Y-%m", time.localtime(time.time() - 31 * 86400))
        (tmp / "export").mkdir(exist_ok=True)  # the stick's folder: the program refuses one that is not there
        try:
            t_export, rss_export, _out = env.run([*PY, "-m", "app", "--db", str(db), "export", "month", month,
                                                  "--to", str(tmp / "export")])
            add("monthly_export", f"monthly export {month} (whole process)", t_export * 1000, target="< 5000 ms")
        except RuntimeError as error:
            rss_export = 0.0
            add("monthly_export", f"monthly export at {args.scale} scale", None, note=f"failed: {str(error)[-200:]}")
        add("peak_rss", "peak memory (largest of the processes above)", max(rss_login, rss_main, rss_list,
                                                                           rss_print, rss_import, rss_export), "MiB",
            target="< 300 MiB")
        add("db_size", "database size", db.stat().st_size / 2**20, "MiB")

        print("LibreOffice, in the same run …", flush=True)
        exe = ensure_libreoffice()
        if exe is None:
            add("lo_convert", "LibreOffice .docx → PDF", None, note="LibreOffice could not be installed here")
        else:
            docx = tmp / "agreement.docx"
            write_docx(docx, pdf_paragraphs(pdf))
            lo_out = tmp / "lo"
            t_lo, _rss, samples = env.median(soffice(env, exe, ["--convert-to", "pdf", "--outdir", str(lo_out),
                                                               str(docx)]), runs=3)
            add("lo_convert", "LibreOffice converting the same agreement .docx → PDF (whole process)", t_lo,
                samples=samples)
            add("ratio_print", "ratio: LibreOffice conversion / our whole-process print", t_lo / t_print, "×",
                target="≥ 3×")
            big = tmp / "ledger100k.xlsx"
            write_ledger_xlsx(big, 100_000)
            t_open, _rss, _out = env.run(soffice(env, exe, ["--convert-to", "csv", "--outdir", str(lo_out),
                                                           str(big)]))
            add("lo_open_100k", "LibreOffice opening a 100,000-row ledger .xlsx (whole process)", t_open * 1000)
            login = next(f.value for f in FIGURES if f.key == "login_window") or 0
            listed = next(f.value for f in FIGURES if f.key == "main_window") or 0
            add("ratio_open", "ratio: LibreOffice opening 100,000 rows / our start + log-in + listing 100,000 "
                "agreements", t_open * 1000 / (login + listed), "×")

        info = {"machine": machine(), "scale": args.scale, "figures": [f.__dict__ for f in FIGURES]}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
        print_table(info)
        print(f"\nJSON: {args.json}")
    return 0


def machine() -> dict[str, object]:
    cpu = ""
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": platform.platform(), "load_average": [round(x, 1) for x in load]}


def print_table(info: dict[str, object]) -> None:
    m = info["machine"]
    print(f"\n{m['cpu']}, {m['cores']} cores, Python {m['python']}, load average {m['load_average']}")  # type: ignore[index]
    width = max(len(f.label) for f in FIGURES)
    print(f"{'measure'.ljust(width)}  {'median':>12}  target")
    for f in FIGURES:
        print(f"{f.label.ljust(width)}  {f.shown():>12}  {f.target} {f.note}".rstrip())


if __name__ == "__main__":
    sys.exit(main())

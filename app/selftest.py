"""`spdesk --self-test`: prove that an installed copy works, without a screen and without network.

Everything happens in a fresh temporary folder (database, data folder, Qt settings); the user's
own data folder is never opened. Each step is timed and reported as OK or FAIL; the exit code is 0
only when every step passed. Qt is imported only inside the window step (offscreen), so missing Qt
plugins or libraries in a frozen bundle show up here rather than on a user's desk.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from app.i18n import N_, _

_FONT_FILE = "DroidSansFallbackFull.ttf"
_LEDGER_CSV = (
    "name,credit code,legal representative,phone,established\n"
    "Harmony Community Centre,52110105MJ000019X9,Li Ping,010-88886666,2018-01-02\n"
)


@dataclass
class StepResult:
    name: str
    ok: bool
    ms: float
    detail: str = ""


@dataclass
class SelfTest:
    """State shared by the steps: the temporary folder, the database, the records made so far."""

    root: Path
    db: Any = None
    people: dict[str, Any] = field(default_factory=dict)
    org_id: int | None = None
    project_id: int | None = None
    agreement_id: int | None = None
    results: list[StepResult] = field(default_factory=list)

    # -- steps -------------------------------------------------------------------------------

    def step_resources(self) -> str:
        from app.paths import i18n_dir, resource_path

        font = resource_path("fonts", _FONT_FILE)
        if not font.is_file() or font.stat().st_size < 1_000_000:
            raise RuntimeError(f"font missing: {font}")
        icon = resource_path("icons", "spdesk.svg")
        if not icon.is_file():
            raise RuntimeError(f"icon missing: {icon}")
        zh = i18n_dir() / "zh_CN" / "LC_MESSAGES"
        if not (zh / "spdesk.mo").is_file() and not (zh / "spdesk.po").is_file():
            raise RuntimeError(f"catalog missing: {zh}")
        return str(font.parent.parent)

    def step_translations(self) -> str:
        from app.i18n import set_language

        set_language("zh_CN")
        text = _("Organizations")
        if text == "Organizations":
            raise RuntimeError("the Chinese catalog was not loaded")
        return text

    def step_database(self) -> str:
        from app.services.orgs import ensure_default_domains
        from app.store import migrate
        from app.store.startup import open_database

        self.db = open_database(self.root / "selftest.sqlite3", daily_backup=False)
        with self.db.session() as s:
            ensure_default_domains(s)
        current = migrate.current_revision(self.db.engine)
        head = migrate.head_revision()
        if current != head:
            raise RuntimeError(f"schema at {current}, expected {head}")
        return str(current)

    def _make_people(self) -> None:
        from app.models import User
        from app.services.context import Actor, Desk

        roles = {"admin": "admin", "clerk": "clerk", "clerk2": "clerk", "reviewer": "reviewer"}
        with self.db.session() as s:
            made = []
            for username, role in roles.items():
                u = User(username=f"selftest_{username}", display_name=username, roles=role)
                s.add(u)
                made.append((username, u, role))
            s.flush()
            ids = [(name, u.id, u.username, role) for name, u, role in made]
        for name, uid, username, role in ids:
            self.people[name] = Desk(self.db, Actor(uid, username, username, frozenset({role})))

    def step_organization(self) -> str:
        from app.domain.uscc import make_code
        from app.services import orgs
        from app.services.context import Desk

        self._make_people()
        desk = Desk(self.db)
        data = orgs.OrgInput(name="阳光社会工作服务中心", credit_code=make_code("52", "110105", "TQ000001"),
                             legal_representative="张明", phone="010-88886666",
                             inspections=[orgs.InspectionInput(date.today().year - 1, "passed")])
        self.org_id = desk.run(orgs.save, data)
        for item in orgs.elig.MANUAL_ITEMS:
            desk.run(orgs.save_check, self.org_id, item.code, "met", "自检")
        return f"id {self.org_id}"

    def step_agreement(self) -> str:
        from app.services import agreements as ag
        from app.services import projects

        c, c2, r = self.people["clerk"], self.people["clerk2"], self.people["reviewer"]
        year = date.today().year
        requirement = {k: "自检" for k in ("req_goals", "req_standards", "req_quantity_scope", "req_period",
                                          "req_target_group", "req_content", "req_quality", "req_team",
                                          "req_assessment_standard", "req_time_place", "req_settlement")}
        pid = c.run(projects.save, projects.ProjectInput(
            name="社区居家养老服务项目", purchaser_department="社区服务科", budget_year=year,
            budget_amount="300,000", plan_years=1, **requirement, excl_admin_powers=True, excl_labour_dispatch=True,
            excl_disguised_employment=True, consultation_on=date.today().isoformat(), consultation_method="自检",
            consultation_result="自检"))
        c.run(projects.transition, pid, "approve_budget")
        c.run(projects.transition, pid, "draft_requirement")
        r.run(projects.transition, pid, "approve_requirement")
        c.run(projects.compile_documents, pid)
        c2.run(projects.recheck_documents, pid)
        c.run(projects.transition, pid, "start_procurement")
        c.run(projects.transition, pid, "record_award", award=projects.AwardInput(
            undertaker_id=self.org_id, notice_date=date.today().isoformat(), price="280000"))
        self.project_id = pid
        self.agreement_id = c.run(ag.save, ag.AgreementInput(
            project_id=pid, undertaker_id=self.org_id, service_content="为辖区老人提供助餐、探访服务",
            target_group="辖区老年人", place="示例社区养老驿站", amount="280000.00",
            period_start=date.today().isoformat(),
            instalments=[ag.InstalmentInput(percent="30", condition="on_signing"),
                         ag.InstalmentInput(percent="70", condition="final_acceptance")],
            acceptance_standard="按考核办法评分，80分以上为合格", rights_obligations="双方权利义务见附件",
            breach_liability="违约方承担相应责任", dispute_resolution="mediation", copies=4))
        detail = c.run(ag.get, self.agreement_id)
        return str(detail.number)

    def step_contract_pdf(self) -> str:
        from app.services import printing

        desk = self.people["clerk"]
        rendered = desk.run(printing.render, "contract", self.agreement_id)
        pdf: bytes = rendered.pdf
        if not pdf.startswith(b"%PDF-") or b"%%EOF" not in pdf[-64:]:
            raise RuntimeError("not a complete PDF")
        # reportlab writes the embedded TrueType subset as a /FontFile2 stream, never in an object stream.
        if b"/FontFile2" not in pdf:
            raise RuntimeError("no embedded font in the PDF")
        out = self.root / "contract.pdf"
        out.write_bytes(pdf)
        return f"{rendered.pages} p, {len(pdf) // 1024} KB"

    def step_ledger_import(self) -> str:
        from app.services import ledger_import

        path = self.root / "ledger.csv"
        path.write_text(_LEDGER_CSV, encoding="utf-8")
        report = ledger_import.import_file(self.people["clerk"], path)
        if report.imported_count != 1:
            raise RuntimeError(report.summary())
        return report.summary()

    def step_audit_chain(self) -> str:
        from app.services import audit

        with self.db.read_session() as s:
            report = audit.verify_chain(s)
        if not report.ok or report.count == 0:
            raise RuntimeError(report.describe())
        return report.describe()

    def step_window(self) -> str:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no screen needed, and the same on every desk
        from app.views.app import smoke_test_window  # Qt stays in app/views

        contract = self.root / "contract.pdf"  # written by the contract step, when it passed
        return smoke_test_window(self.people["admin"], self.root / "qsettings",
                                 contract if contract.is_file() else None)

    # -- running -----------------------------------------------------------------------------

    def steps(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            (N_("Bundled resources"), self.step_resources),
            (N_("Translations"), self.step_translations),
            (N_("Database and migrations"), self.step_database),
            (N_("Save an organization"), self.step_organization),
            (N_("Save an agreement"), self.step_agreement),
            (N_("Contract PDF with embedded font"), self.step_contract_pdf),
            (N_("Ledger import (CSV)"), self.step_ledger_import),
            (N_("Audit chain"), self.step_audit_chain),
            (N_("Main window (offscreen)"), self.step_window),
        ]

    def run(self, out: TextIO, verbose: bool = False) -> bool:
        for name, fn in self.steps():
            t0 = time.perf_counter()
            try:
                detail, ok = fn(), True
            except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the others
                detail, ok = f"{type(exc).__name__}: {exc}", False
                if verbose:
                    traceback.print_exc(file=out)
            ms = (time.perf_counter() - t0) * 1000
            self.results.append(StepResult(name, ok, ms, detail))
            mark = "OK" if ok else "FAIL"  # fixed words, so scripts and tests can read the report
            out.write(f"{mark:<4}  {_(name)}  {ms:.0f} ms  {detail}\n")
            out.flush()
        return all(r.ok for r in self.results)

    def close(self) -> None:
        if self.db is not None:
            self.db.dispose()
            self.db = None


def run_self_test(out: TextIO | None = None, verbose: bool = False) -> tuple[bool, list[StepResult]]:
    """Run every step in a temporary folder; the user's data folder and settings are never touched."""
    out = out or sys.stdout
    saved = {k: os.environ.get(k) for k in ("SPDESK_DATA_DIR", "SPDESK_DB")}
    # A late write (Qt settings, a worker finishing) must not turn a passed test into a crash on cleanup.
    with tempfile.TemporaryDirectory(prefix="spdesk-selftest-", ignore_cleanup_errors=True) as tmp:
        root = Path(tmp)
        os.environ["SPDESK_DATA_DIR"] = str(root / "data")
        os.environ["SPDESK_DB"] = str(root / "selftest.sqlite3")
        test = SelfTest(root)
        t0 = time.perf_counter()
        try:
            from app import __version__

            out.write(_("Service Purchase Desk {version}: self-test in {folder}").format(
                version=__version__, folder=root) + "\n")
            ok = test.run(out, verbose)
        finally:
            test.close()
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        total = (time.perf_counter() - t0) * 1000
        passed = sum(1 for r in test.results if r.ok)
        summary = _("Self-test passed: {passed} of {total} steps in {ms:.0f} ms") if ok else \
            _("Self-test FAILED: {passed} of {total} steps passed ({ms:.0f} ms)")
        out.write(summary.format(passed=passed, total=len(test.results), ms=total) + "\n")
    return ok, test.results


def main(verbose: bool = False) -> int:
    ok, _results = run_self_test(verbose=verbose or bool(os.environ.get("SPDESK_SELFTEST_VERBOSE")))
    return 0 if ok else 1

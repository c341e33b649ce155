"""The monthly summary as files for the district: report building (one read transaction) and writing.

Building reads the database once and returns plain data; rendering and writing happen outside any
transaction, so an export never writes to the database (not even an audit record) and a slow USB
stick never holds a lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app import __version__
from app.documents import report as rp
from app.documents.output import Cancelled, ExportError, write_package
from app.documents.spec import BarChart
from app.domain.errors import FieldProblem, ValidationError
from app.i18n import _
from app.services import audit, summary
from app.services.context import Actor

FORMATS = ("xlsx", "pdf", "csv", "json")
C = rp.Column


@dataclass(frozen=True)
class ExportData:
    """What one export writes, read in one transaction."""

    report: rp.Report
    period: summary.Period
    manifest: dict[str, Any]


def parse_formats(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    items = [x.strip().lower() for x in (raw.split(",") if isinstance(raw, str) else (raw or FORMATS)) if x.strip()]
    bad = [x for x in items if x not in FORMATS]
    if bad or not items:
        raise ValidationError([FieldProblem("formats", _("Formats"), _(
            "“{bad}” is not a format; choose from {choices}.").format(bad=", ".join(bad), choices=", ".join(FORMATS)))])
    return tuple(dict.fromkeys(items))


ORG_PRINT_ROWS = 200  # the PDF and the xlsx list the largest undertakers; the CSV and the JSON list all


def _group_section(key: str, title: str, head: str, rows: list[summary.GroupRow], total: summary.Figures,
                   phones: dict[str, str] | None = None, chart: BarChart | None = None,
                   print_rows: int | None = None, noun: str = "") -> rp.Section:
    cols = [C(head, width=30)]
    if phones is not None:
        cols.append(C("联系电话", rp.PHONE, 16))
    cols += [C("签订份数", rp.COUNT, 10), C("签订金额（元）", rp.MONEY, 18), C("执行中份数", rp.COUNT, 11),
             C("执行中金额（元）", rp.MONEY, 18)]

    def line(first: str, phone: str | None, f: summary.Figures) -> tuple[rp.Cell, ...]:
        lead: list[rp.Cell] = [first]
        if phones is not None:
            lead.append(phone)
        return (*lead, f.signed_count, f.signed_amount, f.in_force_count, f.in_force_amount)

    body = tuple(line(r.label, (phones or {}).get(r.key, ""), r.figures) for r in rows)
    rest: tuple[rp.Cell, ...] | None = None
    note = ""
    if print_rows is not None and len(rows) > print_rows:
        others = rows[print_rows:]
        rest = line(f"其余 {len(others):,} 家{noun}", "", sum((r.figures for r in others), summary.Figures()))
        note = (f"共 {len(rows):,} 家{noun}，此处列出签订金额、执行中金额最大的前 {print_rows} 家，其余合并为一行；"
                "{complete}")
    return rp.Section(key, title, tuple(cols), body, line("合计", "", total), chart=chart, print_rows=print_rows,
                      print_rest=rest, print_note=note)


UNAVAILABLE_ZH = {
    "payments": "本版本尚未记录付款，已付和应付金额暂不提供（不是零）。",
    "assessments": "本版本尚未记录考核，考核完成数和等次分布暂不提供（不是零）。",
    "objections": "本版本尚未记录异议，收到和按时答复的异议数暂不提供（不是零）。",
}
SECTION_TITLES = {"payments": "付款情况", "assessments": "考核情况", "objections": "异议处理"}
# Chinese names for the printed report, whatever the screen's language (documents leaving the office are Chinese).
METHOD_ZH = {"open_tender": "公开招标", "invited_tender": "邀请招标", "competitive_negotiation": "竞争性谈判",
             "competitive_consultation": "竞争性磋商", "single_source": "单一来源", "request_for_quotation": "询价",
             "direct_commission": "定向委托", "venture_philanthropy": "公益创投"}
NO_DOMAIN_ZH = "未分类"
DEADLINE_ZH = {"sign": "签订协议（中标通知后30日内）", "announce": "公告协议（签订后2个工作日内）",
               "file": "报财政备案（签订后规定工作日内）"}


def _money_chart(title: str, pairs: list[tuple[str, Decimal]]) -> BarChart:
    return BarChart(title, tuple(p[0] for p in pairs), tuple(int(p[1] * 100) for p in pairs),
                    tuple(rp.money_text(p[1]) for p in pairs))


def _feature_section(name: str, fig: Any) -> rp.Section:
    if isinstance(fig, summary.Unavailable) or fig is None:
        return rp.Section(name, SECTION_TITLES[name], (), (), note=UNAVAILABLE_ZH[name])
    section: rp.Section = fig.as_section()  # pragma: no cover - provided by the feature once it lands
    return section


def build(session: Session, actor: Actor | None, period: summary.Period | str, today: date | None = None,
          mask: bool = True, all_deadlines: bool = False) -> ExportData:
    """Read everything one export needs (read only).

    Every count counts everything. Of the open obligations (a district has hundreds of thousands) the
    package lists the first summary.DEADLINE_ROWS, overdue first, and says how many there are; with
    `all_deadlines` the CSV lists every one (the PDF, the xlsx and the JSON still the first: 194,742 rows
    made a 53 MB JSON and doubled the time and memory of the CSV alone).
    """
    s = summary.summarize(session, actor, period, today=today, deadline_rows=None if all_deadlines else summary.DEADLINE_ROWS)
    p = s.period
    trend = summary.monthly_trend(session, actor, today=p.end, n=12)
    phones = {str(i): phone for i, (_name, phone) in s.org_contacts.items()}
    t = s.totals
    by_domain = [summary.GroupRow(r.key, r.label if r.key else NO_DOMAIN_ZH, r.figures) for r in s.by_domain]
    by_method = [summary.GroupRow(r.key, METHOD_ZH.get(r.key, r.key or "未记录"), r.figures) for r in s.by_method]
    overview = rp.Section("overview", "总体情况", (C("指标", width=24), C("份数", rp.COUNT, 10),
                                                  C("金额（元）", rp.MONEY, 18), C("说明", width=50)), (
        ("本期签订协议", t.signed_count, t.signed_amount, f"{p.start.isoformat()} 至 {p.end.isoformat()} 生效的协议"),
        ("本期执行中协议", t.in_force_count, t.in_force_amount, "本期内处于服务期且未终止的协议"),
        ("下月到期协议", len(s.ending_next_month), sum((r.amount for r in s.ending_next_month), summary.ZERO),
         "服务期在下月结束"),
        ("期限提醒", s.deadlines_total, None,
         f"截至 {s.as_of.isoformat()} 未办结，其中逾期 {s.deadlines_overdue} 项"),
        *[(SECTION_TITLES[k], None, None, UNAVAILABLE_ZH[k]) for k, f in
          (("payments", s.payments), ("assessments", s.assessments), ("objections", s.objections))
          if isinstance(f, summary.Unavailable)],
    ))
    domain_chart = _money_chart("执行中协议金额（按服务领域）",
                                [(r.label, r.figures.in_force_amount) for r in by_domain][:12])
    ending = rp.Section("ending_next_month", "下月到期协议", (
        C("协议编号", width=26), C("承接组织", width=28), C("项目", width=28), C("服务期止", rp.DATE, 12),
        C("金额（元）", rp.MONEY, 16)),
        tuple((r.number, r.undertaker, r.project, r.period_end, r.amount) for r in s.ending_next_month),
        (f"合计 {len(s.ending_next_month)} 份", "", "", None, sum((r.amount for r in s.ending_next_month), summary.ZERO)))
    deadlines = rp.Section("deadlines", "期限提醒", (
        C("事项", width=30), C("协议编号或项目", width=28), C("承接组织", width=26), C("截止日期", rp.DATE, 12),
        C("状态", width=12)),
        tuple((DEADLINE_ZH.get(d.kind, d.kind), d.reference, d.undertaker, d.due,
               "逾期" if d.overdue else ("日历未覆盖" if d.due is None else "待办")) for d in s.deadlines),
        note=f"以 {s.as_of.isoformat()} 为准：已逾期的和下月底前到期的事项；工作日按法定节假日日历计算。" + (
            f"共 {s.deadlines_total:,} 项（其中逾期 {s.deadlines_overdue:,} 项），此处列出前 {len(s.deadlines):,} 项"
            "（逾期的在前，截止日期早的在前）。完整清单：导出时选择“列出全部期限”（命令行 --all-deadlines），"
            "由 CSV 文件列出。" if s.deadlines_truncated else ""),
        total_rows=s.deadlines_total, print_rows=summary.DEADLINE_ROWS, json_rows=summary.DEADLINE_ROWS,
        print_note=(f"共 {s.deadlines_total:,} 项（其中逾期 {s.deadlines_overdue:,} 项），此处列出前 "
                    f"{summary.DEADLINE_ROWS} 项（逾期的在前，截止日期早的在前）。{{complete}}"))
    trend_section = rp.Section("trend", "近十二个月签订情况", (
        C("月份", width=12), C("签订份数", rp.COUNT, 10), C("签订金额（元）", rp.MONEY, 18)),
        tuple((tp.period.key, tp.signed_count, tp.signed_amount) for tp in trend),
        ("合计", sum(tp.signed_count for tp in trend), sum((tp.signed_amount for tp in trend), summary.ZERO)),
        chart=_money_chart("每月签订金额", [(tp.period.key, tp.signed_amount) for tp in trend]))
    sections = (
        overview,
        _group_section("by_domain", "按服务领域", "服务领域", by_domain, t, chart=domain_chart),
        _group_section("by_org", "按承接组织", "承接组织", s.by_org, t, phones=phones, print_rows=ORG_PRINT_ROWS,
                       noun="承接组织"),
        _group_section("by_method", "按采购方式", "采购方式", by_method, t),
        ending, deadlines,
        _feature_section("payments", s.payments), _feature_section("assessments", s.assessments),
        _feature_section("objections", s.objections), trend_section,
    )
    head = audit.head(session, actor)
    schema = session.execute(text("SELECT version_num FROM alembic_version")).scalar() or ""
    generated = datetime.now(UTC).replace(microsecond=0).isoformat()
    meta = {"统计口径": "签订=协议生效日在期间内；执行中=期间内处于服务期且未终止", "生成时间（UTC）": generated,
            "程序版本": f"spdesk {__version__}", "数据库结构版本": schema, "审计链头": head,
            "个人号码": "已遮盖" if mask else "未遮盖"}
    office = s.office or "（未设置单位名称）"
    rep = rp.Report(f"{p.zh_label}政府购买服务汇总表", office, p.zh_label, sections, meta)
    manifest = {"office": s.office, "period": {"kind": p.kind, "key": p.key, "start": p.start.isoformat(),
                                               "end": p.end.isoformat()},
                "program": "spdesk", "program_version": __version__, "schema_version": schema, "audit_head": head,
                "audit": audit.current_anchor(session, actor).as_manifest(),
                "generated_at": generated, "masked": mask}
    return ExportData(rep, p, manifest)


def file_names(data: ExportData, formats: Iterable[str]) -> list[str]:
    out: list[str] = []
    stem = f"汇总-{data.period.key}"
    for f in formats:
        if f == "csv":
            out += [f"{stem}-{sec.key}.csv" for sec in data.report.sections]
        else:
            out.append(f"{stem}.{f}")
    return out


def _complete_in(sec: rp.Section, stem: str, formats: list[str]) -> list[str]:
    """The files of this package that list all of a section's rows (the CSV lists every row read, the JSON
    those up to its `json_rows`)."""
    if sec.listed(len(sec.rows)) is not None:
        return []
    whole_json = sec.json_rows is None or len(sec.rows) <= sec.json_rows
    return [n for f, n in (("csv", f"{stem}-{sec.key}.csv"), ("json", f"{stem}.json"))
            if f in formats and (f == "csv" or whole_json)]


def with_where(report: rp.Report, stem: str, formats: list[str]) -> rp.Report:
    """Fill in where the complete list is, in the notes of sections that the PDF and the xlsx cut short."""
    def where(sec: rp.Section) -> rp.Section:
        if "{complete}" not in sec.print_note:
            return sec
        files = _complete_in(sec, stem, formats)
        text = (f"完整清单见本导出包中的 {'、'.join(files)}。" if files
                else "本导出包未含完整清单（导出 CSV 格式时由其列出）。")
        return replace(sec, print_note=sec.print_note.replace("{complete}", text))
    return replace(report, sections=tuple(where(sec) for sec in report.sections))


def truncation(data: ExportData, formats: Iterable[str]) -> dict[str, Any]:
    """For the manifest: each section that some file of the package does not list in full, and how many
    rows each of those files lists (a file not named lists them all)."""
    formats = list(formats)
    stem = f"汇总-{data.period.key}"
    out: dict[str, Any] = {}
    for sec in data.report.sections:
        total = len(sec.rows) if sec.total_rows is None else sec.total_rows
        listed: dict[str, int] = {}
        for f in formats:
            n = len(sec.rows)
            if f in ("pdf", "xlsx") and sec.print_rows is not None:
                n = min(n, sec.print_rows)
            if f == "json" and sec.json_rows is not None:
                n = min(n, sec.json_rows)
            if n < total and (f != "csv" or sec.columns):
                listed[f"{stem}-{sec.key}.csv" if f == "csv" else f"{stem}.{f}"] = n
        if listed:
            out[sec.key] = {"total_rows": total, "listed_rows": listed,
                            "complete_in": _complete_in(sec, stem, formats)}
    return out


def render(data: ExportData, formats: Iterable[str], mask: bool = True,
           progress: Callable[[int, int], None] | None = None,
           cancelled: Callable[[], bool] | None = None) -> dict[str, bytes]:
    """The export's files as bytes (CPU only, no database)."""
    formats = list(formats)
    files: dict[str, bytes] = {}
    stem = f"汇总-{data.period.key}"
    data = replace(data, report=with_where(data.report, stem, formats))
    for i, f in enumerate(formats):
        if cancelled is not None and cancelled():
            raise Cancelled()
        if f == "xlsx":
            files[f"{stem}.xlsx"] = rp.to_xlsx(data.report, mask)
        elif f == "pdf":
            files[f"{stem}.pdf"] = rp.to_pdf(data.report, mask)
        elif f == "csv":
            for sec in data.report.sections:
                if sec.columns:
                    files[f"{stem}-{sec.key}.csv"] = rp.to_csv(sec, mask)
        elif f == "json":
            files[f"{stem}.json"] = rp.to_json(data.report, mask)
        if progress is not None:
            progress(i + 1, len(formats))
    return files


def package_name(data: ExportData) -> str:
    safe = "".join(ch for ch in (data.manifest.get("office") or "spdesk") if ch not in '\\/:*?"<>|').strip() or "spdesk"
    return f"{safe}-月度汇总-{data.period.key}"


def write(data: ExportData, target: Path, formats: Iterable[str], mask: bool = True,
          progress: Callable[[str, int, int], None] | None = None,
          cancelled: Callable[[], bool] | None = None) -> Path:
    """Render and write the package folder on `target` (the database is not touched)."""
    formats = parse_formats(list(formats))
    files = render(data, formats, mask, (lambda i, n: progress("render", i, n)) if progress else None, cancelled)
    manifest = dict(data.manifest)
    cut = truncation(data, formats)
    if cut:  # sections some file lists only in part, with where the whole list is (or that it is not here)
        manifest["truncated"] = cut
    return write_package(Path(target), package_name(data), files, manifest,
                         (lambda i, n: progress("write", i, n)) if progress else None, cancelled)


__all__ = ["FORMATS", "Cancelled", "ExportData", "ExportError", "build", "parse_formats", "render", "write"]

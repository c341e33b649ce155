"""Contract templates (合同模板): numbered clauses whose text holds named fields, kept with versions.

Templates are data, never code. A clause's text may hold `{field_name}` placeholders from
FIELD_CATALOGUE and nothing else: no format specs, attribute access or positional fields (the
reason str.format is not used: "{party_a.__class__}" or "{0:>99999999}" would reach into Python).
Substitution is a regular expression over `{identifier}`; every other brace is an error. Block
fields (tables, signature lines) stand alone on their own line.

Versions are never changed: saving makes a new version, and a print record names the version it
was printed from, so a reprint of a signed agreement gives the same text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.errors import FieldProblem, NotFound, ValidationError
from app.domain.text import clean_line, clean_prose, normalize_text
from app.i18n import N_, _
from app.models.printing import DocumentTemplate, TemplateVersion
from app.paths import resource_path
from app.services import audit
from app.services.context import SYSTEM, Actor
from app.services.permissions import Role, require


@dataclass(frozen=True)
class FieldSpec:
    label: str  # N_-marked
    example: str
    block: bool = False  # a table or lines that stand alone on their own line


FIELD_CATALOGUE: dict[str, FieldSpec] = {
    "number": FieldSpec(N_("Agreement number"), "示例街道购服〔2026〕001号"),
    "project_name": FieldSpec(N_("Project name"), "社区居家养老服务项目"),
    "year_index": FieldSpec(N_("Plan year"), "1"),
    "purchaser": FieldSpec(N_("Purchaser"), "示例街道办事处"),
    "undertaker": FieldSpec(N_("Undertaker"), "阳光社会工作服务中心"),
    "party_a": FieldSpec(N_("Party A"), "示例街道办事处"),
    "party_b": FieldSpec(N_("Party B"), "阳光社会工作服务中心"),
    "purchaser_party": FieldSpec(N_("Purchaser's party label (甲方/乙方)"), "甲方"),
    "undertaker_party": FieldSpec(N_("Undertaker's party label (甲方/乙方)"), "乙方"),
    "service_content": FieldSpec(N_("Service content"), "为辖区60岁以上老人提供助餐、探访服务。"),
    "target_group": FieldSpec(N_("Target group"), "辖区老年人"),
    "place": FieldSpec(N_("Place of service"), "示例社区养老驿站"),
    "quantity_scope": FieldSpec(N_("Quantity or scope (from the requirement)"), "覆盖本街道所辖8个社区。"),
    "quality": FieldSpec(N_("Quality (from the requirement)"), "服务对象满意度不低于90%。"),
    "service_standards": FieldSpec(N_("Applicable standards (from the requirement)"), "执行国家和本市相关服务标准。"),
    "amount_digits": FieldSpec(N_("Amount in digits"), "¥280,000.00"),
    "amount_upper": FieldSpec(N_("Amount in RMB capitals"), "人民币贰拾捌万元整"),
    "amount_contract": FieldSpec(N_("Amount in capitals and digits"), "人民币贰拾捌万元整（¥280,000.00）"),
    "charge_form": FieldSpec(N_("Paid or free of charge (有偿/无偿)"), "无偿"),
    "fee_terms": FieldSpec(N_("Fee terms (free of charge or the amount)"), "秉持公益理念，甲方无偿为乙方提供服务。"),
    "period_start": FieldSpec(N_("Period start"), "2026年3月1日"),
    "period_end": FieldSpec(N_("Period end"), "2027年2月28日"),
    "acceptance_standard": FieldSpec(N_("Acceptance standard"), "按考核办法评分，80分以上为合格。"),
    "rights_obligations": FieldSpec(N_("Rights and obligations"), "甲方负责监督检查并按约定付款。"),
    "breach_liability": FieldSpec(N_("Breach liability"), "违约方承担相应责任。"),
    "dispute_resolution": FieldSpec(N_("Dispute resolution"), "双方协商解决；协商不成的，依法向甲方所在地人民法院起诉。"),
    "copies": FieldSpec(N_("Number of copies (Chinese numeral)"), "四"),
    "copies_each": FieldSpec(N_("Copies each party holds"), "甲乙双方各执两份"),
    "bank_account": FieldSpec(N_("Undertaker's bank account"), "户名：…；开户行：…；账号：…"),
    "effective_on": FieldSpec(N_("Effective date of the agreement"), "2026年2月27日"),
    "period_note": FieldSpec(N_("Service before the agreement took effect (printed only when the period "
                                "began earlier)"),
                             "服务期限的起始日早于本合同生效之日：本合同自双方签字盖章之日起生效……"),
    "assessed_on": FieldSpec(N_("Assessment date"), "2026年9月1日"),
    "amendment_seq": FieldSpec(N_("Supplementary agreement number"), "1"),
    "amendment_reason": FieldSpec(N_("Reason for the supplementary agreement"), "服务对象增加"),
    "team": FieldSpec(N_("Service team (from the requirement)"), "配备持证社会工作者不少于3名。"),
    "handover": FieldSpec(N_("Hand-over at the end (from the requirement)"), "期满后10个工作日内移交服务档案。"),
    "contingencies": FieldSpec(N_("Contingencies (from the requirement)"), "制定突发事件应急预案。"),
    "consortium": FieldSpec(N_("Consortium members and their joint liability"), "本项目由联合体承接……"),
    "original_title": FieldSpec(N_("Title of the original agreement"), "政府购买服务合同"),
    "doc_word": FieldSpec(N_("The agreement's word for itself (合同/协议)"), "合同"),
    "payment_table": FieldSpec(N_("Payment schedule (table)"), "", block=True),
    "consortium_table": FieldSpec(N_("Consortium members, to seal (table)"), "", block=True),
    "changes_table": FieldSpec(N_("Changed clauses, before and after (table)"), "", block=True),
    "project_table": FieldSpec(N_("Project particulars (table)"), "", block=True),
    "result_lines": FieldSpec(N_("Result lines to fill in by hand"), "", block=True),
    "supervisor_signatures": FieldSpec(N_("Beneficiary supervisors' signature lines (table)"), "", block=True),
}

KINDS = {
    "contract": N_("Government purchase-of-services contract"),
    "community": N_("Community service agreement"),
    "supplementary": N_("Supplementary agreement"),
    "assessment_notice": N_("Assessment-result notice"),
    "acceptance_form": N_("Acceptance form"),
}

# The clauses each kind must have, by the requirement key a clause declares.
REQUIREMENTS: dict[str, str] = {
    "scope": N_("Scope of the purchase"),
    "subject": N_("Subject"),
    "quantity": N_("Quantity"),
    "quality": N_("Quality"),
    "period": N_("Period"),
    "amount": N_("Amount"),
    "payment": N_("Payment method tied to assessment"),
    "acceptance": N_("Acceptance standard or assessment method"),
    "rights_obligations": N_("Rights and obligations"),
    "breach": N_("Breach liability"),
    "dispute": N_("Dispute resolution"),
    "no_subcontracting": N_("No subcontracting"),
    "copies": N_("Number of copies"),
    "effective": N_("Effective date"),
    "purpose": N_("Purpose and requirements"),
    "target_group": N_("Service recipients"),
    "content": N_("Service content"),
    "form": N_("Form of service"),
    "assessment": N_("Assessment"),
    "fees": N_("Fees"),
    "reason": N_("Reason for the change"),
    "changes": N_("Changed clauses"),
    "unchanged": N_("Other clauses stay in force"),
    "basis": N_("Basis of the assessment"),
    "result": N_("Result"),
    "objection": N_("Objection within 5 working days"),
    "particulars": N_("Project particulars"),
    "opinion": N_("Acceptance opinion"),
    "supervisors": N_("Beneficiary supervisors (at least 3)"),
}

# 成都规程第二十二条 ∪ 财政部令第102号第二十三条 ∪ 广东七(三); seed 000 第三篇; 成都第二十五、二十七条.
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    "contract": ("scope", "subject", "quantity", "quality", "period", "amount", "payment", "acceptance",
                 "rights_obligations", "breach", "dispute", "no_subcontracting", "copies", "effective"),
    "community": ("purpose", "target_group", "content", "form", "assessment", "fees", "period"),
    "supplementary": ("reason", "changes", "unchanged", "copies"),
    "assessment_notice": ("basis", "result", "objection", "supervisors"),
    "acceptance_form": ("particulars", "acceptance", "opinion", "supervisors"),
}
# Fields a kind needs somewhere in its text: each group is satisfied by any one of its fields.
REQUIRED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "contract": (("payment_table",), ("amount_contract", "amount_upper")),
    "supplementary": (("changes_table",),),
    "assessment_notice": (("supervisor_signatures",),),
    "acceptance_form": (("supervisor_signatures",),),
}

_TOKEN = re.compile(r"\{[^{}\n]*\}|[{}]")
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class ClauseInput:
    title: str = ""  # empty title: an unnumbered paragraph (the preamble)
    text: str = ""
    requirement: str = ""  # the REQUIREMENTS key this clause satisfies, or ""


def article_numbers(titles: Sequence[str]) -> list[int]:
    """Article numbers as they print, for the editor, the check and the PDF alike: a clause without a
    title is an unnumbered paragraph (0), the others count 1, 2, 3…"""
    out: list[int] = []
    n = 0
    for title in titles:
        n += 1 if title.strip() else 0
        out.append(n if title.strip() else 0)
    return out


def clause_key(index: int) -> str:
    """The `field` of a problem found in the clause at `index`: the editor flags that row by it."""
    return f"clauses:{index}"


def _clause_name(n: int, c: ClauseInput) -> str:
    return _("Clause {n} ({title})").format(n=n, title=c.title.strip()) if n else _("Preamble")


def fields_in(text: str) -> list[str]:
    return _FIELD.findall(text)


def check_clauses(kind: str, clauses: list[ClauseInput]) -> list[FieldProblem]:
    """Every problem with a template's clauses, for the editor to show while typing."""
    out: list[FieldProblem] = []
    if kind not in KINDS:
        return [FieldProblem("kind", _("Template type"), _("is not a known template type"))]
    seen: set[str] = set()
    used: set[str] = set()
    for index, (n, c) in enumerate(zip(article_numbers([c.title for c in clauses]), clauses, strict=True)):
        where = _clause_name(n, c)
        key = clause_key(index)
        if not normalize_text(c.text):
            out.append(FieldProblem(key, where, _("has no text")))
        for token in _TOKEN.findall(c.text):
            if token in ("{", "}"):
                out.append(FieldProblem(key, where, _("has an unbalanced brace “{brace}”; fields are written "
                                                             "like {{party_a}}").format(brace=token)))
                continue
            m = _FIELD.fullmatch(token)
            if m is None:
                out.append(FieldProblem(key, where, _("“{token}” is not a field; a field is a name from the "
                                                             "list, like {{party_a}}").format(token=token)))
                continue
            name = m.group(1)
            spec = FIELD_CATALOGUE.get(name)
            if spec is None:
                out.append(FieldProblem(key, where, _("unknown field “{name}”").format(name=name)))
                continue
            used.add(name)
            if spec.block and not any(line.strip() == token for line in c.text.splitlines()):
                out.append(FieldProblem(key, where, _("the table field “{name}” must stand alone on its own "
                                                             "line").format(name=name)))
        if c.requirement:
            if c.requirement not in REQUIREMENTS:
                out.append(FieldProblem(key, where, _("declares an unknown required clause “{key}”")
                                        .format(key=c.requirement)))
            seen.add(c.requirement)
    for key in REQUIRED_BY_KIND.get(kind, ()):
        if key not in seen:
            out.append(FieldProblem("clauses", _("Template"), _("the required clause “{name}” is missing")
                                    .format(name=_(REQUIREMENTS[key]))))
    for group in REQUIRED_FIELDS.get(kind, ()):
        if not used & set(group):
            out.append(FieldProblem("clauses", _("Template"), _("the field “{name}” ({label}) is not used")
                                    .format(name=group[0], label=_(FIELD_CATALOGUE[group[0]].label))))
    return out


class UnknownField(KeyError):
    pass


def substitute(text: str, values: dict[str, str]) -> str:
    """Replace {name} with values[name]; anything else with a brace has been refused by check_clauses."""
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            raise UnknownField(name)
        return values[name]

    return _FIELD.sub(one, text)


# ---------------------------------------------------------------------------------------------
# Shipped templates and the library


SHIPPED_KINDS = tuple(KINDS)


@dataclass(frozen=True)
class ShippedTemplate:
    kind: str
    name: str
    clauses: list[ClauseInput]


def shipped(kind: str) -> ShippedTemplate:
    raw = json.loads(resource_path("templates", f"{kind}.json").read_text(encoding="utf-8"))
    return ShippedTemplate(raw["kind"], raw["name"], [ClauseInput(c.get("title", ""), c["text"], c.get("requirement", ""))
                                                      for c in raw["clauses"]])


def _dump(clauses: list[ClauseInput]) -> str:
    return json.dumps([{"title": c.title, "text": c.text, "requirement": c.requirement} for c in clauses],
                      ensure_ascii=False)


def _load(text: str) -> list[ClauseInput]:
    return [ClauseInput(c["title"], c["text"], c["requirement"]) for c in json.loads(text)]


def ensure_templates(session: Session, actor: Actor | None = None) -> int:
    """Seed each shipped template the library lacks (first use); returns how many were added.

    A template the office never edited (its current version is a shipped one) follows a newer shipped
    text as a new version; an edited one is left alone. Old versions never change, so what was
    printed from them reprints the same.
    """
    have = set(session.scalars(select(DocumentTemplate.kind)))
    added = 0
    for kind in SHIPPED_KINDS:
        if kind in have:
            _follow_shipped(session, actor or SYSTEM, kind)
            continue
        t = shipped(kind)
        row = DocumentTemplate(kind=kind, name=t.name, current_version=1, active=True)
        row.versions.append(TemplateVersion(version=1, name=t.name, clauses=_dump(t.clauses), note="shipped"))
        session.add(row)
        session.flush()
        audit.record(session, actor or SYSTEM, "create", "template", row.id, t.name, {"version": (None, 1)})
        added += 1
    return added


def _follow_shipped(session: Session, actor: Actor, kind: str) -> None:
    row = session.scalar(select(DocumentTemplate).where(DocumentTemplate.kind == kind).order_by(DocumentTemplate.id))
    if row is None:
        return
    current = _version(session, row.id, row.current_version)
    t = shipped(kind)
    if current.note != "shipped" or (current.name == t.name and current.clauses == _dump(t.clauses)):
        return
    new = (session.scalar(select(func.max(TemplateVersion.version)).where(TemplateVersion.template_id == row.id))
           or 0) + 1
    row.versions.append(TemplateVersion(version=new, name=t.name, clauses=_dump(t.clauses), note="shipped"))
    row.name, row.current_version = t.name, new
    session.flush()
    audit.record(session, actor, "update", "template", row.id, t.name, {"version": (current.version, new)})


@dataclass(frozen=True)
class TemplateRow:
    id: int
    kind: str
    name: str
    version: int
    active: bool
    updated_at: datetime

    @property
    def kind_label(self) -> str:
        return _(KINDS.get(self.kind, self.kind))


@dataclass(frozen=True)
class TemplateDetail:
    id: int
    kind: str
    name: str
    version: int
    clauses: list[ClauseInput]
    version_id: int = 0


def list_templates(session: Session, actor: Actor | None) -> list[TemplateRow]:
    ensure_templates(session, actor)
    rows = session.scalars(select(DocumentTemplate).order_by(DocumentTemplate.id))
    return [TemplateRow(t.id, t.kind, t.name, t.current_version, t.active, t.updated_at) for t in rows]


def _template(session: Session, template_id: int) -> DocumentTemplate:
    t = session.get(DocumentTemplate, template_id)
    if t is None:
        raise NotFound(_("The template no longer exists."))
    return t


def _version(session: Session, template_id: int, version: int) -> TemplateVersion:
    v = session.scalar(select(TemplateVersion).where(TemplateVersion.template_id == template_id,
                                                     TemplateVersion.version == version))
    if v is None:
        raise NotFound(_("The template version no longer exists."))
    return v


def get_template(session: Session, actor: Actor | None, template_id: int, version: int | None = None) -> TemplateDetail:
    t = _template(session, template_id)
    v = _version(session, t.id, version or t.current_version)
    return TemplateDetail(t.id, t.kind, v.name, v.version, _load(v.clauses), v.id)


def get_version(session: Session, version_id: int) -> TemplateDetail:
    v = session.get(TemplateVersion, version_id)
    if v is None:
        raise NotFound(_("The template version no longer exists."))
    return TemplateDetail(v.template_id, v.template.kind, v.name, v.version, _load(v.clauses), v.id)


def current_for_kind(session: Session, kind: str) -> TemplateDetail | None:
    t = session.scalar(select(DocumentTemplate).where(DocumentTemplate.kind == kind, DocumentTemplate.active.is_(True))
                       .order_by(DocumentTemplate.id))
    if t is None:
        return None
    return get_template(session, None, t.id)


def check_edit(actor: Actor) -> None:
    require(actor, Role.ADMIN)


def save_template(session: Session, actor: Actor, template_id: int, name: str, clauses: list[ClauseInput]) -> int:
    """Save the clauses as a NEW version (older versions, which prints refer to, never change)."""
    check_edit(actor)
    t = _template(session, template_id)
    title = clean_line(name)
    clean = [ClauseInput(clean_line(c.title), clean_prose(c.text), clean_prose(c.requirement)) for c in clauses]
    problems = check_clauses(t.kind, clean)
    if not title:
        problems.insert(0, FieldProblem("name", _("Template name"), _("is required")))
    if problems:
        raise ValidationError(problems)
    current = _version(session, t.id, t.current_version)
    if current.name == title and current.clauses == _dump(clean):
        return current.version
    new = (session.scalar(select(func.max(TemplateVersion.version)).where(TemplateVersion.template_id == t.id))
           or 0) + 1
    t.versions.append(TemplateVersion(version=new, name=title, clauses=_dump(clean), created_by=actor.id))
    before = {"name": t.name, "version": t.current_version}
    t.name, t.current_version, t.updated_by = title, new, actor.id
    session.flush()
    audit.record(session, actor, "update", "template", t.id, title, audit.diff(before, {"name": title, "version": new}))
    return new

"""Assessment checklists (考核指标体系): versioned like contract templates, checked when saved.

Two are shipped: the community social-service checklist (process, output, outcome, satisfaction)
and the year-end performance evaluation of 成都规程第三十二条 (its eight contents). Saving makes a
new immutable version; an assessment names the version it was filled on, so an old assessment
always shows the indicators it was scored against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import assessment as asm
from app.domain.assessment import GradeBand, Indicator
from app.domain.errors import FieldProblem, NotFound, ValidationError
from app.domain.text import clean_line, clean_prose, normalize_compact, normalize_text
from app.i18n import N_, _
from app.models.assessment import ChecklistTemplate, ChecklistVersion
from app.paths import resource_path
from app.services import audit
from app.services.context import Actor
from app.services.permissions import Role, require

SHIPPED = ("community_social", "chengdu_art32")
PURPOSES = {"assessment": N_("Assessment during the service"), "year_end": N_("Year-end performance evaluation")}


@dataclass(frozen=True)
class ChecklistDetail:
    template_id: int
    version_id: int
    version: int
    code: str
    name: str
    purpose: str
    indicators: tuple[Indicator, ...]
    bands: tuple[GradeBand, ...]

    def indicator(self, key: str) -> Indicator:
        for i in self.indicators:
            if i.key == key:
                return i
        raise KeyError(key)


@dataclass(frozen=True)
class ChecklistRow:
    template_id: int
    version_id: int
    code: str
    name: str
    purpose: str
    version: int
    indicators: int


def _dec(raw: object, where: str, what: str, problems: list[FieldProblem]) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
        if not value.is_finite():
            raise InvalidOperation
        return value
    except (InvalidOperation, ValueError):
        problems.append(FieldProblem("indicators", where, _("{what} is not a number").format(what=what)))
        return Decimal(0)


def parse_indicators(items: list[dict[str, object]], problems: list[FieldProblem]) -> list[Indicator]:
    out = []
    for n, item in enumerate(items, start=1):
        name = clean_line(item.get("name", ""))  # prose as typed: （）、 stay full-width
        where = name or _("Indicator {n}").format(n=n)
        weight = _dec(item.get("weight", ""), where, _("the weight"), problems)
        max_raw = item.get("max", item.get("max_score", weight))
        try:
            level = int(str(item.get("level", 1)).strip())
        except ValueError:
            problems.append(FieldProblem("indicators", where, _("level must be 1, 2 or 3")))
            level = 0
        key = normalize_compact(item.get("key")) or str(n)  # numbers are identifiers: １.２ is 1.2
        parent = normalize_compact(item.get("parent")) or None
        out.append(Indicator(key, level, parent, name, weight, _dec(max_raw, where, _("the maximum score"), problems),
                             clean_prose(item.get("scoring", "")), clean_prose(item.get("evidence", ""))))
    return out


def parse_bands(items: list[dict[str, object]], problems: list[FieldProblem]) -> list[GradeBand]:
    where = _("Grade bands")
    return [GradeBand(str(b["grade"]), str(b.get("label", b["grade"])),
                      _dec(b.get("minimum", ""), where, _("a lower bound"), problems), bool(b.get("passing", True)))
            for b in items]


def _dump_indicators(inds: list[Indicator] | tuple[Indicator, ...]) -> str:
    return json.dumps([{"key": i.key, "level": i.level, "parent": i.parent, "name": i.name, "weight": str(i.weight),
                        "max": str(i.max_score), "scoring": i.scoring, "evidence": i.evidence} for i in inds],
                      ensure_ascii=False)


def _dump_bands(bands: list[GradeBand] | tuple[GradeBand, ...]) -> str:
    return json.dumps([{"grade": b.grade, "label": b.label, "minimum": str(b.minimum), "passing": b.passing}
                       for b in bands], ensure_ascii=False)


def validate(indicators: list[dict[str, object]], bands: list[dict[str, object]]) -> tuple[list[Indicator], list[GradeBand]]:
    """Parse and check a checklist; a refusal names the level (or indicator) and the reason."""
    problems: list[FieldProblem] = []
    inds = parse_indicators(indicators, problems)
    bnds = parse_bands(bands, problems) if bands else list(asm.DEFAULT_BANDS)
    if not problems:
        problems += [FieldProblem("indicators", p.where, p.reason) for p in asm.check_template(inds, bnds)]
    if problems:
        raise ValidationError(problems)
    return inds, bnds


def shipped(code: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(resource_path("checklists", f"{code}.json").read_text(encoding="utf-8"))
    return data


def ensure_checklists(session: Session, actor: Actor | None = None) -> int:
    """Seed each shipped checklist the database lacks; returns how many were added."""
    have = set(session.scalars(select(ChecklistTemplate.code)))
    added = 0
    for code in SHIPPED:
        if code in have:
            continue
        raw = shipped(code)
        inds, bands = validate(raw["indicators"], raw["bands"])  # type: ignore[arg-type]
        t = ChecklistTemplate(code=code, name=str(raw["name"]), purpose=str(raw["purpose"]), current_version=1,
                              created_by=actor.id if actor else None)
        t.versions.append(ChecklistVersion(version=1, name=t.name, indicators=_dump_indicators(inds),
                                           bands=_dump_bands(bands), note="shipped"))
        session.add(t)
        added += 1
    if added:
        session.flush()
    return added


def _detail(v: ChecklistVersion) -> ChecklistDetail:
    problems: list[FieldProblem] = []
    inds = parse_indicators(json.loads(v.indicators), problems)
    bands = parse_bands(json.loads(v.bands), problems)
    t = v.template
    return ChecklistDetail(t.id, v.id, v.version, t.code, v.name, t.purpose, tuple(inds), tuple(bands))


def get_version(session: Session, version_id: int) -> ChecklistDetail:
    v = session.get(ChecklistVersion, version_id)
    if v is None:
        raise NotFound(_("The checklist no longer exists."))
    return _detail(v)


def current(session: Session, template_id: int) -> ChecklistDetail:
    t = session.get(ChecklistTemplate, template_id)
    if t is None:
        raise NotFound(_("The checklist no longer exists."))
    v = next(v for v in t.versions if v.version == t.current_version)
    return _detail(v)


def checklist(session: Session, actor: Actor | None, version_id: int) -> ChecklistDetail:
    return get_version(session, version_id)


def by_code(session: Session, actor: Actor | None, code: str) -> ChecklistDetail:
    ensure_checklists(session)
    t = session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == code))
    if t is None:
        raise NotFound(_("The checklist no longer exists."))
    return current(session, t.id)


def list_checklists(session: Session, actor: Actor | None = None, purpose: str | None = None) -> list[ChecklistRow]:
    ensure_checklists(session)
    s = select(ChecklistTemplate).where(ChecklistTemplate.active.is_(True)).order_by(ChecklistTemplate.id)
    if purpose:
        s = s.where(ChecklistTemplate.purpose == purpose)
    out = []
    for t in session.scalars(s):
        v = next(v for v in t.versions if v.version == t.current_version)
        out.append(ChecklistRow(t.id, v.id, t.code, v.name, t.purpose, v.version, len(json.loads(v.indicators))))
    return out


def check_edit(actor: Actor) -> None:
    require(actor, Role.ADMIN)


@dataclass(frozen=True)
class EditorState:
    """What the checklist editor shows: every checklist, and the chosen one's current version."""

    rows: list[ChecklistRow]
    detail: ChecklistDetail | None
    purposes: dict[str, str]  # code -> translated label, for a new checklist


def indicator_fields(i: Indicator) -> dict[str, str]:
    """One indicator as the editor's text cells (and as save_checklist reads them back)."""
    return {"key": i.key, "level": str(i.level), "parent": i.parent or "", "name": i.name, "weight": f"{i.weight:f}",
            "max": f"{i.max_score:f}", "scoring": i.scoring, "evidence": i.evidence}


def band_fields(b: GradeBand) -> dict[str, object]:
    return {"grade": b.grade, "label": b.label, "minimum": f"{b.minimum:f}", "passing": b.passing}


def editor_state(session: Session, actor: Actor, template_id: int | None) -> EditorState:
    check_edit(actor)
    rows = list_checklists(session, actor)
    chosen = template_id if template_id is not None else (rows[0].template_id if rows else None)
    return EditorState(rows, current(session, chosen) if chosen is not None else None,
                       {k: _(v) for k, v in PURPOSES.items()})


def save_checklist(session: Session, actor: Actor, template_id: int | None, name: str,
                   indicators: list[dict[str, object]], bands: list[dict[str, object]] | None = None,
                   purpose: str = "assessment", note: str = "", code: str = "") -> int:
    """Save a new version (or a new checklist); returns the version id."""
    check_edit(actor)
    title = clean_line(name)
    if not title:
        raise ValidationError([FieldProblem("name", _("Checklist name"), _("is required"))])
    inds, bnds = validate(indicators, bands or [])
    if template_id is None:
        if purpose not in PURPOSES:
            raise ValidationError([FieldProblem("purpose", _("Purpose"), _("is not one of the allowed values"))])
        key = normalize_text(code) or f"custom_{(session.scalar(select(ChecklistTemplate.id).order_by(ChecklistTemplate.id.desc())) or 0) + 1}"
        t = ChecklistTemplate(code=key, name=title, purpose=purpose, current_version=0, created_by=actor.id)
        session.add(t)
    else:
        found = session.get(ChecklistTemplate, template_id)
        if found is None:
            raise NotFound(_("The checklist no longer exists."))
        t = found
    t.current_version += 1
    t.name = title
    t.updated_by = actor.id
    v = ChecklistVersion(version=t.current_version, name=title, indicators=_dump_indicators(inds),
                         bands=_dump_bands(bnds), note=clean_prose(note), created_by=actor.id)
    t.versions.append(v)
    session.flush()
    audit.record(session, actor, "update" if template_id else "create", "checklist", t.id, title,
                 {"version": (None, str(t.current_version))})
    return v.id

"""Procurement method thresholds as data: the budget range each method is meant for, by region.

Defaults come from the seeds (the Shanghai survey's Jing'an practice: under 100,000 directed
commission, up to 500,000 negotiation or consultation, 500,000 and over open tender; 成都规程
第四十一条 for "other" projects below the threshold). The administrator edits them. A project whose
budget lies outside its method's range needs a recorded reason before its requirement goes to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import procurement as pc
from app.domain.errors import FieldProblem, ValidationError
from app.domain.money import parse_amount
from app.domain.rules import cite
from app.domain.text import normalize_text
from app.i18n import _, format_amount
from app.models import ProcurementThreshold
from app.services import audit
from app.services import settings as settings_service
from app.services.context import Actor
from app.services.permissions import Role, require

REGION_SETTING = "threshold_region"
DEFAULT_REGION = "default"


@dataclass(frozen=True)
class ThresholdRow:
    method: str
    min_amount: Decimal | None  # inclusive
    max_amount: Decimal | None  # exclusive
    source: str

    @property
    def method_label(self) -> str:
        return _(pc.PROCUREMENT_METHODS.get(self.method, self.method))


def region(session: Session) -> str:
    return settings_service.get(session, REGION_SETTING, DEFAULT_REGION) or DEFAULT_REGION


def list_thresholds(session: Session, actor: Actor | None = None) -> list[ThresholdRow]:
    rows = session.scalars(select(ProcurementThreshold).where(ProcurementThreshold.region == region(session)))
    by_method = {r.method: r for r in rows}
    return [ThresholdRow(m, by_method[m].min_amount, by_method[m].max_amount, by_method[m].source)
            if m in by_method else ThresholdRow(m, None, None, "") for m in pc.PROCUREMENT_METHODS]


def problem_with(session: Session, method: str, budget: Decimal | None) -> str:
    """Why `budget` lies outside the range of `method` in this office's region, or ""."""
    if budget is None:
        return ""
    row = session.scalar(select(ProcurementThreshold).where(ProcurementThreshold.region == region(session),
                                                            ProcurementThreshold.method == method))
    if row is None:
        return ""
    name = _(pc.PROCUREMENT_METHODS.get(method, method))
    if row.max_amount is not None and budget >= row.max_amount:
        return _("The budget {budget} reaches the upper limit {limit} for {method} ({source}); use a more "
                 "competitive method or record the reason.").format(
            budget=format_amount(budget), limit=format_amount(row.max_amount), method=name,
            source=cite("method_thresholds"))
    if row.min_amount is not None and budget < row.min_amount:
        return _("The budget {budget} is below the lower limit {limit} for {method} ({source}); record the "
                 "reason.").format(budget=format_amount(budget), limit=format_amount(row.min_amount), method=name,
                                   source=cite("method_thresholds"))
    return ""


def save_thresholds(session: Session, actor: Actor, rows: list[tuple[str, object, object]]) -> None:
    """Replace this region's thresholds: (method, lower limit or "", upper limit or "") per method."""
    require(actor, Role.ADMIN)
    problems: list[FieldProblem] = []
    clean: list[tuple[str, Decimal | None, Decimal | None]] = []
    for method, lo_raw, hi_raw in rows:
        if method not in pc.PROCUREMENT_METHODS:
            problems.append(FieldProblem("method", _("Procurement method"), _("is not one of the allowed values")))
            continue
        label = _(pc.PROCUREMENT_METHODS[method])
        try:
            lo, hi = parse_amount(lo_raw), parse_amount(hi_raw)
        except ValueError:
            problems.append(FieldProblem(method, label, _("is not an amount (write it like 123456.78)")))
            continue
        if lo is not None and hi is not None and lo >= hi:
            problems.append(FieldProblem(method, label, _("the lower limit must be below the upper limit")))
            continue
        clean.append((method, lo, hi))
    if problems:
        raise ValidationError(problems)
    where = region(session)
    existing = {r.method: r for r in session.scalars(
        select(ProcurementThreshold).where(ProcurementThreshold.region == where))}
    for method, lo, hi in clean:
        row = existing.get(method)
        before = (row.min_amount, row.max_amount) if row else (None, None)
        if before == (lo, hi):
            continue
        if row is None:
            row = ProcurementThreshold(region=where, method=method, source=normalize_text(_("set by the office")))
            session.add(row)
        row.min_amount, row.max_amount = lo, hi
        audit.record(session, actor, "update", "threshold", method, _(pc.PROCUREMENT_METHODS[method]),
                     {"min_amount": (before[0], lo), "max_amount": (before[1], hi)})
    session.flush()


def save_rules(session: Session, actor: Actor, inspection_deadline: str,
               rows: list[tuple[str, object, object]]) -> None:
    """The Settings page's rule section in one transaction: the filing deadline and the thresholds."""
    settings_service.set_inspection_deadline(session, actor, inspection_deadline)
    save_thresholds(session, actor, rows)

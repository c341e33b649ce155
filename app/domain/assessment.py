"""Scoring of assessment checklists (考核指标), satisfaction, milestones and instalment status.

Pure functions: the service validates with them and the checklist form shows live figures from
the very same functions, so what the assessor sees while typing is what is saved.

Weights (DOMAIN.md §3.7): at every level the weights of all indicators of that level add up to
100, and an indicator's weight is the sum of its children's weights. A leaf carries a maximum
score; its contribution to the total is score / maximum × weight. Totals are rounded half up to
0.01. Grade bands are lower bounds, inclusive: with the default bands 90.00 is 优秀 and 89.99 is
良好.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from app.i18n import N_, _

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
LEVEL_LABELS = {1: N_("level 1"), 2: N_("level 2"), 3: N_("level 3")}


@dataclass(frozen=True)
class Indicator:
    key: str  # stable within a template version, e.g. "1", "1.2", "1.2.3"
    level: int  # 1..3
    parent: str | None
    name: str
    weight: Decimal
    max_score: Decimal
    scoring: str = ""  # how it is scored (评分标准)
    evidence: str = ""  # what evidence it needs (佐证材料)


@dataclass(frozen=True)
class GradeBand:
    grade: str  # excellent | good | pass | fail (or any code an office adds)
    label: str  # as printed, e.g. 优秀
    minimum: Decimal  # inclusive lower bound
    passing: bool


DEFAULT_BANDS: tuple[GradeBand, ...] = (
    GradeBand("excellent", "优秀", Decimal(90), True),
    GradeBand("good", "良好", Decimal(80), True),
    GradeBand("pass", "合格", Decimal(60), True),
    GradeBand("fail", "不合格", Decimal(0), False),
)


@dataclass(frozen=True)
class TemplateProblem:
    where: str  # translated: "level 2" or an indicator's name
    reason: str  # translated


def leaves(indicators: Sequence[Indicator]) -> list[Indicator]:
    parents = {i.parent for i in indicators if i.parent}
    return [i for i in indicators if i.key not in parents]


def _fmt(d: Decimal) -> str:
    return f"{d.normalize():f}"


def check_template(indicators: Sequence[Indicator], bands: Sequence[GradeBand] = DEFAULT_BANDS) -> list[TemplateProblem]:
    """Everything wrong with a checklist, naming the level or the indicator (empty when it can be saved)."""
    out: list[TemplateProblem] = []
    if not indicators:
        return [TemplateProblem(_("Indicators"), _("the checklist has no indicators"))]
    keys = [i.key for i in indicators]
    by_key = {i.key: i for i in indicators}
    if len(set(keys)) != len(keys):
        out.append(TemplateProblem(_("Indicators"), _("two indicators have the same number")))
    for i in indicators:
        if i.level not in (1, 2, 3):
            out.append(TemplateProblem(i.name, _("level must be 1, 2 or 3")))
            continue
        if not i.name.strip():
            out.append(TemplateProblem(_(LEVEL_LABELS[i.level]), _("an indicator has no name")))
        if i.level == 1 and i.parent:
            out.append(TemplateProblem(i.name, _("a level 1 indicator has no parent")))
        if i.level > 1:
            parent = by_key.get(i.parent or "")
            if parent is None or parent.level != i.level - 1:
                out.append(TemplateProblem(i.name, _("its parent must be an indicator of the level above")))
        if i.weight <= 0:
            out.append(TemplateProblem(i.name, _("the weight must be greater than zero")))
        if i.max_score <= 0:
            out.append(TemplateProblem(i.name, _("the maximum score must be greater than zero")))
    for level in (1, 2, 3):
        at_level = [i for i in indicators if i.level == level]
        if not at_level:
            continue
        total = sum((i.weight for i in at_level), Decimal(0))
        if total != HUNDRED:
            out.append(TemplateProblem(_(LEVEL_LABELS[level]), _("the weights add up to {total}, not 100")
                                       .format(total=_fmt(total))))
    for i in indicators:
        children = [c for c in indicators if c.parent == i.key]
        if children:
            s = sum((c.weight for c in children), Decimal(0))
            if s != i.weight:
                out.append(TemplateProblem(i.name, _("its sub-indicators' weights add up to {sum}, not its weight {weight}")
                                           .format(sum=_fmt(s), weight=_fmt(i.weight))))
    out += check_bands(bands)
    return out


def check_bands(bands: Sequence[GradeBand]) -> list[TemplateProblem]:
    where = _("Grade bands")
    if not bands:
        return [TemplateProblem(where, _("at least one grade band is needed"))]
    out: list[TemplateProblem] = []
    mins = [b.minimum for b in bands]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        out.append(TemplateProblem(where, _("the lower bounds must fall strictly from the first band to the last")))
    if bands[-1].minimum != 0:
        out.append(TemplateProblem(where, _("the last band must start at 0 so that every total has a grade")))
    if any(not 0 <= m <= HUNDRED for m in mins):
        out.append(TemplateProblem(where, _("a lower bound must be between 0 and 100")))
    return out


def parse_score(raw: object) -> Decimal | None:
    """A score as typed ("85", "８５．５", ""); None when empty; ValueError when not a number."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw)
    import unicodedata

    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def score_problem(ind: Indicator, score: Decimal | None) -> str:
    """Why this score cannot be saved for this indicator ("" when it can)."""
    if score is None:
        return ""
    if score < 0:
        return _("must not be negative")
    if score > ind.max_score:
        return _("is above the maximum {max}").format(max=_fmt(ind.max_score))
    if score != score.quantize(CENT):
        return _("has more than two decimals")
    return ""


def total_score(indicators: Sequence[Indicator], scores: Mapping[str, Decimal | None]) -> Decimal:
    """The weighted total out of 100 (missing scores count as 0), rounded half up to 0.01."""
    total = Decimal(0)
    for leaf in leaves(indicators):
        s = scores.get(leaf.key)
        if s is None or leaf.max_score <= 0:
            continue
        total += s / leaf.max_score * leaf.weight
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def subtotal(indicators: Sequence[Indicator], key: str, scores: Mapping[str, Decimal | None]) -> Decimal:
    """One indicator's weighted points (its own, or its descendants')."""
    children = [i for i in indicators if i.parent == key]
    if not children:
        ind = next(i for i in indicators if i.key == key)
        s = scores.get(key)
        return Decimal(0) if s is None else (s / ind.max_score * ind.weight).quantize(CENT, rounding=ROUND_HALF_UP)
    return sum((subtotal(indicators, c.key, scores) for c in children), Decimal(0))


def grade_for(total: Decimal, bands: Sequence[GradeBand] = DEFAULT_BANDS) -> GradeBand:
    """The first band whose inclusive lower bound the total reaches."""
    for band in bands:
        if total >= band.minimum:
            return band
    return bands[-1]


def satisfaction_rate(asked: int | None, satisfied: int | None) -> Decimal | None:
    """满意率 in percent with two decimals; None when nobody was asked. ValueError on impossible counts."""
    if asked is None or asked == 0:
        if satisfied:
            raise ValueError("satisfied without asked")
        return None
    if asked < 0 or satisfied is None or satisfied < 0 or satisfied > asked:
        raise ValueError("bad counts")
    return (Decimal(satisfied) * HUNDRED / Decimal(asked)).quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------
# Milestones


class MilestoneKind(StrEnum):
    ROUTINE = "routine"  # quarterly check of a continuing service
    MID_TERM = "mid_term"  # gates an instalment ("after the milestone assessment passes")
    FINAL = "final"  # year-end / final assessment: decides renewal


MILESTONE_KIND_LABELS = {
    MilestoneKind.ROUTINE: N_("Quarterly check"),
    MilestoneKind.MID_TERM: N_("Milestone assessment"),
    MilestoneKind.FINAL: N_("Final assessment"),
}


@dataclass(frozen=True)
class PlannedInstalment:
    seq: int
    condition: str  # on_signing | milestone_passed | final_acceptance
    milestone: str


@dataclass(frozen=True)
class MilestonePlan:
    seq: int
    name: str
    kind: MilestoneKind
    due_on: date
    instalment_seq: int | None


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)  # pragma: no cover


def plan_milestones(start: date, end: date, instalments: Iterable[PlannedInstalment],
                    continuing: bool = True) -> list[MilestonePlan]:
    """Milestones from the service period and the payment schedule.

    A continuing service (考核评价, 成都规程第十三条(四)①) gets a check at the end of each full
    quarter before the last; each instalment paid "after the milestone assessment passes" gets
    its milestone (the first at mid-term, further ones spread evenly); and every agreement ends with
    a final assessment on its last day.
    """
    items: list[tuple[date, str, MilestoneKind, int | None]] = []
    gated = [i for i in instalments if i.condition == "milestone_passed"]
    days = (end - start).days
    for n, inst in enumerate(gated, start=1):
        due = start + timedelta(days=days * n // (len(gated) + 1))
        items.append((due, inst.milestone or _("Milestone assessment"), MilestoneKind.MID_TERM, inst.seq))
    if continuing:
        q = 1
        while True:
            due = _add_months(start, 3 * q) - timedelta(days=1)
            if due >= end - timedelta(days=14):
                break
            if not any(abs((d - due).days) <= 14 for d, *_r in items):
                items.append((due, _("Quarter {n} check").format(n=q), MilestoneKind.ROUTINE, None))
            q += 1
    items.sort(key=lambda t: t[0])
    items.append((end, _("Final assessment"), MilestoneKind.FINAL, None))
    return [MilestonePlan(n, name, kind, due, inst) for n, (due, name, kind, inst) in enumerate(items, start=1)]


# ---------------------------------------------------------------------------------------------
# Instalments


class InstalmentStatus(StrEnum):
    NOT_DUE = "not_due"
    PAYABLE = "payable"
    BLOCKED = "blocked"
    PAID = "paid"


INSTALMENT_STATUS_LABELS = {
    InstalmentStatus.NOT_DUE: N_("Not yet due"),
    InstalmentStatus.PAYABLE: N_("Payable"),
    InstalmentStatus.BLOCKED: N_("Blocked"),
    InstalmentStatus.PAID: N_("Paid"),
}


class Outcome(StrEnum):
    """What the record an instalment depends on says today."""

    NONE = "none"  # no final result yet
    PENDING = "pending"  # a result exists but is not final (submitted, or an objection is open)
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class StatusResult:
    status: InstalmentStatus
    reason: str  # translated; "" when nothing needs saying


def instalment_status(condition: str, amount: Decimal, paid: Decimal, effective: bool,
                      outcome: Outcome, what: str = "") -> StatusResult:
    """not_due / payable / blocked / paid for one instalment (DOMAIN.md §7.2, 成都规程第二十八条).

    `outcome` is the result of the record the condition names: nothing for "on signing", the
    milestone's assessment, or the final acceptance. `what` names that record in the reason.
    """
    if paid >= amount:
        return StatusResult(InstalmentStatus.PAID, "")
    if not effective:
        return StatusResult(InstalmentStatus.NOT_DUE, _("the agreement is not signed and effective yet"))
    if condition == "on_signing":
        return StatusResult(InstalmentStatus.PAYABLE, _("the agreement is signed and effective"))
    if outcome == Outcome.PASSED:
        return StatusResult(InstalmentStatus.PAYABLE, _("{what} passed").format(what=what))
    if outcome == Outcome.FAILED:
        return StatusResult(InstalmentStatus.BLOCKED, _("{what} did not pass").format(what=what))
    if outcome == Outcome.PENDING:
        return StatusResult(InstalmentStatus.NOT_DUE, _("{what} is not final yet").format(what=what))
    return StatusResult(InstalmentStatus.NOT_DUE, _("waiting for {what}").format(what=what))

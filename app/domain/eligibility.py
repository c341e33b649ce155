"""Whether an organization may undertake a purchase, and why not, in words.

Supplier conditions of 政府采购法第二十二条 and 广东 粤府办〔2012〕48号 六,
plus 财政部令第102号 第八条 (fiscally funded mass organizations are excluded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from app.i18n import N_, _, format_iso_date


class CheckStatus(StrEnum):
    UNCHECKED = "unchecked"
    MET = "met"
    NOT_MET = "not_met"


CHECK_STATUS_LABELS = {
    CheckStatus.UNCHECKED: N_("Not checked"),
    CheckStatus.MET: N_("Met"),
    CheckStatus.NOT_MET: N_("Not met"),
}


class InspectionResult(StrEnum):
    PASSED = "passed"
    BASIC = "basic"
    FAILED = "failed"


INSPECTION_LABELS = {
    InspectionResult.PASSED: N_("Passed"),
    InspectionResult.BASIC: N_("Basically passed"),
    InspectionResult.FAILED: N_("Failed"),
}

# Chinese words people write in ledgers for the three results.
INSPECTION_WORDS = {
    "合格": InspectionResult.PASSED,
    "基本合格": InspectionResult.BASIC,
    "不合格": InspectionResult.FAILED,
}


class Eligibility(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"


ELIGIBILITY_LABELS = {Eligibility.ELIGIBLE: N_("Eligible"), Eligibility.INELIGIBLE: N_("Not eligible")}


@dataclass(frozen=True)
class QualificationItem:
    code: str
    label: str  # N_-marked; translate at use
    basis: str  # legal basis, shown as a hint
    automatic: bool = False  # derived from other records, not ticked by hand


QUALIFICATION_ITEMS: tuple[QualificationItem, ...] = (
    QualificationItem("legal_entity", N_("Legally established and able to bear civil liability independently"),
                      N_("Government Procurement Law art. 22(1); Guangdong measures 6(1)")),
    QualificationItem("governance", N_("Sound governance structure, internal management and supervision"),
                      N_("Guangdong measures 6(2)")),
    QualificationItem("finance", N_("Independent, sound financial management, accounting and asset management"),
                      N_("Government Procurement Law art. 22(2); Guangdong measures 6(3)")),
    QualificationItem("capability", N_("Facilities, staff and professional skills needed for the service"),
                      N_("Government Procurement Law art. 22(3); Guangdong measures 6(4)")),
    QualificationItem("tax_social_security", N_("Good record of paying taxes and social security"),
                      N_("Government Procurement Law art. 22(4); Guangdong measures 6(5)")),
    QualificationItem("reputation", N_("Good reputation"),
                      N_("Government Procurement Law art. 22(2); Guangdong measures 6(6)")),
    QualificationItem("no_major_violation", N_("No major violation in the last three years"),
                      N_("Government Procurement Law art. 22(5); Guangdong measures 6(6)"), automatic=True),
    QualificationItem("inspection_passed", N_("Annual inspection or assessment passed"),
                      N_("Guangdong measures 6(6)"), automatic=True),
    QualificationItem("other_legal", N_("Other conditions set by laws and regulations"),
                      N_("Government Procurement Law art. 22(6); Guangdong measures 6(7)")),
)
MANUAL_ITEMS = tuple(i for i in QUALIFICATION_ITEMS if not i.automatic)
ITEM_BY_CODE = {i.code: i for i in QUALIFICATION_ITEMS}


@dataclass(frozen=True)
class CheckState:
    status: CheckStatus
    valid_until: date | None = None


@dataclass(frozen=True)
class Violation:
    occurred_on: date
    description: str
    major: bool


@dataclass
class OrgFacts:
    code_ok: bool
    code_overridden: bool = False
    fiscally_funded_mass_org: bool = False
    inspections: dict[int, InspectionResult] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    checks: dict[str, CheckState] = field(default_factory=dict)


@dataclass(frozen=True)
class EligibilityResult:
    status: Eligibility
    reasons: tuple[str, ...]  # translated, empty when eligible
    warnings: tuple[str, ...] = ()  # translated; do not block (e.g. this year's inspection not due yet)

    @property
    def eligible(self) -> bool:
        return self.status is Eligibility.ELIGIBLE


def three_years_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 3)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 3, day=28)


DEFAULT_FILING_DEADLINE = (6, 30)  # annual reports are filed in the first half of the following year
INSPECTION_SOURCE = N_("Guangdong measures 6(6), regional; counted by the inspection cycle")


def filing_deadline_in(year: int, deadline: tuple[int, int]) -> date:
    month, day = deadline
    try:
        return date(year, month, day)
    except ValueError:  # 29 February in a common year
        return date(year, month, 28)


def inspection_year_required(today: date, deadline: tuple[int, int] = DEFAULT_FILING_DEADLINE
                             ) -> tuple[int, tuple[int, date] | None]:
    """Which year's annual inspection an organization must show on `today`.

    The inspection counts by its cycle, not by the calendar year: last year's result is due by the
    filing deadline of this year (default 30 June). Until then the result of the year before last is
    sufficient, and last year's is pending: returned with its deadline so it can be shown as a warning.
    """
    due = filing_deadline_in(today.year, deadline)
    if today <= due:
        return today.year - 2, (today.year - 1, due)
    return today.year - 1, None


def inspection_year_to_record(today: date) -> int:
    """The year whose annual inspection a clerk records now: last year's (filed in this year's first half).

    Whether it is already due or still pending under the filing cycle, last year's result is the one
    `evaluate` looks at first, so it is the one the checklist offers to record.
    """
    return today.year - 1


def parse_deadline(raw: str) -> tuple[int, int]:
    """'06-30' -> (6, 30); anything else -> the default."""
    try:
        month, day = (int(x) for x in str(raw).strip().split("-"))
        date(2000, month, day)  # a leap year admits 02-29
    except (ValueError, TypeError):
        return DEFAULT_FILING_DEADLINE
    return month, day


def evaluate(facts: OrgFacts, today: date,
             filing_deadline: tuple[int, int] = DEFAULT_FILING_DEADLINE) -> EligibilityResult:
    reasons: list[str] = []
    warnings: list[str] = []
    if not facts.code_ok and not facts.code_overridden:
        reasons.append(_("the unified social credit code is not valid"))
    if facts.fiscally_funded_mass_org:
        reasons.append(_("fiscally funded mass organizations cannot undertake purchases (MoF Order No. 102, art. 8)"))

    since = three_years_before(today)
    for v in sorted(facts.violations, key=lambda v: v.occurred_on):
        if v.major and since <= v.occurred_on <= today:
            reasons.append(_("major violation recorded on {date}").format(date=format_iso_date(v.occurred_on)))

    year, pending = inspection_year_required(today, filing_deadline)
    if pending is not None and pending[0] in facts.inspections:
        year, pending = pending[0], None  # last year's result is filed early: the latest counts
    result = facts.inspections.get(year)
    if result is None:
        reasons.append(_("{year} annual inspection missing").format(year=year))
    elif result is InspectionResult.FAILED:
        reasons.append(_("{year} annual inspection failed").format(year=year))
    if pending is not None:
        warnings.append(_("{year} annual inspection result not filed yet; due by {date} ({source})").format(
            year=pending[0], date=format_iso_date(pending[1]), source=_(INSPECTION_SOURCE)))

    for item in MANUAL_ITEMS:
        state = facts.checks.get(item.code)
        label = _(item.label)
        if state is None or state.status is CheckStatus.UNCHECKED:
            reasons.append(_("not checked: {item}").format(item=label))
        elif state.status is CheckStatus.NOT_MET:
            reasons.append(_("not met: {item}").format(item=label))
        elif state.valid_until is not None and state.valid_until < today:
            reasons.append(_("expired on {date}: {item}").format(date=format_iso_date(state.valid_until), item=label))

    status = Eligibility.INELIGIBLE if reasons else Eligibility.ELIGIBLE
    return EligibilityResult(status, tuple(reasons), tuple(warnings))

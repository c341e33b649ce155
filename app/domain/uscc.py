"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters: registration authority (1), organization type (2), region code (3-8),
organization code (9-17, GB 11714), check character (18, mod 31).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.text import normalize_compact
from app.i18n import N_, _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ...
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


class CodeProblem(StrEnum):
    EMPTY = "empty"
    LENGTH = "length"
    CHARSET = "charset"
    REGION = "region"
    CHECK = "check"


class OrgType(StrEnum):
    """Organization kinds; the USCC's first two characters give most of them."""

    AGENCY = "agency"
    PUBLIC_INSTITUTION = "public_institution"
    MASS_ORG = "mass_org"
    SOCIAL_GROUP = "social_group"
    SOCIAL_SERVICE_AGENCY = "social_service_agency"
    FOUNDATION = "foundation"
    ENTERPRISE = "enterprise"
    INDIVIDUAL_BUSINESS = "individual_business"
    FARMER_COOP = "farmer_coop"
    RURAL_COLLECTIVE = "rural_collective"
    RESIDENTS_COMMITTEE = "residents_committee"
    VILLAGE_COMMITTEE = "village_committee"
    LAW_SERVICE = "law_service"
    RELIGIOUS = "religious"
    TRADE_UNION = "trade_union"
    OTHER = "other"


ORG_TYPE_LABELS: dict[OrgType, str] = {
    OrgType.AGENCY: N_("Government agency"),
    OrgType.PUBLIC_INSTITUTION: N_("Public institution"),
    OrgType.MASS_ORG: N_("Mass organization"),
    OrgType.SOCIAL_GROUP: N_("Social group"),
    OrgType.SOCIAL_SERVICE_AGENCY: N_("Social service agency (private non-enterprise unit)"),
    OrgType.FOUNDATION: N_("Foundation"),
    OrgType.ENTERPRISE: N_("Enterprise"),
    OrgType.INDIVIDUAL_BUSINESS: N_("Individual business"),
    OrgType.FARMER_COOP: N_("Farmers' cooperative"),
    OrgType.RURAL_COLLECTIVE: N_("Rural collective economic organization"),
    OrgType.RESIDENTS_COMMITTEE: N_("Residents' committee"),
    OrgType.VILLAGE_COMMITTEE: N_("Village committee"),
    OrgType.LAW_SERVICE: N_("Legal service organization"),
    OrgType.RELIGIOUS: N_("Religious organization"),
    OrgType.TRADE_UNION: N_("Trade union"),
    OrgType.OTHER: N_("Other"),
}

SOCIAL_ORG_TYPES = frozenset({OrgType.SOCIAL_GROUP, OrgType.SOCIAL_SERVICE_AGENCY, OrgType.FOUNDATION})

# (registration authority, category) -> type: the first two characters of a GB 32100-2015 code.
_TYPE_BY_PREFIX: dict[str, OrgType] = {
    "11": OrgType.AGENCY,
    "12": OrgType.PUBLIC_INSTITUTION,
    "13": OrgType.MASS_ORG,
    "31": OrgType.LAW_SERVICE,
    "32": OrgType.LAW_SERVICE,
    "33": OrgType.LAW_SERVICE,
    "34": OrgType.LAW_SERVICE,
    "35": OrgType.LAW_SERVICE,
    "51": OrgType.SOCIAL_GROUP,
    "52": OrgType.SOCIAL_SERVICE_AGENCY,
    "53": OrgType.FOUNDATION,
    "71": OrgType.RELIGIOUS,
    "72": OrgType.RELIGIOUS,
    "81": OrgType.TRADE_UNION,
    "91": OrgType.ENTERPRISE,
    "92": OrgType.INDIVIDUAL_BUSINESS,
    "93": OrgType.FARMER_COOP,
    "N1": OrgType.RURAL_COLLECTIVE,
    "N2": OrgType.RURAL_COLLECTIVE,
    "N3": OrgType.RURAL_COLLECTIVE,
}

AUTHORITY_LABELS: dict[str, str] = {
    "1": N_("Institutional staffing"),
    "2": N_("Foreign affairs"),
    "3": N_("Justice administration"),
    "4": N_("Culture"),
    "5": N_("Civil affairs"),
    "6": N_("Tourism"),
    "7": N_("Religious affairs"),
    "8": N_("Trade unions"),
    "9": N_("Market regulation"),
    "A": N_("Central Military Commission staffing office"),
    "N": N_("Agriculture"),
    "Y": N_("Other"),
}


@dataclass(frozen=True)
class CodeCheck:
    code: str  # normalised (upper case, no spaces, half-width)
    problem: CodeProblem | None = None
    expected_check: str | None = None  # for CHECK problems
    bad_chars: str = ""  # for CHARSET problems

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def overridable(self) -> bool:
        """Early pilot codes are real but fail the check character; only that may be overridden."""
        return self.problem is CodeProblem.CHECK

    def message(self) -> str:
        if self.problem is None:
            return ""
        if self.problem is CodeProblem.EMPTY:
            return _("is required")
        if self.problem is CodeProblem.LENGTH:
            return _("must be 18 characters long, but has {n}").format(n=len(self.code))
        if self.problem is CodeProblem.CHARSET:
            return _(
                "contains characters that never appear in a credit code: {chars} "
                "(the letters I, O, S, V and Z are not used)"
            ).format(chars=" ".join(self.bad_chars))
        if self.problem is CodeProblem.REGION:
            return _("characters 3 to 8 must be a six-digit region code")
        return _("check character is {actual}, expected {expected}").format(
            actual=self.code[-1], expected=self.expected_check
        )


def normalize_code(raw: object) -> str:
    return normalize_compact(raw).upper()


def check_character(body17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(body17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check_code(raw: object) -> CodeCheck:
    code = normalize_code(raw)
    if not code:
        return CodeCheck(code, CodeProblem.EMPTY)
    if len(code) != 18:
        return CodeCheck(code, CodeProblem.LENGTH)
    bad = "".join(dict.fromkeys(c for c in code if c not in _VALUE))
    if bad:
        return CodeCheck(code, CodeProblem.CHARSET, bad_chars=bad)
    if not code[2:8].isdigit():
        return CodeCheck(code, CodeProblem.REGION)
    expected = check_character(code[:17])
    if expected != code[17]:
        return CodeCheck(code, CodeProblem.CHECK, expected_check=expected)
    return CodeCheck(code)


def org_type_from_code(code: str) -> OrgType | None:
    """The type the code's first two characters say, or None when they do not say."""
    return _TYPE_BY_PREFIX.get(normalize_code(code)[:2])


def region_from_code(code: str) -> str:
    code = normalize_code(code)
    return code[2:8] if len(code) >= 8 and code[2:8].isdigit() else ""


def make_code(prefix: str, region: str, org_code8: str) -> str:
    """Build a valid code (used by the sample data and tests): prefix(2)+region(6)+8 chars+GB 11714 check."""
    body = prefix + region + org_code8 + org_code_check(org_code8)
    return body + check_character(body)


_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def org_code_check(body8: str) -> str:
    """GB 11714 check character of the embedded organization code (a warning only)."""
    vals = [int(c, 36) for c in body8]
    r = 11 - sum(v * w for v, w in zip(vals, _ORG_WEIGHTS, strict=True)) % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)

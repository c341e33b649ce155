"""The organization registry: validate, save, find, and decide eligibility."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    TextClause,
    and_,
    column,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, object_session

from app.domain import eligibility as elig
from app.domain.errors import FieldProblem, NeedsConfirmation, NotFound, ValidationError
from app.domain.search import match_expression
from app.domain.text import (
    clean_line,
    clean_prose,
    forbidden_character,
    normalize_compact,
    normalize_name,
    normalize_text,
)
from app.domain.uscc import ORG_TYPE_LABELS, OrgType, check_code, org_type_from_code, region_from_code
from app.i18n import N_, _
from app.models import (
    AnnualInspection,
    Attachment,
    Organization,
    QualificationCheck,
    ServiceDomain,
    ViolationRecord,
    org_domains,
)
from app.models.base import utcnow
from app.services import attachments, audit, bulk, paging, references
from app.services import changes as changes_log
from app.services import settings as settings_service
from app.services.attachments import AttachmentRow
from app.services.context import Actor
from app.services.forms import Allowed, FieldState, allowed_by, field_states
from app.services.paging import PageKey
from app.services.permissions import Role, require
from app.services.validation import Labels, check_version, date_field

# The ten service domains of seed 000 第一篇; stored as data and editable.
DEFAULT_DOMAINS = ("扶贫救助", "扶老助残", "医疗卫生", "文体科普", "妇幼保护",
                   "服务三农", "法律援助", "支教助学", "生态环境", "促进就业")
RATINGS = ("1A", "2A", "3A", "4A", "5A")

FIELD_LABELS = {
    "name": N_("Name"),
    "credit_code": N_("Unified social credit code"),
    "code_override_reason": N_("Reason for accepting the code"),
    "org_type": N_("Organization type"),
    "registration_authority": N_("Registration authority"),
    "region": N_("Region"),
    "legal_representative": N_("Legal representative"),
    "contact_person": N_("Contact person"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "bank_name": N_("Bank"),
    "bank_account_name": N_("Account name"),
    "bank_account_no": N_("Bank account number"),
    "established_on": N_("Date established"),
    "domains": N_("Service domains"),
    "is_support_org": N_("Supporting organization"),
    "fiscally_funded_mass_org": N_("Fiscally funded mass organization"),
    "rating": N_("Rating"),
    "rating_valid_until": N_("Rating valid until"),
    "inspections": N_("Annual inspections"),
    "violations": N_("Violation records"),
    "notes": N_("Notes"),
    "checks": N_("Qualification checklist"),
}

_MAX_LEN = {
    "name": 200, "registration_authority": 100, "region": 100, "legal_representative": 50,
    "contact_person": 50, "phone": 50, "address": 255, "bank_name": 100, "bank_account_name": 100,
    "bank_account_no": 40, "notes": 5000,
}
_PHONE = re.compile(r"^\+?[0-9][0-9\-() ]{5,30}$")
_ACCOUNT = re.compile(r"^[0-9][0-9 \-]{5,38}$")


LABELS = Labels(FIELD_LABELS)
label = LABELS.label
problem = LABELS.problem


@dataclass
class InspectionInput:
    year: object
    result: str


@dataclass
class ViolationInput:
    occurred_on: object
    description: str
    major: bool = True


@dataclass
class OrgInput:
    """What a form, an import row or the command line hands in: raw values, checked by validate()."""

    name: str = ""
    credit_code: str = ""
    code_override_reason: str = ""
    org_type: str = ""  # used only when the code does not tell
    registration_authority: str = ""
    region: str = ""
    legal_representative: str = ""
    contact_person: str = ""
    phone: str = ""
    address: str = ""
    bank_name: str = ""
    bank_account_name: str = ""
    bank_account_no: str = ""
    established_on: object = None
    domains: list[str] = field(default_factory=list)  # domain names
    is_support_org: bool = False
    fiscally_funded_mass_org: bool = False
    rating: str = ""
    rating_valid_until: object = None
    inspections: list[InspectionInput] = field(default_factory=list)
    violations: list[ViolationInput] = field(default_factory=list)
    notes: str = ""
    is_sample: bool = False


@dataclass
class CleanOrg:
    """Validated and normalised values, ready to store."""

    name: str
    credit_code: str
    code_ok: bool
    code_override_reason: str
    org_type: str
    registration_authority: str
    region: str
    legal_representative: str
    contact_person: str
    phone: str
    address: str
    bank_name: str
    bank_account_name: str
    bank_account_no: str
    established_on: date | None
    domains: list[str]
    is_support_org: bool
    fiscally_funded_mass_org: bool
    rating: str
    rating_valid_until: date | None
    inspections: dict[int, str]
    violations: list[tuple[date, str, bool]]
    notes: str
    is_sample: bool


def _date_field(problems: list[FieldProblem], name: str, raw: object, today: date,
                allow_future: bool = False) -> date | None:
    return date_field(problems, LABELS, name, raw, not_after=None if allow_future else today, earliest_year=1900)


# The values validate() accepts, built once (iterating an enum for every row of an import cost 5 % of it).
_ORG_TYPES = frozenset(t.value for t in OrgType)
_INSPECTION_RESULTS = frozenset(r.value for r in elig.InspectionResult)


def validate(data: OrgInput, today: date | None = None, known_domains: set[str] | None = None) -> CleanOrg:
    """Check every field; raise ValidationError naming each bad field and why."""
    today = today or date.today()
    problems: list[FieldProblem] = []

    name = normalize_name(data.name)
    if not name:
        problems.append(problem("name", _("is required")))
    elif bad := forbidden_character(name):
        problems.append(problem("name", bad))

    code_check = check_code(data.credit_code)
    override = clean_prose(data.code_override_reason)
    if not code_check.ok and not (code_check.overridable and override):
        reason = code_check.message()
        if code_check.overridable:
            reason += _("; if this early code is genuine, give a reason to accept it")
        problems.append(problem("credit_code", reason))

    derived = org_type_from_code(code_check.code) if code_check.code else None
    org_type = derived.value if derived else (normalize_text(data.org_type) or OrgType.OTHER.value)
    if org_type not in _ORG_TYPES:
        problems.append(problem("org_type", _("is not a known organization type")))

    texts = {k: normalize_text(getattr(data, k)) for k in (
        "registration_authority", "region", "legal_representative", "contact_person", "bank_name", "bank_account_name")}
    texts["address"] = clean_line(data.address)  # printed on contracts: （） and ， as typed
    texts["notes"] = clean_prose(data.notes)
    texts["phone"] = normalize_text(data.phone)
    texts["bank_account_no"] = normalize_compact(data.bank_account_no)
    for key, value in texts.items():
        if bad := forbidden_character(value, multiline=key == "notes"):
            problems.append(problem(key, bad))
    if texts["phone"] and not _PHONE.match(texts["phone"]):
        problems.append(problem("phone", _("may contain only digits, spaces, +, - and brackets")))
    if texts["bank_account_no"] and not _ACCOUNT.match(texts["bank_account_no"]):
        problems.append(problem("bank_account_no", _("may contain only digits (6 to 39)")))
    for key, limit in _MAX_LEN.items():
        value = name if key == "name" else texts.get(key, "")
        if len(value) > limit:
            problems.append(problem(key, _("must be at most {n} characters").format(n=limit)))

    established = _date_field(problems, "established_on", data.established_on, today)

    rating = normalize_compact(data.rating).upper()
    if rating and rating not in RATINGS:
        problems.append(problem("rating", _("must be one of 1A, 2A, 3A, 4A, 5A")))
    rating_until = _date_field(problems, "rating_valid_until", data.rating_valid_until, today, allow_future=True)
    if rating and rating_until is None and "rating_valid_until" not in {p.field for p in problems}:
        problems.append(problem("rating_valid_until", _("is required when a rating is given")))

    domains = list(dict.fromkeys(normalize_text(d) for d in data.domains if normalize_text(d)))
    if known_domains is not None:
        unknown = [d for d in domains if d not in known_domains]
        if unknown:
            problems.append(problem("domains", _("unknown service domain: {names}").format(names="、".join(unknown))))

    inspections: dict[int, str] = {}
    for item in data.inspections:
        try:
            year = int(normalize_compact(item.year).removesuffix("年"))
        except (TypeError, ValueError):
            problems.append(problem("inspections", _("year {year} is not a year").format(year=item.year)))
            continue
        result = normalize_compact(item.result)
        result = elig.INSPECTION_WORDS.get(result, result)
        if result not in _INSPECTION_RESULTS:
            problems.append(problem("inspections", _("{year}: result must be passed, basically passed or failed")
                                    .format(year=year)))
        elif not 1990 <= year <= today.year:
            problems.append(problem("inspections", _("year {year} is out of range").format(year=year)))
        elif year in inspections:
            problems.append(problem("inspections", _("year {year} is entered twice").format(year=year)))
        else:
            inspections[year] = str(result)

    violations: list[tuple[date, str, bool]] = []
    for v in data.violations:
        when = _date_field(problems, "violations", v.occurred_on, today)
        desc = clean_prose(v.description)
        if when is None and v.occurred_on in (None, ""):
            problems.append(problem("violations", _("each record needs a date")))
        if not desc:
            problems.append(problem("violations", _("each record needs a description")))
        if when is not None and desc:
            violations.append((when, desc, bool(v.major)))

    if problems:
        raise ValidationError(problems)
    return CleanOrg(
        name=name, credit_code=code_check.code, code_ok=code_check.ok,
        code_override_reason=override if not code_check.ok else "",
        org_type=org_type, established_on=established, domains=domains,
        is_support_org=bool(data.is_support_org), fiscally_funded_mass_org=bool(data.fiscally_funded_mass_org),
        rating=rating, rating_valid_until=rating_until, inspections=inspections, violations=violations,
        is_sample=bool(data.is_sample), **texts,
    )


def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a name, lower case, for search and for sorting by pronunciation.

    pypinyin is imported on first need: importing it loads its phrase dictionary (about 200 ms), which a
    reading command or the log-in window should not pay for.
    """
    # One conversion: each syllable's first letter is its initial (what Style.FIRST_LETTER gives; the same
    # reading is chosen for a polyphone either way, checked on 40,000 names). A second call cost a third of
    # a bulk import.
    parts = _pinyin().lazy_pinyin(name, errors="default")
    initials = "".join(p[:1] for p in parts).lower()
    full = "".join(parts).lower()
    return _NOT_KEY.sub("", initials), _NOT_KEY.sub("", full)


_NOT_KEY = re.compile(r"[^0-9a-z]")
_pinyin_converter: Any = None


def _pinyin() -> Any:
    """pypinyin's `lazy_pinyin`, as `pypinyin.lazy_pinyin` does it (its segmenter, its phrase and character
    dictionaries, its UltimateConverter with the same defaults), remembering the reading of each word the
    segmenter cuts out. A word's reading depends on that word alone (no tone sandhi, no neighbours), so the
    result is the same; names share their words (社会, 服务, 中心), and a 5,000-row ledger import spent
    2 s of CPU re-reading them (tests/unit/test_pinyin_keys.py compares with pypinyin.lazy_pinyin)."""
    global _pinyin_converter
    if _pinyin_converter is None:
        from pypinyin import Style
        from pypinyin.converter import UltimateConverter
        from pypinyin.core import Pinyin

        class WordMemo(UltimateConverter):
            def __init__(self) -> None:
                super().__init__()
                self.memo: dict[tuple[object, ...], tuple[tuple[str, ...], ...]] = {}

            def convert(self, words: str, style: Style, heteronym: bool, errors: Callable[[str], str] | str,
                        strict: bool = True, **kwargs: Any) -> list[list[str]]:
                key = (words, style, heteronym, errors, strict)
                remember = not kwargs and isinstance(errors, str)
                found = self.memo.get(key) if remember else None
                if found is None:
                    found = tuple(tuple(p) for p in super().convert(words, style, heteronym, errors, strict,
                                                                     **kwargs))
                    if remember:
                        if len(self.memo) >= 200_000:
                            self.memo.clear()
                        self.memo[key] = found
                return [list(p) for p in found]

        _pinyin_converter = Pinyin(WordMemo())
    return _pinyin_converter


# ---------------------------------------------------------------------------------------------
# Domains


def ensure_registry_defaults(session: Session, actor: Actor | None) -> None:
    """What the registry needs before the first screen opens: the ten service domains."""
    ensure_default_domains(session)


def ensure_default_domains(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(ServiceDomain)):
        return
    for i, name in enumerate(DEFAULT_DOMAINS):
        session.add(ServiceDomain(name=name, sort_order=i))
    session.flush()


@dataclass(frozen=True)
class DomainRow:
    id: int
    name: str
    active: bool


def list_domains(session: Session, actor: Actor | None = None, include_inactive: bool = False) -> list[DomainRow]:
    q = select(ServiceDomain).order_by(ServiceDomain.sort_order, ServiceDomain.id)
    if not include_inactive:
        q = q.where(ServiceDomain.active.is_(True))
    return [DomainRow(d.id, d.name, d.active) for d in session.scalars(q)]


def save_domains(session: Session, actor: Actor, names: list[str]) -> None:
    """Replace the active list of domains; domains in use are deactivated, never deleted."""
    require(actor, Role.ADMIN, Role.CLERK)
    clean = list(dict.fromkeys(normalize_text(n) for n in names if normalize_text(n)))
    if not clean:
        raise ValidationError([problem("domains", _("the list must not be empty"))])
    too_long = [n for n in clean if len(n) > 64]
    if too_long:
        raise ValidationError([problem("domains", _("must be at most {n} characters").format(n=64))])
    existing = {d.name: d for d in session.scalars(select(ServiceDomain))}
    before = [d.name for d in sorted(existing.values(), key=lambda d: d.sort_order) if d.active]
    for i, n in enumerate(clean):
        d = existing.get(n)
        if d is None:
            session.add(ServiceDomain(name=n, sort_order=i, active=True))
        else:
            d.sort_order, d.active = i, True
    for n, d in existing.items():
        if n not in clean:
            d.active = False
    audit.record(session, actor, "update", "service_domains", "", "", {"names": ("、".join(before), "、".join(clean))})


# ---------------------------------------------------------------------------------------------
# Saving


def _facts(org: Organization) -> elig.OrgFacts:
    return elig.OrgFacts(
        code_ok=check_code(org.credit_code or "").ok,
        code_overridden=bool(org.code_override_reason),
        fiscally_funded_mass_org=org.fiscally_funded_mass_org,
        inspections={i.year: elig.InspectionResult(i.result) for i in org.inspections},
        violations=[elig.Violation(v.occurred_on, v.description, v.major) for v in org.violations],
        checks={c.item_code: elig.CheckState(elig.CheckStatus(c.status), c.valid_until) for c in org.checks},
    )


def filing_deadline(session: Session | None) -> tuple[int, int]:
    """The day by which last year's annual inspection must be filed (setting, default 30 June)."""
    if session is None:
        return elig.DEFAULT_FILING_DEADLINE
    return elig.parse_deadline(settings_service.get(session, settings_service.INSPECTION_DEADLINE, "06-30"))


def _refresh_eligibility(org: Organization, today: date) -> elig.EligibilityResult:
    result = elig.evaluate(_facts(org), today, filing_deadline(object_session(org)))
    org.eligibility = result.status.value
    org.eligibility_on = today
    return result


def _snapshot(org: Organization) -> dict[str, object]:
    snap: dict[str, object] = {k: getattr(org, k) for k in (
        "name", "credit_code", "code_override_reason", "org_type", "registration_authority", "region",
        "legal_representative", "contact_person", "phone", "address", "bank_name", "bank_account_name",
        "bank_account_no", "established_on", "is_support_org", "fiscally_funded_mass_org", "rating",
        "rating_valid_until", "notes", "eligibility")}
    snap["domains"] = "、".join(d.name for d in org.domains)
    snap["inspections"] = "; ".join(f"{i.year}:{i.result}" for i in sorted(org.inspections, key=lambda i: i.year))
    snap["violations"] = "; ".join(f"{v.occurred_on}:{v.description}:{int(v.major)}" for v in org.violations)
    return snap


def duplicate_name_token(name: str) -> str:
    return hashlib.sha256(("dup-name:" + name).encode()).hexdigest()[:16]


def check_save(actor: Actor) -> None:
    require(actor, Role.CLERK, Role.ADMIN)


def check_record_check(actor: Actor) -> None:
    require(actor, Role.CLERK, Role.REVIEWER, Role.ADMIN)


def save(session: Session, actor: Actor, data: OrgInput, org_id: int | None = None,
         expected_version: int | None = None, confirm: str = "", today: date | None = None) -> int:
    """Create (org_id None) or update an organization. Returns its id."""
    check_save(actor)
    today = today or date.today()
    ensure_default_domains(session)
    domain_rows = {d.name: d for d in session.scalars(select(ServiceDomain))}
    clean = validate(data, today, known_domains=set(domain_rows))

    clash = session.scalar(select(Organization).where(Organization.credit_code == clean.credit_code))
    if clash is not None and clash.id != org_id:
        raise ValidationError([problem("credit_code", _("is already registered for {name}").format(name=clash.name))])
    same_name = session.scalar(
        select(Organization).where(Organization.name == clean.name, Organization.id != (org_id or 0)).limit(1))
    token = duplicate_name_token(clean.name)
    if same_name is not None and confirm != token:
        raise NeedsConfirmation(
            _("An organization named {name} is already registered with the code {code}. "
              "Register another one with the same name?").format(name=clean.name, code=same_name.credit_code or "—"),
            token)

    if org_id is None:
        org = Organization(created_by=actor.id)
        session.add(org)
        before: dict[str, object] = {}
    else:
        found = session.get(Organization, org_id)
        if found is None:
            raise NotFound(_("The organization no longer exists."))
        org = found
        check_version(org.version, expected_version, org.name)
        before = _snapshot(org)

    for key in ("name", "credit_code", "org_type", "registration_authority", "legal_representative",
                "contact_person", "phone", "address", "bank_name", "bank_account_name", "bank_account_no",
                "established_on", "is_support_org", "fiscally_funded_mass_org", "rating", "rating_valid_until",
                "notes"):
        setattr(org, key, getattr(clean, key))
    org.region = clean.region or region_from_code(clean.credit_code)
    org.is_sample = clean.is_sample or (org.is_sample if org_id else False)
    if clean.code_override_reason != org.code_override_reason:
        org.code_override_reason = clean.code_override_reason
        org.code_override_by = actor.id if clean.code_override_reason else None
        org.code_override_at = utcnow() if clean.code_override_reason else None
    org.name_initials, org.name_pinyin = pinyin_keys(clean.name)
    org.domains = [domain_rows[d] for d in clean.domains]
    org.updated_by = actor.id

    by_year = {i.year: i for i in org.inspections}
    for year, result in clean.inspections.items():
        if year in by_year:
            by_year[year].result = result
        else:
            org.inspections.append(AnnualInspection(year=year, result=result))
    for year, row in by_year.items():
        if year not in clean.inspections:
            org.inspections.remove(row)
    org.violations = [ViolationRecord(occurred_on=d, description=t, major=m) for d, t, m in clean.violations]
    session.flush()
    _refresh_eligibility(org, today)
    session.flush()
    after = _snapshot(org)
    audit.record(session, actor, "create" if org_id is None else "update", "organization", org.id, org.name,
                 audit.diff(before, after))
    return org.id


def create_many(session: Session, actor: Actor, items: Sequence[CleanOrg], today: date | None = None) -> list[int]:
    """Create many organizations from validated values (`validate`), as `save` creates one, with their
    audit records, in the caller's transaction: bulk INSERTs instead of one flush and one chain read per
    record (a 5,000-row ledger import took 23 s through `save`). The caller has checked for clashing
    credit codes and names (ledger_import.plan_rows); the unique code index refuses any left.
    Returns the new ids in the order of `items`."""
    check_save(actor)
    today = today or date.today()
    if not items:
        return []
    ensure_default_domains(session)
    domain_rows = {d.name: d for d in session.scalars(select(ServiceDomain))}
    deadline = filing_deadline(session)
    now = utcnow()
    rows: list[dict[str, object]] = []
    snapshots: list[dict[str, object]] = []
    for clean in items:
        facts = elig.OrgFacts(
            code_ok=check_code(clean.credit_code or "").ok, code_overridden=bool(clean.code_override_reason),
            fiscally_funded_mass_org=clean.fiscally_funded_mass_org,
            inspections={y: elig.InspectionResult(r) for y, r in clean.inspections.items()},
            violations=[elig.Violation(d, t, m) for d, t, m in clean.violations])
        eligibility = elig.evaluate(facts, today, deadline).status.value
        initials, full = pinyin_keys(clean.name)
        row: dict[str, object] = {key: getattr(clean, key) for key in _SAVED_FIELDS}
        row.update(region=clean.region or region_from_code(clean.credit_code), is_sample=clean.is_sample,
                   code_override_reason=clean.code_override_reason,
                   code_override_by=actor.id if clean.code_override_reason else None,
                   code_override_at=now if clean.code_override_reason else None,
                   name_initials=initials, name_pinyin=full, eligibility=eligibility, eligibility_on=today,
                   created_by=actor.id, updated_by=actor.id, created_at=now, updated_at=now, version=1)
        rows.append(row)
        # What `_snapshot` reads back from a saved record: the audit trail cannot tell the two paths apart.
        snap: dict[str, object] = {k: row[k] for k in _SNAPSHOT_FIELDS}
        domains = sorted((domain_rows[d] for d in clean.domains), key=lambda d: d.sort_order)
        snap["domains"] = "、".join(d.name for d in domains)
        snap["inspections"] = "; ".join(f"{y}:{r}" for y, r in sorted(clean.inspections.items()))
        snap["violations"] = "; ".join(f"{d}:{t}:{int(m)}" for d, t, m in clean.violations)
        snapshots.append(snap)
    # Ids given here, after the highest: SQLite answers INSERT … RETURNING one row per statement, a single
    # executemany is many times faster. The write transaction holds the database (one writer at a time).
    first = (session.scalar(select(func.max(Organization.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    for oid, row in zip(ids, rows, strict=True):
        row["id"] = oid
    # A few multi-row statements, not an executemany: the search index's trigger then writes a few FTS5
    # segments instead of one per record (app/services/bulk.py).
    bulk.insert_rows(session, Organization.__table__, rows)
    links: list[dict[str, object]] = []
    inspections: list[dict[str, object]] = []
    violations: list[dict[str, object]] = []
    for oid, clean in zip(ids, items, strict=True):
        links.extend({"org_id": oid, "domain_id": domain_rows[d].id} for d in dict.fromkeys(clean.domains))
        inspections.extend({"org_id": oid, "year": y, "result": r} for y, r in clean.inspections.items())
        violations.extend({"org_id": oid, "occurred_on": d, "description": t, "major": m}
                          for d, t, m in clean.violations)
    bulk.insert_rows(session, org_domains, links)
    bulk.insert_rows(session, AnnualInspection.__table__, inspections)
    bulk.insert_rows(session, ViolationRecord.__table__, violations)
    audit.record_many(session, actor, [audit.Entry("create", "organization", oid, str(snap["name"]), audit.diff({}, snap))
                                       for oid, snap in zip(ids, snapshots, strict=True)])
    return ids


_SAVED_FIELDS = ("name", "credit_code", "org_type", "registration_authority", "legal_representative", "contact_person",
                 "phone", "address", "bank_name", "bank_account_name", "bank_account_no", "established_on",
                 "is_support_org", "fiscally_funded_mass_org", "rating", "rating_valid_until", "notes")
_SNAPSHOT_FIELDS = (
    "name", "credit_code", "code_override_reason", "org_type", "registration_authority", "region",
    "legal_representative", "contact_person", "phone", "address", "bank_name", "bank_account_name",
    "bank_account_no", "established_on", "is_support_org", "fiscally_funded_mass_org", "rating",
    "rating_valid_until", "notes", "eligibility")


def save_check(session: Session, actor: Actor, org_id: int, item_code: str, status: str, evidence: str = "",
               valid_until: object = None, today: date | None = None) -> None:
    """Record one item of the qualification checklist, with who checked it and when."""
    check_record_check(actor)
    today = today or date.today()
    item = elig.ITEM_BY_CODE.get(item_code)
    problems: list[FieldProblem] = []
    if item is None or item.automatic:
        problems.append(problem("checks", _("unknown checklist item")))
    if status not in {s.value for s in elig.CheckStatus}:
        problems.append(problem("checks", _("unknown status")))
    until = _date_field(problems, "checks", valid_until, today, allow_future=True)
    evidence = normalize_text(evidence)
    if status == elig.CheckStatus.MET.value and not evidence:
        problems.append(FieldProblem("evidence", _("Evidence"), _("is required when an item is marked as met")))
    if problems:
        raise ValidationError(problems)
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(_("The organization no longer exists."))
    row = next((c for c in org.checks if c.item_code == item_code), None)
    before = {} if row is None else {"status": row.status, "evidence": row.evidence, "valid_until": row.valid_until}
    if row is None:
        row = QualificationCheck(item_code=item_code)
        org.checks.append(row)
    row.status, row.evidence, row.valid_until = status, evidence, until
    row.checked_by, row.checked_by_name, row.checked_on = actor.id, actor.label, today
    old_elig = org.eligibility
    _refresh_eligibility(org, today)
    changes = audit.diff(before, {"status": status, "evidence": evidence, "valid_until": until})
    if org.eligibility != old_elig:
        changes["eligibility"] = (old_elig, org.eligibility)
    org.updated_by = actor.id
    session.flush()
    audit.record(session, actor, "update", "qualification_check", f"{org.id}:{item_code}", org.name, changes)
    changes_log.note(session, "org", org.id)


def save_inspection(session: Session, actor: Actor, org_id: int, year: int, result: str,
                    today: date | None = None) -> None:
    """Record one year's annual inspection result on its own (the checklist saves it as its row is left)."""
    check_save(actor)
    today = today or date.today()
    if result not in {r.value for r in elig.InspectionResult}:
        raise ValidationError([problem("inspections", _("{year}: result must be passed, basically passed or failed")
                                       .format(year=year))])
    if not 1990 <= year <= today.year:
        raise ValidationError([problem("inspections", _("year {year} is out of range").format(year=year))])
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(_("The organization no longer exists."))
    before = _snapshot(org)
    row = next((i for i in org.inspections if i.year == year), None)
    if row is None:
        org.inspections.append(AnnualInspection(year=year, result=result))
    else:
        row.result = result
    org.updated_by = actor.id
    session.flush()
    _refresh_eligibility(org, today)
    session.flush()
    audit.record(session, actor, "update", "organization", org.id, org.name, audit.diff(before, _snapshot(org)))


def save_check_row(session: Session, actor: Actor, org_id: int, item_code: str, status: str, evidence: str = "",
                   valid_until: object = None, today: date | None = None) -> None:
    """Save one edited row of the checklist as the form shows it: a manual item, or the annual inspection."""
    today = today or date.today()
    if item_code == "inspection_passed":
        save_inspection(session, actor, org_id, elig.inspection_year_to_record(today), status, today=today)
    else:
        save_check(session, actor, org_id, item_code, status, evidence, valid_until, today=today)


def check_delete(actor: Actor) -> None:
    require(actor, Role.ADMIN)


def delete_org(session: Session, actor: Actor, org_id: int) -> None:
    check_delete(actor)
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(_("The organization no longer exists."))
    found = references.blocking(session, "organizations", [org_id])
    if found:  # say what refers to it, never the database's FOREIGN KEY error
        raise ValidationError([FieldProblem("organization", _("Organization"), _(
            "{name} cannot be deleted: it is still referred to by {what}. Delete or change those first.").format(
                name=org.name, what=references.describe(found)))])
    before = _snapshot(org)
    session.execute(delete(Attachment).where(Attachment.owner_type == "organization", Attachment.owner_id == org_id))
    session.delete(org)
    session.flush()
    audit.record(session, actor, "delete", "organization", org_id, before["name"].__str__(), audit.diff(before, {}))


def refresh_all_eligibility(session: Session, actor: Actor, today: date | None = None) -> int:
    """Eligibility depends on the date (inspections fall due, checks expire): recompute stale rows."""
    today = today or date.today()
    n = 0
    stale = select(Organization).where(or_(Organization.eligibility_on.is_(None), Organization.eligibility_on < today))
    for org in session.scalars(stale).yield_per(500):
        old = org.eligibility
        _refresh_eligibility(org, today)
        if org.eligibility != old:
            audit.record(session, actor, "state", "organization", org.id, org.name, {"eligibility": (old, org.eligibility)})
            n += 1
    return n


# ---------------------------------------------------------------------------------------------
# Attachments


def add_attachment(session: Session, actor: Actor, org_id: int, filename: str, data: bytes, mime: str = "",
                   note: str = "") -> int:
    return attachments.add(session, actor, "organization", org_id, filename, data, mime, note)


def attachment_data(session: Session, actor: Actor, attachment_id: int) -> tuple[str, bytes]:
    return attachments.data(session, actor, attachment_id)


def remove_attachment(session: Session, actor: Actor, attachment_id: int) -> None:
    attachments.remove(session, actor, attachment_id)


# ---------------------------------------------------------------------------------------------
# Reading


class SortKey(StrEnum):
    NAME = "name"
    CODE = "credit_code"
    TYPE = "org_type"
    REGION = "region"
    LEGAL_REP = "legal_representative"
    RATING = "rating"
    ELIGIBILITY = "eligibility"
    UPDATED = "updated_at"


_SORT_COLUMNS = {
    SortKey.NAME: Organization.name_pinyin,  # Chinese users expect names in pinyin order
    SortKey.CODE: Organization.credit_code,
    SortKey.TYPE: Organization.org_type,
    SortKey.REGION: Organization.region,
    SortKey.LEGAL_REP: Organization.legal_representative,
    SortKey.RATING: Organization.rating,
    SortKey.ELIGIBILITY: Organization.eligibility,
    SortKey.UPDATED: Organization.updated_at,
}


@dataclass(frozen=True)
class OrgQuery:
    search: str = ""
    org_type: str = ""
    domain_id: int | None = None
    eligibility: str = ""
    support_only: bool | None = None
    sort: SortKey = SortKey.NAME
    descending: bool = False

    def with_sort(self, sort: SortKey, descending: bool) -> OrgQuery:
        return replace(self, sort=sort, descending=descending)


@dataclass(frozen=True)
class OrgRow:
    id: int
    name: str
    credit_code: str
    org_type: str
    region: str
    legal_representative: str
    contact_person: str
    phone: str
    rating: str
    eligibility: str
    is_support_org: bool
    is_sample: bool
    domains: str
    updated_at: object
    sort_value: object = field(default=None, compare=False, repr=False)  # the value the list is sorted by

    @property
    def page_key(self) -> PageKey:
        """The row's place in its list's order (keyset paging, app/services/paging.py)."""
        return (self.sort_value, self.id)

    @property
    def org_type_label(self) -> str:
        try:
            return _(ORG_TYPE_LABELS[OrgType(self.org_type)])
        except ValueError:
            return self.org_type

    @property
    def eligibility_label(self) -> str:
        try:
            return _(elig.ELIGIBILITY_LABELS[elig.Eligibility(self.eligibility)])
        except ValueError:
            return self.eligibility


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(query: OrgQuery, walk: bool = False) -> Select[tuple[int]]:
    """The list's filter. `walk`: the search's conditions are written so that no index serves them (unary +):
    the page then walks the index of its order and tests each row, which finds a page of a common fragment
    (the code prefix 5: the whole registry) without reading and sorting every match."""
    q = select(Organization.id)
    text = normalize_text(query.search)
    if text:
        # Name fragments and pinyin (initials or full) through the FTS5 index (migration 0006,
        # app/domain/search.py); a credit-code prefix as a range on the code's unique index.
        expr, code = _search_terms(text)
        conds: list[ColumnElement[bool] | TextClause] = []
        if expr is not None and walk:
            conds.append(sql_text("+organizations.id IN (SELECT rowid FROM org_search WHERE org_search MATCH "
                                  ":org_search_match)").bindparams(org_search_match=expr))
        elif expr is not None:
            conds.append(Organization.id.in_(
                sql_text("SELECT rowid FROM org_search WHERE org_search MATCH :org_search_match")
                .bindparams(org_search_match=expr).columns(column("rowid", Integer))))
        if code is not None and walk:
            conds.append(sql_text("(+organizations.credit_code >= :code_from AND +organizations.credit_code < :code_to)")
                         .bindparams(code_from=code, code_to=code + "\uffff"))
        elif code is not None:
            conds.append(and_(Organization.credit_code >= code, Organization.credit_code < code + "\uffff"))
        if not conds:
            conds.append(Organization.name.like(f"%{_escape_like(normalize_name(text))}%", escape="\\"))
        q = q.where(or_(*conds))
    if query.org_type:
        q = q.where(Organization.org_type == query.org_type)
    if query.eligibility:
        q = q.where(Organization.eligibility == query.eligibility)
    if query.support_only is not None:
        q = q.where(Organization.is_support_org.is_(query.support_only))
    if query.domain_id is not None:
        q = q.where(Organization.id.in_(select(org_domains.c.org_id).where(org_domains.c.domain_id == query.domain_id)))
    return q


def _search_terms(text: str) -> tuple[str | None, str | None]:
    """A normalised search's FTS5 expression (name fragments and pinyin, initials or full; migration 0006,
    app/domain/search.py) and, when it can be the start of a credit code, that prefix."""
    fragments = [normalize_name(text)]
    lowered = text.lower().replace(" ", "")
    if re.fullmatch(r"[a-z]+", lowered):
        fragments.append(lowered)
    code = normalize_compact(text).upper()
    return match_expression(*fragments), code if re.fullmatch(r"[0-9A-Z]+", code) else None


def count(session: Session, actor: Actor | None, query: OrgQuery) -> int:
    text = normalize_text(query.search)
    expr, code = _search_terms(text) if text else (None, None)
    if expr is not None and replace(query, search="", sort=SortKey.NAME, descending=False) == OrgQuery():
        # A search alone: the code range counted on its index, plus the index's matches outside that range,
        # without reading an organization. At district scale the initial y (14,401 of 20,000) took 14 ms in
        # SQLite testing each match's row, 2.2 ms so; the code prefix 5 (all 20,000) 2.3 → 1.0 ms.
        matches = "SELECT count(*) FROM org_search WHERE org_search MATCH :m"
        if code is None:
            return session.scalar(sql_text(matches), {"m": expr}) or 0
        in_range = "SELECT {} FROM organizations WHERE credit_code >= :code_from AND credit_code < :code_to"
        sql = f"SELECT ({in_range.format('count(*)')}) + ({matches} AND rowid NOT IN ({in_range.format('id')}))"
        return session.scalar(sql_text(sql), {"m": expr, "code_from": code, "code_to": code + "\uffff"}) or 0
    return session.scalar(select(func.count()).select_from(_filtered(query).subquery())) or 0


def _walks_the_order(session: Session, found: int, limit: int) -> bool:
    """Whether a page of a search matching `found` organizations is found sooner by walking the list's order
    than by reading every match and sorting (the rule of agreements._walks_the_order). Measured on 20,000
    organizations: the code prefix 5 (all of them) 34 → 0.2 ms of CPU for the first 100 rows."""
    if found <= 0:
        return False
    top = session.scalar(select(func.max(Organization.id))) or 0
    return found * found * 10 > limit * top


def page(session: Session, actor: Actor | None, query: OrgQuery, offset: int, limit: int,
         only: Collection[int] | None = None, after: PageKey | None = None, found: int | None = None) -> list[OrgRow]:
    """One page of the list, filtered and sorted in SQL (`only`: just these ids, if they match the query;
    `after`: the rows after this page key instead of skipping `offset` rows; `found`: the query's count, when
    the caller has it)."""
    col = _SORT_COLUMNS[query.sort]
    order = [col.desc() if query.descending else col.asc(), Organization.id.desc() if query.descending else Organization.id]
    q = (select(Organization.id, Organization.name, Organization.credit_code, Organization.org_type, Organization.region,
                Organization.legal_representative, Organization.contact_person, Organization.phone, Organization.rating,
                Organization.eligibility, Organization.is_support_org, Organization.is_sample, Organization.updated_at,
                col.label("sort_value"))
         .order_by(*order).limit(limit))
    walk = False
    if only is None and normalize_text(query.search):
        if found is None:  # counted only as far as the choice needs (a page when scrolling)
            top = session.scalar(select(func.max(Organization.id))) or 0
            need = math.isqrt((offset + limit) * top // 10) + 1
            found = session.scalar(select(func.count()).select_from(_filtered(query).limit(need).subquery())) or 0
        walk = _walks_the_order(session, found, offset + limit)
    # the filter's own conditions, not `id IN (…)`: an index can serve the order
    where = _filtered(query, walk=walk).whereclause
    if where is not None:
        q = q.where(where)
    if only is not None:
        q = q.where(Organization.id.in_(list(only)))
    if after is not None:
        q = q.where(paging.after([col, Organization.id], after, query.descending, nullable=bool(col.expression.nullable)))
    elif offset:
        q = q.offset(offset)
    rows = session.execute(q).all()
    ids = [r.id for r in rows]
    names: dict[int, list[str]] = {}
    if ids:
        dq = (select(org_domains.c.org_id, ServiceDomain.name).join(ServiceDomain, ServiceDomain.id == org_domains.c.domain_id)
              .where(org_domains.c.org_id.in_(ids)).order_by(ServiceDomain.sort_order))
        for oid, dname in session.execute(dq):
            names.setdefault(oid, []).append(dname)
    return [OrgRow(r.id, r.name, r.credit_code or "", r.org_type, r.region, r.legal_representative, r.contact_person,
                   r.phone, r.rating, r.eligibility, r.is_support_org, r.is_sample, "、".join(names.get(r.id, [])),
                   r.updated_at, r.sort_value) for r in rows]


def next_page(session: Session, actor: Actor | None, query: OrgQuery, after: PageKey | None,
              limit: int) -> list[OrgRow]:
    """The rows after the page key `after` (the list's last row), in the list's order."""
    return page(session, actor, query, 0, limit, after=after)


CHECK_FIELDS = ("status", "evidence", "valid_until")  # the columns of a checklist row that can be edited


@dataclass(frozen=True)
class CheckRow:
    """One row of the qualification checklist as the form shows it, with what may be edited in it."""

    code: str
    label: str
    basis: str
    automatic: bool
    status: str  # a CheckStatus value; for the inspection row the year's InspectionResult value ("" when missing)
    evidence: str
    checked_by: str
    checked_on: date | None
    valid_until: date | None
    status_label: str = ""
    tone: str = "open"  # "ok", "bad" or "open": how the status reads at a glance
    editable: frozenset[str] = frozenset()  # of CHECK_FIELDS, for this actor
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) of the status column
    hint: str = ""  # what the row records, or why it cannot be edited


@dataclass(frozen=True)
class OrgDetail:
    id: int
    version: int
    data: OrgInput
    org_type: str
    code_ok: bool
    code_override_by: int | None
    code_override_at: object
    eligibility: elig.EligibilityResult
    checks: list[CheckRow]
    attachments: list[AttachmentRow]


def get(session: Session, actor: Actor | None, org_id: int, today: date | None = None) -> OrgDetail:
    today = today or date.today()
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(_("The organization no longer exists."))
    facts = _facts(org)
    result = elig.evaluate(facts, today, filing_deadline(session))
    data = OrgInput(
        name=org.name, credit_code=org.credit_code or "", code_override_reason=org.code_override_reason,
        org_type=org.org_type, registration_authority=org.registration_authority, region=org.region,
        legal_representative=org.legal_representative, contact_person=org.contact_person, phone=org.phone,
        address=org.address, bank_name=org.bank_name, bank_account_name=org.bank_account_name,
        bank_account_no=org.bank_account_no, established_on=org.established_on,
        domains=[d.name for d in org.domains], is_support_org=org.is_support_org,
        fiscally_funded_mass_org=org.fiscally_funded_mass_org, rating=org.rating,
        rating_valid_until=org.rating_valid_until,
        inspections=[InspectionInput(i.year, i.result) for i in org.inspections],
        violations=[ViolationInput(v.occurred_on, v.description, v.major) for v in org.violations],
        notes=org.notes, is_sample=org.is_sample,
    )
    checks = _check_rows(org, facts, today, actor)
    atts = attachments.list_for(session, actor, "organization", org_id)
    return OrgDetail(org.id, org.version, data, org.org_type, check_code(org.credit_code or "").ok,
                     org.code_override_by, org.code_override_at, result, checks, atts)


def _check_rows(org: Organization, facts: elig.OrgFacts, today: date, actor: Actor | None) -> list[CheckRow]:
    """The checklist rows: manual items (status, evidence, valid until) for whoever may record checks,
    the annual inspection of the year to record (its result) for whoever may edit the organization,
    and the violation item, which follows from the records only."""
    may_check = actor is not None and bool(allowed_by(lambda: check_record_check(actor)))
    may_edit = actor is not None and bool(allowed_by(lambda: check_save(actor)))
    check_choices = tuple((s.value, _(lbl)) for s, lbl in elig.CHECK_STATUS_LABELS.items())
    tones = {elig.CheckStatus.MET.value: "ok", elig.CheckStatus.NOT_MET.value: "bad"}
    by_code = {c.item_code: c for c in org.checks}
    rows: list[CheckRow] = []
    for item in elig.QUALIFICATION_ITEMS:
        if item.code == "inspection_passed":
            year = elig.inspection_year_to_record(today)
            result = facts.inspections.get(year)
            rows.append(CheckRow(
                item.code, _(item.label), _(item.basis), True, result.value if result else "",
                _("{year} annual inspection").format(year=year), "", None, None,
                status_label=_(elig.INSPECTION_LABELS[result]) if result else _("Not recorded"),
                tone="open" if result is None else ("bad" if result is elig.InspectionResult.FAILED else "ok"),
                editable=frozenset({"status"}) if may_edit else frozenset(),
                choices=tuple((r.value, _(lbl)) for r, lbl in elig.INSPECTION_LABELS.items()),
                hint=_("Choose the result of the {year} annual inspection; it is saved with the organization's "
                       "inspections.").format(year=year)))
        elif item.automatic:
            ok = _automatic_item_ok(item.code, facts, today)
            status = elig.CheckStatus.MET if ok else elig.CheckStatus.NOT_MET
            rows.append(CheckRow(item.code, _(item.label), _(item.basis), True, status.value,
                                 _("from the records of this organization"), "", today, None,
                                 status_label=_(elig.CHECK_STATUS_LABELS[status]), tone=tones[status.value],
                                 hint=_("This item follows from the records and cannot be set by hand.")))
        else:
            c = by_code.get(item.code)
            status_value = c.status if c else elig.CheckStatus.UNCHECKED.value
            rows.append(CheckRow(
                item.code, _(item.label), _(item.basis), False, status_value, c.evidence if c else "",
                c.checked_by_name if c else "", c.checked_on if c else None, c.valid_until if c else None,
                status_label=_(elig.CHECK_STATUS_LABELS[elig.CheckStatus(status_value)]),
                tone=tones.get(status_value, "open"),
                editable=frozenset(CHECK_FIELDS) if may_check else frozenset(), choices=check_choices))
    return rows


def _automatic_item_ok(code: str, facts: elig.OrgFacts, today: date) -> bool:
    if code == "no_major_violation":
        since = elig.three_years_before(today)
        return not any(v.major and since <= v.occurred_on <= today for v in facts.violations)
    if code == "inspection_passed":
        r = facts.inspections.get(today.year - 1)
        return r is not None and r is not elig.InspectionResult.FAILED
    return False


@dataclass(frozen=True)
class OrgSummary:
    name: str
    credit_code: str
    org_type: str
    eligibility: str


def list_all(session: Session, actor: Actor | None) -> list[OrgSummary]:
    q = select(Organization.name, Organization.credit_code, Organization.org_type, Organization.eligibility)
    return [OrgSummary(r.name, r.credit_code or "", r.org_type, r.eligibility)
            for r in session.execute(q.order_by(Organization.name_pinyin, Organization.id))]


# ---------------------------------------------------------------------------------------------
# The form state


@dataclass(frozen=True)
class OrgFormState:
    """What the organization form shows and allows for one actor."""

    org_id: int | None
    detail: OrgDetail | None
    domains: list[DomainRow]
    actions: Mapping[str, Allowed]  # "save", "record_check", "attach"
    fields: Mapping[str, FieldState]

    def allowed(self, action: str) -> Allowed:
        return self.actions.get(action, Allowed.no(_("This action is not available here.")))


def org_form_state(session: Session, actor: Actor, org_id: int | None, today: date | None = None) -> OrgFormState:
    detail = get(session, actor, org_id, today=today) if org_id else None
    save = allowed_by(lambda: check_save(actor))
    unsaved = Allowed.no(_("Save the organization first, then add files."))
    actions = {"save": save,
               "record_check": allowed_by(lambda: check_record_check(actor)) if org_id else unsaved,
               "attach": attachments.may_change(actor, "organization") if org_id else unsaved}
    return OrgFormState(org_id, detail, list_domains(session, actor), actions, field_states(FIELD_LABELS, save))


def first_page(session: Session, actor: Actor | None, query: OrgQuery, limit: int) -> tuple[int, list[OrgRow]]:
    """Count and first page in one transaction, so the two agree (the count also chooses the page's plan)."""
    total = count(session, actor, query)
    return total, page(session, actor, query, 0, limit, found=total)


def rows_with_ids(session: Session, actor: Actor | None, query: OrgQuery,
                  ids: Collection[int]) -> tuple[int, list[OrgRow]]:
    """After a change: the count, and the list rows of these records that still match the query (in place)."""
    return count(session, actor, query), page(session, actor, query, 0, max(1, len(ids)), only=ids)

"""Office settings kept in the database (office name, language, numbering)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.errors import FieldProblem, ValidationError
from app.domain.text import clean_line, forbidden_character, normalize_text
from app.domain.uscc import check_code
from app.i18n import LANGUAGES, N_, _
from app.models import Setting
from app.services import audit
from app.services.context import Actor
from app.services.permissions import Role, require

OFFICE_NAME = "office_name"
LANGUAGE = "language"
SETUP_DONE = "setup_done"
# The office's particulars, printed in the purchaser's block of agreements.
OFFICE_ADDRESS = "office_address"
OFFICE_HEAD = "office_head"
OFFICE_CONTACT = "office_contact"
OFFICE_PHONE = "office_phone"
OFFICE_CREDIT_CODE = "office_credit_code"
ARBITRATION_COMMISSION = "arbitration_commission"
COURT = "court"
# Minutes without keyboard or mouse after which the window locks (0: never).
IDLE_LOCK_MINUTES = "idle_lock_minutes"
IDLE_LOCK_DEFAULT = 15
IDLE_LOCK_MAX = 480
# Day (MM-DD) by which organizations file last year's annual inspection (eligibility counts by that cycle).
INSPECTION_DEADLINE = "inspection_deadline"
OFFICE_DETAILS = {
    OFFICE_CREDIT_CODE: N_("Office credit code"),
    OFFICE_ADDRESS: N_("Office address"),
    OFFICE_HEAD: N_("Head of the office"),
    OFFICE_CONTACT: N_("Contact person"),
    OFFICE_PHONE: N_("Phone"),
    ARBITRATION_COMMISSION: N_("Arbitration commission"),
    COURT: N_("Court for disputes"),
}
OFFICE_DETAIL_HINTS = {  # what each particular is for (the settings page shows it in the empty field)
    ARBITRATION_COMMISSION: N_("named in agreements that choose arbitration, e.g. 成都仲裁委员会"),
    COURT: N_("optional; otherwise the court of the purchaser's place"),
}
DEFAULT_DETAIL_HINT = N_("printed in Party A's block of agreements")


def get_all(session: Session, actor: Actor | None = None) -> dict[str, str]:
    return {s.key: s.value for s in session.scalars(select(Setting))}


def get(session: Session, key: str, default: str = "") -> str:
    s = session.get(Setting, key)
    return s.value if s else default


def put(session: Session, actor: Actor, key: str, value: str) -> None:
    row = session.get(Setting, key)
    old = row.value if row else None
    if old == value or (old is None and value == ""):  # nothing changed: no audit entry "— → —"
        return
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    audit.record(session, actor, "update", "setting", key, key, {"value": (old, value)})


def validate_office_name(raw: str) -> str:
    name = normalize_text(raw)
    if not name:
        raise ValidationError([FieldProblem("office_name", _("Office name"), _("is required"))])
    if len(name) > 100:
        raise ValidationError([FieldProblem("office_name", _("Office name"), _("must be at most 100 characters"))])
    if bad := forbidden_character(name):
        raise ValidationError([FieldProblem("office_name", _("Office name"), bad)])
    return name


def complete_setup(session: Session, actor: Actor, office_name: str, language: str) -> None:
    """First-run setup: office name and language."""
    name = validate_office_name(office_name)
    if language not in LANGUAGES:
        raise ValidationError([FieldProblem("language", _("Language"), _("is not a supported language"))])
    put(session, actor, OFFICE_NAME, name)
    put(session, actor, LANGUAGE, language)
    put(session, actor, SETUP_DONE, "1")


def check_update(actor: Actor) -> None:
    require(actor, Role.ADMIN)


def update(session: Session, actor: Actor, office_name: str | None = None, language: str | None = None) -> None:
    check_update(actor)
    if office_name is not None:
        put(session, actor, OFFICE_NAME, validate_office_name(office_name))
    if language is not None:
        if language not in LANGUAGES:
            raise ValidationError([FieldProblem("language", _("Language"), _("is not a supported language"))])
        put(session, actor, LANGUAGE, language)


def update_office_details(session: Session, actor: Actor, details: dict[str, str]) -> None:
    """Address, head, contact and phone of the office (printed on agreements)."""
    check_update(actor)
    problems = []
    clean: dict[str, str] = {}
    for key, value in details.items():
        if key not in OFFICE_DETAILS:
            continue
        text = clean_line(value) if key in (OFFICE_ADDRESS, ARBITRATION_COMMISSION, COURT) else normalize_text(value)
        if key == OFFICE_CREDIT_CODE and text:
            check = check_code(text)
            if not check.ok:
                problems.append(FieldProblem(key, _(OFFICE_DETAILS[key]), check.message()))
                continue
            text = check.code
        if len(text) > 200:
            problems.append(FieldProblem(key, _(OFFICE_DETAILS[key]), _("must be at most {n} characters").format(n=200)))
        clean[key] = text
    if problems:
        raise ValidationError(problems)
    for key, text in clean.items():
        put(session, actor, key, text)


def idle_lock_minutes(session: Session, actor: Actor | None = None) -> int:
    """Minutes of inactivity before the window locks; 0 means never."""
    raw = get(session, IDLE_LOCK_MINUTES, str(IDLE_LOCK_DEFAULT))
    try:
        return max(0, min(IDLE_LOCK_MAX, int(raw)))
    except ValueError:
        return IDLE_LOCK_DEFAULT


def set_idle_lock_minutes(session: Session, actor: Actor, minutes: object) -> int:
    require(actor, Role.ADMIN)
    try:
        value = int(str(minutes).strip())
    except ValueError:
        value = -1
    if not 0 <= value <= IDLE_LOCK_MAX:
        raise ValidationError([FieldProblem(IDLE_LOCK_MINUTES, _("Lock after idle minutes"),
                                            _("must be a whole number from 0 (never) to {n}").format(n=IDLE_LOCK_MAX))])
    put(session, actor, IDLE_LOCK_MINUTES, str(value))
    return value


def set_inspection_deadline(session: Session, actor: Actor, raw: str) -> None:
    """The filing deadline of the annual inspection, as MM-DD (default 06-30)."""
    require(actor, Role.ADMIN)
    text = normalize_text(raw)
    try:
        month, day = (int(x) for x in text.split("-"))
        date(2000, month, day)
    except (ValueError, TypeError):
        raise ValidationError([FieldProblem(INSPECTION_DEADLINE, _("Annual inspection filing deadline"),
                                            _("is not a day of the year (write it like 06-30)"))]) from None
    put(session, actor, INSPECTION_DEADLINE, f"{month:02d}-{day:02d}")


def update_all(session: Session, actor: Actor, office_name: str, language: str, details: dict[str, str],
               idle_minutes: object) -> None:
    """The settings page in one transaction: the office, the language, the office's details and the idle lock."""
    update(session, actor, office_name=office_name, language=language)
    update_office_details(session, actor, details)
    set_idle_lock_minutes(session, actor, idle_minutes)

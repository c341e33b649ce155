"""Separation of incompatible duties per record (不相容岗位分设, 成都规程第十七条).

The same person may not draft a requirement and approve it, compile the purchase documents and
re-check them, or sign an agreement and accept its work. Services call `perform` at the step
itself, in their own transaction: it refuses the second half of a pair to the person who did the
first half on the same record, and otherwise records who did what (and audits it).

A person is the user id; the built-in system actor (no id) counts as one person too, so a
database without accounts cannot slip past the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import N_, _
from app.models.system import DutyRecord, User
from app.services import audit
from app.services.context import Actor
from app.services.permissions import PermissionDenied

CITATION = N_("Chengdu procedure, art. 17 (成都规程第十七条)")


class Duty(StrEnum):
    DRAFT_REQUIREMENT = "draft_requirement"
    APPROVE_REQUIREMENT = "approve_requirement"
    COMPILE_DOCUMENTS = "compile_documents"
    RECHECK_DOCUMENTS = "recheck_documents"
    SIGN_AGREEMENT = "sign_agreement"
    ACCEPT_WORK = "accept_work"
    FILL_ASSESSMENT = "fill_assessment"
    APPROVE_ASSESSMENT = "approve_assessment"
    DRAFT_AGREEMENT = "draft_agreement"
    SUBMIT_AGREEMENT = "submit_agreement"
    APPROVE_AGREEMENT = "approve_agreement"


DUTY_LABELS = {
    Duty.DRAFT_REQUIREMENT: N_("draft the requirement"),
    Duty.APPROVE_REQUIREMENT: N_("approve the requirement"),
    Duty.COMPILE_DOCUMENTS: N_("compile the purchase documents"),
    Duty.RECHECK_DOCUMENTS: N_("re-check the purchase documents"),
    Duty.SIGN_AGREEMENT: N_("sign the agreement"),
    Duty.ACCEPT_WORK: N_("accept the work"),
    Duty.FILL_ASSESSMENT: N_("fill in the assessment"),
    Duty.APPROVE_ASSESSMENT: N_("approve the assessment result"),
    Duty.DRAFT_AGREEMENT: N_("draft the agreement"),
    Duty.SUBMIT_AGREEMENT: N_("submit the agreement for review"),
    Duty.APPROVE_AGREEMENT: N_("approve the agreement for signature"),
}


@dataclass(frozen=True)
class Rule:
    first: Duty
    second: Duty
    text: str  # N_ marked; translated where shown


RULES = (
    Rule(Duty.DRAFT_REQUIREMENT, Duty.APPROVE_REQUIREMENT,
         N_("drafting a requirement and its internal review must be done by different people")),
    Rule(Duty.COMPILE_DOCUMENTS, Duty.RECHECK_DOCUMENTS,
         N_("compiling the purchase documents and re-checking them must be done by different people")),
    Rule(Duty.SIGN_AGREEMENT, Duty.ACCEPT_WORK,
         N_("signing an agreement and accepting its work must be done by different people")),
    Rule(Duty.FILL_ASSESSMENT, Duty.APPROVE_ASSESSMENT,
         N_("filling in an assessment and approving its result must be done by different people")),
    Rule(Duty.DRAFT_AGREEMENT, Duty.APPROVE_AGREEMENT,
         N_("drafting an agreement and approving it for signature must be done by different people")),
    Rule(Duty.SUBMIT_AGREEMENT, Duty.APPROVE_AGREEMENT,
         N_("submitting an agreement for review and approving it must be done by different people")),
)


def rules_for(duty: Duty) -> list[tuple[Rule, Duty]]:
    """Every rule that covers `duty`, each with the duty it conflicts with."""
    found: list[tuple[Rule, Duty]] = []
    for rule in RULES:
        if duty == rule.first:
            found.append((rule, rule.second))
        elif duty == rule.second:
            found.append((rule, rule.first))
    return found


def duty_label(duty: str) -> str:
    try:
        return _(DUTY_LABELS[Duty(duty)])
    except ValueError:
        return duty


class SeparationOfDutiesViolation(PermissionDenied):
    def __init__(self, message: str, rule: Rule, done: Duty, attempted: Duty) -> None:
        super().__init__(message)
        self.rule = rule
        self.done = done
        self.attempted = attempted


def _same_person(row: DutyRecord, actor: Actor) -> bool:
    if actor.id is not None:
        return row.user_id == actor.id
    return row.user_id is None and row.username == actor.username


def _same_person_row(row: DutyRow, actor: Actor) -> bool:
    if actor.id is not None:
        return row.user_id == actor.id
    return row.user_id is None and row.username == actor.username


@dataclass(frozen=True)
class DutyRow:
    duty: str
    user_id: int | None
    username: str
    at: datetime
    name: str = ""  # the person's display name (as other screens show people), else the user name


def performed(session: Session, entity: str, entity_id: object, duty: Duty | None = None) -> list[DutyRow]:
    q = select(DutyRecord).where(DutyRecord.entity == entity, DutyRecord.entity_id == str(entity_id))
    if duty is not None:
        q = q.where(DutyRecord.duty == duty.value)
    records = list(session.scalars(q.order_by(DutyRecord.id)))
    wanted = {r.user_id for r in records if r.user_id is not None}
    names: dict[int, str] = {uid: name for uid, name in session.execute(
        select(User.id, User.display_name).where(User.id.in_(wanted)))} if wanted else {}
    return [DutyRow(r.duty, r.user_id, r.username, r.at, names.get(r.user_id or 0) or r.username) for r in records]


def check(session: Session, actor: Actor, entity: str, entity_id: object, duty: Duty) -> None:
    """Raise SeparationOfDutiesViolation when `actor` already did a conflicting duty on this record.

    Duties bind to the person, not to the role: someone holding both the clerk and the reviewer role
    is still refused the second half of a pair.
    """
    for rule, conflicting in rules_for(Duty(duty)):
        rows = session.scalars(select(DutyRecord).where(
            DutyRecord.entity == entity, DutyRecord.entity_id == str(entity_id),
            DutyRecord.duty == conflicting.value))
        if any(_same_person(r, actor) for r in rows):
            raise SeparationOfDutiesViolation(
                _("Separation of incompatible duties ({citation}): {rule}. {user} has already done this on this "
                  "record: {done}; so {user} may not {duty}. Ask a colleague.").format(
                    citation=_(CITATION), rule=_(rule.text), user=actor.label, done=duty_label(conflicting),
                    duty=duty_label(duty)),
                rule, conflicting, Duty(duty))


def refusal(session: Session, actor: Actor, entity: str, entity_id: object, duty: Duty) -> str:
    """The message `check` would raise, or "" (for form states that show why an action is not offered)."""
    try:
        check(session, actor, entity, entity_id, duty)
    except SeparationOfDutiesViolation as exc:
        return str(exc)
    return ""


def perform(session: Session, actor: Actor, entity: str, entity_id: object, duty: Duty, once: bool = False) -> None:
    """Check the rule, then record that `actor` did `duty` on this record (same transaction).

    `once`: a person who already did this duty on this record is not recorded again (every save of
    a draft's text makes its saver a drafter, but one row per person is enough).
    """
    duty = Duty(duty)
    check(session, actor, entity, entity_id, duty)
    if once and any(_same_person_row(r, actor) for r in performed(session, entity, entity_id, duty)):
        return
    session.add(DutyRecord(entity=entity, entity_id=str(entity_id), duty=duty.value, user_id=actor.id,
                           username=actor.username))
    audit.record(session, actor, "duty", entity, entity_id, "", {"duty": (None, duty.value)})

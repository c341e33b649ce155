"""The two state machines: the purchase project and the yearly service agreement.

Simplified where a street office has no use for a state (budget submission and finance review are
one step, evaluation and archiving are one step), but every guard is kept: no agreement before an
award, no performance before the agreement is effective, no year beyond the plan, renewal only after
a passed assessment. Guards live in the services (they need data); this module says which moves
exist, who may make them and what each is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.i18n import N_, _


class ProjectState(StrEnum):
    PLANNED = "planned"
    BUDGETED = "budgeted"
    REQUIREMENT_DRAFT = "requirement_draft"
    REQUIREMENT_APPROVED = "requirement_approved"
    SOLICITING = "soliciting"
    AWARDED = "awarded"
    IN_PERFORMANCE = "in_performance"
    SETTLEMENT = "settlement"
    CLOSED = "closed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TERMINATED = "terminated"


PROJECT_STATE_LABELS = {
    ProjectState.PLANNED: N_("Planned"),
    ProjectState.BUDGETED: N_("Budget approved"),
    ProjectState.REQUIREMENT_DRAFT: N_("Requirement drafted"),
    ProjectState.REQUIREMENT_APPROVED: N_("Requirement approved"),
    ProjectState.SOLICITING: N_("Procurement under way"),
    ProjectState.AWARDED: N_("Awarded"),
    ProjectState.IN_PERFORMANCE: N_("In performance"),
    ProjectState.SETTLEMENT: N_("Settlement"),
    ProjectState.CLOSED: N_("Closed"),
    ProjectState.FAILED: N_("Procurement failed"),
    ProjectState.CANCELLED: N_("Cancelled"),
    ProjectState.TERMINATED: N_("Terminated"),
}


class AgreementState(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    AWAITING_SIGNATURE = "awaiting_signature"
    EFFECTIVE = "effective"
    PERFORMING = "performing"
    FINAL_ACCEPTANCE = "final_acceptance"
    COMPLETED = "completed"
    TERMINATED = "terminated"


AGREEMENT_STATE_LABELS = {
    AgreementState.DRAFT: N_("Draft"),
    AgreementState.REVIEW: N_("Under review"),
    AgreementState.AWAITING_SIGNATURE: N_("Awaiting signature"),
    AgreementState.EFFECTIVE: N_("Effective"),
    AgreementState.PERFORMING: N_("Performing"),
    AgreementState.FINAL_ACCEPTANCE: N_("Final acceptance"),
    AgreementState.COMPLETED: N_("Completed"),
    AgreementState.TERMINATED: N_("Terminated"),
}

# Once signed, the text is locked: changes are amendments (补充协议).
LOCKED_AGREEMENT_STATES = frozenset({
    AgreementState.EFFECTIVE, AgreementState.PERFORMING, AgreementState.FINAL_ACCEPTANCE,
    AgreementState.COMPLETED, AgreementState.TERMINATED,
})


@dataclass(frozen=True)
class Transition:
    name: str  # machine name, e.g. "submit_review"
    label: str  # N_-marked
    source: frozenset[str]
    target: str
    roles: frozenset[str]  # any of these roles may make the move
    needs_reason: bool = False


def _t(name: str, label: str, source: set[StrEnum], target: StrEnum, roles: set[str], reason: bool = False) -> Transition:
    return Transition(name, label, frozenset(s.value for s in source), target.value, frozenset(roles), reason)


P = ProjectState
A = AgreementState
CLERK, REVIEWER, ADMIN = "clerk", "reviewer", "admin"

PROJECT_TRANSITIONS: tuple[Transition, ...] = (
    _t("approve_budget", N_("Record budget approval"), {P.PLANNED}, P.BUDGETED, {CLERK, ADMIN}),
    _t("draft_requirement", N_("Submit the requirement for review"), {P.BUDGETED}, P.REQUIREMENT_DRAFT, {CLERK}),
    _t("approve_requirement", N_("Approve the requirement"), {P.REQUIREMENT_DRAFT}, P.REQUIREMENT_APPROVED,
       {REVIEWER}),
    _t("return_requirement", N_("Return the requirement for revision"), {P.REQUIREMENT_DRAFT}, P.BUDGETED,
       {REVIEWER}, reason=True),
    _t("start_procurement", N_("Start procurement"), {P.REQUIREMENT_APPROVED, P.FAILED}, P.SOLICITING,
       {CLERK}),
    _t("record_award", N_("Record the award"), {P.SOLICITING}, P.AWARDED, {CLERK, REVIEWER}),
    _t("procurement_failed", N_("Procurement failed"), {P.SOLICITING}, P.FAILED, {CLERK, REVIEWER},
       reason=True),
    _t("start_performance", N_("Start performance"), {P.AWARDED}, P.IN_PERFORMANCE, {CLERK, REVIEWER}),
    _t("start_settlement", N_("Start settlement"), {P.IN_PERFORMANCE}, P.SETTLEMENT, {CLERK, REVIEWER}),
    _t("close", N_("Close the project"), {P.SETTLEMENT}, P.CLOSED, {REVIEWER}),
    _t("cancel", N_("Cancel the project"), {P.PLANNED, P.BUDGETED, P.REQUIREMENT_DRAFT, P.REQUIREMENT_APPROVED,
                                              P.SOLICITING, P.FAILED, P.AWARDED}, P.CANCELLED, {REVIEWER, ADMIN},
       reason=True),
    _t("terminate", N_("Terminate the project"), {P.IN_PERFORMANCE}, P.TERMINATED, {REVIEWER}, reason=True),
)

AGREEMENT_TRANSITIONS: tuple[Transition, ...] = (
    _t("submit_review", N_("Submit for review"), {A.DRAFT}, A.REVIEW, {CLERK}),
    _t("return_draft", N_("Return for revision"), {A.REVIEW}, A.DRAFT, {REVIEWER}, reason=True),
    _t("approve", N_("Approve for signature"), {A.REVIEW}, A.AWAITING_SIGNATURE, {REVIEWER}),
    _t("record_signing", N_("Record signing"), {A.AWAITING_SIGNATURE}, A.EFFECTIVE, {CLERK, REVIEWER}),
    _t("start_performance", N_("Start performance"), {A.EFFECTIVE}, A.PERFORMING, {CLERK, REVIEWER}),
    _t("start_final_acceptance", N_("Start final acceptance"), {A.PERFORMING}, A.FINAL_ACCEPTANCE,
       {CLERK, REVIEWER}),
    _t("complete", N_("Accept the work and complete"), {A.FINAL_ACCEPTANCE}, A.COMPLETED, {REVIEWER}),
    _t("terminate", N_("Terminate the agreement"), {A.EFFECTIVE, A.PERFORMING, A.FINAL_ACCEPTANCE},
       A.TERMINATED, {REVIEWER}, reason=True),
)

_PROJECT = {t.name: t for t in PROJECT_TRANSITIONS}
_AGREEMENT = {t.name: t for t in AGREEMENT_TRANSITIONS}


class TransitionRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def project_transition(name: str) -> Transition:
    return _PROJECT[name]


def agreement_transition(name: str) -> Transition:
    return _AGREEMENT[name]


def available(transitions: tuple[Transition, ...], state: str, roles: frozenset[str] | set[str]) -> list[Transition]:
    """The moves from `state` that a person with `roles` may make (what the window offers)."""
    return [t for t in transitions if state in t.source and t.roles & set(roles)]


def check_move(t: Transition, state: str, state_labels: Mapping[Any, str], reason: str = "") -> None:
    """Raise TransitionRefused when the move does not start from `state` or lacks its reason."""
    if state not in t.source:
        sources = "、".join(_(state_labels[type(next(iter(state_labels)))(s)]) for s in sorted(t.source))
        current = _(state_labels[type(next(iter(state_labels)))(state)])
        raise TransitionRefused(_("“{action}” is not possible in the state “{state}”; it needs: {sources}.")
                                .format(action=_(t.label), state=current, sources=sources))
    if t.needs_reason and not reason.strip():
        raise TransitionRefused(_("“{action}” needs a reason.").format(action=_(t.label)))

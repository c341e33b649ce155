"""Everything the agreement form shows and allows, for one actor: the form state of an agreement.

The form lays this out and nothing more: the typed values (or the defaults of a new agreement),
which fields may change, which actions are allowed and why not, the parties in print order and
the derived figures. Each `Allowed` comes from the very guard the write runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from sqlalchemy.orm import Session

from app.domain import eligibility as elig
from app.domain import lifecycle as lc
from app.domain import schedule
from app.domain.money import rmb_upper
from app.domain.parties import in_print_order
from app.i18n import _
from app.models.project import Agreement, Project
from app.services import agreements as ag
from app.services import attachments, orgs, projects
from app.services import settings as settings_service
from app.services.context import Actor
from app.services.forms import Allowed, FieldState, allowed_by, field_states

PRINT_KINDS = ("agreement", "assessment_notice", "acceptance_form", "supplementary")
EDIT_FIELDS = ("purchaser_name", "undertaker", "parties_reversed", "signatory_a", "signatory_b", "service_content",
               "target_group", "place", "free_of_charge", "amount", "instalments", "year_index", "period_start",
               "period_end", "acceptance_standard", "rights_obligations", "breach_liability", "dispute_resolution",
               "no_subcontracting", "copies")


@dataclass(frozen=True)
class InstalmentValues:
    amount: Decimal | None  # None: given as a percentage
    percent: Decimal | None
    condition: str
    milestone: str


@dataclass(frozen=True)
class AgreementValues:
    """What the fields show: typed, unlike the write input (`AgreementInput`) that carries what was typed."""

    project_id: int
    undertaker_id: int | None
    year_index: int
    purchaser_name: str
    parties_reversed: bool
    service_content: str
    target_group: str
    place: str
    free_of_charge: bool
    amount: Decimal | None
    period_start: date | None
    period_end: date | None  # None: one year after the start
    instalments: tuple[InstalmentValues, ...]
    acceptance_standard: str
    rights_obligations: str
    breach_liability: str
    dispute_resolution: str
    no_subcontracting: bool
    copies: int
    signatory_a: str
    signatory_b: str
    is_sample: bool
    announced_on: date | None = None
    filed_on: date | None = None


@dataclass(frozen=True)
class AgreementFormState:
    agreement_id: int | None
    version: int | None
    state: str
    state_text: str  # the state's label, with the reason of a return or a termination
    values: AgreementValues
    detail: ag.AgreementDetail | None
    project: projects.ProjectDetail
    choices: list[tuple[int, str]]  # organizations the agreement may be signed with
    eligibility: dict[int, elig.EligibilityResult]
    office: str
    history: list[ag.StateChange]
    fields: Mapping[str, FieldState]
    # "save", "amend", "renew", "record_dates", "attach", "print:<kind>", "move:<transition>"
    actions: Mapping[str, Allowed]
    moves: tuple[lc.Transition, ...]  # the moves offered: from this state, for the actor's roles
    is_draft: bool  # new or a draft: edited directly (when "save" is allowed); otherwise by moves and amendments
    locked: bool  # signed: changes are supplementary agreements
    parties: tuple[str, str]  # Party A, Party B as printed
    amount_upper: str
    schedule_total: Decimal | None

    def allowed(self, action: str) -> Allowed:
        return self.actions.get(action, Allowed.no(_("This action is not available here.")))


def _decimal(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else (Decimal(str(value)) if value not in (None, "") else None)


def _date(value: object) -> date | None:
    return value if isinstance(value, date) else None


def values_of(data: ag.AgreementInput, instalments: list[InstalmentValues], *, new: bool,
              announced_on: date | None = None, filed_on: date | None = None) -> AgreementValues:
    return AgreementValues(
        project_id=data.project_id, undertaker_id=data.undertaker_id, year_index=int(data.year_index),
        purchaser_name=data.purchaser_name, parties_reversed=bool(data.parties_reversed),
        service_content=data.service_content, target_group=data.target_group, place=data.place,
        free_of_charge=bool(data.free_of_charge), amount=_decimal(data.amount), period_start=_date(data.period_start),
        period_end=None if new else _date(data.period_end), instalments=tuple(instalments),
        acceptance_standard=data.acceptance_standard, rights_obligations=data.rights_obligations,
        breach_liability=data.breach_liability, dispute_resolution=data.dispute_resolution,
        no_subcontracting=bool(data.no_subcontracting), copies=int(str(data.copies)) if str(data.copies).isdigit() else 2,
        signatory_a=data.signatory_a, signatory_b=data.signatory_b, is_sample=bool(data.is_sample),
        announced_on=announced_on, filed_on=filed_on)


def _choices(session: Session, actor: Actor, project: projects.ProjectDetail,
             detail: ag.AgreementDetail | None) -> list[tuple[int, str]]:
    choices: list[tuple[int, str]] = []
    if project.award_undertaker_id is not None:
        choices.append((project.award_undertaker_id, project.award_undertaker))
    elif project.award_consortium_id is not None:
        for c in projects.list_consortia(session, actor):
            if c.id == project.award_consortium_id:
                choices.extend((oid, name) for oid, name, _role in c.members)
    if detail is not None and detail.data.undertaker_id not in {i for i, _n in choices}:
        assert detail.data.undertaker_id is not None
        choices.append((detail.data.undertaker_id, detail.undertaker_name))
    return choices


def _check_move(session: Session, actor: Actor, a: Agreement, t: lc.Transition) -> None:
    ag.check_move(actor, a, t)
    if t.name == "complete":  # on a passed acceptance, by someone who did not sign
        ag.check_complete(session, actor, a)


def agreement_form_state(session: Session, actor: Actor, agreement_id: int | None, project_id: int | None = None,
                         today: date | None = None) -> AgreementFormState:
    """The whole state of the agreement form for `actor`: an existing agreement, or a new one for `project_id`."""
    detail = ag.get(session, actor, agreement_id, today=today) if agreement_id else None
    pid = detail.data.project_id if detail else project_id
    if pid is None:
        raise ValueError("a new agreement needs its project")
    project = projects.get(session, actor, pid)
    choices = _choices(session, actor, project, detail)
    eligibility = {oid: orgs.get(session, None, oid, today=today).eligibility for oid, _n in choices}
    office = settings_service.get(session, settings_service.OFFICE_NAME)
    a = session.get(Agreement, agreement_id) if agreement_id else None
    if detail is not None and a is not None:
        values = values_of(detail.data, [InstalmentValues(None if i.percent is not None else i.amount, i.percent,
                                                          i.condition, i.milestone) for i in detail.instalments],
                           new=False, announced_on=detail.announced_on, filed_on=detail.filed_on)
    else:
        p = session.get(Project, pid)
        assert p is not None
        data = ag.defaults_for(session, p)
        if choices and data.undertaker_id is None:
            data.undertaker_id = choices[0][0]
        values = values_of(data, [], new=True)
    state = a.state if a is not None else lc.AgreementState.DRAFT.value
    actions: dict[str, Allowed] = {
        "save": allowed_by(lambda: ag.check_edit(actor, a)),
        "amend": allowed_by(lambda: ag.check_amend(actor, a)) if a is not None else Allowed.no(
            _("Save the draft first; then it can be printed.")),
        "renew": allowed_by(lambda: ag.check_renewal(session, actor, a)) if a is not None else Allowed.no(""),
        "record_dates": allowed_by(lambda: ag.check_record_dates(actor, a)) if a is not None else Allowed.no(
            _("The agreement has not been signed yet.")),
        "attach": attachments.may_change(actor, "agreement") if a is not None else Allowed.no(
            _("Save the agreement first, then add files.")),
    }
    unsaved = Allowed.no(_("Save the draft first; then it can be printed."))
    for kind in PRINT_KINDS:
        if a is None:
            actions[f"print:{kind}"] = unsaved
        elif kind == "supplementary" and not a.amendments:
            actions[f"print:{kind}"] = Allowed.no(_("Choose a supplementary agreement in the list first."))
        else:
            actions[f"print:{kind}"] = Allowed.yes()
    moves = tuple(lc.available(lc.AGREEMENT_TRANSITIONS, state, actor.roles)) if a is not None else ()
    for t in lc.AGREEMENT_TRANSITIONS:
        actions[f"move:{t.name}"] = allowed_by(partial(_check_move, session, actor, a, t)) if a is not None else \
            Allowed.no(_("Save the draft first; then it can be printed."))
    undertaker = next((name for oid, name in choices if oid == values.undertaker_id), "")
    amount = values.amount
    lines = [schedule.Line(i.amount, i.percent) for i in values.instalments]
    state_text = _(lc.AGREEMENT_STATE_LABELS[lc.AgreementState(state)])
    if a is not None and a.state_reason and state in (lc.AgreementState.DRAFT, lc.AgreementState.TERMINATED):
        state_text += f"（{a.state_reason}）"
    return AgreementFormState(
        agreement_id, detail.version if detail else None, state, state_text, values, detail, project, choices, eligibility, office,
        ag.state_history(session, actor, agreement_id) if agreement_id else [],
        field_states(EDIT_FIELDS, actions["save"]), actions, moves,
        state == lc.AgreementState.DRAFT, state in lc.LOCKED_AGREEMENT_STATES,
        in_print_order(values.purchaser_name or office, undertaker, values.parties_reversed),
        rmb_upper(amount) if amount is not None and amount >= 0 else "",
        None if amount is None else sum((x or Decimal(0) for x in schedule.amounts(amount, lines)), Decimal(0)))

"""The pieces of a form state: what a screen may let the user do, and which fields it may change.

A service's `xxx_form_state(session, actor, record_id | None)` returns values, defaults, a
`FieldState` per field and an `Allowed` per action; the widget only shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from app.domain.errors import NotFound, StaleRecord, ValidationError
from app.domain.lifecycle import TransitionRefused
from app.services.permissions import PermissionDenied


@dataclass(frozen=True)
class Allowed:
    """May the actor do this now? When not, `reason` says why, in the user's language."""

    ok: bool
    reason: str | None = None

    @classmethod
    def yes(cls) -> Allowed:
        return cls(True, None)

    @classmethod
    def no(cls, reason: str) -> Allowed:
        return cls(False, reason)

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class FieldState:
    """May this field be changed now? When not, `reason` says why (shown as a tooltip)."""

    editable: bool = True
    reason: str | None = None


READ_ONLY = FieldState(False)

REFUSALS = (PermissionDenied, TransitionRefused, ValidationError, NotFound, StaleRecord)


def refusal_message(error: BaseException) -> str:
    message = getattr(error, "message", None)
    return message if isinstance(message, str) else str(error)


def allowed_by(check: Callable[[], object]) -> Allowed:
    """Run the very guard the write runs (a `require`, a transition guard…) and turn a refusal into a reason."""
    try:
        check()
    except REFUSALS as exc:
        return Allowed.no(refusal_message(exc))
    return Allowed.yes()


def first_refusal(*checks: Allowed) -> Allowed:
    """Allowed when every check is; otherwise the first refusal."""
    for a in checks:
        if not a.ok:
            return a
    return Allowed.yes()


def field_states(names: Iterable[str], allowed: Allowed,
                 locked: Mapping[str, str] | None = None) -> dict[str, FieldState]:
    """Every field editable when `allowed`, except those in `locked` (name -> why)."""
    out: dict[str, FieldState] = {}
    for name in names:
        if not allowed.ok:
            out[name] = FieldState(False, allowed.reason)
        elif locked and name in locked:
            out[name] = FieldState(False, locked[name])
        else:
            out[name] = FieldState(True)
    return out

"""Small helpers shared by the agreement screens."""

from __future__ import annotations

from datetime import date

from app.domain.lifecycle import TransitionRefused
from app.i18n import _
from app.views.messages import error_text


def refusal_text(error: BaseException) -> str:
    """The message of a refused move, a missing permission or a validation problem, for the user."""
    if isinstance(error, TransitionRefused):
        return error.message
    return error_text(error)


def human_size(n: int) -> str:
    if n < 1024:
        return _("{n} bytes").format(n=n)
    if n < 1024 * 1024:
        return _("{n} KB").format(n=f"{n / 1024:.1f}")
    return _("{n} MB").format(n=f"{n / 1024 / 1024:.1f}")


def date_text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))

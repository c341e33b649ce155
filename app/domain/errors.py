"""Errors that carry a message for the user, naming the field and the reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.i18n import _


@dataclass(frozen=True)
class FieldProblem:
    field: str  # machine name, e.g. "credit_code"
    label: str  # translated field label, e.g. "统一社会信用代码"
    reason: str  # translated reason

    def __str__(self) -> str:
        return _("{field}: {reason}").format(field=self.label, reason=self.reason)


@dataclass
class ValidationError(Exception):
    """One or more problems with what the user entered. Nothing was saved."""

    problems: list[FieldProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    @property
    def message(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def __str__(self) -> str:
        return self.message

    def fields(self) -> set[str]:
        return {p.field for p in self.problems}


class NeedsConfirmation(Exception):
    """The action is allowed but the user should confirm it first (e.g. a duplicate name)."""

    def __init__(self, message: str, token: str) -> None:
        super().__init__(message)
        self.message = message
        self.token = token


class NotFound(Exception):
    pass


class StaleRecord(Exception):
    """Someone saved this record after it was opened (optimistic locking)."""


class DatabaseRefused(Exception):
    """The database refused a change (a reference or uniqueness rule) that no service check caught.
    Carries a sentence for the user instead of the database's own error text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

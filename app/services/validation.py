"""The validation helpers every service uses: field labels, problems, and parsing what people type.

A service keeps its own table of field labels (`N_`-marked) and builds `label` and `problem`
from it with `Labels`; the parsers add a problem naming the field and the reason instead of
raising, so one save reports every bad field at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from app.domain.dates import FIRST_DAY, LAST_DAY, in_working_range, parse_date
from app.domain.errors import FieldProblem, StaleRecord, ValidationError
from app.domain.money import parse_amount
from app.domain.text import forbidden_character, normalize_text
from app.i18n import _, format_amount

MAX_AMOUNT = Decimal("1e12")


class Labels:
    """A service's field labels: the translated label of a field, and a problem naming it."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.labels = labels

    def label(self, name: str) -> str:
        return _(self.labels.get(name, name))

    def problem(self, name: str, reason: str) -> FieldProblem:
        return FieldProblem(name, self.label(name), reason)

    def error(self, name: str, reason: str) -> ValidationError:
        """A ValidationError with this one problem."""
        return ValidationError([self.problem(name, reason)])


def raise_if_any(problems: list[FieldProblem]) -> None:
    if problems:
        raise ValidationError(problems)


def money_text(value: Decimal | None) -> str:
    """Money in a message, formatted as the screens format it (Babel, the user's locale)."""
    return format_amount(value)


def out_of_range() -> str:
    return _("must be between {first} and {last}").format(first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())


def date_field(problems: list[FieldProblem], labels: Labels, name: str, raw: object, *, required: bool = False,
               not_after: date | None = None, earliest_year: int | None = None,
               working_range: bool = False) -> date | None:
    """A date typed in any of the ways Chinese ledgers write it; None when empty (a problem if required).

    `working_range`: agreement periods, signatures, notices — a year before 2000 or after 2100 is a
    typing mistake (1900, 0001, 9999) and is refused, never raised on later.
    """
    try:
        value = parse_date(raw)
    except (ValueError, TypeError, OverflowError):
        problems.append(labels.problem(name, _("is not a date (write it like 2023-05-01)")))
        return None
    if value is None:
        if required:
            problems.append(labels.problem(name, _("is required")))
        return None
    if not_after is not None and value > not_after:
        problems.append(labels.problem(name, _("is in the future")))
    if earliest_year is not None and value.year < earliest_year:
        problems.append(labels.problem(name, _("is too far in the past")))
    if working_range and not in_working_range(value):
        problems.append(labels.problem(name, out_of_range()))
        return None
    return value


def amount_field(problems: list[FieldProblem], labels: Labels, name: str, raw: object, *,
                 required: bool = True) -> Decimal | None:
    """An amount in yuan (Decimal, to the fen), not negative and below a trillion."""
    try:
        value = parse_amount(raw)
    except (ValueError, TypeError) as exc:  # AmountError says why (a third decimal, a stray comma …)
        problems.append(labels.problem(name, getattr(exc, "reason", None)
                                       or _("is not an amount (write it like 123456.78)")))
        return None
    if value is None:
        if required:
            problems.append(labels.problem(name, _("is required")))
        return None
    if value < 0:
        problems.append(labels.problem(name, _("must not be negative")))
    elif value >= MAX_AMOUNT:
        problems.append(labels.problem(name, _("is too large")))
    return value


def int_field(problems: list[FieldProblem], labels: Labels, name: str, raw: object, lo: int, hi: int) -> int | None:
    """A whole number between lo and hi ("2026年" reads as 2026)."""
    try:
        value = int(normalize_text(raw).removesuffix("年")) if not isinstance(raw, int) else raw
    except (TypeError, ValueError):
        problems.append(labels.problem(name, _("is not a whole number")))
        return None
    if not lo <= value <= hi:
        problems.append(labels.problem(name, _("must be between {lo} and {hi}").format(lo=lo, hi=hi)))
        return None
    return value


def text_fields(problems: list[FieldProblem], labels: Labels, data: object, names: tuple[str, ...],
                max_len: Mapping[str, int] | int, single_line: tuple[str, ...] = ()) -> dict[str, str]:
    """Text fields as typed (only whitespace normalised), each checked against its maximum length and
    for control or invisible characters (line breaks and tabs allowed except in `single_line` fields)."""
    out: dict[str, str] = {}
    for name in names:
        value = normalize_text(getattr(data, name))
        limit = max_len if isinstance(max_len, int) else max_len.get(name, 5000)
        if len(value) > limit:
            problems.append(labels.problem(name, _("is too long")))
        elif bad := forbidden_character(value, multiline=name not in single_line):
            problems.append(labels.problem(name, bad))
        out[name] = value
    return out


def check_version(current: int, expected: int | None, name: str) -> None:
    """Optimistic locking: refuse a save of a record someone else saved after the form opened it."""
    if expected is not None and current != expected:
        raise StaleRecord(_("{name} was changed by someone else after you opened it. "
                            "Close the form and open it again.").format(name=name))

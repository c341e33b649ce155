"""A payment schedule's amounts: the one function the form's live total and the service's check both use.

Each instalment is an amount, or a percentage of the agreement amount rounded half up to the fen.
When every instalment is a percentage and they make 100 %, the last one takes the rounding, so
the schedule always adds up to the amount exactly (1000.01 at 50 %/50 % is 500.01 + 500.00).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.domain.money import FEN

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Line:
    """One instalment as typed: an amount, or a percentage (the amount wins when both are given)."""

    amount: Decimal | None = None
    percent: Decimal | None = None


def share(total: Decimal, percent: Decimal) -> Decimal:
    return (total * percent / HUNDRED).quantize(FEN, rounding=ROUND_HALF_UP)


def amounts(total: Decimal | None, lines: Sequence[Line]) -> list[Decimal | None]:
    """Each line's amount in yuan; None for a percentage line while the total is unknown, or an empty line."""
    out: list[Decimal | None] = []
    for line in lines:
        if line.amount is not None:
            out.append(line.amount)
        elif line.percent is not None and total is not None:
            out.append(share(total, line.percent))
        else:
            out.append(None)
    all_percent = bool(lines) and all(x.amount is None and x.percent is not None for x in lines)
    if total is not None and all_percent and sum((x.percent or Decimal(0) for x in lines), Decimal(0)) == HUNDRED:
        out[-1] = total - sum((a or Decimal(0) for a in out[:-1]), Decimal(0))
    return out

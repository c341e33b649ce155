"""Party A and Party B of an agreement, and which template prints it: one place for both rules.

The purchaser (the street office) is Party A unless the parties are reversed, as in the sample
community agreement where the undertaker is Party A (seed 000 第三篇). Only a free-of-charge
agreement prints on the community agreement template (第三篇); every paid agreement, whichever
party is first, is a contract with every required clause.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def in_print_order(purchaser: T, undertaker: T, reversed_: bool) -> tuple[T, T]:
    """(Party A, Party B): names, party blocks, anything that comes in pairs."""
    return (undertaker, purchaser) if reversed_ else (purchaser, undertaker)


def agreement_template(free_of_charge: bool) -> str:
    """The template kind an agreement prints on: "community" or "contract" (not the parties' order)."""
    return "community" if free_of_charge else "contract"

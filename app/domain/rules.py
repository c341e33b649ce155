"""The rules of the seed documents that the program applies, each with its source and how it binds.

One place names every rule: its source article (and the region, where a seed is regional), and
whether the program refuses a breach (ENFORCED), accepts it only with a recorded reason
(NEEDS_REASON), or only records the facts (RECORDED). Service messages cite a rule through
`cite()`, and the README's rule table lists the same keys (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.i18n import N_, _


class Binding(StrEnum):
    ENFORCED = "enforced"
    NEEDS_REASON = "needs_reason"
    RECORDED = "recorded"


@dataclass(frozen=True)
class Rule:
    key: str
    source: str  # N_-marked: the article, with the region where the seed is regional
    binding: Binding


RULES: tuple[Rule, ...] = (
    Rule("sign_after_award", N_("Government Procurement Law art. 46"), Binding.ENFORCED),
    Rule("sign_within_30_days", N_("Government Procurement Law art. 46"), Binding.NEEDS_REASON),
    Rule("no_work_before_signing", N_("no work before signing (Tianjin Nankai district notice, 2025; regional)"),
         Binding.NEEDS_REASON),
    Rule("announce_within_2_days", N_("Implementing Regulations of the Government Procurement Law art. 50"),
         Binding.NEEDS_REASON),
    Rule("file_with_finance", N_("Guangdong measures 7(3) (regional); Government Procurement Law art. 47"),
         Binding.NEEDS_REASON),
    Rule("annual_inspection", N_("Guangdong measures 6(6) (regional)"), Binding.ENFORCED),
    Rule("separation_of_duties", N_("Chengdu procedure art. 17 (regional)"), Binding.ENFORCED),
    Rule("plan_total_within_award", N_("Chengdu procedure art. 23 (regional); MoF Order No. 102 art. 24"),
         Binding.ENFORCED),
    Rule("method_thresholds", N_("Chengdu procedure art. 41; Shanghai survey, Jing'an district 2012 (regional)"),
         Binding.NEEDS_REASON),
    Rule("not_purchasable", N_("Guangdong measures 4 (regional); MoF Order No. 102 arts. 10 and 18"),
         Binding.ENFORCED),
    Rule("public_consultation", N_("Chengdu procedure art. 15 (regional)"), Binding.ENFORCED),
    Rule("required_clauses", N_("Chengdu procedure art. 22 (regional); MoF Order No. 102 art. 23"), Binding.ENFORCED),
    Rule("renewal_after_passed_assessment", N_("Chengdu procedure art. 23 (regional)"), Binding.ENFORCED),
    Rule("budget_before_purchase", N_("MoF Order No. 102 art. 14"), Binding.ENFORCED),
    Rule("plan_at_most_3_years", N_("Chengdu procedure art. 23 (regional); MoF Order No. 102 art. 24"),
         Binding.ENFORCED),
    Rule("supplier_conditions", N_("Government Procurement Law art. 22; Guangdong measures 6 (regional)"),
         Binding.ENFORCED),
    Rule("acceptance_supervisors", N_("Chengdu procedure art. 25 (regional)"), Binding.ENFORCED),
    Rule("payment_tied_to_assessment", N_("Chengdu procedure arts. 13 and 28 (regional)"), Binding.ENFORCED),
    Rule("objection_reply_5_days", N_("Chengdu procedure art. 27 (regional)"), Binding.RECORDED),
)

RULE_BY_KEY = {r.key: r for r in RULES}

BINDING_LABELS = {
    Binding.ENFORCED: N_("enforced"),
    Binding.NEEDS_REASON: N_("needs a recorded reason"),
    Binding.RECORDED: N_("recorded only"),
}


def cite(key: str) -> str:
    """The translated source of a rule, for the end of a message: "(… art. 46)"."""
    return _(RULE_BY_KEY[key].source)

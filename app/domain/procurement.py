"""Value lists of purchase projects and agreements, with their labels."""

from __future__ import annotations

from app.i18n import N_

SERVICE_CATEGORIES = {  # 成都规程第三条
    1: N_("Class 1: services for the department's own operation"),
    2: N_("Class 2: services supporting regulation and supervision"),
    3: N_("Class 3: public services for citizens"),
}

PROCUREMENT_METHODS = {
    "open_tender": N_("Open tender"),  # 公开招标
    "invited_tender": N_("Invited tender"),  # 邀请招标
    "competitive_negotiation": N_("Competitive negotiation"),  # 竞争性谈判
    "competitive_consultation": N_("Competitive consultation"),  # 竞争性磋商
    "single_source": N_("Single source"),  # 单一来源
    "request_for_quotation": N_("Request for quotation"),  # 询价
    "direct_commission": N_("Directed commission"),  # 定向委托
    "venture_philanthropy": N_("Venture philanthropy"),  # 公益创投
}
METHODS_NEEDING_REASON = frozenset({"single_source", "direct_commission"})

EVALUATION_METHODS = {
    "comprehensive_scoring": N_("Comprehensive scoring"),  # 综合评分法
    "lowest_price": N_("Lowest price"),  # 最低评标价法
    "expert_review": N_("Expert committee review"),  # 专家评审 (公益创投, 定向委托)
}

FUNDING_SOURCES = {
    "dept_public_funds": N_("Departmental budget"),
    "special_funds": N_("Special funds"),
    "welfare_lottery": N_("Welfare lottery fund"),
    "superior_transfer": N_("Transfer from a higher level"),
    "other": N_("Other"),
}

ASSESSMENT_TYPES = {  # 成都规程第十三条(四)
    "periodic_assessment": N_("Periodic assessment"),
    "delivery_acceptance": N_("One-off acceptance"),
}

DISPUTE_RESOLUTIONS = {
    "negotiation": N_("Negotiation"),
    "mediation": N_("Mediation"),
    "arbitration": N_("Arbitration"),
    "court": N_("Court"),
}

MEMBER_ROLES = {  # seed 000 第一篇: "16+1+N"
    "operator": N_("Operating organization"),
    "support_org": N_("Supporting organization"),
    "partner_enterprise": N_("Partner enterprise"),
    "partner_foundation": N_("Partner foundation"),
    "volunteers": N_("Volunteer group"),
    "other": N_("Other"),
}

STEERING_SOURCES = {
    "gov": N_("Government"),
    "elected_member": N_("Elected member representative"),
    "support_org": N_("Supporting organization"),
    "expert": N_("Expert"),
}

INSTALMENT_CONDITIONS = {
    "on_signing": N_("On signing"),
    "milestone_passed": N_("After the milestone assessment passes"),
    "final_acceptance": N_("After final acceptance"),
}

# The requirement's sections (成都规程第十三条), in order; the first group must be filled in
# before the requirement can go to review.
REQUIREMENT_SECTIONS = {
    "req_goals": N_("Goals"),
    "req_standards": N_("Applicable standards"),
    "req_quantity_scope": N_("Quantity and scope"),
    "req_period": N_("Service period"),
    "req_target_group": N_("Target group"),
    "req_content": N_("Service content"),
    "req_quality": N_("Quality requirements"),
    "req_team": N_("Team qualifications"),
    "req_assessment_standard": N_("Assessment standard"),
    "req_time_place": N_("Time and place"),
    "req_handover": N_("Hand-over arrangements"),
    "req_contingencies": N_("Contingencies"),
    "req_settlement": N_("Settlement method"),
}
REQUIRED_SECTIONS = ("req_goals", "req_quantity_scope", "req_period", "req_target_group", "req_content",
                     "req_quality", "req_assessment_standard", "req_settlement")

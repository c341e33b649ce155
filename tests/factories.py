"""Builders for test records."""

from __future__ import annotations

from datetime import date
from itertools import count

from app.domain.uscc import make_code
from app.models import User
from app.services import agreements as ag
from app.services import orgs, projects
from app.services.context import Actor, Desk
from app.store.db import Database

_seq = count(1)


def code(prefix: str = "52", region: str = "110105") -> str:
    return make_code(prefix, region, f"TQ{next(_seq):06d}")


def org_input(name: str = "测试社会工作服务中心", **kw: object) -> orgs.OrgInput:
    data = orgs.OrgInput(name=name, credit_code=str(kw.pop("credit_code", code())))
    for k, v in kw.items():
        setattr(data, k, v)
    return data


# --- Projects and agreements: one awarded project and its agreement, as the tests of both the
# services and the window use them. ------------------------------------------------------------

FACTORY_TODAY = date(2026, 6, 15)
REQUIREMENT = {k: f"{k} 内容" for k in ("req_goals", "req_standards", "req_quantity_scope", "req_period",
                                        "req_target_group", "req_content", "req_quality", "req_team",
                                        "req_assessment_standard", "req_time_place", "req_settlement")}
# The drafter's confirmations and the public consultation a class-3 service needs before review.
RULE_FIELDS: dict[str, object] = {
    "excl_admin_powers": True, "excl_labour_dispatch": True, "excl_disguised_employment": True,
    "consultation_on": "2026-01-20", "consultation_method": "社区居民问卷", "consultation_result": "收回问卷120份，支持开展"}


def make_user(db: Database, username: str, roles: str) -> Actor:
    """A real user row (duties and audit name it) and the Actor for it."""
    with db.session() as s:
        u = User(username=username, display_name=username, roles=roles)
        s.add(u)
        s.flush()
        uid = u.id
    return Actor(uid, username, username, frozenset(roles.split(",")))


def eligible_org(desk: Desk, name: str = "阳光社工服务中心", today: date = FACTORY_TODAY) -> int:
    oid = desk.run(orgs.save, org_input(name, inspections=[orgs.InspectionInput(2025, "passed")]), today=today)
    for item in orgs.elig.MANUAL_ITEMS:
        desk.run(orgs.save_check, oid, item.code, "met", "已核验", today=today)
    return oid


def project_input(**kw: object) -> projects.ProjectInput:
    data = projects.ProjectInput(name="社区居家养老服务项目", purchaser_department="社区服务科", budget_year=2026,
                                 budget_amount="300,000", plan_years=3, **REQUIREMENT, **RULE_FIELDS)
    for k, v in kw.items():
        setattr(data, k, v)
    return data


def awarded_project(people, org_id: int, price: str = "280000", today: date = FACTORY_TODAY) -> int:  # type: ignore[no-untyped-def]  # people: any mapping of Desks
    """A project taken to award by a clerk and a reviewer (`people["clerk2"]` re-checks the documents)."""
    c, r = people["clerk"], people["reviewer"]
    pid = c.run(projects.save, project_input())
    c.run(projects.transition, pid, "approve_budget")
    c.run(projects.transition, pid, "draft_requirement")
    r.run(projects.transition, pid, "approve_requirement")
    c.run(projects.compile_documents, pid)
    people["clerk2"].run(projects.recheck_documents, pid)
    c.run(projects.transition, pid, "start_procurement")
    c.run(projects.transition, pid, "record_award", award=projects.AwardInput(
        undertaker_id=org_id, notice_date="2026-02-10", price=price, price_basis="per_year"), today=today)
    return pid


def agreement_input(pid: int, org_id: int, **kw: object) -> ag.AgreementInput:
    data = ag.AgreementInput(
        project_id=pid, undertaker_id=org_id, service_content="为辖区60岁以上老人提供助餐、探访服务",
        target_group="辖区老年人", place="示例社区养老驿站", amount="280000.00", period_start="2026-03-01",
        instalments=[ag.InstalmentInput(percent="30", condition="on_signing"),
                     ag.InstalmentInput(percent="40", condition="milestone_passed", milestone="中期考核"),
                     ag.InstalmentInput(percent="30", condition="final_acceptance")],
        acceptance_standard="按考核办法评分，80分以上为合格", rights_obligations="双方权利义务见附件",
        breach_liability="违约方承担相应责任", dispute_resolution="mediation", copies=4)
    for k, v in kw.items():
        setattr(data, k, v)
    return data


def passed_acceptance(recorder: Desk, acceptor: Desk, agreement_id: int, result: str = "passed",
                      complete: bool = True) -> int:
    """An acceptance (验收) of an agreement in final acceptance, with three supervising beneficiaries,
    saved by `recorder` and completed by `acceptor` (who must not have signed the agreement)."""
    from app.services import assessments as asv

    acc = recorder.run(asv.save_acceptance, asv.AcceptanceInput(
        agreement_id=agreement_id, accepted_on="2027-02-26", team="王主任\n张科长", place="示例社区", result=result,
        score="88" if result == "passed" else "40", opinion="服务完成，同意验收。" if result == "passed" else "未达标。",
        supervisors=[asv.SupervisorInput(f"居民{n}", "服务对象", f"1381234567{n}") for n in range(3)]))
    if complete:
        acceptor.run(asv.complete_acceptance, acc)
    return acc

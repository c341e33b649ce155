"""Sample data drawn from the seeds (the "16+1" cultural-venue consortium, community organizations,
a foundation), clearly marked as sample so that a new user can try every screen and delete it later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.eligibility import MANUAL_ITEMS
from app.domain.uscc import make_code
from app.i18n import _
from app.models import Organization
from app.services import orgs
from app.services import settings as settings_service
from app.services.context import Actor

SAMPLE_MARK = "【示例】"

# Sixteen private cultural venues of the "文化服务民生" project (seed 000 第一篇 §二 第二阶段).
VENUES = ["京华民俗博物馆", "古琴艺术馆", "皮影文化博物馆", "胡同文化馆", "兰亭书法艺术馆", "陶瓷艺术博物馆",
          "红色记忆收藏馆", "中医药文化博物馆", "古钟表收藏馆", "剪纸艺术馆", "京剧脸谱艺术馆", "风筝文化馆",
          "茶文化博物馆", "民间玩具博物馆", "老字号文化馆", "非遗刺绣艺术馆"]
LEGAL_REPS = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周杰", "吴桐",
              "徐喆", "孙旸", "胡镕", "朱琳", "高峰", "林晓"]


def _code(prefix: str, n: int, region: str = "110105") -> str:
    return make_code(prefix, region, f"MJ{n:06d}")


def _checks_met(session: Session, actor: Actor, org_id: int, today: date, skip: tuple[str, ...] = ()) -> None:
    for item in MANUAL_ITEMS:
        if item.code in skip:
            continue
        orgs.save_check(session, actor, org_id, item.code, "met", "已核验登记证书、章程、财务报表等材料（示例）",
                        valid_until=date(today.year, 12, 31), today=today)


def load_sample(session: Session, actor: Actor, today: date | None = None) -> int:
    """Add the sample organizations once; running it again adds nothing."""
    today = today or date.today()
    if session.scalar(select(func.count()).where(Organization.is_sample.is_(True))):
        return 0
    orgs.ensure_default_domains(session)
    last = today.year - 1
    added = 0

    def add(data: orgs.OrgInput, checks: bool = True, skip: tuple[str, ...] = ()) -> int:
        nonlocal added
        data.is_sample = True
        data.name = SAMPLE_MARK + data.name
        oid = orgs.save(session, actor, data, today=today)
        if checks:
            _checks_met(session, actor, oid, today, skip)
        added += 1
        return oid

    for i, venue in enumerate(VENUES, start=1):
        inspections = [orgs.InspectionInput(last - 1, "passed")]
        if i != 7:  # one venue has not filed last year's report yet
            inspections.append(orgs.InspectionInput(last, "basic" if i == 5 else "passed"))
        add(orgs.OrgInput(
            name=venue, credit_code=_code("52", i), registration_authority="北京市东城区民政局",
            legal_representative=LEGAL_REPS[i - 1], contact_person=LEGAL_REPS[(i + 3) % 16],
            phone=f"010-6{i:03d}{i:04d}", address=f"北京市东城区示例胡同{i}号",
            bank_name="中国工商银行北京东城支行", bank_account_name=venue, bank_account_no=f"0200{i:04d}09{i:06d}",
            established_on=date(2005 + i % 8, (i % 12) + 1, 1 + i), domains=["文体科普"] + (["支教助学"] if i % 3 == 0 else []),
            rating=["3A", "4A", "5A"][i % 3], rating_valid_until=date(today.year + 2, 6, 30), inspections=inspections,
            notes="“文化服务民生”项目（16+1组团）运作性社会组织。",
        ), skip=("tax_social_security",) if i == 12 else ())

    add(orgs.OrgInput(
        name="北京市协作者社会工作发展中心", credit_code=_code("52", 100, "110000"),
        registration_authority="北京市民政局", legal_representative="李涛", contact_person="周敏",
        phone="010-64000100", address="北京市朝阳区示例路100号", established_on=date(2003, 4, 1),
        domains=["扶贫救助", "扶老助残", "文体科普"], is_support_org=True, rating="5A",
        rating_valid_until=date(today.year + 3, 12, 31),
        inspections=[orgs.InspectionInput(last - 1, "passed"), orgs.InspectionInput(last, "passed")],
        notes="支持性组织：组织协调、培训指导、过程监测（16+1组团中的“1”）。",
    ))
    community = [
        ("社区书法协会", "51", "文体科普", "王羲之书法文化活动，每年至少两次（承接村(社区)服务协议示例）。"),
        ("邻里互助服务中心", "52", "扶老助残", "社区居家养老、助餐、探访。"),
        ("人民调解协会", "51", "法律援助", "社区纠纷调解与法律咨询。"),
        ("阳光青少年成长服务中心", "52", "支教助学", "课后托管、青少年心理支持。"),
        ("绿色家园环保协会", "51", "生态环境", "垃圾分类宣传、社区绿化。"),
        ("巾帼家庭服务中心", "52", "妇幼保护", "妇女儿童权益与家庭教育。"),
    ]
    for j, (name, prefix, domain, note) in enumerate(community, start=1):
        violations = []
        if j == 3:
            violations = [orgs.ViolationInput(today - timedelta(days=400), "未按规定使用项目资金，被责令整改", True)]
        add(orgs.OrgInput(
            name=name, credit_code=_code(prefix, 200 + j, "110101"), registration_authority="北京市东城区民政局",
            legal_representative=LEGAL_REPS[j], contact_person=LEGAL_REPS[j + 5], phone=f"1390000{j:04d}",
            address=f"北京市东城区示例街道{j}号", established_on=date(2012 + j, 3, 15), domains=[domain],
            inspections=[orgs.InspectionInput(last, "passed")], violations=violations, notes=note,
        ))
    add(orgs.OrgInput(
        name="社区发展基金会", credit_code=_code("53", 300, "110000"), registration_authority="北京市民政局",
        legal_representative="郑和平", contact_person="钱晓", phone="010-65000300", address="北京市西城区示例大街300号",
        established_on=date(2010, 9, 1), domains=["扶贫救助", "促进就业"], rating="4A",
        rating_valid_until=date(today.year + 1, 12, 31), inspections=[orgs.InspectionInput(last, "passed")],
        notes="组团“+N”中的合作基金会，提供配套资金。",
    ))
    # A partner enterprise with a genuine early pilot code that fails the check (codes issued before GB 32100-2015).
    add(orgs.OrgInput(
        name="福州文化传播有限公司", credit_code="91350100M0001TGQXM",
        code_override_reason="早期试点代码，经核对营业执照原件无误（示例）", registration_authority="福州市市场监督管理局",
        legal_representative="陈志", phone="0591-83000000", domains=["文体科普"],
        inspections=[orgs.InspectionInput(last, "passed")], notes="组团“+N”中的合作企业。",
    ), checks=False)
    load_sample_projects(session, actor, today)
    return added


# ---------------------------------------------------------------------------------------------
# Projects and agreements (issue 4): every state, spread over the last twelve months.

SAMPLE_CLERK = Actor(None, "示例经办人", "示例经办人", frozenset({"clerk"}))
SAMPLE_REVIEWER = Actor(None, "示例审核人", "示例审核人", frozenset({"reviewer"}))
SAMPLE_ACCEPTOR = Actor(None, "示例验收人", "示例验收人", frozenset({"reviewer"}))
SAMPLE_FINANCE = Actor(None, "示例财务", "示例财务", frozenset({"finance"}))

_REQUIREMENT: dict[str, Any] = {
    "req_goals": "提升辖区居民获得感，按合同约定提供专业服务。",
    "req_standards": "执行国家和本市相关服务标准。",
    "req_quantity_scope": "覆盖本街道所辖社区。",
    "req_period": "一年，按年度签订协议。",
    "req_target_group": "辖区居民，重点为老年人、青少年和残疾人。",
    "req_content": "按服务方案开展活动，建立服务台账。",
    "req_quality": "服务对象满意度不低于90%。",
    "req_team": "至少配备2名持证社会工作者。",
    "req_assessment_standard": "按季度考核评价，年终综合评分80分以上为合格。",
    "req_time_place": "工作日及节假日，在社区服务站开展。",
    "req_handover": "期满后一个月内完成资料和服务对象移交。",
    "req_contingencies": "遇突发事件及时报告并启动应急预案。",
    "req_settlement": "按考核结果分期支付，终期验收合格后结清。",
}
_RULES: dict[str, Any] = {  # the drafter's confirmations (广东 四; 102号令) and the public consultation (成都规程第十五条)
    "excl_admin_powers": True, "excl_labour_dispatch": True, "excl_disguised_employment": True,
    "consultation_method": "社区居民座谈会和问卷调查", "consultation_result": "多数居民支持，意见已吸收进服务内容。",
}
_CLAUSES = {
    "acceptance_standard": "按考核办法评分，80分以上为合格；验收时邀请不少于3名服务对象代表参加监督。",
    "rights_obligations": "甲方负责监督检查并按约定付款；乙方按服务方案提供服务、建立台账、接受考核。",
    "breach_liability": "乙方未按约定提供服务的，甲方有权要求整改、扣减相应费用直至解除协议；甲方无故拖延付款的，应承担相应责任。",
}


# The service domain (服务领域) of each sample project, so the summaries break spending down by domain.
_PROJECT_DOMAINS = {"文化服务民生项目": "文体科普", "社区居家养老服务项目": "扶老助残", "青少年课后托管服务": "支教助学",
                    "社区矫正安置帮教服务": "法律援助", "垃圾分类宣传服务": "生态环境", "妇女儿童家庭教育服务": "妇幼保护",
                    "非遗文化进社区": "文体科普", "王羲之书法文化进社区": "文体科普", "重阳节敬老服务": "扶老助残",
                    "社区就业援助服务": "促进就业", "老年人助餐点运营": "扶老助残", "残疾人康复服务": "扶老助残",
                    "社区心理健康服务": "医疗卫生", "社区环境绿化养护": "生态环境"}


def _run_project(session: Session, name: str, amount: str, today: date, state: str, plan_years: int = 1,
                 start_year: int | None = None, award_org: int | None = None, award_consortium: int | None = None,
                 notice: date | None = None, method: str = "competitive_consultation", reason: str = "",
                 price: str | None = None, domain_id: int | None = None) -> int:
    from app.services import projects

    c, r = SAMPLE_CLERK, SAMPLE_REVIEWER
    data = projects.ProjectInput(name=SAMPLE_MARK + name, purchaser_department="社区建设科", budget_year=start_year or today.year,
                                 start_year=start_year or today.year, budget_amount=amount, plan_years=plan_years,
                                 procurement_method=method, method_reason=reason, is_sample=True, domain_id=domain_id,
                                 **_REQUIREMENT, **_RULES, consultation_on=date((start_year or today.year) - 1, 11, 20))
    if domain_id is None and name in _PROJECT_DOMAINS:
        from app.models import ServiceDomain

        data.domain_id = session.scalar(select(ServiceDomain.id).where(ServiceDomain.name == _PROJECT_DOMAINS[name]))
    pid = projects.save(session, c, data)
    order = ["planned", "budgeted", "requirement_draft", "requirement_approved", "soliciting", "awarded"]

    def solicit() -> None:
        projects.compile_documents(session, c, pid)
        projects.recheck_documents(session, r, pid)
        projects.transition(session, c, pid, "start_procurement")

    steps: dict[str, Callable[[], object]] = {
        "budgeted": lambda: projects.transition(session, c, pid, "approve_budget"),
        "requirement_draft": lambda: projects.transition(session, c, pid, "draft_requirement"),
        "requirement_approved": lambda: projects.transition(session, r, pid, "approve_requirement"),
        "soliciting": solicit,
        "awarded": lambda: projects.transition(session, c, pid, "record_award", award=projects.AwardInput(
            award_org, award_consortium, notice, amount if price is None else price, "whole_plan"), today=today)}
    target = state if state in order else {"cancelled": "requirement_approved", "failed": "soliciting"}[state]
    for step in order[1:order.index(target) + 1]:
        steps[step]()
    if state == "cancelled":
        projects.transition(session, r, pid, "cancel", reason="上级部门统筹安排，本街道不再单独购买")
    elif state == "failed":
        projects.transition(session, c, pid, "procurement_failed", reason="响应供应商不足3家")
    return pid


def _agreement(session: Session, pid: int, org: int, amount: str, start: date, state: str, today: date,
               year_index: int = 1, free: bool = False, reversed_: bool = False, content: str = "",
               passed: bool | None = None) -> int:
    from app.services import agreements as ag

    c, r = SAMPLE_CLERK, SAMPLE_REVIEWER
    inst = [] if free else [ag.InstalmentInput(percent="30", condition="on_signing"),
                            ag.InstalmentInput(percent="40", condition="milestone_passed", milestone="中期考核"),
                            ag.InstalmentInput(percent="30", condition="final_acceptance")]
    data = ag.AgreementInput(project_id=pid, undertaker_id=org, year_index=year_index, parties_reversed=reversed_,
                             service_content=content or "按服务方案为辖区居民提供专业服务。", target_group="辖区居民",
                             place="本街道各社区服务站", free_of_charge=free, amount=None if free else amount,
                             period_start=start, instalments=inst, dispute_resolution="mediation", copies=4,
                             signatory_a="王主任", signatory_b="负责人", is_sample=True)
    for key, text in _CLAUSES.items():
        setattr(data, key, text)
    aid = ag.save(session, c, data)
    order = ["draft", "review", "awaiting_signature", "effective", "performing", "final_acceptance", "completed"]
    sign_day = min(start - timedelta(days=3), today)
    steps = {"review": lambda: ag.transition(session, c, aid, "submit_review"),
             "awaiting_signature": lambda: ag.transition(session, r, aid, "approve"),
             "effective": lambda: ag.transition(session, c, aid, "record_signing", today=today, signing=ag.SigningInput(
                 "王主任", "负责人", sign_day - timedelta(days=1), sign_day)),
             "performing": lambda: ag.transition(session, c, aid, "start_performance", today=today),
             "final_acceptance": lambda: ag.transition(session, c, aid, "start_final_acceptance"),
             "completed": lambda: ag.transition(session, SAMPLE_ACCEPTOR, aid, "complete")}
    target = "performing" if state == "terminated" else state
    for step in order[1:order.index(target) + 1]:
        if step == "completed" and passed is not None:
            # Through the real path: the final assessment, then acceptance with three supervisors.
            _sample_assessment(session, aid, "final", "0.92" if passed else "0.5", today)
            _sample_acceptance(session, aid, today)
        steps[step]()
    if state == "terminated":
        ag.transition(session, r, aid, "terminate", reason="乙方核心人员流失，双方协商一致解除协议")
    return aid


def _sample_assessment(session: Session, aid: int, milestone_kind: str, fraction: str, today: date,
                       seq: int = 0) -> int:
    """Fill, submit (示例经办人) and approve (示例审核人) an assessment on the agreement's milestone."""
    from decimal import Decimal

    from app.domain.assessment import leaves
    from app.services import assessments as asv
    from app.services import checklists

    ms = [m for m in asv.milestones(session, SAMPLE_CLERK, aid) if m.kind == milestone_kind]
    m = ms[min(seq, len(ms) - 1)]
    detail = checklists.by_code(session, SAMPLE_CLERK, "community_social")
    scores: dict[str, object] = {i.key: str((i.max_score * Decimal(fraction)).quantize(Decimal("0.01")))
                                 for i in leaves(detail.indicators)}
    xid = asv.save_assessment(session, SAMPLE_CLERK, asv.AssessmentInput(
        agreement_id=aid, milestone_id=m.id, checklist_version_id=detail.version_id, kind="routine",
        assessed_on=min(m.due_on, today), assessors=[("示例考核员", "purchaser_staff"), ("示例专家", "expert")],
        findings="服务台账齐全，活动按计划开展。" if Decimal(fraction) >= Decimal("0.6") else "服务次数不足协议约定的一半，台账缺失。",
        surveyed=40, satisfied=36 if Decimal(fraction) >= Decimal("0.6") else 20, scores=scores, is_sample=True))
    asv.submit_assessment(session, SAMPLE_CLERK, xid)
    asv.approve_assessment(session, SAMPLE_REVIEWER, xid, today=today)
    return xid


def _sample_acceptance(session: Session, aid: int, today: date) -> None:
    from app.models.project import Agreement
    from app.services import assessments as asv

    a = session.get(Agreement, aid)
    assert a is not None
    acc = asv.save_acceptance(session, SAMPLE_CLERK, asv.AcceptanceInput(
        agreement_id=aid, accepted_on=min(a.period_end, today), team="示例验收人\n社区建设科 张科长\n第三方评估机构 陈工",
        place="本街道社区服务站", result="passed", score="90", opinion="服务内容和数量达到协议约定，同意验收。",
        supervisors=[asv.SupervisorInput("赵阿姨", "服务对象（社区老人）", "13800001111"),
                     asv.SupervisorInput("钱大爷", "服务对象（社区老人）", "13800002222"),
                     asv.SupervisorInput("孙女士", "服务对象家属", "13800003333")], is_sample=True))
    asv.complete_acceptance(session, SAMPLE_ACCEPTOR, acc)


def _start_if_awarded(session: Session, pid: int) -> None:
    from app.models.project import Project
    from app.services import projects

    project = session.get(Project, pid)
    if project is not None and project.state == "awarded":
        projects.transition(session, SAMPLE_CLERK, pid, "start_performance")


def load_sample_projects(session: Session, actor: Actor, today: date | None = None) -> int:
    """Sample projects and agreements in every state; added once, after the sample organizations."""
    from app.models.project import Project
    from app.services import agreements as ag
    from app.services import projects

    today = today or date.today()
    if session.scalar(select(func.count()).where(Project.is_sample.is_(True))):
        return 0
    by_name = {o.name.removeprefix(SAMPLE_MARK): o.id for o in session.scalars(
        select(Organization).where(Organization.is_sample.is_(True)))}
    if not by_name:
        return 0
    projects.ensure_default_catalogue(session)
    if not settings_service.get(session, settings_service.OFFICE_NAME):
        settings_service.put(session, actor, settings_service.OFFICE_NAME, "示例街道办事处")
    venue_ids = [by_name[v] for v in VENUES if v in by_name]
    support = by_name["北京市协作者社会工作发展中心"]
    cons = projects.save_consortium(session, SAMPLE_CLERK, projects.ConsortiumInput(
        name=SAMPLE_MARK + "文化服务民生组团", model_label="16+1+N",
        notes="16家民办文化场馆 + 1家支持性组织 + N家合作单位（seed 000 第一篇）。",
        members=[projects.MemberInput(o, "operator") for o in venue_ids]
        + [projects.MemberInput(support, "support_org"),
           projects.MemberInput(by_name["社区发展基金会"], "partner_foundation")],
        steering=[projects.SteeringInput("民政局代表", None, "gov"), projects.SteeringInput("李涛", support, "support_org")]
        + [projects.SteeringInput(f"场馆代表{i}", venue_ids[i], "elected_member") for i in range(4)]))

    # A three-year project in its second year, awarded to the consortium.
    y1 = today - timedelta(days=395)
    p1 = _run_project(session, "文化服务民生项目", "600000", today, "awarded", plan_years=3, start_year=y1.year,
                      award_consortium=cons, notice=y1 - timedelta(days=20), method="open_tender")
    _agreement(session, p1, support, "200000", y1, "completed", today, passed=True,
               content="组织协调、培训指导、过程监测16家民办文化场馆的公益服务。")
    _start_if_awarded(session, p1)
    _agreement(session, p1, support, "200000", ag.one_year_after(y1) + timedelta(days=1), "performing", today,
               year_index=2, content="第二年度：继续组织协调、培训指导、过程监测。")

    cases = [  # (project, undertaker, amount, days before today the agreement starts, agreement state)
        ("社区居家养老服务项目", "邻里互助服务中心", "280000", 150, "performing"),
        ("青少年课后托管服务", "阳光青少年成长服务中心", "150000", -20, "review"),
        ("社区矫正安置帮教服务", "巾帼家庭服务中心", "90000", -10, "awaiting_signature"),
        ("垃圾分类宣传服务", "绿色家园环保协会", "60000", 330, "final_acceptance"),
        ("妇女儿童家庭教育服务", "巾帼家庭服务中心", "80000", -40, "draft"),
        ("非遗文化进社区", "非遗刺绣艺术馆", "50000", 200, "terminated"),
    ]
    n = 1
    made: dict[str, int] = {}
    for name, org, amount, days_ago, state in cases:
        start = today - timedelta(days=days_ago)
        pid = _run_project(session, name, amount, today, "awarded", start_year=start.year,
                           award_org=by_name[org], notice=min(start - timedelta(days=15), today - timedelta(days=1)))
        made[name] = _agreement(session, pid, by_name[org], amount, start, state, today)
        n += 1
    _sample_payments(session, made, today)
    # The seed's community agreement: free of charge, the association as Party A (seed 000 第三篇).
    start = today - timedelta(days=2)
    pid = _run_project(session, "王羲之书法文化进社区", "5000", today, "awarded", start_year=start.year, price="0",
                       award_org=by_name["社区书法协会"], notice=today - timedelta(days=12),
                       method="direct_commission", reason="社区自治组织无偿提供服务，定向委托")
    _agreement(session, pid, by_name["社区书法协会"], "0", start, "effective", today, free=True, reversed_=True,
               content="有关王羲之的一系列文化活动；每年至少开展两次活动。")
    # A project finished and closed.
    start = today - timedelta(days=370)
    pid = _run_project(session, "重阳节敬老服务", "30000", today, "awarded", start_year=start.year,
                       award_org=by_name["邻里互助服务中心"], notice=start - timedelta(days=10))
    _agreement(session, pid, by_name["邻里互助服务中心"], "30000", start, "completed", today, passed=True)
    _start_if_awarded(session, pid)
    projects.transition(session, SAMPLE_REVIEWER, pid, "start_settlement")
    projects.transition(session, SAMPLE_REVIEWER, pid, "close")
    # Projects still on their way, and two that stopped.
    for name, state in (("社区就业援助服务", "requirement_draft"), ("社区环境绿化养护", "planned"),
                        ("老年人助餐点运营", "soliciting"), ("社区治理政策研究", "cancelled"),
                        ("社区节日文化活动", "failed"), ("残疾人康复服务", "requirement_approved"),
                        ("社区心理健康服务", "budgeted")):
        _run_project(session, name, "100000", today, state)
        n += 1
    n += _monthly_activity(session, today, by_name)
    return n + 2


# One small agreement signed in each of the last twelve months, in several service domains, so every
# month's summary and the dashboard's charts show real content. (service, domain, undertaker, amount)
_MONTHLY = [
    ("长者助餐配送服务", "扶老助残", "邻里互助服务中心", "48600.00"),
    ("困难家庭帮扶服务", "扶贫救助", "巾帼家庭服务中心", "36250.50"),
    ("社区健康讲座与义诊", "医疗卫生", "邻里互助服务中心", "22800.00"),
    ("四点半课堂", "支教助学", "阳光青少年成长服务中心", "41500.00"),
    ("社区法律咨询服务", "法律援助", "巾帼家庭服务中心", "18000.00"),
    ("垃圾分类入户指导", "生态环境", "绿色家园环保协会", "27350.25"),
    ("就业技能培训", "促进就业", "阳光青少年成长服务中心", "33000.00"),
    ("民俗文化体验活动", "文体科普", "北京市协作者社会工作发展中心", "25600.00"),
    ("残疾人居家康复指导", "扶老助残", "邻里互助服务中心", "39900.00"),
    ("妇女儿童权益保护宣传", "妇幼保护", "巾帼家庭服务中心", "15800.80"),
    ("独居老人探访服务", "扶老助残", "邻里互助服务中心", "52000.00"),
    ("科普进社区", "文体科普", "北京市协作者社会工作发展中心", "21300.00"),
]


def _monthly_activity(session: Session, today: date, by_name: dict[str, int]) -> int:
    from app.models import ServiceDomain
    from app.models.project import Agreement
    from app.services import agreements as ag

    domains = {d.name: d.id for d in session.scalars(select(ServiceDomain))}
    made = 0
    for back, (name, domain, org, amount) in enumerate(_MONTHLY[::-1]):
        y, m = today.year, today.month - back
        while m < 1:
            y, m = y - 1, m + 12
        start = date(y, m, min(today.day, 15) if back == 0 else 15)
        if back == 0 and start > today:
            start = today
        org_id = by_name.get(org)
        if org_id is None:
            continue
        pid = _run_project(session, name, amount, today, "awarded", start_year=y, award_org=org_id,
                           notice=start - timedelta(days=20), domain_id=domains.get(domain))
        state = "performing" if back >= 1 else "effective"
        aid = _agreement(session, pid, org_id, amount, start + timedelta(days=3), state, today)
        _start_if_awarded(session, pid)
        signed = session.get(Agreement, aid)
        if signed is not None and signed.effective_on is not None and back >= 2:
            # Older agreements were announced and filed in time; the last two months leave work to do.
            ag.record_dates(session, SAMPLE_CLERK, aid, signed.effective_on + timedelta(days=1),
                            signed.effective_on + timedelta(days=3) if back % 5 else None, today=today)
        made += 1
    return made


def _sample_payments(session: Session, made: dict[str, int], today: date) -> None:
    """A passed quarterly check and a paid instalment; a failed assessment blocking an instalment; an
    objection awaiting its reply."""
    from app.models.project import Agreement
    from app.services import assessments as asv
    from app.services import payments

    care = made["社区居家养老服务项目"]
    _sample_assessment(session, care, "routine", "0.88", today)
    a = session.get(Agreement, care)
    assert a is not None and a.effective_on is not None
    payments.record_payment(session, SAMPLE_FINANCE, payments.PaymentInput(
        agreement_id=care, instalment_seq=1, paid_on=min(a.effective_on + timedelta(days=10), today),
        amount=a.instalments[0].amount, reference="示例国库支付凭证 0001", channel="treasury_direct", is_sample=True),
        today=today)
    waste = made["垃圾分类宣传服务"]
    _sample_assessment(session, waste, "mid_term", "0.5", today)
    routine = _sample_assessment(session, waste, "routine", "0.7", today)
    asv.receive_objection(session, SAMPLE_CLERK, routine, today, "承接方认为满意度调查样本选取不当，附居民签名材料12份，"
                          "请求复核“服务对象满意度”得分。", today=today)


# ---------------------------------------------------------------------------------------------
# Removing sample rows from an office database (versions before the practice database put them there)


def sample_counts(session: Session, actor: Actor | None = None) -> dict[str, int]:
    """How many sample organizations, projects and agreements this database holds."""
    from app.models.project import Agreement, Consortium, Project

    return {
        "organizations": session.scalar(select(func.count()).where(Organization.is_sample.is_(True))) or 0,
        "projects": session.scalar(select(func.count()).where(Project.is_sample.is_(True))) or 0,
        "agreements": session.scalar(select(func.count()).where(Agreement.is_sample.is_(True))) or 0,
        "consortia": session.scalar(select(func.count()).where(Consortium.name.startswith(SAMPLE_MARK))) or 0,
    }


def check_remove_samples(actor: Actor) -> None:
    from app.services.permissions import Role, require

    require(actor, Role.ADMIN)


def remove_sample_data(session: Session, actor: Actor) -> dict[str, int]:
    """Delete every sample organization, consortium, project and agreement and what hangs on them
    (instalments, amendments, print records, attachments, duties, checks) in this one transaction,
    with one audit entry. Refused, naming the records, when a real record refers to a sample one."""
    from sqlalchemy import delete

    from app.domain.errors import FieldProblem, ValidationError
    from app.models import Attachment
    from app.models.printing import PrintRecord
    from app.models.project import Agreement, Consortium, ConsortiumMember, Project
    from app.models.system import DutyRecord
    from app.services import audit, references

    check_remove_samples(actor)
    org_ids = set(session.scalars(select(Organization.id).where(Organization.is_sample.is_(True))))
    project_ids = set(session.scalars(select(Project.id).where(Project.is_sample.is_(True))))
    agreement_ids = set(session.scalars(select(Agreement.id).where(Agreement.is_sample.is_(True))))
    consortium_ids = set(session.scalars(select(Consortium.id).where(Consortium.name.startswith(SAMPLE_MARK))))
    counts = {"organizations": len(org_ids), "consortia": len(consortium_ids), "projects": len(project_ids),
              "agreements": len(agreement_ids)}
    if not any(counts.values()):
        return counts

    # A real record that refers to a sample one stops the removal, by name.
    real_refs = [
        *session.scalars(select(Agreement.number).where(Agreement.is_sample.is_(False), (
            Agreement.undertaker_id.in_(org_ids) | Agreement.project_id.in_(project_ids)))),
        *session.scalars(select(Project.name).where(Project.is_sample.is_(False), (
            Project.award_org_id.in_(org_ids) | Project.award_consortium_id.in_(consortium_ids)))),
        *session.scalars(select(Consortium.name).join(ConsortiumMember).where(
            Consortium.id.not_in(consortium_ids), ConsortiumMember.org_id.in_(org_ids))),
    ]
    if real_refs:
        raise ValidationError([FieldProblem("sample_data", _("Sample data"), _(
            "is still used by real records: {names}. Change those first; nothing was removed.").format(
                names=_(", ").join(sorted(set(real_refs))[:10])))])

    for owner_type, ids in (("agreement", agreement_ids), ("project", project_ids), ("organization", org_ids)):
        if ids:
            session.execute(delete(Attachment).where(Attachment.owner_type == owner_type,
                                                     Attachment.owner_id.in_(ids)))
    for entity, ids in (("agreement", agreement_ids), ("project", project_ids)):
        if ids:
            session.execute(delete(DutyRecord).where(DutyRecord.entity == entity,
                                                     DutyRecord.entity_id.in_([str(i) for i in ids])))
    if agreement_ids:
        session.execute(delete(PrintRecord).where(PrintRecord.agreement_id.in_(agreement_ids)))
    # Whatever else hangs on them by a foreign key (assessments, payments, objections, …).
    for table, ids in (("agreements", agreement_ids), ("projects", project_ids), ("consortia", consortium_ids),
                       ("organizations", org_ids)):
        references.delete_dependents(session, table, ids, keep={"agreements", "projects", "consortia",
                                                                 "organizations", "consortium_members"})
    # Through the ORM, so instalments, amendments, members, checks and the rest go with their owner.
    for model, ids in ((Agreement, agreement_ids), (Project, project_ids), (Consortium, consortium_ids),
                       (Organization, org_ids)):
        for row in session.scalars(select(model).where(model.id.in_(ids))):
            session.delete(row)
        session.flush()
    audit.record(session, actor, "delete", "sample_data", "", _("Sample data"),
                 {key: (str(n), "0") for key, n in counts.items() if n})
    return counts

"""A seeded generator of realistic practice data at office or district scale (issue 17).

`spdesk demo --scale office|district --db FILE` fills a *new, empty practice database* — never the
office's — with organizations (valid GB 32100 credit codes, Chinese names, pinyin search keys),
purchase projects, yearly agreements with payment schedules, each signed agreement's milestones,
the assessments of the milestones that are due (scored on the shipped checklists), now and then an
objection with its reply, the payments the rules allow, and the audit history of all of it (a valid
hash chain). The same seed always gives the same records, so benchmarks compare like with like.

Rows go in with bulk INSERTs in one transaction rather than one service call per record: a district
(20,000 organizations, 100,000 agreements, about 500,000 assessments) through the services would take
hours. The values obey the services' rules: codes pass the check; every agreement belongs to an
awarded project of its undertaker; schedules add up to the amount; milestones are the ones signing
plans (`assessment.plan_milestones`); totals and grades are the domain's; an instalment is paid only
once its condition holds (signed and effective; its milestone's assessment approved, passed and not
under objection; the final acceptance passed) and the payment names that record; a project's next
year follows only a passed final assessment. Organizations, projects and agreements are audited with
their whole snapshot, as their services audit them, so `spdesk check` finds the tables agreeing with
the trail; assessments and payments with their main fields. Every row is marked as sample (`is_sample`).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from app.domain import assessment as asm
from app.domain.errors import FieldProblem, ValidationError
from app.domain.money import to_fen
from app.domain.uscc import ALPHABET, make_code
from app.i18n import _
from app.models import AuditRecord, Organization, ServiceDomain, org_domains
from app.models.assessment import Acceptance, AcceptanceSupervisor
from app.models.org import AnnualInspection
from app.models.project import Agreement, Instalment, Project
from app.services import assessments as asm_service
from app.services import audit, checklists
from app.services import calendar as calendar_service
from app.services import settings as settings_service
from app.services.context import Actor


@dataclass(frozen=True)
class Scale:
    name: str
    organizations: int
    agreements: int


SCALES = {
    "office": Scale("office", 200, 2_000),
    "district": Scale("district", 20_000, 100_000),
}

# Districts of Beijing with their GB/T 2260 codes (the region part of a credit code).
DISTRICTS = [("东城区", "110101"), ("西城区", "110102"), ("朝阳区", "110105"), ("丰台区", "110106"),
             ("石景山区", "110107"), ("海淀区", "110108"), ("门头沟区", "110109"), ("房山区", "110111"),
             ("通州区", "110112"), ("顺义区", "110113"), ("昌平区", "110114"), ("大兴区", "110115"),
             ("怀柔区", "110116"), ("平谷区", "110117"), ("密云区", "110118"), ("延庆区", "110119")]
STREETS = ["东华门", "景山", "交道口", "安定门", "北新桥", "东四", "朝阳门", "建国门", "东直门", "和平里",
           "前门", "崇文门外", "东花市", "龙潭", "体育馆路", "天坛", "永定门外", "德胜", "什刹海", "西长安街",
           "大栅栏", "天桥", "新街口", "月坛", "展览路", "广安门内", "牛街", "白纸坊", "金融街", "椿树"]
THEMES = ["阳光", "邻里", "同心", "惠民", "和谐", "温馨", "春晖", "夕阳红", "暖心", "启航", "彩虹", "向日葵",
          "益友", "乐龄", "青禾", "蒲公英", "善行", "仁爱", "博雅", "晨曦", "星光", "新起点", "手拉手", "绿色家园",
          "德馨", "翰墨", "知行", "睦邻", "安康", "融合", "明德", "新希望", "心桥", "共享", "长青", "悦享",
          "金色年华", "童心", "益家", "连心"]
FIELDS = [("助老", "扶老助残"), ("助残", "扶老助残"), ("青少年成长", "支教助学"), ("家庭", "妇幼保护"),
          ("社会工作", "扶贫救助"), ("心理咨询", "扶贫救助"), ("法律援助", "法律援助"), ("文化艺术", "文体科普"),
          ("书法", "文体科普"), ("体育健身", "文体科普"), ("环保", "生态环境"), ("就业创业", "促进就业"),
          ("社区教育", "支教助学"), ("康复", "扶老助残"), ("志愿服务", "扶贫救助"), ("调解", "法律援助"),
          ("科普", "文体科普"), ("养老照护", "扶老助残"), ("妇女儿童", "妇幼保护"), ("残疾人就业", "促进就业")]
SUFFIXES = [("服务中心", "52"), ("社会工作事务所", "52"), ("协会", "51"), ("促进会", "51"), ("发展中心", "52"),
            ("服务社", "52"), ("研究会", "51"), ("基金会", "53")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰建国志红文博宇浩然欣怡子涵梓萱晨旭喆旸镕"
SERVICES = ["居家养老上门服务", "社区老年餐桌运营", "青少年课后托管", "困境儿童关爱", "残疾人康复训练",
            "社区心理健康服务", "人民调解与法律咨询", "垃圾分类宣传指导", "社区文化活动组织", "全民健身指导",
            "就业技能培训", "家庭教育指导", "社区志愿者培育", "失独家庭关怀", "流动人口服务",
            "社区科普讲座", "书法艺术进社区", "非遗传承体验", "为老助浴服务", "邻里互助网络建设"]
DEPARTMENTS = ["社区建设科", "民政科", "文化科", "社会保障科", "综合治理科", "残联"]

_STATE_BY_AGE = {  # how far back the agreement's year lies -> states in use, with weights
    0: (["draft", "review", "awaiting_signature", "effective", "performing"], [5, 3, 2, 20, 70]),
    1: (["performing", "final_acceptance", "completed", "terminated"], [10, 15, 72, 3]),
}
_OLD = (["completed", "terminated"], [97, 3])


def _practice_only(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(Organization)) or \
            session.scalar(select(func.count()).select_from(Agreement)):
        raise ValidationError([FieldProblem("db", _("Database"), _(
            "already holds records; generated practice data goes only into a new, empty practice database "
            "(name a new file with --db)"))])


def _pinyin_parts(parts: list[str]) -> dict[str, tuple[str, str]]:
    from app.services.orgs import pinyin_keys

    return {p: pinyin_keys(p) for p in parts}


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


CENT = Decimal("0.01")
EXTRA_KINDS = (["random_check", "citizen_rating", "complaint_verification", "special", "third_party", "inspection"],
               [35, 25, 12, 12, 10, 6])
ASSESSOR_ROLES = ["purchaser_staff", "third_party", "expert"]
FINDINGS = {True: ["服务按计划开展，台账完整。", "服务记录齐全，服务对象反映良好。", "活动开展规范，资金使用合规。",
                   "服务量达到协议约定，部分台账需补充签名。"],
            False: ["服务量未达到协议约定，台账缺失较多，限期整改。", "服务记录不完整，服务对象满意度偏低，限期整改。"]}


def generate(session: Session, actor: Actor, scale: str | Scale = "office", seed: int = 17,
             today: date | None = None) -> dict[str, int]:
    """Fill an empty database; returns how many rows of each kind were written."""
    from app.services import agreements as agreement_service
    from app.services import orgs as org_service
    from app.services import projects as project_service

    if isinstance(scale, str) and scale not in SCALES:
        raise ValidationError([FieldProblem("scale", _("Scale"), _("must be office or district"))])
    _practice_only(session)
    size = SCALES[scale] if isinstance(scale, str) else scale
    today = today or date.today()
    rng = random.Random(seed)
    from app.services.orgs import ensure_default_domains

    ensure_default_domains(session)
    checklists.ensure_checklists(session, actor)
    domain_ids = {name: i for name, i in session.execute(select(ServiceDomain.name, ServiceDomain.id))}
    domain_names = {i: name for name, i in domain_ids.items()}
    office = "北京市东城区东华门街道办事处（练习数据）"
    settings_service.put(session, actor, settings_service.OFFICE_NAME, office)
    # Pinyin keys per name part (pypinyin for 20,000 whole names would take most of the run).
    keys = _pinyin_parts(["北京市"] + [d for d, _c in DISTRICTS] + [s + "街道" for s in STREETS] + THEMES
                         + [f for f, _d in FIELDS] + [s for s, _p in SUFFIXES])
    now = datetime(today.year, today.month, today.day, 9, 0)
    counts = {"organizations": 0, "projects": 0, "agreements": 0, "instalments": 0, "acceptances": 0,
              "milestones": 0, "assessments": 0, "scores": 0, "objections": 0, "payments": 0, "audit": 0}
    chain = _Chain(session, audit.latest_hash(session), actor, now)
    org_defaults, project_defaults, agreement_defaults = (_defaults(t) for t in (  # type: ignore[arg-type]
        Organization.__table__, Project.__table__, Agreement.__table__))

    # Organizations: unique (district, street, theme, field, suffix) combinations.
    combos = len(DISTRICTS) * len(STREETS) * len(THEMES) * len(FIELDS) * len(SUFFIXES)
    picks = rng.sample(range(combos), size.organizations)
    orgs: list[dict[str, object]] = []
    org_domain_rows: list[dict[str, int]] = []
    inspections: list[dict[str, object]] = []
    used_codes: set[str] = set()
    org_field: list[str] = []
    for n, k in enumerate(picks, start=1):
        k, si = divmod(k, len(SUFFIXES))
        k, fi = divmod(k, len(FIELDS))
        k, ti = divmod(k, len(THEMES))
        di, st = divmod(k, len(STREETS))
        (district, region), street, theme = DISTRICTS[di], STREETS[st], THEMES[ti]
        (fld, domain), (suffix, prefix) = FIELDS[fi], SUFFIXES[si]
        parts = ["北京市", district] + ([street + "街道"] if suffix not in ("基金会", "研究会") else []) \
            + [theme, fld, suffix]
        name = "".join(parts)
        initials = "".join(keys[p][0] for p in parts)
        full = "".join(keys[p][1] for p in parts)
        while True:
            code = make_code(prefix, region, "".join(rng.choice(ALPHABET) for _ in range(8)))
            if code not in used_codes:
                used_codes.add(code)
                break
        legal = _person(rng)
        established = date(rng.randint(1998, today.year - 2), rng.randint(1, 12), rng.randint(1, 28))
        rating = rng.choices(["", "3A", "4A", "5A"], [55, 25, 15, 5])[0]
        row: dict[str, object] = {
            "id": n, "name": name, "name_initials": initials, "name_pinyin": full, "credit_code": code,
            "org_type": {"51": "social_group", "52": "private_non_enterprise", "53": "foundation"}.get(prefix, "other"),
            "registration_authority": f"北京市{district}民政局", "region": region, "legal_representative": legal,
            "contact_person": _person(rng), "phone": f"010-{rng.randint(60000000, 89999999)}",
            "address": f"北京市{district}{street}街道{rng.randint(1, 300)}号",
            "bank_name": rng.choice(["中国工商银行", "中国建设银行", "北京银行", "中国农业银行"]) + f"北京{district}支行",
            "bank_account_name": name, "bank_account_no": "".join(str(rng.randint(0, 9)) for _ in range(19)),
            "established_on": established, "is_support_org": suffix == "发展中心" and rng.random() < 0.3,
            "rating": rating, "rating_valid_until": date(today.year + rng.randint(0, 3), 12, 31) if rating else None,
            "notes": "", "eligibility": rng.choices(["eligible", "ineligible"], [85, 15])[0], "eligibility_on": today,
            "is_sample": True, "created_at": now, "updated_at": now, "created_by": actor.id, "version": 1,
        }
        orgs.append(row)
        org_field.append(domain)
        domain_id = domain_ids.get(domain, next(iter(domain_ids.values())))
        org_domain_rows.append({"org_id": n, "domain_id": domain_id})
        own_inspections = []
        for y in (today.year - 2, today.year - 1):
            if y > established.year:
                own_inspections.append(SimpleNamespace(year=y, result=rng.choices(["passed", "basic", "failed"],
                                                                                  [88, 10, 2])[0]))
        inspections.extend({"org_id": n, "year": i.year, "result": i.result} for i in own_inspections)
        # Audited as orgs.save audits a new organization: every field it filled.
        chain.add("create", "organization", n, name, audit.diff({}, org_service._snapshot(_record(
            org_defaults, row, domains=[SimpleNamespace(name=domain_names[domain_id])], inspections=own_inspections,
            violations=[]))))
    _bulk(session, Organization.__table__, orgs)
    _bulk(session, org_domains, org_domain_rows)
    _bulk(session, AnnualInspection.__table__, inspections)
    counts["organizations"] = len(orgs)
    del orgs, inspections

    # Projects and their yearly agreements: spread over ten years, newest the most.
    years = list(range(today.year - 9, today.year + 1))
    year_weights = [1 + i for i in range(len(years))]
    projects: list[dict[str, object]] = []
    agreements: list[dict[str, object]] = []
    instalments: list[dict[str, object]] = []
    # A completed agreement was completed on a passed acceptance (验收) with three supervising
    # beneficiaries, as the program requires (成都规程第二十五条).
    acceptances: list[dict[str, object]] = []
    supervisors: list[dict[str, object]] = []
    performed: list[_Performed] = []  # what the assessments and payments below are generated for
    seq_by_year: dict[int, int] = {}
    pid = 0
    aid = 0
    while aid < size.agreements:
        pid += 1
        start_year = rng.choices(years, year_weights)[0]
        plan_years = rng.choices([1, 2, 3], [50, 20, 30])[0]
        org = rng.randint(1, size.organizations)
        service = rng.choice(SERVICES)
        street = rng.choice(STREETS)
        budget = Decimal(rng.randrange(50_000, 1_200_000, 1_000)).quantize(CENT)
        n_years = max(1, min(plan_years, today.year - start_year + 1, size.agreements - aid))
        last_age = today.year - (start_year + n_years - 1)
        pstate = "in_performance" if last_age == 0 else "closed" if rng.random() < 0.95 else "terminated"
        pname = f"{street}街道{service}项目（{start_year}—{start_year + plan_years - 1}年度）" if plan_years > 1 \
            else f"{street}街道{service}项目（{start_year}年度）"
        project: dict[str, object] = {
            "id": pid, "name": pname, "purchaser_department": rng.choice(DEPARTMENTS), "service_category": 3,
            "domain_id": domain_ids.get(org_field[org - 1]), "budget_year": start_year, "budget_amount": budget,
            "funding_source": "dept_public_funds", "procurement_method": rng.choice(
                ["open_tender", "competitive_consultation", "competitive_negotiation"]),
            "method_reason": "", "evaluation_method": "comprehensive_scoring", "voucher_scheme": False,
            "plan_years": plan_years, "start_year": start_year, "req_goals": f"为辖区居民提供{service}。",
            "req_assessment_type": "periodic_assessment", "award_org_id": org,
            "award_notice_date": date(start_year, 1, 1) - timedelta(days=rng.randint(10, 40)),
            "award_price": budget, "state": pstate, "state_reason": "", "is_sample": True,
            "created_at": now, "updated_at": now, "created_by": actor.id, "version": 1,
        }
        projects.append(project)
        snap = project_service._snapshot(_record(project_defaults, project))
        chain.add("create", "project", pid, pname, audit.diff({}, {**snap, "state": "planned"}))
        chain.add("state", "project", pid, pname, {"state": ("planned", pstate)})
        for yi in range(1, n_years + 1):
            aid += 1
            year = start_year + yi - 1
            age = today.year - year
            states, weights = _STATE_BY_AGE.get(age, _OLD)
            state = rng.choices(states, weights)[0]
            if yi < n_years and state == "terminated":
                state = "completed"  # a later year was signed: this one's final assessment passed
            seq_by_year[year] = seq_by_year.get(year, 0) + 1
            number = f"{office}购服〔{year}〕{seq_by_year[year]:05d}号"
            start = date(year, 1, 1)
            amount = budget / plan_years
            amount = amount.quantize(CENT)
            signed = state not in ("draft", "review", "awaiting_signature")
            agreement: dict[str, object] = {
                "id": aid, "number": number, "project_id": pid, "year_index": yi, "undertaker_id": org,
                "purchaser_name": office, "parties_reversed": False, "service_content": f"{service}，按服务方案实施。",
                "target_group": "辖区居民", "place": f"{street}街道各社区", "free_of_charge": False, "amount": amount,
                "period_start": start, "period_end": date(year, 12, 31), "acceptance_standard": "按考核办法评分，80分以上为合格。",
                "rights_obligations": "", "breach_liability": "", "dispute_resolution": "mediation",
                "no_subcontracting": True, "copies": 4, "signatory_a": "王主任" if signed else "",
                "signatory_b": _person(rng) if signed else "", "signed_on_a": start - timedelta(days=5) if signed else None,
                "signed_on_b": start - timedelta(days=4) if signed else None,
                "effective_on": start if signed else None, "state": state, "state_reason": "",
                "amendment_count": 0,
                "final_assessment_passed": True if state in ("completed", "final_acceptance") else None,
                "is_sample": True, "created_at": now, "updated_at": now, "created_by": actor.id, "version": 1,
            }
            agreements.append(agreement)
            first = (amount * Decimal("0.3")).quantize(CENT)
            second = (amount * Decimal("0.4")).quantize(CENT)
            schedule = [(1, first, Decimal(30), "on_signing", ""), (2, second, Decimal(40), "milestone_passed", "中期考核"),
                        (3, amount - first - second, Decimal(30), "final_acceptance", "")]
            own: list[dict[str, object]] = [{"agreement_id": aid, "seq": seq, "amount": part, "percent": pct, "condition": cond,
                    "milestone": ms, "paid_on": None} for seq, part, pct, cond, ms in schedule]
            instalments.extend(own)
            snap = agreement_service._snapshot(_record(agreement_defaults, agreement, instalments=[
                SimpleNamespace(seq=i["seq"], amount=i["amount"], condition=i["condition"], milestone=i["milestone"])
                for i in own]))
            chain.add("create", "agreement", aid, number, audit.diff({}, {**snap, "state": "draft"}))
            acceptance: tuple[int, date] | None = None
            if state == "completed":
                acc_id = len(acceptances) + 1
                acceptance = (acc_id, date(year, 12, 20))
                acceptances.append({
                    "id": acc_id, "agreement_id": aid, "accepted_on": acceptance[1],
                    "team": f"{rng.choice(DEPARTMENTS)} {_person(rng)}\n{_person(rng)}", "place": f"{street}街道",
                    "result": "passed", "score": Decimal(rng.randint(80, 98)), "opinion": "服务内容和数量达到协议约定，同意验收。",
                    "purchaser_is_user": False, "state": "completed", "completed_by": actor.id, "is_sample": True,
                    "created_at": now, "updated_at": now, "created_by": actor.id, "version": 1})
                supervisors.extend({"acceptance_id": acc_id, "name": _person(rng), "identity": "服务对象",
                                    "phone": f"139{rng.randint(10000000, 99999999)}", "id_number": ""}
                                   for _ in range(3))
                chain.add("state", "acceptance", acc_id, number, {"result": "passed", "state": ("draft", "completed")})
            if state != "draft":
                chain.add("state", "agreement", aid, number, {"state": ("draft", state)})
            if signed:
                performed.append(_Performed(aid, number, state, year, age, start, date(year, 12, 31), own, acceptance))
    _bulk(session, Project.__table__, projects)
    _bulk(session, Agreement.__table__, agreements)
    _bulk(session, Acceptance.__table__, acceptances)
    _bulk(session, AcceptanceSupervisor.__table__, supervisors)
    counts.update(projects=len(projects), agreements=len(agreements), acceptances=len(acceptances))
    del projects, agreements, acceptances, supervisors

    _Performance(session, actor, rng, today, office, chain, counts).run(performed)
    _bulk(session, Instalment.__table__, instalments)  # with the paid dates the payments above set
    counts["instalments"] = len(instalments)
    counts["audit"] = chain.flush()
    return counts


@dataclass
class _Performed:
    """A signed agreement, as the second pass needs it."""

    id: int
    number: str
    state: str
    year: int
    age: int
    start: date
    end: date
    instalments: list[dict[str, object]]
    acceptance: tuple[int, date] | None  # (id, date) of its completed, passed acceptance


class _Performance:
    """Milestones, assessments with their scores, objections, corrections and payments of signed agreements.

    Rows are buffered and written in foreign-key order every few thousand agreements, so a district
    never holds its millions of score rows in memory.
    """

    def __init__(self, session: Session, actor: Actor, rng: random.Random, today: date, office: str,
                 chain: _Chain, counts: dict[str, int]) -> None:
        self.session, self.actor, self.rng, self.today, self.office = session, actor, rng, today, office
        self.chain, self.counts = chain, counts
        rows = {r.code: r for r in checklists.list_checklists(session, actor)}
        self.routine = checklists.get_version(session, rows["community_social"].version_id)
        self.year_end = checklists.get_version(session, rows["chengdu_art32"].version_id)
        self.buffers: dict[str, list[tuple[object, ...]]] = {t: [] for t in _COLUMNS}
        self.ids = {t: 0 for t in _COLUMNS}
        self.notices: dict[int, int] = {}
        self.now = chain.at
        self.stamp = _dt(self.now)
        self.people = [_person(rng) for _ in range(40)]

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def run(self, performed: list[_Performed]) -> None:
        for n, a in enumerate(performed, start=1):
            self.agreement(a)
            if n % 2_000 == 0:
                self.flush()
        self.flush()

    def flush(self) -> None:
        for table, cols in _COLUMNS.items():  # foreign-key order
            rows = self.buffers[table]
            if rows:
                _raw(self.session, table, cols, rows)
                self.counts[_COUNTED.get(table, table)] = self.counts.get(_COUNTED.get(table, table), 0) + len(rows)
                rows.clear()
        self.chain.write()

    def agreement(self, a: _Performed) -> None:
        rng, today = self.rng, self.today
        plan = asm.plan_milestones(a.start, a.end, [asm.PlannedInstalment(int(i["seq"]), str(i["condition"]),  # type: ignore[call-overload]
                                                                           str(i["milestone"])) for i in a.instalments])
        quality = rng.uniform(0.8, 0.97)
        # How far the year's assessing got: all of it for a year behind us; up to today this year;
        # a terminated agreement stopped at mid-year; one still performing after its year lacks the final.
        assessed_until = min(today, date(a.year, 6, 30)) if a.state == "terminated" else today
        passed_mid: tuple[int, date] | None = None  # (assessment id, approved on) of a final, passed milestone
        for m in plan:
            mid = self.next_id("milestones")
            self.buffers["milestones"].append((mid, a.id, m.seq, m.name, m.kind.value, m.due_on.isoformat(),
                                               m.instalment_seq, self.stamp, self.actor.id, self.stamp, None, 1))
            if m.due_on > assessed_until or (m.kind == asm.MilestoneKind.FINAL and a.state in ("performing",
                                                                                              "effective")):
                continue
            assessed_on = m.due_on + timedelta(days=rng.randint(0, 10))
            if assessed_on > today:
                continue  # due, not yet assessed: the deadline list shows it
            approved_on: date | None = assessed_on + timedelta(days=rng.randint(1, 7))
            if approved_on is not None and approved_on > today:
                approved_on = None  # submitted, awaiting approval
            final = m.kind == asm.MilestoneKind.FINAL
            fail = (m.kind == asm.MilestoneKind.ROUTINE and rng.random() < 0.03) or \
                (m.kind == asm.MilestoneKind.MID_TERM and a.age == 0 and rng.random() < 0.02)
            level = rng.uniform(0.35, 0.55) if fail else quality
            x = self.assessment(a, mid, m.name, "routine", assessed_on, approved_on,
                                self.year_end if final else self.routine, level)
            if m.kind == asm.MilestoneKind.MID_TERM and x is not None:
                passed_mid = x
        for _n in range(rng.choices([0, 1, 2, 3], [20, 40, 25, 15])[0]):  # checks outside the schedule
            day = a.start + timedelta(days=rng.randint(20, 340))
            if day > assessed_until:
                continue
            approved = day + timedelta(days=rng.randint(1, 7))
            kind = rng.choices(*EXTRA_KINDS)[0]
            self.assessment(a, None, _(asm_service.KINDS[kind]), kind, day, approved if approved <= today else None,
                            self.routine, quality if rng.random() > 0.03 else rng.uniform(0.4, 0.55))
        # Payments: each instalment once its condition holds (成都规程第二十八条), on the record it relies on.
        for inst in a.instalments:
            cond = inst["condition"]
            on: tuple[int | None, int | None]
            if cond == "on_signing":
                when, on = a.start + timedelta(days=rng.randint(5, 30)), (None, None)
            elif cond == "milestone_passed" and passed_mid is not None:
                when, on = passed_mid[1] + timedelta(days=rng.randint(5, 40)), (passed_mid[0], None)
            elif cond == "final_acceptance" and a.acceptance is not None:
                when, on = a.acceptance[1] + timedelta(days=rng.randint(3, 30)), (None, a.acceptance[0])
            else:
                continue
            if when > today:
                continue  # payable, not paid yet
            self.payment(a, inst, when, on[0], on[1])

    def assessment(self, a: _Performed, milestone_id: int | None, what: str, kind: str, assessed_on: date,
                   approved_on: date | None, checklist: checklists.ChecklistDetail,
                   level: float) -> tuple[int, date] | None:
        """One assessment; returns (id, approved on) when its result is final and passed."""
        rng = self.rng
        xid = self.next_id("assessments")
        leaves = asm.leaves(checklist.indicators)
        scores = {}
        for leaf in leaves:
            share = min(1.0, max(0.0, level + rng.uniform(-0.08, 0.08)))
            scores[leaf.key] = Decimal(round(float(leaf.max_score) * share))
        total = asm.total_score(checklist.indicators, scores)
        band = asm.grade_for(total, checklist.bands)
        surveyed = satisfied = None
        if kind == "citizen_rating":
            surveyed = rng.randint(20, 120)
            satisfied = min(surveyed, round(surveyed * min(1.0, level + 0.05)))
        assessors = [{"name": rng.choice(self.people), "role": "purchaser_staff"},
                     {"name": rng.choice(self.people), "role": rng.choice(ASSESSOR_ROLES)}]
        state = "approved" if approved_on is not None else "submitted"
        label = f"{a.number} {what}"
        notice = ""
        notice_on: date | None = None
        objection = approved_on is not None and kind == "routine" and checklist is self.routine and \
            rng.random() < (0.15 if not band.passing else 0.002)
        if objection:
            assert approved_on is not None
            notice_on = approved_on + timedelta(days=1)
            seq = self.notices[notice_on.year] = self.notices.get(notice_on.year, 0) + 1
            notice = asm_service.NOTICE_PATTERN.format(office=self.office, year=notice_on.year, seq=seq)
        self.buffers["assessments"].append((
            xid, a.id, milestone_id, checklist.version_id, kind, assessed_on.isoformat(),
            json.dumps(assessors, ensure_ascii=False), rng.choice(FINDINGS[band.passing]), surveyed, satisfied,
            to_fen(total), band.grade, int(band.passing), state, self.actor.id,
            self.actor.id if approved_on else None, approved_on.isoformat() if approved_on else None, notice,
            notice_on.isoformat() if notice_on else None, 1, self.stamp, self.actor.id, self.stamp, self.actor.id, 1))
        for key, value in scores.items():
            self.buffers["assessment_scores"].append((xid, key, to_fen(value), ""))
        self.chain.add("create", "assessment", xid, label, {"total": total, "grade": band.grade})
        self.chain.add("state", "assessment", xid, label, {"state": ("draft", state)})
        final_passed: bool | None = band.passing
        if objection and notice_on is not None:
            final_passed = self.objection(xid, label, notice_on, checklist, scores, total, band)
            if final_passed is None:
                return None
        if approved_on is None or not final_passed:
            return None
        return xid, approved_on

    def objection(self, xid: int, label: str, notice_on: date, checklist: checklists.ChecklistDetail,
                  scores: dict[str, Decimal], total: Decimal, band: asm.GradeBand) -> bool | None:
        """An objection to the result (成都规程第二十七条); returns whether the result passes after the reply,
        None while the reply is awaited."""
        rng, today = self.rng, self.today
        received = notice_on + timedelta(days=rng.randint(1, 3))
        if received > today:
            return band.passing
        due = calendar_service.working_days_after(self.session, self.actor, received, asm_service.OBJECTION_DAYS)
        oid = self.next_id("objections")
        content = "对考核结果有异议：部分服务记录未被采纳，现补充提交签到表和照片。"
        replied = received + timedelta(days=rng.randint(1, 6))
        self.chain.add("create", "objection", oid, label, {"received_on": (None, received),
                                                          "reply_due_on": (None, due.due), "content": (None, content)})
        if replied > today:
            self.buffers["objections"].append((oid, xid, received.isoformat(), content,
                                               due.due.isoformat() if due.due else None,
                                               due.uncovered_years[0] if due.uncovered_years else None, "received",
                                               None, "", "", self.stamp, self.actor.id, self.stamp, None, 1))
            return None
        corrected = rng.random() < 0.4
        outcome = "corrected" if corrected else "upheld"
        reply = "经核实，补充材料属实，相应指标得分予以更正。" if corrected else "经核实，考核结果无误，维持原结果。"
        self.buffers["objections"].append((oid, xid, received.isoformat(), content,
                                           due.due.isoformat() if due.due else None,
                                           due.uncovered_years[0] if due.uncovered_years else None, "replied",
                                           replied.isoformat(), outcome, reply, self.stamp, self.actor.id, self.stamp,
                                           self.actor.id, 2))
        if corrected:
            leaf = min(asm.leaves(checklist.indicators), key=lambda i: scores[i.key] / i.max_score)
            new_score = min(leaf.max_score, scores[leaf.key] + leaf.max_score * Decimal("0.3")).quantize(Decimal(1))
            new_scores = {**scores, leaf.key: new_score}
            new_total = asm.total_score(checklist.indicators, new_scores)
            new_band = asm.grade_for(new_total, checklist.bands)
            why = _("Objection received {date}: {reply}").format(date=received.isoformat(), reply=reply)
            self.buffers["assessment_corrections"].append((
                self.next_id("assessment_corrections"), xid, oid, why, json.dumps([{
                    "indicator": leaf.key, "name": leaf.name, "before": str(scores[leaf.key]),
                    "after": str(new_score)}], ensure_ascii=False), to_fen(total), band.grade, to_fen(new_total),
                new_band.grade, self.actor.id, self.stamp))
            self._correct(xid, leaf.key, new_score, new_total, new_band)
            self.chain.add("correct", "assessment", xid, label, {"total": (total, new_total),
                                                                "grade": (band.grade, new_band.grade),
                                                                "correction": (None, why)})
            band = new_band
        self.chain.add("reply", "objection", oid, "", {"state": ("received", "replied"), "outcome": (None, outcome),
                                                       "replied_on": (None, replied)})
        return band.passing

    def _correct(self, xid: int, key: str, score: Decimal, total: Decimal, band: asm.GradeBand) -> None:
        """The corrected figures replace the buffered ones (the correction row keeps the old)."""
        rows = self.buffers["assessment_scores"]
        for i in range(len(rows) - 1, -1, -1):
            if rows[i][0] == xid and rows[i][1] == key:
                rows[i] = (xid, key, to_fen(score), "")
                break
        x = self.buffers["assessments"][-1]
        assert x[0] == xid
        self.buffers["assessments"][-1] = x[:10] + (to_fen(total), band.grade, int(band.passing)) + x[13:23] + \
            (self.actor.id, 2)

    def payment(self, a: _Performed, inst: dict[str, object], when: date, assessment_id: int | None,
                acceptance_id: int | None) -> None:
        pid = self.next_id("payments")
        amount = inst["amount"]
        assert isinstance(amount, Decimal)
        channel = "treasury_direct" if self.rng.random() < 0.3 else "dept_budget"
        reference = f"{'国库' if channel == 'treasury_direct' else '拨款'}〔{when.year}〕{pid:06d}号"
        self.buffers["payments"].append((pid, a.id, inst["seq"], when.isoformat(), to_fen(amount), reference, channel,
                                         assessment_id, acceptance_id, "", self.actor.id, self.stamp, 1))
        inst["paid_on"] = when  # paid in full
        self.chain.add("create", "payment", pid, f"{a.number} #{inst['seq']}", {
            "amount": (None, amount), "paid_on": (None, when), "reference": (None, reference),
            "channel": (None, channel), "assessment_id": (None, assessment_id), "acceptance_id": (None, acceptance_id)})


# Columns of the rows _Performance buffers, in foreign-key order (raw tuples: the bulk of a district).
_COLUMNS = {
    "milestones": ("id", "agreement_id", "seq", "name", "kind", "due_on", "instalment_seq", "created_at", "created_by",
                   "updated_at", "updated_by", "version"),
    "assessments": ("id", "agreement_id", "milestone_id", "checklist_version_id", "kind", "assessed_on", "assessors",
                    "findings", "surveyed", "satisfied", "total", "grade", "passed", "state", "filled_by",
                    "approved_by", "approved_on", "notice_number", "notice_issued_on", "is_sample", "created_at",
                    "created_by", "updated_at", "updated_by", "version"),
    "assessment_scores": ("assessment_id", "indicator_key", "score", "note"),
    "objections": ("id", "assessment_id", "received_on", "content", "reply_due_on", "uncovered_year", "state",
                   "replied_on", "outcome", "reply", "created_at", "created_by", "updated_at", "updated_by", "version"),
    "assessment_corrections": ("id", "assessment_id", "objection_id", "reason", "changes", "old_total", "old_grade",
                               "new_total", "new_grade", "created_by", "created_at"),
    "payments": ("id", "agreement_id", "instalment_seq", "paid_on", "amount", "reference", "channel", "assessment_id",
                 "acceptance_id", "note", "recorded_by", "created_at", "is_sample"),
}
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # as audit._digest's json.dumps
_COUNTED = {"assessment_scores": "scores", "assessment_corrections": "corrections"}


def _dt(at: datetime) -> str:
    """A DateTime as SQLAlchemy stores it in SQLite."""
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def _defaults(table: Table) -> dict[str, object]:
    """Each column's scalar default: what a bulk INSERT leaves in the columns a row does not name."""
    out: dict[str, object] = {}
    for c in table.columns:
        d = c.default
        out[c.name] = d.arg if d is not None and getattr(d, "is_scalar", False) else None  # type: ignore[attr-defined]
    return out


def _record(defaults: dict[str, object], row: Mapping[str, object], **extra: object) -> Any:
    """A row as the services' snapshot functions read a record (attributes, defaults filled in)."""
    return SimpleNamespace(**{**defaults, **row, **extra})


class _Chain:
    """Audit rows of the generated history, hash-chained exactly as audit.record chains them (a change whose
    old and new values read the same is left out, as there); written in batches as they accumulate."""

    COLUMNS = ("at", "user_id", "username", "action", "entity", "entity_id", "entity_label", "field", "old_value",
               "new_value", "prev_hash", "hash")

    def __init__(self, session: Session, prev: str, actor: Actor, at: datetime) -> None:
        self.session = session
        self.prev = prev
        self.actor = actor
        self.at = at
        self.stamp = _dt(at)
        self.at_iso = at.isoformat(timespec="microseconds")
        self.rows: list[tuple[object, ...]] = []
        self.written = 0

    def add(self, action: str, entity: str, entity_id: int, label: str, changes: Mapping[str, object]) -> None:
        items = []
        for field, value in changes.items():
            old, new = value if isinstance(value, tuple) else (None, value)
            old_t, new_t = audit._text(old), audit._text(new)
            if (old_t or "") != (new_t or ""):
                items.append((field, old_t, new_t))
        if not items:
            items = [("", None, None)]
        label = label[:255]
        for field, old_t, new_t in items:
            # audit._digest's payload, with one encoder and the time formatted once (a district hashes millions).
            digest = hashlib.sha256(_JSON.encode([self.prev, self.at_iso, self.actor.id, self.actor.username, action,
                                                  entity, str(entity_id), label, field, old_t,
                                                  new_t]).encode("utf-8")).hexdigest()
            self.rows.append((self.stamp, self.actor.id, self.actor.username, action, entity, str(entity_id), label,
                              field, old_t, new_t, self.prev, digest))
            self.prev = digest
        if len(self.rows) >= 50_000:
            self.write()

    def write(self) -> None:
        if self.rows:
            _raw(self.session, AuditRecord.__tablename__, self.COLUMNS, self.rows)
            self.written += len(self.rows)
            self.rows = []

    def flush(self) -> int:
        self.write()
        return self.written


def _raw(session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> None:
    """One executemany of tuples already in their stored form (dates as ISO text, money as fen)."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn = session.connection()
    for i in range(0, len(rows), 20_000):
        conn.exec_driver_sql(sql, list(rows[i:i + 20_000]))


def _chunks(rows: Sequence[Mapping[str, object]], n: int = 5_000) -> Iterator[Sequence[Mapping[str, object]]]:
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def _bulk(session: Session, table: object, rows: Sequence[Mapping[str, object]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(table), chunk)  # type: ignore[arg-type]

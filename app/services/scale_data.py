"""A seeded generator of realistic practice data at office or district scale (issue 17).

`spdesk demo --scale office|district --db FILE` fills a *new, empty practice database* — never the
office's — with organizations (valid GB 32100 credit codes, Chinese names, pinyin search keys),
purchase projects, yearly agreements with payment schedules, and the audit history of creating them
(a valid hash chain). The same seed always gives the same records, so benchmarks compare like with like.

Rows go in with bulk INSERTs in one transaction rather than one service call per record: a district
(20,000 organizations, 100,000 agreements) through the services would take hours. The values obey the
services' rules (codes pass the check, every agreement belongs to an awarded project of its
undertaker, schedules add up to the amount), and every row is marked as sample (`is_sample`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.domain.errors import FieldProblem, ValidationError
from app.domain.uscc import ALPHABET, make_code
from app.i18n import _
from app.models import AuditRecord, Organization, ServiceDomain, org_domains
from app.models.assessment import Acceptance, AcceptanceSupervisor
from app.models.org import AnnualInspection
from app.models.project import Agreement, Instalment, Project
from app.services import audit
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


def generate(session: Session, actor: Actor, scale: str | Scale = "office", seed: int = 17,
             today: date | None = None) -> dict[str, int]:
    """Fill an empty database; returns how many rows of each kind were written."""
    if isinstance(scale, str) and scale not in SCALES:
        raise ValidationError([FieldProblem("scale", _("Scale"), _("must be office or district"))])
    _practice_only(session)
    size = SCALES[scale] if isinstance(scale, str) else scale
    today = today or date.today()
    rng = random.Random(seed)
    from app.services.orgs import ensure_default_domains

    ensure_default_domains(session)
    domain_ids = {name: i for name, i in session.execute(select(ServiceDomain.name, ServiceDomain.id))}
    office = "北京市东城区东华门街道办事处（练习数据）"
    settings_service.put(session, actor, settings_service.OFFICE_NAME, office)
    # Pinyin keys per name part (pypinyin for 20,000 whole names would take most of the run).
    keys = _pinyin_parts(["北京市"] + [d for d, _c in DISTRICTS] + [s + "街道" for s in STREETS] + THEMES
                         + [f for f, _d in FIELDS] + [s for s, _p in SUFFIXES])
    now = datetime(today.year, today.month, today.day, 9, 0)
    counts = {"organizations": 0, "projects": 0, "agreements": 0, "instalments": 0, "acceptances": 0, "audit": 0}
    chain = _Chain(audit.latest_hash(session), actor)

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
        orgs.append({
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
        })
        org_field.append(domain)
        org_domain_rows.append({"org_id": n, "domain_id": domain_ids.get(domain, next(iter(domain_ids.values())))})
        for y in (today.year - 2, today.year - 1):
            if y > established.year:
                inspections.append({"org_id": n, "year": y,
                                    "result": rng.choices(["passed", "basic", "failed"], [88, 10, 2])[0]})
        chain.add(now, "create", "organization", n, name, {"name": name, "credit_code": code,
                                                           "legal_representative": legal})
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
        budget = Decimal(rng.randrange(50_000, 1_200_000, 1_000))
        n_years = max(1, min(plan_years, today.year - start_year + 1, size.agreements - aid))
        last_age = today.year - (start_year + n_years - 1)
        pstate = "in_performance" if last_age == 0 else "closed" if rng.random() < 0.95 else "terminated"
        pname = f"{street}街道{service}项目（{start_year}—{start_year + plan_years - 1}年度）" if plan_years > 1 \
            else f"{street}街道{service}项目（{start_year}年度）"
        projects.append({
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
        })
        chain.add(now, "create", "project", pid, pname, {"name": pname, "budget_amount": budget})
        for yi in range(1, n_years + 1):
            aid += 1
            year = start_year + yi - 1
            age = today.year - year
            states, weights = _STATE_BY_AGE.get(age, _OLD)
            state = rng.choices(states, weights)[0]
            seq_by_year[year] = seq_by_year.get(year, 0) + 1
            number = f"{office}购服〔{year}〕{seq_by_year[year]:05d}号"
            start = date(year, 1, 1)
            amount = budget / plan_years
            amount = amount.quantize(Decimal("0.01"))
            signed = state not in ("draft", "review", "awaiting_signature")
            agreements.append({
                "id": aid, "number": number, "project_id": pid, "year_index": yi, "undertaker_id": org,
                "purchaser_name": office, "parties_reversed": False, "service_content": f"{service}，按服务方案实施。",
                "target_group": "辖区居民", "place": f"{street}街道各社区", "free_of_charge": False, "amount": amount,
                "period_start": start, "period_end": date(year, 12, 31), "acceptance_standard": "按考核办法评分，80分以上为合格。",
                "rights_obligations": "", "breach_liability": "", "dispute_resolution": "mediation",
                "no_subcontracting": True, "copies": 4, "signatory_a": "王主任" if signed else "",
                "signatory_b": _person(rng) if signed else "", "signed_on_a": start - timedelta(days=5) if signed else None,
                "signed_on_b": start - timedelta(days=4) if signed else None,
                "effective_on": start if signed else None, "state": state, "state_reason": "",
                "amendment_count": 0, "final_assessment_passed": True if state == "completed" else None,
                "is_sample": True, "created_at": now, "updated_at": now, "created_by": actor.id, "version": 1,
            })
            first = (amount * Decimal("0.3")).quantize(Decimal("0.01"))
            second = (amount * Decimal("0.4")).quantize(Decimal("0.01"))
            for seq, (part, pct, cond, ms) in enumerate([
                    (first, Decimal(30), "on_signing", ""), (second, Decimal(40), "milestone_passed", "中期考核"),
                    (amount - first - second, Decimal(30), "final_acceptance", "")], start=1):
                paid = (signed and seq == 1) or (state == "completed") or (age >= 1 and seq == 2 and signed)
                instalments.append({"agreement_id": aid, "seq": seq, "amount": part, "percent": pct, "condition": cond,
                                    "milestone": ms, "paid_on": date(year, 1 + 5 * (seq - 1), 15) if paid else None})
            chain.add(now, "create", "agreement", aid, number, {"number": number, "amount": amount})
            if state == "completed":
                acc_id = len(acceptances) + 1
                acceptances.append({
                    "id": acc_id, "agreement_id": aid, "accepted_on": date(year, 12, 20),
                    "team": f"{rng.choice(DEPARTMENTS)} {_person(rng)}\n{_person(rng)}", "place": f"{street}街道",
                    "result": "passed", "score": Decimal(rng.randint(80, 98)), "opinion": "服务内容和数量达到协议约定，同意验收。",
                    "purchaser_is_user": False, "state": "completed", "completed_by": actor.id, "is_sample": True,
                    "created_at": now, "updated_at": now, "created_by": actor.id, "version": 1})
                supervisors.extend({"acceptance_id": acc_id, "name": _person(rng), "identity": "服务对象",
                                    "phone": f"139{rng.randint(10000000, 99999999)}", "id_number": ""}
                                   for _ in range(3))
                chain.add(now, "state", "acceptance", acc_id, number, {"result": "passed",
                                                                        "state": ("draft", "completed")})
            if state != "draft":
                chain.add(now, "state", "agreement", aid, number, {"state": ("draft", state)})
    _bulk(session, Project.__table__, projects)
    _bulk(session, Agreement.__table__, agreements)
    _bulk(session, Instalment.__table__, instalments)
    _bulk(session, Acceptance.__table__, acceptances)
    _bulk(session, AcceptanceSupervisor.__table__, supervisors)
    counts.update(projects=len(projects), agreements=len(agreements), instalments=len(instalments),
                  acceptances=len(acceptances))
    counts["audit"] = chain.flush(session)
    return counts


class _Chain:
    """Audit rows of the generated history, hash-chained exactly as audit.record chains them."""

    def __init__(self, prev: str, actor: Actor) -> None:
        self.prev = prev
        self.actor = actor
        self.rows: list[dict[str, object]] = []

    def add(self, at: datetime, action: str, entity: str, entity_id: int, label: str,
            changes: dict[str, object]) -> None:
        for field, value in changes.items():
            old, new = value if isinstance(value, tuple) else (None, value)
            old_t, new_t = audit._text(old), audit._text(new)
            digest = audit._digest(self.prev, at, self.actor.id, self.actor.username, action, entity, str(entity_id),
                                   label[:255], field, old_t, new_t)
            self.rows.append({"at": at, "user_id": self.actor.id, "username": self.actor.username, "action": action,
                              "entity": entity, "entity_id": str(entity_id), "entity_label": label[:255],
                              "field": field, "old_value": old_t, "new_value": new_t, "prev_hash": self.prev,
                              "hash": digest})
            self.prev = digest

    def flush(self, session: Session) -> int:
        _bulk(session, AuditRecord.__table__, self.rows)
        return len(self.rows)


def _chunks(rows: Sequence[Mapping[str, object]], n: int = 5_000) -> Iterator[Sequence[Mapping[str, object]]]:
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def _bulk(session: Session, table: object, rows: Sequence[Mapping[str, object]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(table), chunk)  # type: ignore[arg-type]

"""Sample data drawn from the seeds (the "16+1" cultural-venue consortium, community organizations,
a foundation), clearly marked as sample so that a new user can try every screen and delete it later.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.eligibility import MANUAL_ITEMS
from app.domain.uscc import make_code
from app.models import Organization
from app.services import orgs
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
    # A partner enterprise with a genuine early pilot code that fails the check (DOMAIN.md §3.3).
    add(orgs.OrgInput(
        name="福州文化传播有限公司", credit_code="91350100M0001TGQXM",
        code_override_reason="早期试点代码，经核对营业执照原件无误（示例）", registration_authority="福州市市场监督管理局",
        legal_representative="陈志", phone="0591-83000000", domains=["文体科普"],
        inspections=[orgs.InspectionInput(last, "passed")], notes="组团“+N”中的合作企业。",
    ), checks=False)
    return added

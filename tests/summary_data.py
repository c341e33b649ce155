"""A varied set of agreements written straight through the ORM, for the summary and export tests.

Amounts carry odd fen so a rounding or float error shows; one organization's name looks like a
spreadsheet formula; one project has no service domain.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.models import Agreement, Organization, Project, ServiceDomain
from app.store.db import Database

STATES = ["effective", "performing", "performing", "final_acceptance", "completed", "terminated",
          "awaiting_signature", "draft"]
METHODS = ["open_tender", "competitive_consultation", "single_source", "venture_philanthropy"]
FORMULA_NAME = "=HYPERLINK(\"http://x\",\"点我\")社工中心"
ORG_NAMES = ["阳光社工服务中心", "夕阳红养老服务中心", FORMULA_NAME, "+86青少年成长中心", "@社区志愿者协会",
             "-残障人士康复服务社"]


def seed(db: Database, n: int = 60, rng_seed: int = 7, today: date = date(2026, 6, 15)) -> None:
    rng = random.Random(rng_seed)
    with db.session() as s:
        domains = list(s.scalars(select(ServiceDomain.id).order_by(ServiceDomain.id)))[:4] + [None]
        orgs = []
        for i, name in enumerate(ORG_NAMES):
            o = Organization(name=name, credit_code=None, phone=f"1380013{i:04d}", legal_representative="张三")
            s.add(o)
            orgs.append(o)
        s.flush()
        projects = []
        for i in range(8):
            p = Project(name=f"测试项目{i}", budget_year=2026, budget_amount=Decimal("500000.00"), start_year=2025,
                        procurement_method=METHODS[i % len(METHODS)], domain_id=domains[i % len(domains)],
                        plan_years=3, state="in_performance", award_notice_date=today - timedelta(days=40 * i + 5),
                        award_org_id=orgs[i % len(orgs)].id)
            s.add(p)
            projects.append(p)
        s.flush()
        for i in range(n):
            start = today - timedelta(days=rng.randint(-20, 420))
            state = rng.choice(STATES)
            signed = state not in ("draft", "awaiting_signature")
            effective = start - timedelta(days=rng.randint(0, 10)) if signed else None
            s.add(Agreement(
                number=f"测购服〔{start.year}〕{i + 1:03d}号", project_id=projects[i % len(projects)].id, year_index=1 + i % 2,
                undertaker_id=orgs[rng.randrange(len(orgs))].id, amount=Decimal(rng.randint(100000, 99999999)) / 100,
                period_start=start, period_end=start + timedelta(days=rng.choice([90, 180, 364])), state=state,
                effective_on=effective,
                announced_on=(effective + timedelta(days=1)) if effective and rng.random() < 0.6 else None,
                filed_on=(effective + timedelta(days=3)) if effective and rng.random() < 0.5 else None))

"""Records for the durability tests, through the real services (and independent of the demo data,
which grows with every feature): 25 organizations, each with its manual checklist items."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.domain import eligibility as elig
from app.domain.uscc import make_code
from app.services import orgs
from app.services.context import Actor, Desk
from app.store.db import Database
from tests.factories import org_input

COUNT = 25


def _fill(session: Session, actor: Actor, count: int) -> int:
    for n in range(1, count + 1):
        org_id = orgs.save(session, actor, org_input(f"样本社会工作服务中心{n}号",
                                                     credit_code=make_code("52", "110105", f"TM{n:06d}")))
        for item in elig.MANUAL_ITEMS:
            orgs.save_check(session, actor, org_id, item.code, "met", "已核验登记证书等材料")
    return count


def fill(db: Database, count: int = COUNT) -> int:
    with db.session() as s:
        orgs.ensure_default_domains(s)
    return Desk(db).run(_fill, count)

"""Figures for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Organization
from app.services import settings as settings_service
from app.services.context import Actor


@dataclass(frozen=True)
class Overview:
    office_name: str
    organizations: int
    eligible: int
    ineligible: int
    support_orgs: int


def overview(session: Session, actor: Actor | None) -> Overview:
    by_state = dict(session.execute(select(Organization.eligibility, func.count()).group_by(Organization.eligibility)).all())
    support = session.scalar(select(func.count()).where(Organization.is_support_org.is_(True))) or 0
    return Overview(settings_service.get(session, settings_service.OFFICE_NAME),
                    sum(by_state.values()), by_state.get("eligible", 0), by_state.get("ineligible", 0), support)

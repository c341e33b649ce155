"""Roles and permission checks, enforced in the services (not only by hiding buttons)."""

from __future__ import annotations

from enum import StrEnum

from app.i18n import N_, _
from app.services.context import Actor


class Role(StrEnum):
    CLERK = "clerk"  # 经办人: drafts and edits
    REVIEWER = "reviewer"  # 审核人: approves, signs off, accepts work
    FINANCE = "finance"  # 财务: records payments
    ADMIN = "admin"  # 管理员: users, templates, settings


ROLE_LABELS = {
    Role.CLERK: N_("Clerk"),
    Role.REVIEWER: N_("Reviewer"),
    Role.FINANCE: N_("Finance"),
    Role.ADMIN: N_("Administrator"),
}


class PermissionDenied(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def require(actor: Actor, *roles: Role) -> None:
    """Allow the action when the actor holds any of the roles."""
    if not roles or actor.roles & {r.value for r in roles}:
        return
    names = _(" or ").join(_(ROLE_LABELS[r]) for r in roles)
    raise PermissionDenied(_("This action needs the role {roles}; {user} does not hold it.").format(
        roles=names, user=actor.label))

"""The first start: the office, the language, the first administrator and, if wanted, the first clerk,
reviewer and finance officer, in one transaction.

The first administrator holds the administrator role only (separation of duties, DOMAIN.md): the
setup offers to create the people who draft, review and pay right away, so the office can work
without first finding the user list in Settings. Each of them chooses a new password at the first
log-in. Practice data, when asked for, goes into its own database (app.views.app), never into this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.errors import FieldProblem, ValidationError
from app.i18n import _
from app.services import accounts
from app.services import settings as settings_service
from app.services.context import Actor
from app.services.permissions import ROLE_LABELS, Role

# The roles the setup offers to fill, in the order a purchase needs them.
STAFF_ROLES = (Role.CLERK, Role.REVIEWER, Role.FINANCE)


@dataclass(frozen=True)
class StaffInput:
    """One person the setup creates besides the administrator; all three fields blank means nobody."""

    role: str
    username: str = ""
    display_name: str = ""
    password: str = ""

    @property
    def blank(self) -> bool:
        return not (self.username.strip() or self.display_name.strip() or self.password)


def complete(session: Session, actor: Actor, username: str, display_name: str, password: str, repeat: str,
             office_name: str, language: str, staff: Sequence[StaffInput] = ()) -> Actor:
    """Create the first administrator (and the staff given) and finish the setup; returns the administrator."""
    admin = accounts.create_first_admin(session, actor, username, display_name, password, repeat)
    settings_service.complete_setup(session, admin, office_name, language)
    problems: list[FieldProblem] = []
    for person in staff:
        role = Role(person.role)  # ValueError for a role the setup does not offer: a programming error
        if role not in STAFF_ROLES:
            raise ValueError(f"the setup does not create {role} accounts")
        if person.blank:
            continue
        try:
            accounts.create_user(session, admin, person.username, person.display_name, {role.value},
                                 person.password)
        except ValidationError as exc:
            # Name the person as well as the field: three rows have a 用户名 each.
            problems += [FieldProblem(f"{role.value}_{p.field}", _("{role}: {field}").format(
                role=_(ROLE_LABELS[role]), field=p.label), p.reason) for p in exc.problems]
    if problems:
        raise ValidationError(problems)  # nothing of the setup is saved: the transaction rolls back
    return admin

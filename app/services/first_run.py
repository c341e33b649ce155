"""The first start: the office, the language and the first administrator, in one transaction.

Practice data, when asked for, goes into its own database (app.views.app), never into this one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.services import accounts
from app.services import settings as settings_service
from app.services.context import Actor


def complete(session: Session, actor: Actor, username: str, display_name: str, password: str, repeat: str,
             office_name: str, language: str) -> Actor:
    """Create the first administrator and finish the setup; returns the administrator to act as."""
    admin = accounts.create_first_admin(session, actor, username, display_name, password, repeat)
    settings_service.complete_setup(session, admin, office_name, language)
    return admin

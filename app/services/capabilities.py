"""What an actor may do on each page, from the very guards the writes run (no database needed).

A page asks once, when it is built, and shows or hides its buttons; the write still checks.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.services import accounts, checklists, demo, maintenance, orgs, projects, templates
from app.services import agreements as ag
from app.services import settings as settings_service
from app.services.context import Actor
from app.services.forms import Allowed, allowed_by


def page_actions(actor: Actor) -> Mapping[str, Allowed]:
    return {
        "org:delete": allowed_by(lambda: orgs.check_delete(actor)),
        "project:new": allowed_by(lambda: projects.check_save(actor)),
        "consortium:edit": allowed_by(lambda: projects.check_save_consortium(actor)),
        "catalogue:edit": allowed_by(lambda: projects.check_save_catalogue(actor)),
        "agreement:new": allowed_by(lambda: ag.check_edit(actor, None)),
        "template:edit": allowed_by(lambda: templates.check_edit(actor)),
        "settings:edit": allowed_by(lambda: settings_service.check_update(actor)),
        "users:manage": allowed_by(lambda: accounts.check_manage(actor)),
        "backup:restore": allowed_by(lambda: maintenance.check_restore(actor)),
        "samples:remove": allowed_by(lambda: demo.check_remove_samples(actor)),
        "checklist:edit": allowed_by(lambda: checklists.check_edit(actor)),
    }


def may(actor: Actor, action: str) -> bool:
    return page_actions(actor)[action].ok

"""Replaying the audit trail against the tables it describes: direct edits of the file show up.

Every change goes through a service that writes the changed fields into the audit trail. Replay
the trail (create, update, state, amend, enable/disable, delete) and the last recorded value of
each field of each record must equal what the table holds now. A difference means the table was
changed outside the program — `UPDATE agreements SET amount = amount * 10`, a user's roles raised
to administrator — and is reported with the table, record and field. A row the trail never
created, or one it deleted, is reported too.

Values are compared the way the trail stores them (`audit._text`), with an empty text and no value
the same, as `audit.diff` treats them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import AuditRecord, Organization, Setting, User
from app.models.project import Agreement, Project
from app.services import accounts, agreements, audit, orgs, projects

# Password changes and log-ins record the password hash's fingerprint (accounts.password_fingerprint).
REPLAYED = ("create", "update", "state", "amend", "enable", "disable", "delete", "change_password",
            "reset_password", "login")


def _user_snapshot(u: User) -> dict[str, object]:
    return {"username": u.username, "display_name": u.display_name, "roles": u.roles, "active": u.active,
            accounts.PASSWORD_FINGERPRINT: accounts.password_fingerprint(u.password_hash)}


@dataclass(frozen=True)
class _Kind:
    entity: str
    table: str
    model: Any
    snapshot: Callable[[Any], dict[str, object]]
    defaults: dict[str, str]  # fields a creation does not record because they start so
    # Fields compared only once the trail has recorded them: accounts created before the program
    # recorded password fingerprints get theirs at their next log-in or password change.
    optional: frozenset[str] = frozenset()


KINDS = (
    _Kind("organization", "organizations", Organization, orgs._snapshot, {}),
    _Kind("project", "projects", Project, projects._snapshot, {}),
    _Kind("agreement", "agreements", Agreement, agreements._snapshot, {}),
    _Kind("user", "users", User, _user_snapshot, {"active": "1"}, frozenset({accounts.PASSWORD_FINGERPRINT})),
)


@dataclass(frozen=True)
class DirectEdit:
    table: str
    record: str  # the record's id (a setting's key)
    field: str  # "" for the whole record
    recorded: str | None  # what the audit trail says
    actual: str | None  # what the table holds

    def describe(self) -> str:
        if self.field == "" and self.actual is None:
            return _("table {table}, record {id}: deleted without an audit record").format(
                table=self.table, id=self.record)
        if self.field == "":
            return _("table {table}, record {id}: exists without an audit record of its creation").format(
                table=self.table, id=self.record)
        return _("table {table}, record {id}, field {field}: the audit trail says “{recorded}”, the table holds "
                 "“{actual}”").format(table=self.table, id=self.record, field=self.field,
                                      recorded=_short(self.recorded), actual=_short(self.actual))


def _short(value: str | None, limit: int = 40) -> str:
    text = value or ""
    return text if len(text) <= limit else text[:limit] + "…"


def _norm(value: object) -> str:
    return audit._text(value) or ""


def _trail(session: Session, entities: set[str]) -> dict[tuple[str, str], dict[str, str | None] | None]:
    """(entity, id) -> last recorded value of each field; None once deleted."""
    state: dict[tuple[str, str], dict[str, str | None] | None] = {}
    rows = session.execute(select(AuditRecord.entity, AuditRecord.entity_id, AuditRecord.action, AuditRecord.field,
                                  AuditRecord.new_value)
                           .where(AuditRecord.entity.in_(entities), AuditRecord.action.in_(REPLAYED))
                           .order_by(AuditRecord.id)).yield_per(5000)
    for entity, entity_id, action, field, new in rows:
        if entity == "qualification_check":
            # A check re-evaluates its organization's eligibility and records it on the check's row.
            if field != "eligibility":
                continue
            entity, entity_id = "organization", entity_id.split(":", 1)[0]
        key = (entity, entity_id)
        if action == "delete":
            state[key] = None
            continue
        fields = state.get(key)
        if fields is None:
            fields = state[key] = {}
        if action == "create":
            fields.setdefault("\0created", "1")
        if field:
            fields[field] = new
    return state


def direct_edits(session: Session, limit: int = 1000) -> list[DirectEdit]:
    """Every difference between the replayed trail and the audited tables (at most `limit`)."""
    found: list[DirectEdit] = []
    for edit in _edits(session):
        found.append(edit)
        if len(found) >= limit:
            break
    return found


def _edits(session: Session) -> Iterator[DirectEdit]:
    trail = _trail(session, {k.entity for k in KINDS} | {"setting", "qualification_check"})
    for kind in KINDS:
        seen: set[str] = set()
        for row in session.scalars(select(kind.model).order_by(kind.model.id)).yield_per(500):
            rid = str(row.id)
            seen.add(rid)
            recorded = trail.get((kind.entity, rid))
            if recorded is None or "\0created" not in recorded:
                yield DirectEdit(kind.table, rid, "", None, "")
                continue
            snap = kind.snapshot(row)
            for field, value in snap.items():
                if field in kind.optional and field not in recorded:
                    continue
                expected = recorded.get(field, kind.defaults.get(field)) or ""
                actual = _norm(value)
                if expected != actual:
                    yield DirectEdit(kind.table, rid, field, expected, actual)
        for (entity, rid), fields in trail.items():
            if entity == kind.entity and fields is not None and "\0created" in fields and rid not in seen:
                yield DirectEdit(kind.table, rid, "", "", None)
    for s in session.scalars(select(Setting).order_by(Setting.key)):
        setting = trail.get(("setting", s.key))
        if setting is None:
            continue  # settings written at set-up before any account existed are not all audited
        value = setting.get("value")
        if (value or "") != (s.value or ""):
            yield DirectEdit("settings", s.key, "value", value, s.value)

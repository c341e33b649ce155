"""The audit trail: one hash-chained row per changed field, written in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.i18n import N_, _
from app.models import AuditRecord
from app.models.base import utcnow
from app.services import bulk
from app.services import changes as changes_log
from app.services.context import Actor
from app.services.permissions import Role, require

GENESIS = "0" * 64

# How the viewer names actions and records; unknown codes are shown as stored.
ACTION_LABELS = {
    "create": N_("Created"),
    "update": N_("Changed"),
    "delete": N_("Deleted"),
    "state": N_("State changed"),
    "amend": N_("Amended"),
    "import": N_("Imported"),
    "attach": N_("Attachment added"),
    "detach": N_("Attachment removed"),
    "duty": N_("Duty performed"),
    "login": N_("Logged in"),
    "login_failed": N_("Log-in failed"),
    "lockout": N_("Account locked"),
    "change_password": N_("Password changed"),
    "reset_password": N_("Password reset"),
    "disable": N_("Account disabled"),
    "enable": N_("Account enabled"),
    "restore": N_("Restored from backup"),
    "print": N_("Printed"),
    "freeze": N_("Text frozen for signature"),
    "correct": N_("Score corrected"),
    "issue": N_("Result notice issued"),
    "reply": N_("Objection answered"),
    "reveal": N_("Masked numbers shown"),
}

ENTITY_LABELS = {
    "organization": N_("Organization"),
    "qualification_check": N_("Qualification check"),
    "service_domains": N_("Service domains"),
    "setting": N_("Setting"),
    "ledger": N_("Ledger import"),
    "user": N_("User account"),
    "project": N_("Project"),
    "agreement": N_("Agreement"),
    "consortium": N_("Consortium"),
    "catalogue_item": N_("Catalogue item"),
    "holiday_calendar": N_("Holiday calendar"),
    "database": N_("Database"),
    "template": N_("Contract template"),
    "sample_data": N_("Sample data"),
    "assessment": N_("Assessment"),
    "acceptance": N_("Acceptance (验收)"),
    "payment": N_("Payment"),
    "objection": N_("Objection"),
    "checklist": N_("Checklist"),
    "milestone": N_("Assessment milestone"),
    "threshold": N_("Procurement method threshold"),
}


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def entity_label(entity: str) -> str:
    return _(ENTITY_LABELS[entity]) if entity in ENTITY_LABELS else entity


def _digest(prev_hash: str, at: datetime, user_id: int | None, username: str, action: str, entity: str,
            entity_id: str, entity_label: str, field: str, old: str | None, new: str | None) -> str:
    return _digest_at(prev_hash, at.isoformat(timespec="microseconds"), user_id, username, action, entity, entity_id,
                      entity_label, field, old, new)


def _digest_at(prev_hash: str, at: str, user_id: int | None, username: str, action: str, entity: str,
               entity_id: str, entity_label: str, field: str, old: str | None, new: str | None) -> str:
    """_digest with the time already written as ISO text (record_many: once per event, not per field)."""
    payload = _PAYLOAD.encode([prev_hash, at, user_id, username, action, entity, entity_id, entity_label, field,
                               old, new])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# What json.dumps(…, ensure_ascii=False, separators=(",", ":")) builds on every call, made once: the same
# text (the hash of every record depends on it; tests/unit/test_audit.py), a fifth less work per row.
_PAYLOAD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def row_digest(r: AuditRecord) -> str:
    return _digest(r.prev_hash, r.at, r.user_id, r.username, r.action, r.entity, r.entity_id,
                   r.entity_label, r.field, r.old_value, r.new_value)


def latest_hash(session: Session) -> str:
    h = session.scalar(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1))
    return h or GENESIS


def head(session: Session, actor: Actor | None = None) -> str:
    """The latest chain hash: printed on monthly reports and written into export manifests, so a
    copy held elsewhere shows whether the history was rewritten since."""
    return latest_hash(session)


@dataclass(frozen=True)
class Anchor:
    """Where the chain stood at one moment: the last record's id and hash (and how many there were).

    Kept outside the database — in each backup's manifest, in the monthly export manifest — it lets
    `spdesk audit verify --against` prove that today's trail still extends it: a trail cut short
    or recomputed from an earlier record no longer holds that hash at that id.
    """

    last_id: int
    head: str
    count: int = 0

    def as_manifest(self) -> dict[str, object]:
        """The JSON block that manifests carry under the key "audit"."""
        return {"last_id": self.last_id, "head": self.head, "count": self.count}

    @classmethod
    def from_manifest(cls, block: object) -> Anchor | None:
        if not isinstance(block, dict):
            return None
        last_id, head_, count_ = block.get("last_id"), block.get("head"), block.get("count", 0)
        if not isinstance(last_id, int) or not isinstance(head_, str) or len(head_) != 64:
            return None
        return cls(last_id, head_, count_ if isinstance(count_, int) else 0)


def current_anchor(session: Session, actor: Actor | None = None) -> Anchor:
    """The chain's head now, for a manifest (backups, the monthly export) or a report."""
    row = session.execute(select(AuditRecord.id, AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1)).first()
    n = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    return Anchor(row[0], row[1], n) if row else Anchor(0, GENESIS, 0)


def head_anchor(session: Session) -> Anchor:
    """The chain's head now without counting the records (one indexed query: cheap for every print)."""
    row = session.execute(select(AuditRecord.id, AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1)).first()
    return Anchor(row[0], row[1]) if row else Anchor(0, GENESIS)


@dataclass(frozen=True)
class AnchorCheck:
    ok: bool
    source: str  # where the anchor came from (a file name)
    anchor: Anchor
    message: str  # translated


def check_anchor(session: Session, anchor: Anchor, source: str) -> AnchorCheck:
    """Does the trail as it is now still extend `anchor`? (Run verify_chain as well: this checks the link.)"""
    if anchor.last_id == 0:
        return AnchorCheck(True, source, anchor, _("{source}: empty trail, nothing to compare.").format(
            source=source))
    stored = session.scalar(select(AuditRecord.hash).where(AuditRecord.id == anchor.last_id))
    if stored is None:
        last = session.scalar(select(func.max(AuditRecord.id))) or 0
        return AnchorCheck(False, source, anchor, _(
            "{source}: the trail once reached record {id}, but now ends at record {last}: records were removed "
            "from the end.").format(source=source, id=anchor.last_id, last=last))
    if stored != anchor.head:
        return AnchorCheck(False, source, anchor, _(
            "{source}: record {id} no longer has the hash recorded then: the trail was rewritten (and its hashes "
            "recomputed) at or before that record.").format(source=source, id=anchor.last_id))
    return AnchorCheck(True, source, anchor, _("{source}: the trail still extends record {id}.").format(
        source=source, id=anchor.last_id))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: object, label: str = "",
           changes: Mapping[str, tuple[object, object]] | None = None) -> None:
    """Append audit rows: one per changed field, or one row for an event without fields."""
    items = [(f, (old, new)) for f, (old, new) in (changes or {}).items()
             if (_text(old) or "") != (_text(new) or "")]  # never an empty "— → —" change
    if changes and not items:
        return  # nothing changed: nothing to record
    items = items or [("", (None, None))]
    prev = latest_hash(session)
    at = utcnow()
    for field, (old, new) in items:
        row = AuditRecord(at=at, user_id=actor.id, username=actor.username, action=action, entity=entity,
                          entity_id=str(entity_id), entity_label=label[:255], field=field,
                          old_value=_text(old), new_value=_text(new), prev_hash=prev)
        row.hash = row_digest(row)
        prev = row.hash
        session.add(row)
    session.flush()
    changes_log.note_entity(session, entity, entity_id)  # every audited write reports its change


@dataclass(frozen=True)
class Entry:
    """One audited event for record_many: what record() takes, as a value."""

    action: str
    entity: str
    entity_id: object
    label: str = ""
    changes: Mapping[str, tuple[object, object]] | None = None


def record_many(session: Session, actor: Actor, entries: Sequence[Entry]) -> int:
    """Append the audit rows of many events in one INSERT, chained exactly as record() chains them
    (a bulk write, such as a ledger import, keeps its trail at a fraction of the cost). Returns the
    number of rows written."""
    prev = latest_hash(session)
    rows: list[tuple[object, ...]] = []
    noted: dict[str, list[str]] = {}
    uid, username = actor.id, actor.username
    for e in entries:
        items = [(f, _text(old), _text(new)) for f, (old, new) in (e.changes or {}).items()]
        items = [(f, old_t, new_t) for f, old_t, new_t in items if (old_t or "") != (new_t or "")]
        if e.changes and not items:
            continue
        items = items or [("", None, None)]
        at, entity_id, label, action, entity = utcnow(), str(e.entity_id), e.label[:255], e.action, e.entity
        at_text = at.isoformat(timespec="microseconds")
        for field, old_t, new_t in items:
            digest = _digest_at(prev, at_text, uid, username, action, entity, entity_id, label, field, old_t, new_t)
            rows.append((at, uid, username, action, entity, entity_id, label, field, old_t, new_t, prev, digest))
            prev = digest
        noted.setdefault(e.entity, []).append(entity_id)
    for entity, ids in noted.items():  # once per kind: merging 5,000 changes one by one is quadratic
        changes_log.note(session, changes_log.kind_of_entity(entity), *(int(i) for i in ids if i.isdigit()))
    return bulk.insert_tuples(session, AuditRecord.__table__, _COLUMNS, rows)


_COLUMNS = ("at", "user_id", "username", "action", "entity", "entity_id", "entity_label", "field", "old_value",
            "new_value", "prev_hash", "hash")


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, tuple[object, object]]:
    keys = list(dict.fromkeys([*before, *after]))
    # An empty text and no value are the same to a reader: a new record lists only the fields it filled.
    return {k: (before.get(k), after.get(k)) for k in keys
            if (_text(before.get(k)) or "") != (_text(after.get(k)) or "")}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    broken_at: int | None = None  # audit row id where the chain first breaks
    reason: str = ""
    head: str = GENESIS


    def describe(self) -> str:
        """One line for people: OK with count and head, or where and why the chain breaks."""
        if self.ok:
            return _("Audit trail OK: {n} records, head {head}").format(n=self.count, head=self.head)
        why = {"missing row": _("a record is missing before it (deleted)"),
               "link": _("it does not link to the record before it"),
               "content": _("its content does not match its hash (changed)")}.get(self.reason, self.reason)
        return _("Audit trail broken at record {id}: {why}. {n} records before it are intact.").format(
            id=self.broken_at, why=why, n=self.count)


def verify_chain(session: Session, actor: Actor | None = None) -> ChainReport:
    prev = GENESIS
    expected_id: int | None = None
    count = 0
    for r in session.scalars(select(AuditRecord).order_by(AuditRecord.id)).yield_per(2000):
        if expected_id is not None and r.id != expected_id:
            return ChainReport(False, count, expected_id, "missing row", prev)
        if r.prev_hash != prev:
            return ChainReport(False, count, r.id, "link", prev)
        if row_digest(r) != r.hash:
            return ChainReport(False, count, r.id, "content", prev)
        prev = r.hash
        expected_id = r.id + 1
        count += 1
    return ChainReport(True, count, None, "", prev)


# ---------------------------------------------------------------------------------------------
# The viewer: filtered, paged, newest first.


@dataclass(frozen=True)
class AuditQuery:
    username: str = ""  # exact user name, "" for everyone
    entity: str = ""  # record type, "" for all
    entity_id: str = ""  # one record
    date_from: date | None = None  # local dates, inclusive
    date_to: date | None = None
    text: str = ""  # fragment of the record label, field or values

    def with_(self, **kw: Any) -> AuditQuery:
        return replace(self, **kw)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # naive UTC, as stored
    user_id: int | None
    username: str
    action: str
    entity: str
    entity_id: str
    entity_label: str
    field: str
    old_value: str | None
    new_value: str | None
    # What values and the record refer to by id: (kind, id) -> name (app.services.audit_text fills it).
    names: Mapping[tuple[str, str], str] | None = None

    @property
    def page_key(self) -> tuple[int]:
        """The row's place in the trail's order, newest (highest id) first: keyset paging."""
        return (self.id,)

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def entity_type_label(self) -> str:
        return entity_label(self.entity)


def _utc_bound(d: date) -> datetime:
    """Local midnight of `d` as naive UTC, the way times are stored."""
    return datetime.combine(d, time()).astimezone().astimezone(UTC).replace(tzinfo=None)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(q: AuditQuery) -> Select[tuple[AuditRecord]]:
    stmt = select(AuditRecord)
    if q.username:
        stmt = stmt.where(AuditRecord.username == q.username)
    if q.entity:
        stmt = stmt.where(AuditRecord.entity == q.entity)
    if q.entity_id:
        stmt = stmt.where(AuditRecord.entity_id == q.entity_id)
    if q.date_from is not None:
        stmt = stmt.where(AuditRecord.at >= _utc_bound(q.date_from))
    if q.date_to is not None:
        stmt = stmt.where(AuditRecord.at < _utc_bound(q.date_to + timedelta(days=1)))
    text = " ".join(q.text.split())
    if text:
        pattern = f"%{_escape_like(text)}%"
        stmt = stmt.where(or_(*(col.like(pattern, escape="\\") for col in (
            AuditRecord.entity_label, AuditRecord.field, AuditRecord.old_value, AuditRecord.new_value,
            AuditRecord.username, AuditRecord.entity_id))))
    return stmt


def _can_view(actor: Actor) -> None:
    require(actor, Role.ADMIN, Role.REVIEWER)


def count(session: Session, actor: Actor, query: AuditQuery) -> int:
    _can_view(actor)
    return session.scalar(select(func.count()).select_from(_filtered(query).subquery())) or 0


def page(session: Session, actor: Actor, query: AuditQuery, offset: int, limit: int,
         after: tuple[int] | None = None) -> list[AuditRow]:
    """Newest first; `after`: the rows older than this page key instead of skipping `offset` rows."""
    _can_view(actor)
    stmt = _filtered(query).order_by(AuditRecord.id.desc()).limit(max(0, limit))
    if after is not None:
        stmt = stmt.where(AuditRecord.id < after[0])
    elif offset > 0:
        stmt = stmt.offset(offset)
    return [AuditRow(r.id, r.at, r.user_id, r.username, r.action, r.entity, r.entity_id, r.entity_label,
                     r.field, r.old_value, r.new_value) for r in session.scalars(stmt)]


def first_page(session: Session, actor: Actor, query: AuditQuery, limit: int) -> tuple[int, list[AuditRow]]:
    """Count and first page in one transaction, so the two agree."""
    return count(session, actor, query), page(session, actor, query, 0, limit)


@dataclass(frozen=True)
class FilterChoices:
    usernames: list[str]
    entities: list[str]


def filter_choices(session: Session, actor: Actor) -> FilterChoices:
    """The people and record types that occur in the trail, for the viewer's drop-downs."""
    _can_view(actor)
    users = [u for u in session.scalars(select(AuditRecord.username).distinct().order_by(AuditRecord.username)) if u]
    entities = list(session.scalars(select(AuditRecord.entity).distinct().order_by(AuditRecord.entity)))
    return FilterChoices(users, entities)

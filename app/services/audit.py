"""The audit trail: one hash-chained row per changed field, written in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditRecord
from app.models.base import utcnow
from app.services.context import Actor

GENESIS = "0" * 64


def _digest(prev_hash: str, at: datetime, user_id: int | None, username: str, action: str, entity: str,
            entity_id: str, entity_label: str, field: str, old: str | None, new: str | None) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), user_id, username, action, entity, entity_id,
         entity_label, field, old, new],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def row_digest(r: AuditRecord) -> str:
    return _digest(r.prev_hash, r.at, r.user_id, r.username, r.action, r.entity, r.entity_id,
                   r.entity_label, r.field, r.old_value, r.new_value)


def latest_hash(session: Session) -> str:
    h = session.scalar(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1))
    return h or GENESIS


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: object, label: str = "",
           changes: Mapping[str, tuple[object, object]] | None = None) -> None:
    """Append audit rows: one per changed field, or one row for an event without fields."""
    prev = latest_hash(session)
    at = utcnow()
    items = list((changes or {}).items()) or [("", (None, None))]
    for field, (old, new) in items:
        row = AuditRecord(at=at, user_id=actor.id, username=actor.username, action=action, entity=entity,
                          entity_id=str(entity_id), entity_label=label[:255], field=field,
                          old_value=_text(old), new_value=_text(new), prev_hash=prev)
        row.hash = row_digest(row)
        prev = row.hash
        session.add(row)
    session.flush()


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, tuple[object, object]]:
    keys = list(dict.fromkeys([*before, *after]))
    return {k: (before.get(k), after.get(k)) for k in keys if _text(before.get(k)) != _text(after.get(k))}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    broken_at: int | None = None  # audit row id where the chain first breaks
    reason: str = ""
    head: str = GENESIS


def verify_chain(session: Session) -> ChainReport:
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

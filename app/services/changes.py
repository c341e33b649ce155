"""What a use case changed, so screens refresh only that (as Anki's `OpChanges` does).

Every write is audited, and `audit.record` notes the record it wrote here as well: so no write
can forget to report its change. `Desk.run_op` hands the value back with the changes of its
transaction; a service may also return an `OpResult` (or a bare `Changes`) itself, and the two
are merged. Kinds are short strings: "org", "project", "agreement", "assessment", "payment",
"objection", "template", "user", "settings", …
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # annotations only: the log-in window's worker imports this before SQLAlchemy loads
    from sqlalchemy.orm import Session

T = TypeVar("T")

_SESSION_KEY = "spdesk_changes"

# Audit entity names that are not the kind a screen listens for.
_KIND_OF_ENTITY = {
    "organization": "org",
    "qualification_check": "org",
    "service_domains": "settings",
    "setting": "settings",
    "holiday_calendar": "settings",
    "ledger": "org",
}


def kind_of_entity(entity: str) -> str:
    return _KIND_OF_ENTITY.get(entity, entity)


@dataclass(frozen=True)
class Changes:
    """Record kind -> ids of the records of that kind that changed (empty set: some, ids unknown)."""

    records: Mapping[str, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, kind: str, *ids: int) -> Changes:
        return cls({kind: frozenset(ids)})

    @classmethod
    def none(cls) -> Changes:
        return cls({})

    def __or__(self, other: Changes) -> Changes:
        merged: dict[str, frozenset[int]] = dict(self.records)
        for kind, ids in other.records.items():
            merged[kind] = merged.get(kind, frozenset()) | ids
        return Changes(merged)

    def __bool__(self) -> bool:
        return bool(self.records)

    def touches(self, *kinds: str) -> bool:
        return any(k in self.records for k in kinds)

    def ids(self, kind: str) -> frozenset[int]:
        return self.records.get(kind, frozenset())

    def kinds(self) -> Iterable[str]:
        return self.records.keys()


@dataclass(frozen=True)
class OpResult(Generic[T]):
    """A write's value together with what it changed."""

    value: T
    changes: Changes = field(default_factory=Changes.none)


def note(session: Session, kind: str, *ids: int) -> None:
    """Remember, for this transaction, that records of `kind` changed."""
    current: Changes = session.info.get(_SESSION_KEY, Changes.none())
    session.info[_SESSION_KEY] = current | Changes.of(kind, *ids)


def note_entity(session: Session, entity: str, entity_id: object) -> None:
    """What `audit.record` calls: the audited entity and id, as a kind and an id."""
    text = str(entity_id)
    note(session, kind_of_entity(entity), *((int(text),) if text.isdigit() else ()))


def collected(session: Session) -> Changes:
    """The changes noted in this session's transaction so far."""
    value: Changes = session.info.get(_SESSION_KEY, Changes.none())
    return value


def reset(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def split(result: object, noted: Changes | None = None) -> tuple[object, Changes]:
    """A service's return value and all it changed: an OpResult or a Changes it returned, plus `noted`."""
    noted = noted or Changes.none()
    if isinstance(result, OpResult):
        return result.value, noted | result.changes
    if isinstance(result, Changes):
        return result, noted | result
    return result, noted

"""Files kept inside the database (one backup holds everything), each with its SHA-256.

Any record can own attachments: an organization's licences, the scan of a signed agreement.
The owner is named by a type and an id; each type says who may add and remove its files.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.output import write_atomic
from app.domain.errors import NotFound, ValidationError
from app.domain.text import clean_prose, normalize_text
from app.i18n import N_, _
from app.models import Attachment, Organization
from app.models.project import Agreement
from app.services import audit
from app.services.context import Actor
from app.services.forms import Allowed, allowed_by
from app.services.permissions import Role, require
from app.services.validation import Labels

MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class OwnerKind:
    model: type
    missing: str  # N_-marked: the owner no longer exists
    roles: tuple[Role, ...]  # who may add and remove files


OWNERS: dict[str, OwnerKind] = {
    "organization": OwnerKind(Organization, N_("The organization no longer exists."), (Role.CLERK, Role.ADMIN)),
    "agreement": OwnerKind(Agreement, N_("The agreement no longer exists."), (Role.CLERK, Role.REVIEWER)),
}


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    filename: str
    size: int
    sha256: str
    added_at: datetime | None
    mime: str = ""
    note: str = ""


def _kind(owner_type: str) -> OwnerKind:
    kind = OWNERS.get(owner_type)
    if kind is None:
        raise ValueError(f"unknown attachment owner type {owner_type!r}")
    return kind


_LABELS = Labels({"attachment": N_("Attachment")})


def _problem(reason: str) -> ValidationError:
    return _LABELS.error("attachment", reason)


def add(session: Session, actor: Actor, owner_type: str, owner_id: int, filename: str, data: bytes,
        mime: str = "", note: str = "") -> int:
    kind = _kind(owner_type)
    require(actor, *kind.roles)
    if session.get(kind.model, owner_id) is None:
        raise NotFound(_(kind.missing))
    if not data:
        raise _problem(_("the file is empty"))
    if len(data) > MAX_BYTES:
        raise _problem(_("the file is larger than 50 MB"))
    digest = hashlib.sha256(data).hexdigest()
    att = Attachment(owner_type=owner_type, owner_id=owner_id, filename=normalize_text(filename)[:255] or "file",
                     mime=mime or "application/octet-stream", size=len(data), sha256=digest, data=data,
                     note=clean_prose(note), added_by=actor.id)
    session.add(att)
    session.flush()
    audit.record(session, actor, "attach", owner_type, owner_id, att.filename, {"attachment": (None, digest)})
    return att.id


def _attachment(session: Session, attachment_id: int) -> Attachment:
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(_("The attachment no longer exists."))
    return att


def data(session: Session, actor: Actor | None, attachment_id: int) -> tuple[str, bytes]:
    """The file name and content, for saving a copy."""
    att = _attachment(session, attachment_id)
    return att.filename, att.data


def remove(session: Session, actor: Actor, attachment_id: int) -> None:
    att = _attachment(session, attachment_id)
    require(actor, *_kind(att.owner_type).roles)
    session.delete(att)
    audit.record(session, actor, "detach", att.owner_type, att.owner_id, att.filename, {"attachment": (att.sha256, None)})


def list_for(session: Session, actor: Actor | None, owner_type: str, owner_id: int) -> list[AttachmentRow]:
    _kind(owner_type)
    return [AttachmentRow(a.id, a.filename, a.size, a.sha256, a.added_at, a.mime, a.note) for a in session.scalars(
        select(Attachment).where(Attachment.owner_type == owner_type, Attachment.owner_id == owner_id)
        .order_by(Attachment.id))]


@dataclass(frozen=True)
class AttachmentsState:
    """What an attachments panel shows for one owner: its files, and whether the actor may add or remove."""

    rows: list[AttachmentRow]
    change: Allowed


def may_change(actor: Actor, owner_type: str) -> Allowed:
    return allowed_by(lambda: require(actor, *_kind(owner_type).roles))


def panel_state(session: Session, actor: Actor, owner_type: str, owner_id: int) -> AttachmentsState:
    return AttachmentsState(list_for(session, actor, owner_type, owner_id), may_change(actor, owner_type))


def add_file(session: Session, actor: Actor, owner_type: str, owner_id: int, path: str) -> int:
    """Attach a file from disk (read on the worker thread, never in the window)."""
    p = Path(path)
    mime = mimetypes.guess_type(p.name)[0] or ""
    return add(session, actor, owner_type, owner_id, p.name, p.read_bytes(), mime)


def save_copy(session: Session, actor: Actor | None, attachment_id: int, target: str) -> str:
    """Write a copy to disk through `write_atomic` (fsync, then rename): never half a file under the name."""
    _name, content = data(session, actor, attachment_id)
    write_atomic(Path(target), content)
    return target

"""Who is acting, and how a user name is keyed: plain data without SQLAlchemy, so that the quick reading
path of the command line (app.services.quick_read) can name its actor without loading the ORM."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

MIN_PASSWORD_LENGTH = 8  # app.services.accounts' rules, here for the log-in window (no ORM needed)
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True)
class Actor:
    """Who is acting. Plain data, safe to pass between threads."""

    id: int | None
    username: str
    display_name: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def label(self) -> str:
        return self.display_name or self.username


SYSTEM = Actor(None, "system", "system", frozenset({"admin", "clerk", "reviewer", "finance"}))


def username_key(raw: str) -> str:
    """A user name as stored and looked up: an identifier, so NFKC-folded and lower case."""
    return unicodedata.normalize("NFKC", raw).strip().lower()


def role_set(roles: str) -> frozenset[str]:
    """The roles of a user as stored (comma-separated codes)."""
    return frozenset(r for r in roles.split(",") if r)

"""Small helpers shared by the agreement screens."""

from __future__ import annotations

from datetime import date


def date_text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))

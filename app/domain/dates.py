"""Dates in the forms people type: 2023-05-01, 2023/5/1, 2023年5月1日, 2023.5.1, 20230501."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from app.domain.text import normalize_compact

_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_EXCEL_EPOCH = date(1899, 12, 30)
# Agreements, periods, signatures and notices: any date outside these years is a typing mistake
# (1900, 0001, 9999), and arithmetic on it (a year later, a plan of five years) could overflow.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def in_working_range(d: date) -> bool:
    return FIRST_DAY <= d <= LAST_DAY


def parse_date(value: object) -> date | None:
    """Return a date, None for empty input; raise ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial day number (a date cell read without its format).
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(str(value))
    text = normalize_compact(value)
    if not text:
        return None
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            return date(y, mo, d)  # raises ValueError for 2023-02-30
    raise ValueError(text)

"""Importing reportlab's paragraphs for a one-document command without one pattern it never uses here.

`reportlab.platypus.paragraph` compiles, when imported, a case-insensitive URL pattern over the range
U+00A1-U+FFFF (`uri_pat`, taken from Django's validators); Python's regex compiler spends 40-50 ms of CPU
on it — a tenth of a whole `spdesk print --preview` (issue 17). It is used only to hyphenate URLs at line
ends (`_uri_split_pairs`, with hyphenation on), which our documents never ask for. `import_platypus`
imports the module with that one pattern compiled on first use instead: the same pattern and flags, so
the same matches whenever it is used (tests/unit/test_rl_import.py).

Only for a command-line process, before anything else imports reportlab.platypus: it replaces
`re.compile` for the duration of that import (restored in all cases), which another thread compiling a
pattern at that moment would pass through unchanged, but the window does not need it.
"""

from __future__ import annotations

import re
import sys
from typing import Any

URI_PATTERN_START = "(^(?:[a-z0-9\\.\\-\\+]*)://)"  # how reportlab's uri_pat begins


class LazyPattern:
    """A compiled pattern made on first use: every attribute is the compiled pattern's."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern_text, self.flags_given = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern_text, self.flags_given)
        return self._compiled

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled(), name)


def import_platypus() -> None:
    """Import reportlab.platypus (idempotent) with its URL pattern compiled when first used."""
    if "reportlab.platypus.paragraph" in sys.modules:
        return
    real = re.compile

    def compile_(pattern: Any, flags: Any = 0) -> Any:
        if isinstance(pattern, str) and pattern.startswith(URI_PATTERN_START) and flags == re.IGNORECASE:
            return LazyPattern(pattern, flags)
        return real(pattern, flags)

    re.compile = compile_  # type: ignore[assignment]
    try:
        import reportlab.platypus.paragraph  # noqa: F401
    finally:
        re.compile = real

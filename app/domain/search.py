"""Search keys for the full-text index (issue 17): pure functions, no I/O.

The index is an SQLite FTS5 table with the trigram tokenizer. Trigrams find any fragment of three or
more characters, but people also type two Chinese characters (社区) or one or two pinyin initials.
For those, a second column holds every character and every pair of adjacent characters of the
searchable texts, each followed by one or two unit separators (U+001F) so that it forms exactly one
trigram of its own: 社区 is stored as ``社区␟`` and 社 as ``社␟␟``. Such a trigram cannot arise
from two neighbouring entries, so a query for ``社区␟`` finds exactly the texts with that pair.
"""

from __future__ import annotations

import re

MARK = "\x1f"


def grams(*texts: str) -> str:
    """Every character and adjacent pair of each text, marked (see the module docstring)."""
    out: list[str] = []
    for text in texts:
        # Runs of characters between spaces and marks: each character, then its pair with the next one.
        for run in _RUN.findall(text.lower()):
            out.extend(f"{a}{_TWO}{a}{b}{MARK}" for a, b in zip(run, run[1:]))  # noqa: B905 (one shorter)
            out.append(run[-1] + _TWO)
    return "".join(out)


_TWO = MARK + MARK
# What str.isspace() calls space (re's \s is the same Unicode test), and the mark itself.
_RUN = re.compile(r"[^\s" + MARK + "]+")


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def match_expression(*fragments: str) -> str | None:
    """An FTS5 MATCH expression finding rows whose texts contain any of `fragments` (already normalised
    the way the indexed texts are), or None when there is nothing to search for."""
    parts: list[str] = []
    for fragment in dict.fromkeys(f.lower() for f in fragments if f and MARK not in f):
        if len(fragment) >= 3:
            parts.append("body : " + _phrase(fragment))
        elif len(fragment) == 2:
            parts.append("grams : " + _phrase(fragment + MARK))
        else:
            parts.append("grams : " + _phrase(fragment + MARK + MARK))
    return " OR ".join(parts) or None

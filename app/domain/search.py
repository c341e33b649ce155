"""Search keys for the full-text index (issue 17): pure functions, no I/O.

The index is an SQLite FTS5 table with the trigram tokenizer. Trigrams find any fragment of three or
more characters, but people also type two Chinese characters (社区) or one or two pinyin initials.
For those, a second column holds every character and every pair of adjacent characters of the
searchable texts as trigrams of their own: a pair as ``社区␟`` and a character as ``社␟␟`` (U+001F, the
unit separator, which no text holds). A run of characters c1 c2 … cn between spaces is written
``c1␟␟ c1c2␟␟ c2c3␟␟ …`` (without the spaces): each pair, followed by two marks, gives the trigram of
the pair (c1c2␟) and of its second character alone (c2␟␟), and the first character stands alone. The
trigrams that span two entries start with a mark (␟␟c, ␟cd), which no query does, so a query for
``社区␟`` finds exactly the texts with that pair and ``社␟␟`` those with that character.

Rows indexed before issue 17's fifth session hold the first form, every character and every pair each
followed by its own marks (``c1␟␟ c1c2␟ c2␟␟ c2c3␟ …``): the same trigrams that a query can name, with a
third more tokens in all (the index's work in a 5,000-row import). Both forms answer every query alike
(tests/unit/test_bulk_equals_per_row.py), so an index may hold both.
"""

from __future__ import annotations

import re

MARK = "\x1f"


def grams(*texts: str) -> str:
    """Every character and adjacent pair of each text, marked (see the module docstring)."""
    out: list[str] = []
    for text in texts:
        # Runs of characters between spaces and marks: the first character, then each pair (see above).
        for run in _RUN.findall(text.lower()):
            out.append(run[0] + _TWO)
            out.extend(f"{a}{b}{_TWO}" for a, b in zip(run, run[1:]))  # noqa: B905 (one shorter)
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

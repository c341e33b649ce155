"""Text typed or pasted by people.

Two kinds of text, treated differently (DESIGN.md "Data"):

- identifiers and search keys (names for duplicate checks, codes, phone numbers, numbers of
  agreements): `normalize_text` and friends fold full-width forms with NFKC and collapse spaces,
  so “１２Ａ” and “12A” are one key;
- prose (clauses, requirements, reasons, notes, addresses): `clean_prose` and `clean_line` keep
  the user's characters exactly — Chinese punctuation （，；：（）“”） and paragraphs survive saving
  and printing. They only unify line endings, drop invisible control characters and trim the ends.
"""

from __future__ import annotations

import re
import unicodedata

from app.i18n import _

_SPACES = re.compile(r"\s+")
# C0/C1 controls other than tab and line feed, the BOM and the line/paragraph separators that
# pasting from a word processor brings along.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
_TRAILING = re.compile(r"[ \t]+\n")


def normalize_text(value: object) -> str:
    """For identifiers and search keys only: NFKC folds full-width digits and letters (１２Ａ → 12A);
    collapse runs of white space. Never use it on prose: it turns ，；：（） into ASCII."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = text.replace("\u3000", " ").replace("\ufeff", "")
    return _SPACES.sub(" ", text).strip()


def normalize_compact(value: object) -> str:
    """Like normalize_text but removes every space (codes, phone numbers)."""
    return normalize_text(value).replace(" ", "")


def normalize_name(value: object) -> str:
    """Organization names: no spaces between CJK characters, full-width brackets kept as （）."""
    text = normalize_text(value)
    text = re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])", "", text)
    return text.replace("(", "（").replace(")", "）")


# Bidirectional embeddings, overrides and isolates: they reorder what a reader sees (a name that
# displays as "合同.pdf" but is stored reversed) and are never typed on purpose in an office form.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def forbidden_character(text: str, multiline: bool = False) -> str | None:
    """Why `text` must not be stored (translated), naming the first control or invisible character;
    None when it is clean. `multiline` allows line breaks and tabs (prose fields).

    Control characters (NUL, ESC, BEL …) print as blanks or reach a terminal as commands;
    zero-width and other format characters make look-alike duplicates; bidi overrides reorder text.
    """
    if text.isprintable():
        # No character of the categories below (str.isprintable is False for Cc, Cf, Co, Cs, Cn, Zl, Zp and
        # every space but " ", from the same Unicode data; the bidi controls are Cf): the common case at
        # C speed, 85,000 fields of a 5,000-row ledger import.
        return None
    for pos, ch in enumerate(text, start=1):
        if multiline and ch in "\n\r\t":
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp") or ch in _BIDI_CONTROLS:
            return _("contains an invisible or control character ({code} {name}) at position {pos}; remove "
                     "it").format(code=f"U+{ord(ch):04X}", name=unicodedata.name(ch, "?"), pos=pos)
    return None


def _is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def identifier_script_problem(name: str) -> str | None:
    """User names: after NFKC and lower-casing, only a–z, 0–9, . - _ and Chinese characters.

    Anything else (Cyrillic "а", Greek "ο", accented or other-script letters and digits) could make a
    name that looks like another one, so it is refused with the character named.
    """
    for ch in name:
        if ch.isascii() and (ch.isalnum() or ch in "._-"):
            continue
        if _is_han(ch):
            continue
        return _("contains “{ch}” ({name}); user names may use only the letters a–z, digits 0–9, Chinese "
                 "characters, dots, hyphens and underscores, so that no name can look like another").format(
            ch=ch, name=unicodedata.name(ch, f"U+{ord(ch):04X}"))
    return None



def clean_prose(value: object) -> str:
    """Prose as typed: every character and every paragraph kept.

    Only line endings are unified (\\r\\n, \\r, U+2028/U+2029 → \\n), invisible control characters
    dropped, spaces at the end of a line and white space at the very start and end removed. Runs of
    blank lines between paragraphs are kept as one blank line.
    """
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _CONTROLS.sub("", text)
    text = _TRAILING.sub("\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def clean_line(value: object) -> str:
    """One line of prose as typed (an address, a milestone, a heading): characters kept, line
    breaks turned into spaces, the ends trimmed."""
    text = clean_prose(value)
    return re.sub(r"[ \t]*\n[ \t]*", " ", text).strip()


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a prose text, one per line, blank lines dropped."""
    return [p.strip() for p in text.split("\n") if p.strip()]

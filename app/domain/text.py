"""Text normalisation for input typed or pasted by people (full-width characters, stray spaces)."""

from __future__ import annotations

import re
import unicodedata

from app.i18n import _

_SPACES = re.compile(r"\s+")


def normalize_text(value: object) -> str:
    """NFKC folds full-width digits and letters (１２Ａ → 12A); collapse runs of white space."""
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


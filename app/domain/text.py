"""Text normalisation for input typed or pasted by people (full-width characters, stray spaces)."""

from __future__ import annotations

import re
import unicodedata

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

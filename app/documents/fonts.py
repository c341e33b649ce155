"""The two bundled TrueType fonts, registered once with reportlab, and the glyph check.

Droid Sans Fallback covers CJK and Extension A but has no Latin letters, digits or ASCII
punctuation (it is a fallback font); Bitstream Vera covers those. Each character is drawn with the
first font that has it. reportlab drops characters no font has without any error, so callers ask
`missing_glyphs` first and report what is missing instead of printing blanks.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import resource_path

FONT_NAME = "SpdeskCJK"  # Droid Sans Fallback (Apache-2.0)
LATIN_FONT_NAME = "SpdeskLatin"  # Bitstream Vera Sans
_lock = threading.Lock()
IDEOGRAPHIC_SPACE = "\xa0" * 4  # four no-break spaces of Droid Sans Fallback ≈ one em


@lru_cache(maxsize=1)
def _fonts() -> tuple[frozenset[int], frozenset[int]]:
    with _lock:
        cjk = TTFont(FONT_NAME, str(resource_path("fonts", "DroidSansFallbackFull.ttf")))
        latin = TTFont(LATIN_FONT_NAME, str(resource_path("fonts", "Vera.ttf")))
        pdfmetrics.registerFont(cjk)
        pdfmetrics.registerFont(latin)
        return frozenset(cjk.face.charToGlyph), frozenset(latin.face.charToGlyph)


def register() -> None:
    """Register both fonts with reportlab (idempotent)."""
    _fonts()


def _ignorable(ch: str) -> bool:
    return ch.isspace() or ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0


def font_for(ch: str) -> str | None:
    cjk, latin = _fonts()
    cp = ord(ch)
    if cp < 0x80 and cp in latin:  # ASCII always from the Latin font (Droid has none)
        return LATIN_FONT_NAME
    if cp in cjk:
        return FONT_NAME
    if cp in latin:
        return LATIN_FONT_NAME
    return None


def missing_glyphs(text: str) -> set[str]:
    """Characters of `text` that neither bundled font can draw (whitespace and control ignored)."""
    return {ch for ch in set(text) if not _ignorable(ch) and font_for(ch) is None}


def markup(text: str) -> str:
    """`text` as reportlab paragraph markup: escaped, each run in the font that has its glyphs.

    The paragraph's own font is the CJK one, so only Latin runs get a <font> tag. reportlab
    collapses runs of ordinary spaces (the ideographic space U+3000 included), so blanks to write
    in (“　　年　　月　　日”) become no-break spaces of about the same width.
    """
    text = text.replace("\u3000", IDEOGRAPHIC_SPACE)
    out: list[str] = []
    run: list[str] = []
    run_font = FONT_NAME

    def flush() -> None:
        if run:
            body = escape("".join(run))
            out.append(body if run_font == FONT_NAME else f'<font name="{run_font}">{body}</font>')
            run.clear()

    for ch in text:
        font = FONT_NAME if ch == " " else (font_for(ch) or FONT_NAME)
        if font != run_font:
            flush()
            run_font = font
        run.append(ch)
    flush()
    return "".join(out)


def split_runs(text: str) -> list[tuple[str, str]]:
    """(font name, text) runs for drawing straight on the canvas."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        font = FONT_NAME if ch == " " else (font_for(ch) or FONT_NAME)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs


def string_width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(t, f, size) for f, t in split_runs(text))

"""The two bundled TrueType fonts, registered once with reportlab, and the glyph check.

Droid Sans Fallback covers CJK and Extension A but has no Latin letters, digits or ASCII
punctuation (it is a fallback font); Bitstream Vera covers those. Each character is drawn with the
first font that has it. reportlab drops characters no font has without any error, so callers ask
`missing_glyphs` first and report what is missing instead of printing blanks.
"""

from __future__ import annotations

import os
import pickle
import threading
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTEncoding, TTFont, TTFontFace

from app.paths import cache_dir, resource_path

FONT_NAME = "SpdeskCJK"  # Droid Sans Fallback (Apache-2.0)
LATIN_FONT_NAME = "SpdeskLatin"  # Bitstream Vera Sans
_lock = threading.Lock()
IDEOGRAPHIC_SPACE = "\xa0" * 4  # four no-break spaces of Droid Sans Fallback ≈ one em


# reportlab's parsed face, minus what cannot be pickled (a scale lambda) or is cheap to read again (the file).
_UNPICKLED = ("_pdfScale", "_ttf_data")


def _cached_face(path: Path) -> TTFontFace:
    """The parsed TrueType face, from the user's cache when this very file was parsed before.

    Parsing Droid Sans Fallback (4 MB, 49,000 glyphs) costs about 350 ms — most of a one-agreement
    print. The parsed tables (character map, widths, glyph offsets) are kept pickled in the cache,
    named by the file's size and time and reportlab's version, so another font file or reportlab
    release parses afresh. Any problem with the cache falls back to parsing.
    """
    data = path.read_bytes()
    st = path.stat()
    cached = cache_dir() / "fonts" / f"{path.stem}-{st.st_size}-{st.st_mtime_ns}-rl{reportlab.Version}.pickle"
    try:
        state = pickle.loads(cached.read_bytes())
        face = TTFontFace.__new__(TTFontFace)
        face.__dict__.update(state)
        face._ttf_data = data
        per_em = face.unitsPerEm
        face._pdfScale = (lambda x: x) if per_em == 1000 else (lambda x, m=1000 / per_em: x * m)
        return face
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        pass
    face = TTFontFace(str(path))
    try:
        state = {k: v for k, v in face.__dict__.items() if k not in _UNPICKLED}
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, cached)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a read-only cache folder only costs the parse next time
    return face


def _font(name: str, path: Path) -> TTFont:
    """A TTFont on a (possibly cached) face: what TTFont.__init__ does, without parsing again."""
    font = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = _cached_face(path)
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, glob) for glob in rl_config.unShapedFontGlob)
    return font


@lru_cache(maxsize=1)
def _fonts() -> tuple[frozenset[int], frozenset[int]]:
    with _lock:
        cjk = _font(FONT_NAME, resource_path("fonts", "DroidSansFallbackFull.ttf"))
        latin = _font(LATIN_FONT_NAME, resource_path("fonts", "Vera.ttf"))
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

"""The fonts printed documents use, registered once with reportlab, and the glyph check.

Two roles, as Chinese official documents set them (GB/T 9704: 宋体/仿宋 body, 黑体 headings):

- body: AR PL UMing CN, a TrueType Ming (宋体) face — from the installer's bundle
  (`app/resources/fonts/uming.ttc`) or, in a source checkout, from the Debian package
  `fonts-arphic-uming` that scripts/system-deps.sh installs. It covers every GB 2312 hanzi,
  Latin letters and digits.
- headings and titles: Droid Sans Fallback, a heavier sans (黑体-style) face, bundled in the
  repository; it also draws any ideograph the Ming face lacks (Extension A, rare name characters).

Bitstream Vera draws ASCII where Droid Sans Fallback (which has none) is the face. When the Ming
face cannot be found, the body falls back to Droid Sans Fallback, so a PC without it still prints
every character right, only in the sans face. Each character is drawn with the first font of the
paragraph's chain that has it; reportlab drops characters no font has without any error, so
callers ask `missing_glyphs` first and report what is missing instead of printing blanks.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from fnmatch import fnmatch
from functools import lru_cache
from itertools import chain
from pathlib import Path
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

from app.paths import cache_dir, resource_path

FONT_NAME = "SpdeskCJK"  # Droid Sans Fallback (Apache-2.0): headings, fallback for every ideograph
LATIN_FONT_NAME = "SpdeskLatin"  # Bitstream Vera Sans
SERIF_FONT_NAME = "SpdeskSerif"  # AR PL UMing CN (Arphic Public License): body text
SERIF_FILE = "uming.ttc"
SERIF_SYSTEM_PATHS = (Path("/usr/share/fonts/truetype/arphic") / SERIF_FILE,)
_lock = threading.Lock()
IDEOGRAPHIC_SPACE = "\xa0" * 4  # four no-break spaces of Droid Sans Fallback ≈ one em


# reportlab's parsed face, minus what is not data (a scale lambda) or is cheap to read again (the file).
_NOT_CACHED = ("_pdfScale", "_ttf_data")
CACHE_FORMAT = 1  # in the cache file's name: a new layout is written beside, never misread


class _NotCacheable(TypeError):
    pass


_PLAIN = frozenset({type(None), bool, int, float, str})


def _plain(items: list[object]) -> bool:
    return set(map(type, items)) <= _PLAIN


def _encode(value: object) -> object:
    """The face's tables as plain JSON: tagged bytes, name bytes, tuples and non-text keys.

    JSON, not pickle: the cache sits in the user's folder, and unpickling a file someone put there
    would run their code as the user (review of issue 17). Reading JSON only ever yields data.
    The big tables (character map, widths, metrics: 49,000 glyphs) are stored column-wise so that
    reading them back is a few passes in C rather than one Python call per glyph.
    """
    if type(value) in _PLAIN:
        return value
    if isinstance(value, bytes):  # reportlab's name strings are a bytes subclass, kept as such
        return {"$n" if type(value) is TTFNameBytes else "$b": base64.b64encode(value).decode("ascii")}
    if type(value) is list:
        if value and all(type(v) is tuple and _plain(list(v)) for v in value):
            return {"$lt": [list(v) for v in value]}  # e.g. hmetrics: (advance, left side bearing) per glyph
        return [_encode(v) for v in value]
    if type(value) is tuple:
        return {"$t": [_encode(v) for v in value]}
    if type(value) is dict:
        if all(type(k) is str and not k.startswith("$") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        if all(type(k) is int for k in value):
            return {"$i": list(value), "$v": [_encode(v) for v in value.values()]}
        return {"$d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise _NotCacheable(type(value).__name__)


def _rows_of_plain(items: list[object]) -> bool:
    """A list of lists of plain values (glyph-to-characters lists, metrics rows), checked in C."""
    return set(map(type, items)) == {list} and set(map(type, chain.from_iterable(items))) <= _PLAIN  # type: ignore[arg-type]


def _decode_list(items: list[object]) -> list[object]:
    if _plain(items):
        return items
    if _rows_of_plain(items):
        return items
    return [_decode(v) for v in items]


def _decode(value: object) -> object:
    if type(value) in _PLAIN:
        return value
    if type(value) is list:
        return _decode_list(value)
    if type(value) is not dict:
        raise ValueError(type(value).__name__)
    if len(value) == 2 and type(value.get("$i")) is list and type(value.get("$v")) is list:
        keys, values = value["$i"], value["$v"]
        if set(map(type, keys)) - {int} or len(keys) != len(values):
            raise ValueError("bad keys")
        return dict(zip(keys, _decode_list(values), strict=True))
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag == "$n" and type(inner) is str:
            return TTFNameBytes(base64.b64decode(inner, validate=True))
        if tag == "$b" and type(inner) is str:
            return base64.b64decode(inner, validate=True)
        if tag == "$t" and type(inner) is list:
            return tuple(_decode_list(inner))
        if tag == "$lt" and type(inner) is list:
            if inner and not _rows_of_plain(inner):
                raise ValueError("bad rows")
            return list(map(tuple, inner))
        if tag == "$d" and type(inner) is list:
            out = {}
            for pair in inner:
                if type(pair) is not list or len(pair) != 2:
                    raise ValueError("bad pair")
                key = _decode(pair[0])
                if type(key) not in (int, str, bytes, TTFNameBytes, tuple):
                    raise ValueError("bad key")
                out[key] = _decode(pair[1])
            return out
    if any(k.startswith("$") for k in value):
        raise ValueError("unknown tag")
    return {k: _decode(v) for k, v in value.items()}


# What a face needs to print, with its type: a cache entry lacking one, or of another type, is ignored.
_REQUIRED: dict[str, type | tuple[type, ...]] = {"unitsPerEm": int, "charToGlyph": dict, "charWidths": dict, "glyphToChar": dict, "hmetrics": list,
             "glyphPos": list, "name": bytes, "ascent": (int, float), "descent": (int, float), "bbox": list,
             "defaultWidth": (int, float), "numGlyphs": int, "table": dict}


def _read_cache(cached: Path) -> dict[str, object] | None:
    try:
        state = _decode(json.loads(cached.read_bytes().decode("utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, TypeError):
        return None
    if type(state) is not dict or any(not isinstance(state.get(k), t) for k, t in _REQUIRED.items()):
        return None
    if state["unitsPerEm"] <= 0:
        return None
    return state


def _cached_face(path: Path) -> TTFontFace:
    """The parsed TrueType face, from the user's cache when this very file was parsed before.

    Parsing Droid Sans Fallback (4 MB, 49,000 glyphs) costs about 350 ms — most of a one-agreement
    print. The parsed tables (character map, widths, glyph offsets) are kept as JSON in the cache,
    named by the file's size and time, reportlab's version and the cache format, so another font
    file or reportlab release parses afresh. A cache file that is not what this program wrote
    (damaged, edited, a planted pickle) is ignored and the font parsed again; nothing in it is run.
    """
    data = path.read_bytes()
    st = path.stat()
    cached = cache_dir() / "fonts" / (f"{path.stem}-{st.st_size}-{st.st_mtime_ns}-rl{reportlab.Version}"
                                      f"-v{CACHE_FORMAT}.json")
    state = _read_cache(cached)
    if state is not None:
        face = TTFontFace.__new__(TTFontFace)
        face.__dict__.update(state)
        face._ttf_data = data
        per_em = face.unitsPerEm
        face._pdfScale = (lambda x: x) if per_em == 1000 else (lambda x, m=1000 / per_em: x * m)
        return face
    face = TTFontFace(str(path))
    try:
        encoded = _encode({k: v for k, v in face.__dict__.items() if k not in _NOT_CACHED})
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(json.dumps(encoded, ensure_ascii=True, separators=(",", ":")).encode("ascii"))
        os.replace(tmp, cached)
    except (OSError, _NotCacheable, ValueError):
        pass  # a read-only cache folder (or a face this format cannot hold) only costs the parse next time
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


def serif_path() -> Path | None:
    """The Ming body face: the installer's bundled copy first, then the system package's."""
    for path in (resource_path("fonts", SERIF_FILE), *SERIF_SYSTEM_PATHS):
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=1)
def _fonts() -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    with _lock:
        cjk = _font(FONT_NAME, resource_path("fonts", "DroidSansFallbackFull.ttf"))
        latin = _font(LATIN_FONT_NAME, resource_path("fonts", "Vera.ttf"))
        pdfmetrics.registerFont(cjk)
        pdfmetrics.registerFont(latin)
        serif: frozenset[int] = frozenset()
        path = serif_path()
        if path is not None:
            ming = TTFont(SERIF_FONT_NAME, str(path), subfontIndex=0)  # subfont 0: AR PL UMing CN
            pdfmetrics.registerFont(ming)
            serif = frozenset(ming.face.charToGlyph)
        return frozenset(cjk.face.charToGlyph), frozenset(latin.face.charToGlyph), serif


def register() -> None:
    """Register the fonts with reportlab (idempotent)."""
    _fonts()


def body_font() -> str:
    """The body face: the Ming face when present, else Droid Sans Fallback."""
    return SERIF_FONT_NAME if _fonts()[2] else FONT_NAME


def heading_font() -> str:
    return FONT_NAME


def _ignorable(ch: str) -> bool:
    return ch.isspace() or ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0


def font_for(ch: str, primary: str = FONT_NAME) -> str | None:
    cjk, latin, serif = _fonts()
    cp = ord(ch)
    if primary == SERIF_FONT_NAME and cp in serif:
        return SERIF_FONT_NAME
    if cp < 0x80 and cp in latin:  # ASCII from the Latin font (Droid has none)
        return LATIN_FONT_NAME
    if cp in cjk:
        return FONT_NAME
    if cp in latin:
        return LATIN_FONT_NAME
    if cp in serif:
        return SERIF_FONT_NAME
    return None


@lru_cache(maxsize=8)
def _em_of_spaces(font: str) -> str:
    """No-break spaces about one em wide in `font` (their width differs from face to face)."""
    width = pdfmetrics.stringWidth("\xa0", font, 1000) or 250
    return "\xa0" * max(1, round(1000 / width))


def missing_glyphs(text: str) -> set[str]:
    """Characters of `text` that no font can draw (whitespace and control ignored)."""
    return {ch for ch in set(text) if not _ignorable(ch) and font_for(ch) is None}


def markup(text: str, primary: str = FONT_NAME) -> str:
    """`text` as reportlab paragraph markup: escaped, each run in the font that has its glyphs.

    The paragraph's own font is `primary`, so only runs in another font get a <font> tag.
    reportlab collapses runs of ordinary spaces (the ideographic space U+3000 included), so blanks
    to write in (“　　年　　月　　日”) become no-break spaces of about the same width.
    """
    text = text.replace("\u3000", _em_of_spaces(primary))
    out: list[str] = []
    run: list[str] = []
    run_font = primary

    def flush() -> None:
        if run:
            body = escape("".join(run))
            out.append(body if run_font == primary else f'<font name="{run_font}">{body}</font>')
            run.clear()

    for ch in text:
        font = primary if ch == " " else (font_for(ch, primary) or primary)
        if font != run_font:
            flush()
            run_font = font
        run.append(ch)
    flush()
    return "".join(out)


def split_runs(text: str, primary: str = FONT_NAME) -> list[tuple[str, str]]:
    """(font name, text) runs for drawing straight on the canvas."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        font = primary if ch == " " else (font_for(ch, primary) or primary)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs


def string_width(text: str, size: float, primary: str = FONT_NAME) -> float:
    return float(sum(pdfmetrics.stringWidth(t, f, size) for f, t in split_runs(text, primary)))

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

import mmap
import os
import struct
import sys
import threading
from array import array
from collections.abc import Sequence
from fnmatch import fnmatch
from functools import lru_cache
from itertools import chain
from operator import add, sub
from pathlib import Path
from typing import overload
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTEncoding, TTFError, TTFont, TTFontFace, TTFontParser

from app.paths import resource_path

FONT_NAME = "SpdeskCJK"  # Droid Sans Fallback (Apache-2.0): headings, fallback for every ideograph
LATIN_FONT_NAME = "SpdeskLatin"  # Bitstream Vera Sans
SERIF_FONT_NAME = "SpdeskSerif"  # AR PL UMing CN (Arphic Public License): body text
SERIF_FILE = "uming.ttc"
SERIF_SYSTEM_PATHS = (Path("/usr/share/fonts/truetype/arphic") / SERIF_FILE,)
_lock = threading.Lock()
IDEOGRAPHIC_SPACE = "\xa0" * 4  # four no-break spaces of Droid Sans Fallback ≈ one em


class _Face(TTFontFace):
    """reportlab's TTFontFace with its big tables (character map, widths, metrics, glyph offsets) read in
    bulk: the same values, a fraction of the time.

    reportlab reads the character map, the metrics and the glyph offsets one number at a time in Python
    (Droid Sans Fallback: 49,000 glyphs, about 350 ms; the Ming face as long) — most of a one-agreement
    print. Here they are read from the font file as arrays (the `array` module, in C) and turned into the
    same dictionaries and lists, decoding the cmap formats our faces use (4 and 12); any other format, or
    anything unexpected in the file, gives None and the caller parses the face as reportlab does.
    Nothing is cached on disk: the font files that ship with the program are the only input, so there is
    no file in the user's folder that could be planted or tampered with (a cache of widths and glyph
    mappings could make a print draw other glyphs than its text says).
    tests/unit/test_font_faces.py holds every attribute equal to reportlab's parse for the three faces.
    """

    _glyph_to_char: dict[int, list[int]] | None = None
    _space: tuple[int, int | None] | None = None  # the space extractInfo copies last: (char, glyph it had)

    @property
    def glyphToChar(self) -> dict[int, list[int]]:  # noqa: N802 - reportlab's name
        """Only reportlab's text shaping reads it (not installed here): built when first asked for, from the
        character map as read (without the copied space, as extractInfo builds it)."""
        if self._glyph_to_char is None:
            g2c: dict[int, list[int]] = {}
            copied, had = self._space or (None, None)
            for char, glyph in self.charToGlyph.items():
                if char == copied:
                    if had is None:
                        continue
                    glyph = had
                g2c.setdefault(glyph, []).append(char)
            self._glyph_to_char = g2c
        return self._glyph_to_char

    @glyphToChar.setter
    def glyphToChar(self, value: dict[int, list[int]]) -> None:  # noqa: N802
        self._glyph_to_char = value

    def get_table(self, tag: str) -> bytes | _TableView:
        """A table's bytes; the glyph outlines as a view that copies only the glyphs sliced out of it (makeSubset
        copied the whole 'glyf' table, 15 MB of the Ming face, for every 256 characters a document uses, and
        only ever slices it)."""
        if tag == "glyf":
            offset, length = self.get_table_pos(tag)
            return _TableView(self._ttf_data, offset, length)
        return super().get_table(tag)  # type: ignore[no-any-return]


class _TableView:
    """A table of the font file that is only sliced: `view[a:b]` is the table's bytes a to b."""

    def __init__(self, data: bytes, offset: int, length: int) -> None:
        self._data, self._offset, self._length = data, offset, length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: slice) -> bytes:
        if not isinstance(index, slice):
            raise TypeError("a table view is only sliced")
        start, stop, step = index.indices(self._length)
        if step != 1:
            raise ValueError("a table view is sliced with step 1")
        return self._data[self._offset + start:self._offset + max(start, stop)]


class _HMetrics(Sequence[tuple[float, int]]):
    """The horizontal metrics as extractInfo lists them — (advance, left side bearing) per glyph, the glyphs
    after the full pairs with the last advance already scaled — read from the arrays when a subset asks for a
    glyph (a list of 49,000 tuples costs more than the rest of the face)."""

    def __init__(self, pairs: array[int], tail: array[int], last: float) -> None:
        self._pairs, self._tail, self._last, self._full = pairs, tail, last, len(pairs) // 2

    def __len__(self) -> int:
        return self._full + len(self._tail)

    @overload
    def __getitem__(self, index: int) -> tuple[float, int]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[float, int]]: ...

    def __getitem__(self, index: int | slice) -> tuple[float, int] | list[tuple[float, int]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if 0 <= index < self._full:
            return self._pairs[2 * index], self._pairs[2 * index + 1]
        if self._full <= index < len(self):
            return self._last, self._tail[index - self._full]
        raise IndexError(index)


class _GlyphPos(Sequence[int]):
    """Where each glyph's outline starts in the 'glyf' table, as extractInfo lists them (the short format's
    offsets doubled), read from the array when a subset asks for a glyph (a list of 49,000 numbers costs
    more than the few hundred a print asks for)."""

    def __init__(self, offsets: array[int], shift: int) -> None:
        self._offsets, self._shift = offsets, shift

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [v << self._shift for v in self._offsets[index]]
        return int(self._offsets[index]) << self._shift


def _words(data: bytes, pos: int, count: int, code: str = "H") -> array[int]:
    """`count` big-endian numbers of the array type `code` at `pos` (ValueError when the file is short)."""
    size = array(code).itemsize
    chunk = data[pos:pos + count * size]
    if len(chunk) != count * size:
        raise ValueError("short table")
    out = array(code, chunk)
    if sys.byteorder == "little":
        out.byteswap()
    return out


def _cmap(face: TTFontFace) -> dict[int, int] | None:
    """The character map as extractInfo reads it: the same subtable chosen, formats 4 and 12 only."""
    data = face._ttf_data
    cmap_offset = face.seek_table("cmap")
    version, count = face.read_ushort(), face.read_ushort()
    if count == 0 and version != 0:
        count, version = version, count
    encoffs, enc = None, 0
    for _n in range(count):  # extractInfo's choice: the last subtable it accepts
        platform, encoding, offset = face.read_ushort(), face.read_ushort(), face.read_ulong()
        if platform == 3:
            enc, encoffs = 1, offset
        elif platform == 1 and encoding == 0 and enc != 1:
            enc, encoffs = 2, offset
        elif (platform == 1 and encoding == 1) or (platform == 0 and encoding != 5):
            enc, encoffs = 1, offset
    if encoffs is None:
        return None
    encoffs += cmap_offset
    fmt = face.get_ushort(encoffs)
    c2g: dict[int, int] = {}
    if fmt == 4:
        length = face.get_ushort(encoffs + 2)
        limit = encoffs + length
        segs = face.get_ushort(encoffs + 6) // 2
        ends = _words(data, encoffs + 14, segs)
        starts = _words(data, encoffs + 16 + 2 * segs, segs)
        deltas = _words(data, encoffs + 16 + 4 * segs, segs, "h")
        ranges_at = encoffs + 16 + 6 * segs
        ranges = _words(data, ranges_at, segs)
        for n in range(segs):
            first, last, delta, ro = starts[n], ends[n], deltas[n], ranges[n]
            if last < first:
                continue
            chars = range(first, last + 1)
            if ro == 0:  # glyph = (char + delta) mod 65536
                if 0 <= first + delta and last + delta <= 0xFFFF:
                    c2g.update(zip(chars, range(first + delta, last + delta + 1), strict=True))
                else:
                    c2g.update(zip(chars, [(c + delta) & 0xFFFF for c in chars], strict=True))
                continue
            base = ranges_at + 2 * n + ro
            inside = max(0, min(len(chars), (limit - base + 1) // 2))  # extractInfo: 0 past the subtable
            ids = _words(data, base, inside) if inside else array("H")
            found = list(ids) if delta == 0 else [(g + delta) & 0xFFFF if g else 0 for g in ids]
            c2g.update(zip(chars, found + [0] * (len(chars) - inside), strict=True))
        return c2g
    if fmt == 12:
        groups = face.get_ulong(encoffs + 12)
        table = _words(data, encoffs + 16, 3 * groups, "L" if array("L").itemsize == 4 else "I")
        # Each group, in the file's order as extractInfo reads them: characters first..last drawn by glyphs
        # glyph..glyph + (last - first). The ranges are chained in C (the Ming face has 4,866 groups).
        firsts, glyph_firsts = table[0::3], table[2::3]
        stops = [e + 1 for e in table[1::3]]
        glyph_ends = list(map(add, glyph_firsts, map(sub, stops, firsts)))
        c2g.update(zip(chain.from_iterable(map(range, firsts, stops)),
                       chain.from_iterable(map(range, glyph_firsts, glyph_ends)), strict=True))
        return c2g
    return None


def _file_data(path: Path) -> bytes | mmap.mmap:
    """The font file's bytes: mapped read-only on POSIX systems, so only the pages a print reads are read (the
    Ming face is 21 MB, of which a print needs its character map, metrics and a few hundred glyphs: reading it
    whole cost 35-40 ms of a print's start). A file replaced while mapped (a package upgrade renames a new
    file into place) leaves the mapping on the old file. Elsewhere, or when it cannot be mapped: read whole."""
    if os.name == "posix":
        try:
            with open(path, "rb") as f:
                return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
            pass
    return path.read_bytes()


def _bulk_face(path: Path, subfont: int = 0) -> TTFontFace | None:
    """The face of `path` (a TTC's `subfont`) read in bulk (see _Face), or None: parse it as reportlab does."""
    face = _Face.__new__(_Face)
    pdfmetrics.TypeFace.__init__(face, None)
    face._ttf_data = _file_data(path)
    face.filename = str(path)  # as TTFOpenFile names it
    try:
        TTFontParser.__init__(face, str(path), validate=0, subfontIndex=subfont)
        face.extractInfo(0)  # names, head, OS/2, post, hhea, maxp: the small tables, as reportlab reads them
        head = face.table["head"]["offset"]
        if face.get_ushort(head + 52) != 0:  # glyph data format: extractInfo refuses others
            return None
        loca_format = face.get_ushort(head + 50)
        hmetrics_count = face.get_ushort(face.table["hhea"]["offset"] + 34)
        glyphs = face.numGlyphs
        c2g = _cmap(face)
        if c2g is None or hmetrics_count == 0:
            return None
        pairs = _words(face._ttf_data, face.table["hmtx"]["offset"], 2 * hmetrics_count)
        advances = pairs[0::2]
        # extractInfo's scale: x * (1000 / unitsPerEm), or x itself at 1000 units per em (the same floats)
        per_em = face.unitsPerEm
        widths: list[float] = list(advances) if per_em == 1000 else list(map((1000 / per_em).__mul__, advances))
        rest = max(0, glyphs - hmetrics_count)
        # extractInfo keeps the last advance, already scaled, for the glyphs after the full pairs
        tail = _words(face._ttf_data, face.table["hmtx"]["offset"] + 4 * hmetrics_count, rest)
        hmetrics = _HMetrics(pairs, tail, widths[-1])
        widths += [widths[-1]] * rest
        if "loca" not in face.table or loca_format not in (0, 1):
            return None
        loca = face.table["loca"]["offset"]
        glyph_pos = (_GlyphPos(_words(face._ttf_data, loca, glyphs + 1), 1) if loca_format == 0 else
                     _GlyphPos(_words(face._ttf_data, loca, glyphs + 1, "L" if array("L").itemsize == 4 else "I"), 0))
        face._pos = loca + (glyphs + 1) * (2 if loca_format == 0 else 4)  # where extractInfo stops reading
    except (TTFError, ValueError, KeyError, IndexError, struct.error):
        return None
    n = len(widths)
    if not c2g or max(c2g.values()) < n:  # every character has its width: one pass in C
        char_widths = dict(zip(c2g, map(widths.__getitem__, c2g.values()), strict=True))
    else:
        char_widths = {c: widths[g] for c, g in c2g.items() if g < n}
    if 0x20 in c2g:  # extractInfo's last step: the no-break space drawn as the space, or the other way
        face._space = (0xA0, c2g.get(0xA0))
        c2g[0xA0] = c2g[0x20]
        char_widths[0xA0] = char_widths[0x20]
    elif 0xA0 in c2g:
        face._space = (0x20, None)
        c2g[0x20] = c2g[0xA0]
        char_widths[0x20] = char_widths[0xA0]
    face.charToGlyph, face.charWidths, face.hmetrics, face.glyphPos = c2g, char_widths, hmetrics, glyph_pos
    face.defaultWidth = widths[0]
    return face


def _face(path: Path, subfont: int = 0) -> TTFontFace:
    return _bulk_face(path, subfont) or TTFontFace(str(path), subfontIndex=subfont)


def _font(name: str, path: Path, subfont: int = 0) -> TTFont:
    """A TTFont on a face read in bulk: what TTFont.__init__ does, without reportlab's slow parse."""
    font = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = _face(path, subfont)
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
            ming = _font(SERIF_FONT_NAME, path, 0)  # subfont 0: AR PL UMing CN
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


def escape(text: str) -> str:
    """&, < and > as XML entities: what xml.sax.saxutils.escape does, whose import loads urllib.request, http
    and ssl (50 ms of a print's start)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


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

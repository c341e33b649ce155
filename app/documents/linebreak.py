"""Chinese line breaking (禁则, GB/T 15834 and the usual typesetting practice) for reportlab.

reportlab's CJK wrapping (`reportlab.platypus.paragraph.cjkFragSplit`) knows only part of the
rule: it lets one character of a short list (，。、 but not ；：？！” 》) hang into the margin and
never keeps an opening bracket off the end of a line. Here a line never starts with closing
punctuation and never ends with opening punctuation: the break moves back until both hold (the
character before the closing mark goes down with it), and a run of Latin letters and digits
(¥280,000.00, 90%, 2026) is not split unless it is longer than the line.

`break_lines` is pure (characters and widths in, line lengths out) and tested on its own;
`KinsokuParagraph` plugs it into reportlab.

The lines of a paragraph depend only on its fragments (text and style of each run) and the widths,
so they are kept in one process-wide cache (`SharedCache`) keyed by exactly those: the template's
clauses, the same text in every agreement of a batch, are broken once for the whole batch, and so
is a page split's remainder met again. Each paragraph gets its own copy of the cached lines, since
reportlab writes into them when it splits a paragraph across pages.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import ParaLines, _processed_frags, cjkU, makeCJKParaLine
from reportlab.rl_config import _FUZZ

# Closing punctuation, pause and stop marks, iteration marks, small kana: never at a line start.
CANNOT_START = frozenset(
    "，。、；：？！）〕］｝〉》」』】〗〙〟’”…‥—～·・％‰℃°′″!%),.:;?]}"
    "\uff0e\uff0c\uff1a\uff1b\uff01\uff1f\uff09\uff3d\uff5d\uff60\u3005\u30fc"
)
# Opening brackets and quotes, and prefixes that belong to what follows: never at a line end.
CANNOT_END = frozenset("（〔［｛〈《「『【〖〘〝‘“([{¥￥$£#@§\uff08\uff3b\uff5b\uff5f")


def _wordish(ch: str) -> bool:
    """Part of a Latin word or a number: a break between two of them would split it."""
    return ch.isascii() and (ch.isalnum() or ch in ".,%-+/:_'¥") or ch in "¥￥"


def _bad_break(chars: Sequence[str], b: int, keep_words: bool) -> bool:
    """Would a line break before chars[b] break a rule?"""
    if chars[b] in CANNOT_START or chars[b - 1] in CANNOT_END:
        return True
    return keep_words and _wordish(chars[b - 1]) and _wordish(chars[b])


def _break_before(chars: Sequence[str], start: int, i: int) -> int:
    """The latest allowed break at or before i (chars[i] is the first that does not fit)."""
    for keep_words in (True, False):  # a word longer than the line is split, the punctuation rule still holds
        b = i
        while b > start + 1 and _bad_break(chars, b, keep_words):
            b -= 1
        if b > start + 1 or not _bad_break(chars, b, keep_words):
            return b
    return i  # a line of nothing but punctuation: give up rather than loop


def break_lines(chars: Sequence[str], widths: Sequence[float], max_widths: Sequence[float],
                hard_breaks: Sequence[bool] = ()) -> list[int]:
    """Where each line ends (exclusive indices into `chars`), following the Chinese rules.

    `hard_breaks[i]` is true when a forced line break follows character i.
    """
    ends: list[int] = []
    n = len(chars)
    start = 0
    while start < n:
        limit = max_widths[min(len(ends), len(max_widths) - 1)]
        used = 0.0
        i = start
        forced = False
        while i < n:
            used += widths[i]
            if used > limit + _FUZZ and i > start:
                break
            i += 1
            if hard_breaks and hard_breaks[i - 1]:
                forced = True
                break
        if i >= n or forced:
            ends.append(i)
            start = i
            continue
        b = _break_before(chars, start, i)
        ends.append(b)
        start = b
    return ends


class SharedCache:
    """Broken lines by (fragments, widths), least recently used dropped beyond `size` entries.

    An entry is a pristine ParaLines never handed out: `get` returns a copy (new line and word
    objects), so what reportlab later writes into a paragraph's lines (a split appends a space to
    each line's last word) never reaches another paragraph.
    """

    def __init__(self, size: int = 4096, copy: Callable[[Any], Any] | None = None) -> None:
        self.size = size
        self._copy = copy or _copy_lines
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return self._copy(found)

    def put(self, key: Hashable, lines: Any) -> None:
        pristine = self._copy(lines)
        with self._lock:
            self._entries[key] = pristine
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


def _copy_lines(para: Any) -> Any:
    """A ParaLines of kind 1 with its own line and word objects (the words' values are immutable)."""
    lines = []
    for line in para.lines:
        copy = line.clone()
        copy.words = [w.clone() for w in line.words]
        lines.append(copy)
    return para.clone(lines=lines)


def _copy_parsed(parsed: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
    return parsed[0], [f.clone() for f in parsed[1]]


SHARED = SharedCache()
# (markup, style object) -> (the markup as reportlab cleans it, its fragments): reportlab's parser
# is slow, and a batch parses the same clauses in the same (cached) styles for every document.
PARSED = SharedCache(4096, _copy_parsed)


def _split_lines(para: Any, start: int, stop: int) -> list[Any]:
    """The fragments of lines start..stop, unchanged (the lines lose nothing at their ends)."""
    return [w for line in para.lines[start:stop] for w in line.words]


def _frags_key(frags: Sequence[Any]) -> tuple[Any, ...] | None:
    """Everything a fragment carries (text, font, size, colour, links, a forced break), as a key;
    None when some value cannot be one (then the paragraph is broken without the shared cache)."""
    key = tuple(tuple((k, tuple(v) if type(v) is list else v) for k, v in f.__dict__.items()) for f in frags)
    try:
        hash(key)
    except TypeError:
        return None
    return key


class KinsokuParagraph(Paragraph):
    """A reportlab Paragraph whose CJK wrapping follows `break_lines`."""

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:  # noqa: N803
        if frags is not None or not isinstance(text, str) or bulletText:
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        key = (text, style, cleaner)
        parsed = PARSED.get(key)
        if parsed is not None:
            super()._setup(parsed[0], style, bulletText, parsed[1], cleaner)
            return
        super()._setup(text, style, bulletText, None, cleaner)
        if self.style is style and not self.bulletText:  # no <para> attributes or <bullet>: the style's own
            PARSED.put(key, (self.text, self.frags))

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # noqa: N802 - reportlab's name
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara
        style = self.style
        frags = self.frags
        if not frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName, textColor=style.textColor,
                             lines=[], ascent=style.fontSize, descent=-0.2 * style.fontSize)
        autoleading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        calc_bounds = autoleading not in ("", "off")
        # reportlab wraps one paragraph many times at the same widths (a table measures every cell to
        # size its rows and again to split and draw them; a page split re-wraps what stays): the lines
        # depend only on the paragraph's fragments and the widths, so each width is broken once.
        key = (tuple(maxWidths), calc_bounds)
        cache: dict[Any, Any] | None = self.__dict__.get("_kinsoku_lines")
        if cache is not None and cache.get("frags") is frags and key in cache:
            return cache[key]
        if cache is None or cache.get("frags") is not frags:
            cache = {"frags": frags, "shared": _frags_key(frags)}
            self.__dict__["_kinsoku_lines"] = cache
        shared_key = None if cache["shared"] is None else (cache["shared"], key)
        result = None if shared_key is None else SHARED.get(shared_key)
        if result is None:
            result = self._break(frags, maxWidths, calc_bounds)
            if shared_key is not None:
                SHARED.put(shared_key, result)
        cache[key] = result
        return result

    def _get_split_blParaFunc(self) -> Any:  # noqa: N802 - reportlab's name
        """A page split keeps every character as typed: reportlab's own split (made for text broken at
        spaces) appends a space to the last word of each line, which in Chinese text shows as a gap
        where two lines of the remainder meet and makes the remainder break differently."""
        if self.blPara.kind == 1 and not _processed_frags(self.frags):
            return _split_lines
        return super()._get_split_blParaFunc()

    def _break(self, frags: Sequence[Any], maxWidths: Sequence[float], calc_bounds: bool) -> Any:
        glyphs: list[Any] = []
        hard: list[bool] = []
        for f in frags:
            text = f.text.decode("utf8") if isinstance(f.text, bytes) else f.text
            if text:
                glyphs.extend(cjkU(t, f, "utf8") for t in text)
                hard.extend([False] * len(text))
            else:
                glyphs.append(cjkU(text, f, "utf8"))
                hard.append(False)
            if hasattr(f, "lineBreak") and hard:
                hard[-1] = True
        widths = [g.width for g in glyphs]
        lines = []
        start = 0
        for n, end in enumerate(break_lines([str(g) or "\ufffc" for g in glyphs], widths, maxWidths, hard)):
            width = maxWidths[min(n, len(maxWidths) - 1)]
            used = sum(widths[start:end])
            line_break = bool(hard[end - 1]) if end > start else False
            lines.append(makeCJKParaLine(glyphs[start:end], width, used, width - used, line_break, calc_bounds))
            start = end
        return ParaLines(kind=1, lines=lines)

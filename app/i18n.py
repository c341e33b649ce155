"""Translation (gettext catalogs made with Babel) and locale-aware formatting.

Chinese is the default. Catalogs are read from compiled ``.mo`` files when the installer
ships them, and otherwise compiled in memory from the ``.po`` sources, so a source checkout
needs no build step.
"""

from __future__ import annotations

import gettext as _gettext
import hashlib
import io
import os
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from app.paths import cache_dir, i18n_dir

if TYPE_CHECKING:
    from babel import Locale

DOMAIN = "spdesk"
LANGUAGES: dict[str, str] = {"zh_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"

_current = DEFAULT_LANGUAGE
_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_cache: dict[str, _gettext.NullTranslations] = {}


def _load(lang: str) -> _gettext.NullTranslations:
    if lang in _cache:
        return _cache[lang]
    base = i18n_dir() / lang / "LC_MESSAGES"
    mo, po = base / f"{DOMAIN}.mo", base / f"{DOMAIN}.po"
    trans: _gettext.NullTranslations
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            trans = _gettext.GNUTranslations(fh)
    elif po.exists():
        trans = _gettext.GNUTranslations(io.BytesIO(_compiled(lang, po)))
    else:
        trans = _gettext.NullTranslations()
    _cache[lang] = trans
    return trans


def translated(lang: str, message: str) -> str:
    """`message` in `lang` whatever the window's language: printed documents are in Chinese."""
    return _load(lang).gettext(message)


def _compiled(lang: str, po: Path) -> bytes:
    """The .mo bytes of a source catalog, compiled once and kept in the user's cache folder.

    Parsing the .po costs about 70 ms (Babel's reader) on every start; the cached copy is named by
    the SHA-256 of the .po text, so an edited catalog is compiled again and a stale one never used.
    """
    source = po.read_bytes()
    cached = cache_dir() / "catalogs" / f"{lang}-{hashlib.sha256(source).hexdigest()[:20]}.mo"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(source), locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    data = buf.getvalue()
    try:  # a read-only or full cache folder only costs the compile next time
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, cached)
    except OSError:
        pass
    return data


def set_language(lang: str) -> None:
    global _current, _translations
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    _current = lang
    _translations = _load(lang)


def current_language() -> str:
    return _current


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a module-level constant for extraction; translate it with _() where it is shown."""
    return message


def babel_locale() -> Locale:
    from babel import Locale  # Babel is imported on the first formatted date or amount, not at start-up

    return Locale.parse(_current)


def format_date(value: date | None) -> str:
    if value is None:
        return ""
    if _current == "zh_CN":
        # GB/T 9704 style: full year, no zero padding.
        return f"{value.year}年{value.month}月{value.day}日"
    from babel.dates import format_date as _babel_format_date

    return _babel_format_date(value, format="medium", locale=babel_locale())


def format_iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    from babel.dates import format_datetime as _babel_format_datetime

    return _babel_format_datetime(value, format="yyyy-MM-dd HH:mm", locale=babel_locale())


# Languages whose numbers Babel writes with "." before the decimals and "," between groups of three (its
# zh_CN and en symbols): their amounts are formatted here, without Babel's import and its pattern parsing
# on every call (issue 17: 1,000 rows of `spdesk agreements list` spent 0.3 s there).
# tests/unit/test_i18n.py compares the two.
PLAIN_NUMBER_LANGUAGES = frozenset({"zh_CN", "en"})


def format_amount(value: Decimal | None) -> str:
    """Money in yuan with two decimals and grouping, e.g. ¥123,456.00."""
    if value is None:
        return ""
    if _current in PLAIN_NUMBER_LANGUAGES and isinstance(value, (Decimal, int)):
        plain = Decimal(value)
        if plain.is_finite() and plain.adjusted() < 20:
            return "¥" + format(plain.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN), ",.2f")
    from babel.numbers import format_decimal as _babel_format_decimal

    return "¥" + _babel_format_decimal(value, format="#,##0.00", locale=babel_locale())


set_language(DEFAULT_LANGUAGE)

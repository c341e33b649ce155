"""Every user-visible string is translated in both catalogs, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}|%\([a-z_]+\)[sdr]|%[sdr]")


def _catalog(lang: str):
    with (ROOT / "i18n" / lang / "LC_MESSAGES" / "spdesk.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _source_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT / "app"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def source_messages() -> set[str]:
    return _source_messages()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_source_string_is_translated(lang, source_messages):
    catalog = _catalog(lang)
    missing = sorted(m for m in source_messages if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"untranslated in {lang} (run `make i18n` and translate): {missing[:20]}"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_no_fuzzy_or_empty_entries(lang):
    bad = [m.id for m in _catalog(lang) if m.id and (m.fuzzy or not m.string)]
    assert not bad, f"fuzzy or empty in {lang}: {bad[:20]}"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_placeholders_match(lang):
    wrong = []
    for m in _catalog(lang):
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strs = m.string if isinstance(m.string, tuple) else (m.string,)
        want = sorted(PLACEHOLDER.findall(ids[0]))
        for s in strs:
            if sorted(PLACEHOLDER.findall(s)) != want:
                wrong.append((m.id, s))
    assert not wrong, f"placeholders differ in {lang}: {wrong[:10]}"


def test_chinese_is_the_default_and_switching_works():
    i18n.set_language("zh_CN")
    assert i18n._("Organizations") == "社会组织"
    i18n.set_language("en")
    assert i18n._("Organizations") == "Organizations"
    i18n.set_language("xx")  # unknown language falls back to the default
    assert i18n.current_language() == i18n.DEFAULT_LANGUAGE


def test_chinese_translations_are_chinese():
    """A msgstr copied from the English source slipped through: most entries must contain CJK."""
    catalog = _catalog("zh_CN")
    cjk = re.compile(r"[\u3400-\u9fff]")
    copied = [m.id for m in catalog if m.id and m.string == m.id and re.search(r"[A-Za-z]{4,}", m.id)
              and not cjk.search(m.string)]
    assert not copied, f"zh_CN entries identical to the English source: {copied[:20]}"


def test_format_helpers():
    from datetime import date
    from decimal import Decimal

    i18n.set_language("zh_CN")
    assert i18n.format_date(date(2025, 1, 5)) == "2025年1月5日"
    assert i18n.format_amount(Decimal("123456")) == "¥123,456.00"
    i18n.set_language("en")
    assert "2025" in i18n.format_date(date(2025, 1, 5)) and "Jan" in i18n.format_date(date(2025, 1, 5))


@pytest.mark.parametrize("lang", sorted(i18n.PLAIN_NUMBER_LANGUAGES))
def test_amounts_are_formatted_as_babel_formats_them(lang):
    """format_amount writes these languages' amounts without Babel (issue 17); the text must be Babel's."""
    import random
    from decimal import Decimal

    from babel.numbers import format_decimal

    rng = random.Random(17)
    values = [Decimal(v) for v in ("0", "-0", "-0.00", "0.005", "0.015", "0.025", "0.035", "1234.565", "-1234.565",
                                   "999.995", "-999.995", "1000", "-1", "12345678901234.56", "0.001", "0.0049")]
    values += [0, 7, -7, 1000000, 10 ** 15]
    values += [Decimal(rng.randrange(-10 ** 12, 10 ** 12)) / rng.choice([1, 10, 100, 1000]) for _ in range(3000)]
    i18n.set_language(lang)
    try:
        for v in values:
            assert i18n.format_amount(v) == "¥" + format_decimal(v, format="#,##0.00", locale=i18n.babel_locale()), v
    finally:
        i18n.set_language("zh_CN")

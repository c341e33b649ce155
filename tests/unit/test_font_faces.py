"""The faces read in bulk (issue 17): every table is exactly what reportlab's own parse gives, for each of the
three faces a print uses, so printing cannot change with the faster reading; and nothing is read from or
written to the user's folders (there is no cache a planted file could feed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from app.documents import fonts
from app.paths import resource_path

FACES = [("DroidSansFallbackFull.ttf", 0), ("Vera.ttf", 0), (fonts.SERIF_FILE, 0), (fonts.SERIF_FILE, 1)]


def _path(filename: str) -> Path:
    if filename == fonts.SERIF_FILE:
        path = fonts.serif_path()
        if path is None:
            pytest.fail("the Ming face is missing: scripts/system-deps.sh installs fonts-arphic-uming")
        return path
    return resource_path("fonts", filename)


def _state(face: TTFontFace) -> dict[str, object]:
    """Every attribute reportlab reads, the tables as plain lists and dicts."""
    state = {k: v for k, v in vars(face).items() if k not in ("_pdfScale", "_space", "_glyph_to_char")}
    state["_ttf_data"] = bytes(face._ttf_data)  # mapped or read: the file's bytes either way
    state["hmetrics"] = list(face.hmetrics)
    state["glyphPos"] = list(face.glyphPos)
    state["glyphToChar"] = face.glyphToChar
    return state


@pytest.mark.parametrize(("filename", "subfont"), FACES)
def test_a_face_read_in_bulk_is_the_parsed_one(filename: str, subfont: int) -> None:
    path = _path(filename)
    bulk, parsed = fonts._bulk_face(path, subfont), TTFontFace(str(path), subfontIndex=subfont)
    assert bulk is not None  # our faces' formats are all read in bulk: the fast path is what is tested
    assert _state(bulk) == _state(parsed)
    assert {k: type(v) for k, v in _state(parsed).items()} == {k: type(v) for k, v in _state(bulk).items()}
    assert [bulk._pdfScale(v) for v in (0, 1, 2048)] == [parsed._pdfScale(v) for v in (0, 1, 2048)]
    chars = [0, 32, 0xA0, 65, 0xE9, 0xC5, 0x4E2D, 0x9F98, 0x3000, 0xFF08, *range(0x5000, 0x5100)]
    assert bulk.makeSubset(chars) == parsed.makeSubset(chars)
    assert bulk.hmetrics[-1] == parsed.hmetrics[-1] and bulk.hmetrics[:3] == parsed.hmetrics[:3]
    with pytest.raises(IndexError):
        bulk.hmetrics[len(parsed.hmetrics)]
    assert bulk.glyphPos[-1] == parsed.glyphPos[-1] and bulk.glyphPos[2:9] == parsed.glyphPos[2:9]
    with pytest.raises(IndexError):
        bulk.glyphPos[len(parsed.glyphPos)]
    glyf = parsed.get_table("glyf")
    view = bulk.get_table("glyf")
    assert len(view) == len(glyf) and view[0:40] == glyf[0:40] and view[len(glyf) - 9:] == glyf[-9:]
    assert view[len(glyf) - 2:len(glyf) + 5] == glyf[-2:] and view[5:3] == b""
    assert bulk.get_table("head") == parsed.get_table("head")


def test_a_font_on_a_bulk_face_has_what_the_constructor_gives() -> None:
    path = _path("Vera.ttf")
    ours, theirs = fonts._font("SpdeskTest", path), TTFont("SpdeskTest", str(path))
    assert set(vars(ours)) == set(vars(theirs))
    assert (ours.fontName, ours.shapable, ours._asciiReadable) == (theirs.fontName, theirs.shapable,
                                                                   theirs._asciiReadable)
    assert ours.stringWidth("Service 123", 12) == theirs.stringWidth("Service 123", 12)


def test_a_face_it_cannot_read_in_bulk_is_parsed_as_reportlab_does(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    path = _path("Vera.ttf")
    monkeypatch.setattr(fonts, "_cmap", lambda face: None)  # as for a cmap format other than 4 and 12
    assert fonts._bulk_face(path) is None
    face = fonts._face(path)
    assert type(face) is TTFontFace and _state(face) == _state(TTFontFace(str(path)))
    monkeypatch.undo()
    short = tmp_path / "short.ttf"  # a damaged file: no exception from the bulk reading, reportlab decides
    short.write_bytes(path.read_bytes()[:20_000])
    assert fonts._bulk_face(short) is None


def test_the_fonts_use_no_file_in_the_users_folders(tmp_path: Path) -> None:
    fonts._fonts.cache_clear()
    try:
        fonts.register()
        assert fonts.font_for("中") == fonts.FONT_NAME and fonts.font_for("A") == fonts.LATIN_FONT_NAME
    finally:
        fonts._fonts.cache_clear()
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*"))


def test_markup_escapes_as_saxutils_does() -> None:
    from xml.sax.saxutils import escape

    for text in ("a & b < c > d", "&amp;", "<font>", "甲方＆乙方", ""):
        assert fonts.escape(text) == escape(text)

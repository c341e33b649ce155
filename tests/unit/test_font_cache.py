"""The parsed-font cache (issue 17): a cached face is exactly the parsed one, and a font built on it
has what reportlab's own constructor gives, so printing cannot change with the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from app.documents import fonts
from app.paths import resource_path


def _state(face: object) -> dict[str, object]:
    return {k: v for k, v in vars(face).items() if k != "_pdfScale"}


@pytest.mark.parametrize("filename", ["Vera.ttf", "DroidSansFallbackFull.ttf"])
def test_a_cached_face_is_the_parsed_one(filename: str, tmp_path: Path) -> None:
    path = resource_path("fonts", filename)
    parsed = fonts._cached_face(path)  # nothing cached yet: parses, then writes the cache
    assert list((tmp_path / "data" / "cache" / "fonts").glob(f"{path.stem}-*.pickle"))
    cached = fonts._cached_face(path)
    assert _state(cached) == _state(parsed)
    assert [cached._pdfScale(v) for v in (0, 1, 2048)] == [parsed._pdfScale(v) for v in (0, 1, 2048)]
    assert cached.makeSubset([0, 32, 0x4E2D if filename.startswith("Droid") else 65]) == \
        parsed.makeSubset([0, 32, 0x4E2D if filename.startswith("Droid") else 65])


def test_a_damaged_cache_is_parsed_again(tmp_path: Path) -> None:
    path = resource_path("fonts", "Vera.ttf")
    parsed = fonts._cached_face(path)
    for f in (tmp_path / "data" / "cache" / "fonts").glob("Vera-*.pickle"):
        f.write_bytes(b"not a pickle")
    assert _state(fonts._cached_face(path)) == _state(parsed)


def test_a_font_on_a_cached_face_has_what_the_constructor_gives() -> None:
    path = resource_path("fonts", "Vera.ttf")
    ours, theirs = fonts._font("SpdeskTest", path), TTFont("SpdeskTest", str(path))
    assert set(vars(ours)) == set(vars(theirs))
    assert (ours.fontName, ours.shapable, ours._asciiReadable) == (theirs.fontName, theirs.shapable,
                                                                   theirs._asciiReadable)
    assert ours.stringWidth("Service 123", 12) == theirs.stringWidth("Service 123", 12)

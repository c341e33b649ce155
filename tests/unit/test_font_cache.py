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
    assert list((tmp_path / "data" / "cache" / "fonts").glob(f"{path.stem}-*.json"))
    cached = fonts._cached_face(path)
    assert _state(cached) == _state(parsed)
    assert [cached._pdfScale(v) for v in (0, 1, 2048)] == [parsed._pdfScale(v) for v in (0, 1, 2048)]
    assert cached.makeSubset([0, 32, 0x4E2D if filename.startswith("Droid") else 65]) == \
        parsed.makeSubset([0, 32, 0x4E2D if filename.startswith("Droid") else 65])


def test_a_damaged_cache_is_parsed_again(tmp_path: Path) -> None:
    path = resource_path("fonts", "Vera.ttf")
    parsed = fonts._cached_face(path)
    for f in (tmp_path / "data" / "cache" / "fonts").glob("Vera-*.json"):
        f.write_bytes(b"not json")
    assert _state(fonts._cached_face(path)) == _state(parsed)


def test_a_font_on_a_cached_face_has_what_the_constructor_gives() -> None:
    path = resource_path("fonts", "Vera.ttf")
    ours, theirs = fonts._font("SpdeskTest", path), TTFont("SpdeskTest", str(path))
    assert set(vars(ours)) == set(vars(theirs))
    assert (ours.fontName, ours.shapable, ours._asciiReadable) == (theirs.fontName, theirs.shapable,
                                                                   theirs._asciiReadable)
    assert ours.stringWidth("Service 123", 12) == theirs.stringWidth("Service 123", 12)


class _Planted:
    """What a hostile cache file holds: unpickling it would run `Path.touch` on the marker (any code)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (Path.touch, (self.marker,))


def test_a_planted_or_tampered_cache_file_is_ignored_not_run(tmp_path: Path) -> None:
    """The cache is in the user's folder: a file put there must never run code (pickle would), and a
    well-formed file with the wrong content must not reach the printer; the font is parsed again."""
    import json
    import pickle

    path = resource_path("fonts", "Vera.ttf")
    parsed = fonts._cached_face(path)
    folder = tmp_path / "data" / "cache" / "fonts"
    (cache_file,) = folder.glob("Vera-*.json")
    good = cache_file.read_bytes()
    marker = tmp_path / "ran"
    planted = pickle.dumps(_Planted(marker))
    pickle.loads(planted)  # the payload does run when unpickled …
    assert marker.exists()
    marker.unlink()
    for name in (cache_file.name, cache_file.name.replace(f"-v{fonts.CACHE_FORMAT}.json", ".pickle")):
        (folder / name).write_bytes(planted)
        assert _state(fonts._cached_face(path)) == _state(parsed)
        assert not marker.exists()  # … but the cache never unpickles it
    state = json.loads(good)
    for tamper in ({**state, "charWidths": "wide"}, {**state, "unitsPerEm": 0}, {**state, "hmetrics": {"$x": 1}},
                   {k: v for k, v in state.items() if k != "charToGlyph"}, [state], {"$b": "!!"}):
        cache_file.write_text(json.dumps(tamper), encoding="utf-8")
        assert fonts._read_cache(cache_file) is None
        assert _state(fonts._cached_face(path)) == _state(parsed)
    assert fonts._read_cache(cache_file) is not None  # the last parse wrote a good cache again


def test_the_cache_holds_every_type_of_the_parsed_face() -> None:
    path = resource_path("fonts", "DroidSansFallbackFull.ttf")
    face = fonts._cached_face(path)
    state = {k: v for k, v in vars(face).items() if k not in ("_pdfScale", "_ttf_data")}
    back = fonts._decode(fonts._encode(state))
    assert back == state
    assert {k: type(v) for k, v in back.items()} == {k: type(v) for k, v in state.items()}
    assert type(back["hmetrics"][0]) is tuple and type(back["name"]) is type(state["name"])

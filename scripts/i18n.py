#!/usr/bin/env python3
"""Message catalogs: extract strings, update both catalogs, apply translations, check completeness.

  python scripts/i18n.py update               extract from app/, update zh_CN and en (en = source text)
  python scripts/i18n.py apply FILE.json      merge {"English msgid": "中文译文"} into zh_CN
  python scripts/i18n.py missing              list zh_CN entries still untranslated
  python scripts/i18n.py compile DIR          write .mo files under DIR/<lang>/LC_MESSAGES (installer)

Edits take a file lock, so several people (or helpers) can apply translations at once.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "i18n"
POT = I18N / "spdesk.pot"
LANGS = ("zh_CN", "en")


def po_path(lang: str) -> Path:
    return I18N / lang / "LC_MESSAGES" / "spdesk.po"


@contextmanager
def locked():
    with open(I18N / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read(lang: str):
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def _write(lang: str, catalog) -> None:
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".po.tmp")
    with tmp.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, no_location=True, width=0)
    tmp.replace(path)


def update() -> None:
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    subprocess.run([pybabel, "-q", "extract", "-F", str(I18N / "babel.cfg"), "-k", "N_", "-k", "ngettext:1,2",
                    "--no-location", "--sort-output", "--project=spdesk", "-o", str(POT), str(ROOT / "app")],
                   check=True, cwd=ROOT)
    with POT.open("rb") as fh:
        template = read_po(fh)
    with locked():
        for lang in LANGS:
            if po_path(lang).exists():
                catalog = _read(lang)
            else:
                from babel.messages.catalog import Catalog

                catalog = Catalog(locale=lang, project="spdesk")
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            for msg in catalog:
                if msg.id:
                    msg.flags.discard("fuzzy")
                    if lang == "en" and not any(msg.string if isinstance(msg.string, tuple) else [msg.string]):
                        msg.string = msg.id  # the source language is English (plural: both forms)
            _write(lang, catalog)


def apply(path: str) -> None:
    pairs = json.loads(Path(path).read_text(encoding="utf-8"))
    with locked():
        catalog = _read("zh_CN")
        unknown = []
        for msgid, text in pairs.items():
            msg = catalog.get(msgid)
            if msg is None:
                unknown.append(msgid)
                continue
            # A plural entry takes a list of forms; Chinese has one form, used for every n.
            if isinstance(msg.id, tuple):
                forms = text if isinstance(text, list) else [text]
                msg.string = tuple(forms) if len(forms) > 1 else (forms[0],)
            else:
                msg.string = text
            msg.flags.discard("fuzzy")
        _write("zh_CN", catalog)
    if unknown:
        print("not in the catalog (run update first?):", *unknown, sep="\n  ")


def missing() -> int:
    catalog = _read("zh_CN")
    items = [m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and not any(
        m.string if isinstance(m.string, tuple) else [m.string])]
    print(json.dumps({m: "" for m in items}, ensure_ascii=False, indent=1))
    return len(items)


def compile_to(out: str) -> None:
    for lang in LANGS:
        dest = Path(out) / lang / "LC_MESSAGES"
        dest.mkdir(parents=True, exist_ok=True)
        with (dest / "spdesk.mo").open("wb") as fh:
            write_mo(fh, _read(lang))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "update":
        update()
    elif cmd == "apply":
        apply(sys.argv[2])
    elif cmd == "missing":
        missing()
    elif cmd == "compile":
        compile_to(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)

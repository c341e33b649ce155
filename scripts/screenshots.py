#!/usr/bin/env python3
"""Render every main screen and every dialog offscreen, in Chinese and English, on office screens of
1024×768 and 1366×768 (less a 40-pixel taskbar), into PNG files for a human to look at.

  .venv/bin/python scripts/screenshots.py OUT_DIR [--size 1024x768] [--only NAME,NAME]

Files are named SIZE_LANG_NAME.png (main-window pages as SIZE_LANG_page_KEY.png). The windows are
those of tests/gui/window_catalogue.py, opened on the sample data. Images are not committed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = ((1024, 768), (1366, 768))


def shoot(out: Path, size: str, only: set[str] | None) -> None:
    """In a process whose offscreen screen is already the right size."""
    from app.views.main_window import MainWindow
    from tests.gui.window_catalogue import open_all, settle

    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for lang, name, widget, app in open_all(names=only):
        if isinstance(widget, MainWindow):
            for key in list(widget.pages):
                widget.go_to(key)
                settle(app, widget, widget.worker)
                widget.grab().save(str(out / f"{size}_{lang}_page_{key}.png"))
                count += 1
        else:
            widget.grab().save(str(out / f"{size}_{lang}_{name}.png"))
            count += 1
    print(f"{count} screenshots at {size} in {out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="screenshots", type=Path)
    parser.add_argument("--size", help="one screen size, e.g. 1024x768 (default: both office sizes)")
    parser.add_argument("--only", help="comma-separated window names (see tests/gui/window_catalogue.py)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    if args.child:
        shoot(args.out, args.size, only)
        return 0
    from tests.gui.window_catalogue import TASKBAR, screen_config

    sizes = [tuple(int(v) for v in args.size.split("x"))] if args.size else list(SIZES)
    folder = Path(tempfile.mkdtemp(prefix="spdesk-shots-"))
    for width, height in sizes:
        env = dict(os.environ, QT_QPA_PLATFORM=screen_config(width, height - TASKBAR, folder))
        cmd = [sys.executable, str(Path(__file__).resolve()), str(args.out), "--size", f"{width}x{height}", "--child"]
        if args.only:
            cmd += ["--only", args.only]
        code = subprocess.call(cmd, env=env, cwd=ROOT)
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Render the main screens offscreen, in Chinese and English, into PNG files for a human to look at.

  QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py OUT_DIR
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(out: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.i18n import set_language
    from app.services import demo
    from app.services import settings as settings_service
    from app.views.app import install_qt_translations, make_application, open_desk

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    os.environ["SPDESK_DATA_DIR"] = str(tmp)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "qs"))
    app = make_application([])
    desk = open_desk(tmp / "shots.sqlite3")
    desk.run(settings_service.complete_setup, "示例区示例街道办事处", "zh_CN")
    desk.run(demo.load_sample)
    from app.views.main_window import MainWindow

    for lang in ("zh_CN", "en"):
        set_language(lang)
        install_qt_translations(app, lang)
        w = MainWindow(desk)
        w.resize(1280, 800)
        w.show()
        for key in list(w.pages):
            w.go_to(key)
            for _ in range(30):
                app.processEvents()
                w.worker.wait(2000)
            app.processEvents()
            w.grab().save(str(out / f"{lang}_{key}.png"))
        w.close()
        w.deleteLater()
        QApplication.processEvents()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"))

"""Every window and dialog fits an office screen: 1024×768 less a 40-pixel taskbar, in Chinese and English.

The windows are opened in a separate process whose offscreen screen is exactly that available area
(the test process's screen is Qt's default), by tests/gui/window_catalogue.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from tests.gui.window_catalogue import TASKBAR, entries, screen_config

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1024, 768 - TASKBAR


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    folder = tmp_path_factory.mktemp("screen")
    env = dict(os.environ, QT_QPA_PLATFORM=screen_config(WIDTH, HEIGHT, folder),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "tests.gui.window_catalogue"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_every_window_was_opened_in_both_languages(measured: list[dict], desk) -> None:
    names = {name for name, _opener in entries(desk, None)}
    for lang in ("zh_CN", "en"):
        assert {m["name"] for m in measured if m["lang"] == lang} == names
    assert all(m["screen_width"] == WIDTH and m["screen_height"] == HEIGHT for m in measured)


def test_every_window_fits_the_screen(measured: list[dict]) -> None:
    too_big = [f"{m['lang']} {m['name']}: frame {m['width']}×{m['height']} at ({m['x']}, {m['y']})"
               for m in measured
               if m["x"] < 0 or m["y"] < 0 or m["x"] + m["width"] > WIDTH or m["y"] + m["height"] > HEIGHT]
    assert not too_big, "\n".join(too_big)


def test_no_minimum_size_exceeds_the_screen(measured: list[dict]) -> None:
    too_big = [f"{m['lang']} {m['name']}: minimum {m['min_width']}×{m['min_height']}" for m in measured
               if m["min_width"] > WIDTH or m["min_height"] > HEIGHT]
    assert not too_big, "\n".join(too_big)


def test_a_size_saved_on_a_large_screen_is_clamped_to_this_one(qtbot, desk) -> None:
    from app.views.layout_helpers import available_area
    from app.views.main_window import MainWindow

    big = MainWindow(desk)
    qtbot.addWidget(big)
    big.setWindowState(Qt.WindowState.WindowNoState)
    area = available_area(big)
    big.resize(area.width() + 900, area.height() + 500)
    big.move(area.right() + 400, area.bottom() + 300)
    QSettings("spdesk", "spdesk").setValue("main_window/geometry", big.saveGeometry())
    big.shutdown()

    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # This test process's screen (800×800) is narrower than the window's minimum (that the 1024 test
    # checks), so the window is as small as it can be and starts at the screen's top left corner.
    frame, least = window.frameGeometry(), window.minimumSize()
    assert frame.width() <= max(area.width(), least.width() + 8), (frame, area)
    assert frame.height() <= max(area.height(), least.height() + 32), (frame, area)
    assert frame.left() >= area.left() and frame.top() >= area.top(), (frame, area)
    window.shutdown()


def test_first_run_sizes_the_window_to_the_screen(qtbot, desk) -> None:
    from app.views.layout_helpers import available_area
    from app.views.main_window import MainWindow

    window = MainWindow(desk)
    qtbot.addWidget(window)
    area = available_area(window)
    if area.width() < 1366 or area.height() < 800:
        assert window.windowState() & Qt.WindowState.WindowMaximized
    window.show()
    qtbot.waitExposed(window)
    assert window.width() <= max(area.width(), window.minimumWidth())
    assert window.height() <= max(area.height(), window.minimumHeight())
    window.shutdown()

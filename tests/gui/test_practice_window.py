"""The practice data is opened from Settings, marked 练习数据 in the title and the status bar, and left
again for the office's database; old sample rows are removed from Settings."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.models import Organization
from app.services import accounts, demo, practice
from app.services import settings as settings_service
from app.services.context import Desk
from app.store.startup import open_database
from app.views.main_window import MainWindow
from tests.db_templates import sample_data

PW = "Office-pass-2026"


def _window(qtbot, desk: Desk) -> MainWindow:
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_practice_is_opened_from_settings_marked_and_left_again(qtbot, desk: Desk, db) -> None:
    desk.run(settings_service.complete_setup, "桃源街道办事处", "zh_CN")
    admin = desk.run(accounts.create_first_admin, "boss", "张主任", PW, PW)
    office = _window(qtbot, Desk(db, admin))
    qtbot.waitUntil(lambda: "桃源街道办事处" in office.windowTitle(), timeout=20000)
    assert "练习数据" not in office.windowTitle() and not office.practice_label.isVisible()
    office.go_to("settings")
    page = office.pages["settings"]
    qtbot.waitUntil(lambda: page.practice_button.text() == "打开练习数据", timeout=20000)
    assert not page.remove_samples_button.isVisible()  # nothing to remove in this office's database
    page.practice_button.click()
    qtbot.waitUntil(lambda: office.next_database is not None, timeout=180000)
    assert office.next_database == practice.practice_path(db.path)
    office.shutdown()
    with db.read_session() as s:
        assert not s.scalar(select(func.count()).select_from(Organization))

    practice_db = open_database(office.next_database, daily_backup=False)
    try:
        actor = Desk(practice_db).run(accounts.find_actor, "boss")
        w = _window(qtbot, Desk(practice_db, actor))
        qtbot.waitUntil(lambda: w.practice and "练习数据" in w.windowTitle(), timeout=20000)
        assert w.practice_label.isVisible() and "练习数据" in w.practice_label.text()
        w.go_to("settings")
        page = w.pages["settings"]
        qtbot.waitUntil(lambda: page.practice_button.text() == "返回本办事处数据", timeout=20000)
        page.practice_button.click()
        assert w.next_database == practice.office_path(practice_db.path)
        w.shutdown()
    finally:
        practice_db.dispose()


@pytest.mark.db_content(sample_data(date(2026, 6, 15)))
def test_old_sample_rows_are_removed_from_settings(qtbot, desk: Desk, db, monkeypatch) -> None:
    assert desk.run(demo.load_sample, today=date(2026, 6, 15)) == 0  # there already: the db_content marker
    admin = desk.run(accounts.create_first_admin, "boss", "张主任", PW, PW)
    w = _window(qtbot, Desk(db, admin))
    w.go_to("settings")
    page = w.pages["settings"]
    qtbot.waitUntil(lambda: page.remove_samples_button.isVisible(), timeout=20000)
    asked: list[str] = []
    monkeypatch.setattr("app.views.settings_page.confirm", lambda _p, _t, text: asked.append(text) or True)
    page.remove_samples_button.click()
    qtbot.waitUntil(lambda: page.practice_status.text() == "示例数据已删除。", timeout=120000)
    assert "25 家社会组织" in asked[0]
    qtbot.waitUntil(lambda: not page.remove_samples_button.isVisible(), timeout=20000)
    assert desk.run(demo.sample_counts)["organizations"] == 0
    w.shutdown()

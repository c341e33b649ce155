from __future__ import annotations

import pytest
from PySide6.QtCore import QRect

from app.i18n import set_language
from app.services import settings as settings_service
from app.views.main_window import NAVIGATION, MainWindow
from app.views.pages import PlaceholderPage
from tests.db_templates import sample_data


def _window(qtbot, desk) -> MainWindow:
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.show()
    return w


def test_opens_in_chinese_with_every_navigation_entry(qtbot, desk):
    w = _window(qtbot, desk)
    labels = [w.nav.item(i).text() for i in range(w.nav.count())]
    assert labels == ["工作台", "社会组织", "购买项目", "服务协议", "考核评价", "月度汇总", "合同模板",
                      *labels[7:]]
    assert "设置" in labels
    assert len(labels) >= len(NAVIGATION)
    w.worker.wait()


def test_later_screens_say_so_plainly(qtbot, desk):
    w = _window(qtbot, desk)
    # Screens whose features come later say so; the others are real pages.
    from app.views.assessments.page import AssessmentsPage

    assert isinstance(w.pages["assessments"], AssessmentsPage)  # landed with issue 10
    for key in [k for k, page in w.pages.items() if isinstance(page, PlaceholderPage)]:
        page = w.pages[key]
        assert isinstance(page, PlaceholderPage)
        note = page.findChild(type(w.db_label), "placeholder_note")
        assert note is not None and "版本" in note.text()
    from app.views.summaries_page import SummariesPage

    assert isinstance(w.pages["summaries"], SummariesPage)  # issue 12 built the monthly summary
    w.worker.wait()


def test_status_bar_names_the_open_database(qtbot, desk):
    w = _window(qtbot, desk)
    assert str(desk.db.path) in w.db_label.text()
    assert w.db_label.text().startswith("数据库：")
    w.worker.wait()


def test_title_shows_the_office(qtbot, desk):
    desk.run(settings_service.complete_setup, "示例区示例街道办事处", "zh_CN")
    w = _window(qtbot, desk)
    qtbot.waitUntil(lambda: "示例区示例街道办事处" in w.windowTitle(), timeout=5000)
    assert w.windowTitle().startswith("政府购买服务工作台")


def test_window_geometry_is_remembered(qtbot, desk):
    w = _window(qtbot, desk)
    # The offscreen screen is only 800 px square; stay above the window's minimum size.
    width = max(w.minimumSizeHint().width(), 700)
    height = max(w.minimumSizeHint().height(), 555) + 10
    w.setGeometry(QRect(0, 40, width, height))
    w.close()
    w.worker.wait()
    again = _window(qtbot, desk)
    assert (again.width(), again.height()) == (width, height)
    assert abs(again.y() - 40) <= 2  # the window frame may shift the client area by a pixel or two
    again.worker.wait()


@pytest.mark.db_content(sample_data(None))
def test_dashboard_counts(qtbot, desk, db_templates):
    from app.services import demo

    assert desk.run(demo.load_sample) == 0  # there already: the db_content marker
    n = db_templates.value(sample_data(None))  # how many sample organizations it added
    w = _window(qtbot, desk)
    tile = w.pages["dashboard"].tiles["total"]
    qtbot.waitUntil(lambda: f">{n}<" in tile.text(), timeout=5000)


def test_language_switch_rebuilds_the_window_in_english(qtbot, desk):
    w = _window(qtbot, desk)
    page = w.pages["settings"]
    qtbot.waitUntil(lambda: page.domains.toPlainText() != "", timeout=5000)
    page.office.setText("示例街道办事处")
    page.language.setCurrentIndex(page.language.findData("en"))
    page.save()
    qtbot.waitUntil(lambda: w.nav.item(1).text() == "Organizations", timeout=5000)
    assert desk.run(lambda s, a: settings_service.get(s, settings_service.LANGUAGE)) == "en"
    assert w.nav.currentItem().text() == "Settings"
    set_language("zh_CN")
    w.worker.wait()


def test_settings_refuses_an_empty_office_name(qtbot, desk):
    w = _window(qtbot, desk)
    page = w.pages["settings"]
    qtbot.waitUntil(lambda: page.domains.toPlainText() != "", timeout=5000)
    page.office.setText("   ")
    page.save()
    qtbot.waitUntil(lambda: "单位名称" in page.status.text(), timeout=5000)
    assert "必填" in page.status.text()
    w.worker.wait()


def test_office_particulars_are_saved_for_printing(qtbot, desk):
    w = _window(qtbot, desk)
    page = w.pages["settings"]
    qtbot.waitUntil(lambda: page.domains.toPlainText() != "", timeout=5000)
    page.office.setText("示例区示例街道办事处")
    page.details[settings_service.OFFICE_ADDRESS].setText("示例区示例路1号")
    page.details[settings_service.OFFICE_PHONE].setText("010-12345678")
    page.save()
    qtbot.waitUntil(lambda: page.status.text() == "已保存。", timeout=5000)
    values = desk.run(settings_service.get_all)
    assert values[settings_service.OFFICE_ADDRESS] == "示例区示例路1号"
    assert values[settings_service.OFFICE_PHONE] == "010-12345678"
    w.worker.wait()

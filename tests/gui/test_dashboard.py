"""工作台: tiles, charts, a to-do list that opens the record with one click, overdue marked."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from app.views.dashboard_page import OVERDUE, TodoModel
from app.views.main_window import MainWindow
from tests.summary_data import seed


def _window(qtbot, desk) -> MainWindow:
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    return w


def test_dashboard_shows_todo_charts_and_opens_a_record(qtbot, db, desk):
    seed(db, n=40, today=date.today())
    w = _window(qtbot, desk)
    page = w.pages["dashboard"]
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10000)
    b = page.board
    assert b is not None and len(b.todo) == page.model.rowCount()
    assert f">{len(b.todo)}<" in page.tiles["todo"].text()
    overdue_rows = [r for r, t in enumerate(page.model.items) if t.overdue]
    assert overdue_rows, "the seed has obligations long past due"
    idx = page.model.index(overdue_rows[0], TodoModel.STATUS)
    assert page.model.data(idx, Qt.ItemDataRole.ForegroundRole).color() == OVERDUE
    assert page.findChild(object, "trend_chart") is not None and page.findChild(object, "domain_chart") is not None
    assert page.findChild(object, "grades_chart") is not None  # says why there is no figure yet
    row = next(r for r, t in enumerate(page.model.items) if t.record_kind == "agreement")
    item = page.model.items[row]
    with qtbot.waitSignal(page.record_opened, timeout=3000) as sig:
        rect = page.table.visualRect(page.model.index(row, TodoModel.REFERENCE))
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == ["agreement", item.record_id]
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.pages["agreements"], timeout=5000)
    w.worker.wait()


def test_todo_model(qtmodeltester, qtbot, db, desk):
    from app.services import dashboard

    seed(db, n=20, today=date(2026, 6, 15))
    items = desk.run(dashboard.todo, today=date(2026, 6, 15))
    model = TodoModel()
    model.set_items(items, date(2026, 6, 15))
    qtmodeltester.check(model)
    assert model.rowCount() == len(items) > 0


def test_dashboard_refreshes_when_records_it_shows_change(qtbot, db, desk):
    from app.services.changes import Changes

    w = _window(qtbot, desk)
    page = w.pages["dashboard"]
    qtbot.waitUntil(lambda: page.board is not None, timeout=10000)
    w.worker.wait()
    calls = []
    real = page.refresh
    page.refresh = lambda: (calls.append(1), real())  # type: ignore[method-assign]
    page._timer.timeout.disconnect()  # noqa: SLF001 - route the debounce timer to the counting refresh
    page._timer.timeout.connect(page.refresh)  # noqa: SLF001
    w.worker.bus.changed.emit(Changes.of("template", 1))  # not shown on the dashboard: no reload
    qtbot.wait(700)
    assert calls == []
    seed(db, n=30, today=date.today())
    w.worker.bus.changed.emit(Changes.of("agreement", 1))
    qtbot.waitUntil(lambda: calls == [1] and page.model.rowCount() > 0, timeout=10000)
    w.worker.wait()


def test_the_dashboard_says_it_is_computing_until_its_figures_arrive(qtbot, desk) -> None:  # noqa: ANN001
    """The board is read on the worker's reading thread; meanwhile the page says so."""
    from app.views.dashboard_page import DashboardPage
    from app.views.worker import Worker

    worker = Worker(desk)
    page = DashboardPage(worker, lambda _key: None)
    qtbot.addWidget(page)
    page.show()
    assert page.computing.isVisible() and page.computing.text() == "正在计算统计数据…"
    qtbot.waitUntil(lambda: page.board is not None, timeout=20000)
    assert not page.computing.isVisible()
    worker.wait()

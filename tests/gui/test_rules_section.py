"""Settings: the administrator sets the annual-inspection filing deadline and the method thresholds."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from app.services import settings as settings_service
from app.services import thresholds
from app.services.context import Desk
from app.views.rules_section import LOWER, METHOD, UPPER, RulesSection
from app.views.worker import Worker
from tests.factories import make_user


@pytest.fixture
def worker(db) -> Iterator[Worker]:
    w = Worker(Desk(db, make_user(db, "admin1", "admin")))
    yield w
    w.wait()


def _section(qtbot, worker: Worker) -> tuple[RulesSection, Desk]:
    desk = worker.desk
    section = RulesSection(worker)
    qtbot.addWidget(section)
    section.show()
    qtbot.waitUntil(lambda: section.table.rowCount() > 0 and section.deadline.text() == "06-30", timeout=5000)
    return section, desk


def _row(section: RulesSection, method: str) -> int:
    return next(r for r in range(section.table.rowCount())
                if section.table.item(r, METHOD).data(0x0100) == method)


def test_the_administrator_sets_the_deadline_and_a_threshold(qtbot, worker):
    section, desk = _section(qtbot, worker)
    r = _row(section, "competitive_consultation")
    assert section.table.item(r, UPPER).text() == "500000.00" and section.table.item(r, LOWER).text() == ""
    section.deadline.setText("03-31")
    section.table.item(r, UPPER).setText("2000000")
    section.save_button.click()
    qtbot.waitUntil(lambda: section.message.text() == "已保存。", timeout=5000)
    assert desk.run(settings_service.get_all)[settings_service.INSPECTION_DEADLINE] == "03-31"
    rows = {t.method: t for t in desk.run(thresholds.list_thresholds)}
    assert rows["competitive_consultation"].max_amount == Decimal("2000000")


def test_a_bad_deadline_is_refused_with_its_reason_and_nothing_is_saved(qtbot, worker):
    section, desk = _section(qtbot, worker)
    section.deadline.setText("02-30")
    section.table.item(_row(section, "direct_commission"), UPPER).setText("200000")
    section.save_button.click()
    qtbot.waitUntil(lambda: "不是有效的月日" in section.message.text(), timeout=5000)
    assert settings_service.INSPECTION_DEADLINE not in desk.run(settings_service.get_all)
    rows = {t.method: t for t in desk.run(thresholds.list_thresholds)}
    assert rows["direct_commission"].max_amount == Decimal("100000")

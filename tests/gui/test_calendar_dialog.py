"""The holiday calendar dialog: years known, entering 2027 from the State Council notice, validation,
and a deadline in 2027 that stops being flagged once the year is entered."""

from __future__ import annotations

from datetime import date

from app.services import agreements as ag
from app.services import calendar, orgs
from app.services.context import Desk
from app.views.agreements.form import AgreementFormDialog
from app.views.calendar_dialog import HolidayCalendarDialog, expand
from app.views.worker import Worker
from tests.factories import org_input
from tests.gui.test_agreement_form import (
    agreement_input,
    awarded_project,
    people,  # noqa: F401 - fixture
)

LATER = date(2027, 1, 20)  # "today" for signing at the end of 2026


def _dialog(qtbot, worker: Worker) -> HolidayCalendarDialog:
    d = HolidayCalendarDialog(worker)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.loaded, timeout=5000)
    return d


def _signed_at_year_end(desk: Desk, people) -> int:  # noqa: F811
    c, r = people["clerk"], people["reviewer"]
    org = desk.run(orgs.save, org_input("阳光社工服务中心", inspections=[
        orgs.InspectionInput(2025, "passed"), orgs.InspectionInput(2026, "passed")]), today=LATER)
    for item in orgs.elig.MANUAL_ITEMS:
        desk.run(orgs.save_check, org, item.code, "met", "已核验", today=LATER)
    pid = awarded_project(people, org)
    aid = c.run(ag.save, agreement_input(pid, org))
    c.run(ag.transition, aid, "submit_review")
    r.run(ag.transition, aid, "approve")
    c.run(ag.transition, aid, "record_signing", today=LATER, signing=ag.SigningInput(
        "王主任", "李涛", "2026-12-30", "2026-12-31", late_reason="补签（测试）", early_start_reason="先行服务（测试）"))
    return aid


def test_ranges_are_expanded():
    assert expand("2027-10-01~2027-10-03") == ["2027-10-01", "2027-10-02", "2027-10-03"]
    assert expand("2027-02-05") == ["2027-02-05"]
    assert expand("2027-02-05~2026-01-01") is None


def test_entering_2027_unflags_a_deadline_in_2027(qtbot, desk: Desk, people):  # noqa: F811
    aid = _signed_at_year_end(desk, people)
    before = {d.label: d for d in people["clerk"].run(ag.get, aid).deadlines}
    announce = next(d for k, d in before.items() if "公告" in k)
    assert announce.flagged_years == (2027,) and announce.due is None

    # The form shows the flag, not a guessed date.
    form = AgreementFormDialog(people.workers["clerk"], aid, today=LATER)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: form.loaded, timeout=5000)
    statuses = [form.deadlines.item(r, 3).text() for r in range(form.deadlines.rowCount())]
    assert "节假日安排未覆盖 2027 年" in statuses

    worker = Worker(desk)  # the system actor is an administrator
    d = _dialog(qtbot, worker)
    years = [d.years.item(r, 0).text() for r in range(d.years.rowCount())]
    assert "2026" in years and "2027" not in years
    assert d.year.value() == 2027

    # Bad input: a weekday as make-up day, a date of another year, no source.
    d.add_row(d.holidays, "2027-01-01", "元旦")
    d.add_row(d.workdays, "2027-01-05", "错误")
    d.add_row(d.holidays, "2026-12-31", "错误")
    d.save_button.click()
    qtbot.waitUntil(lambda: d.box.isVisible(), timeout=5000)
    assert "工作日" in d.box.text() or "周末" in d.box.text()
    assert "2026-12-31" in d.box.text()
    assert "依据文件" in d.box.text() and d.errors.errors["source"].isVisible()
    assert 2027 not in {y.year for y in desk.run(calendar.list_years)}

    d.holidays.removeRow(1)
    d.workdays.removeRow(0)
    d.add_row(d.holidays, "2027-02-06~2027-02-13", "春节")
    d.add_row(d.workdays, "2027-02-14", "春节")
    d.source.setText("国务院办公厅关于2027年部分节假日安排的通知")
    with qtbot.waitSignal(d.saved, timeout=5000):
        d.save_button.click()
    assert "2027" in d.message.text()
    qtbot.waitUntil(lambda: d.years.item(0, 0).text() == "2027", timeout=5000)
    assert d.years.item(0, 2).text() == "9" and d.years.item(0, 3).text() == "1"

    after = {x.label: x for x in people["clerk"].run(ag.get, aid).deadlines}
    announce = next(x for k, x in after.items() if "公告" in k)
    # Signed Thursday 2026-12-31; 2027-01-01 is a holiday, 01-02/03 a weekend: Monday 01-04, Tuesday 01-05.
    assert announce.flagged_years == () and announce.due == date(2027, 1, 5)
    form.reload()
    qtbot.waitUntil(lambda: form.deadlines.item(1, 1).text() == "2027-01-05", timeout=5000)
    worker.wait()


def test_only_an_administrator_may_enter_a_year(qtbot, people):  # noqa: F811
    d = _dialog(qtbot, people.workers["clerk"])
    d.add_row(d.holidays, "2027-01-01", "元旦")
    d.source.setText("通知")
    d.save_button.click()
    qtbot.waitUntil(lambda: d.box.isVisible(), timeout=5000)
    assert "管理员" in d.box.text()

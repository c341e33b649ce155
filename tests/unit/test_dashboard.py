"""The dashboard's to-do list: what is due, when (working days), what is overdue, what it opens."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from decimal import Decimal

from app.services import dashboard, summary
from tests.summary_data import seed

TODAY = date(2026, 6, 15)


def test_todo_lists_overdue_first_and_only_unmet_obligations(db, desk):
    seed(db, n=60, today=TODAY)
    items = desk.run(dashboard.todo, today=TODAY)
    assert items
    overdue = [t for t in items if t.overdue]
    assert items[:len(overdue)] == overdue  # overdue ones come first
    con = sqlite3.connect(db.path)
    for t in items:
        assert t.due is None or t.due <= TODAY + timedelta(days=dashboard.TODO_HORIZON_DAYS) or t.kind == "renew"
        if t.kind in ("announce", "file"):
            col = "announced_on" if t.kind == "announce" else "filed_on"
            (done,) = con.execute(f"SELECT {col} FROM agreements WHERE id = ?", (t.record_id,)).fetchone()
            assert done is None
            assert t.working_days and t.record_kind == "agreement"
    con.close()
    announced = {t.record_id for t in items if t.kind == "announce"}
    con = sqlite3.connect(db.path)
    expected = {i for (i,) in con.execute(
        "SELECT id FROM agreements WHERE effective_on IS NOT NULL AND effective_on <= ? AND announced_on IS NULL "
        "AND state != 'terminated'", (TODAY.isoformat(),))}
    con.close()
    # every unannounced agreement is listed when it is overdue or due within the horizon
    assert announced <= expected
    assert {i for i in expected if i not in announced} == {
        t.record_id for t in desk.run(lambda s, a: summary.deadlines_as_of(s, TODAY, date.max)) if t.kind == "announce"
    } - announced


def test_board_figures(db, desk):
    seed(db, n=30, today=TODAY)
    b = desk.run(dashboard.board, today=TODAY)
    assert b.in_force == desk.run(lambda s, a: summary.totals(s, summary.Period.month(2026, 6)))
    assert sum((a for _l, a in b.by_domain), Decimal(0)) == desk.run(
        lambda s, a: summary.totals(s, summary.Period.whole_year(2026))).in_force_amount
    assert len(b.trend) == 12 and b.trend[-1].period.key == "2026-06"
    assert isinstance(b.grades, summary.AssessmentFigures)  # issue 10 records assessments
    assert b.organizations == 6

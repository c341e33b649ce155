"""The summary service: every figure against an independent SQL query over the same file."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest

from app.domain.errors import ValidationError
from app.services import summary
from tests.summary_data import seed

TODAY = date(2026, 6, 15)


def _sql(db, query: str, *params: object) -> list[tuple]:
    con = sqlite3.connect(db.path)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def _yuan(fen: int | None) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


SIGNED = "effective_on IS NOT NULL AND effective_on BETWEEN ? AND ?"
IN_FORCE = ("effective_on IS NOT NULL AND effective_on <= ? AND period_end >= ? "
            "AND state IN ('effective','performing','final_acceptance','completed')")


@pytest.mark.parametrize("key", ["2026-05", "2026-01", "2025-Q3", "2026-Q2", "2025", "2026"])
def test_totals_and_breakdowns_agree_with_sql_to_the_fen(db, desk, key):
    seed(db)
    s = desk.run(summary.summarize, key, today=TODAY)
    p = s.period
    start, end = p.start.isoformat(), p.end.isoformat()
    n, fen = _sql(db, f"SELECT count(*), sum(amount) FROM agreements WHERE {SIGNED}", start, end)[0]
    assert (s.totals.signed_count, s.totals.signed_amount) == (n, _yuan(fen))
    n, fen = _sql(db, f"SELECT count(*), sum(amount) FROM agreements WHERE {IN_FORCE}", end, start)[0]
    assert (s.totals.in_force_count, s.totals.in_force_amount) == (n, _yuan(fen))
    assert s.totals.signed_count > 0 or key == "2026-01"
    for rows in (s.by_domain, s.by_org, s.by_method):
        added = sum((r.figures for r in rows), summary.Figures())
        assert added == s.totals  # the rows add up to the total, to the fen
    by_domain_sql = {(str(k) if k is not None else ""): (n, _yuan(f)) for k, n, f in _sql(
        db, f"SELECT p.domain_id, count(*), sum(a.amount) FROM agreements a JOIN projects p ON p.id = a.project_id "
            f"WHERE a.{SIGNED.replace(' AND effective_on', ' AND a.effective_on')} GROUP BY p.domain_id", start, end)}
    assert {r.key: (r.figures.signed_count, r.figures.signed_amount) for r in s.by_domain
            if r.figures.signed_count} == by_domain_sql
    by_org_sql = {str(k): _yuan(f) for k, f in _sql(
        db, f"SELECT undertaker_id, sum(amount) FROM agreements WHERE {IN_FORCE} GROUP BY undertaker_id", end, start)}
    assert {r.key: r.figures.in_force_amount for r in s.by_org if r.figures.in_force_count} == by_org_sql
    by_method_sql = {k: n for k, n in _sql(
        db, "SELECT p.procurement_method, count(*) FROM agreements a JOIN projects p ON p.id = a.project_id "
            "WHERE a.effective_on BETWEEN ? AND ? GROUP BY p.procurement_method", start, end)}
    assert {r.key: r.figures.signed_count for r in s.by_method if r.figures.signed_count} == by_method_sql


def test_agreements_ending_next_month_and_deadlines(db, desk):
    seed(db)
    s = desk.run(summary.summarize, "2026-04", today=TODAY)
    ids = sorted(r.agreement_id for r in s.ending_next_month)
    expected = sorted(i for (i,) in _sql(
        db, "SELECT id FROM agreements WHERE period_end BETWEEN '2026-05-01' AND '2026-05-31' "
            "AND state IN ('effective','performing','final_acceptance')"))
    assert ids == expected and ids
    assert s.as_of == date(2026, 4, 30)
    for d in s.deadlines:
        assert d.due is None or d.due <= date(2026, 5, 31)
        assert d.overdue == (d.due is not None and d.due < s.as_of)
    announce = {d.record_id for d in s.deadlines if d.kind == "announce"}
    for i in announce:
        (eff, ann), = _sql(db, "SELECT effective_on, announced_on FROM agreements WHERE id = ?", i)
        assert eff <= "2026-04-30" and (ann is None or ann > "2026-04-30")


def test_payment_assessment_and_objection_figures_come_from_the_records(db, desk):
    # Issue 10 records them; with none in the period the figures are real zeros (tests/unit/test_assessments.py
    # has the period with payments, an assessment and an objection).
    s = desk.run(summary.summarize, "2026-05", today=TODAY)
    assert (s.payments.paid_count, s.payments.paid_amount) == (0, summary.ZERO)
    assert s.assessments.completed == 0 and s.objections.received == 0
    for fig in (s.payments, s.assessments, s.objections):
        assert fig.as_section().rows and fig.text
    assert s.totals == summary.Figures()


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "26-03", "2026-Q5", "March", "", "2026-3-1"])
def test_a_bad_period_names_the_field(bad):
    with pytest.raises(ValidationError) as e:
        summary.parse_period(bad)
    assert "2026-03" in e.value.message


def test_periods():
    assert summary.parse_period("2026-02").end == date(2026, 2, 28)
    q = summary.parse_period("2025-q4")
    assert (q.start, q.end, q.key) == (date(2025, 10, 1), date(2025, 12, 31), "2025-Q4")
    assert summary.parse_period("2024").following_month == (date(2025, 1, 1), date(2025, 1, 31))
    months = summary.last_months(date(2026, 3, 9))
    assert [m.key for m in months][:2] == ["2025-04", "2025-05"] and months[-1].key == "2026-03"


def test_trend_matches_sql(db, desk):
    seed(db)
    trend = desk.run(summary.monthly_trend, today=TODAY)
    assert len(trend) == 12
    for t in trend:
        n, fen = _sql(db, f"SELECT count(*), sum(amount) FROM agreements WHERE {SIGNED}",
                      t.period.start.isoformat(), t.period.end.isoformat())[0]
        assert (t.signed_count, t.signed_amount) == (n, _yuan(fen))

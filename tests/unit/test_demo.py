from __future__ import annotations

from datetime import date

from app.domain.lifecycle import AgreementState, ProjectState
from app.services import agreements as ag
from app.services import audit, demo, orgs, projects

TODAY = date(2026, 11, 23)


def test_sample_covers_every_screen_and_is_marked(desk, db):
    n = desk.run(demo.load_sample, today=TODAY)
    assert n == 25
    rows = desk.run(orgs.page, orgs.OrgQuery(), 0, 100)
    assert len(rows) == 25 and all(r.is_sample and r.name.startswith(demo.SAMPLE_MARK) for r in rows)
    assert sum(r.name.endswith(("博物馆", "艺术馆", "文化馆", "收藏馆")) for r in rows) == 16
    assert any(r.is_support_org for r in rows)
    assert {r.eligibility for r in rows} == {"eligible", "ineligible"}

    agreements = desk.run(ag.list_agreements, today=TODAY)
    assert {a.state for a in agreements} == {s.value for s in AgreementState}
    assert all(a.is_sample for a in agreements)
    undertakers, _domains = desk.run(ag.filter_choices)  # the list's filter names them without the mark
    assert undertakers and all(demo.SAMPLE_MARK not in name for _i, name in undertakers)
    assert {name for _i, name in undertakers} <= {r.name.replace(demo.SAMPLE_MARK, "") for r in rows}
    free = [a for a in agreements if a.free_of_charge]
    assert free and free[0].parties_reversed
    # Spread over the last twelve months.
    assert min(a.period_start for a in agreements) >= date(2025, 10, 1)

    project_rows = desk.run(projects.list_projects)
    states = {p.state for p in project_rows}
    assert {ProjectState.PLANNED, ProjectState.IN_PERFORMANCE, ProjectState.CLOSED, ProjectState.CANCELLED,
            ProjectState.FAILED, ProjectState.SOLICITING, ProjectState.AWARDED} <= states
    three_year = next(p for p in project_rows if p.plan_years == 3)
    years = [a.year_index for a in agreements if a.project_id == three_year.id]
    assert sorted(years) == [1, 2]
    assert desk.run(projects.list_consortia)[0].name == demo.SAMPLE_MARK + "文化服务民生组团"
    with db.read_session() as s:
        assert audit.verify_chain(s).ok


def test_sample_is_added_once(desk):
    desk.run(demo.load_sample, today=TODAY)
    assert desk.run(demo.load_sample, today=TODAY) == 0
    assert desk.run(ag.count_agreements) == 10 + len(demo._MONTHLY)  # noqa: SLF001 - one a month for a year


def test_sample_has_activity_in_each_of_the_last_twelve_months(desk):
    from app.services import summary

    desk.run(demo.load_sample, today=TODAY)
    trend = desk.run(summary.monthly_trend, today=TODAY)
    assert [t.period.key for t in trend][-1] == "2026-11"
    assert all(t.signed_count >= 1 and t.signed_amount > 0 for t in trend)
    for t in trend:
        s = desk.run(summary.summarize, t.period, today=TODAY)
        assert s.by_domain and all(r.key for r in s.by_domain)  # every sample project has a service domain

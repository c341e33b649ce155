"""The printed purchase requirement (issue 15): the reason for a budget outside the method's range prints
in the requirement, with the drafter's confirmations and the public consultation, in the text as typed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.domain.errors import ValidationError
from app.services import projects, requirement_print
from app.services.context import Desk
from tests.factories import make_user, project_input
from tests.unit.test_contract_text import pdf_lines

REASON = "市财政局同意采用竞争性磋商（批复文号：财采〔2026〕12号）；另见附件。"


@pytest.fixture
def clerk(db):
    return Desk(db, make_user(db, "clerk1", "clerk"))


def _project(clerk: Desk, **kw: object) -> int:
    pid = clerk.run(projects.save, project_input(**kw))
    clerk.run(projects.transition, pid, "approve_budget")
    return pid


def test_the_threshold_reason_prints_in_the_requirement_as_typed(clerk, tmp_path: Path):
    pid = _project(clerk, procurement_method="competitive_consultation", budget_amount="12000000",
                   threshold_reason=REASON, req_goals="第一段：提升居民获得感。\n第二段，覆盖全部社区。")
    out = tmp_path / "需求.pdf"
    pdf = clerk.run(requirement_print.render, pid, write_to=out)
    assert out.read_bytes() == pdf
    text = "".join(pdf_lines(pdf))
    assert REASON in text  # full-width punctuation and 〔〕 kept, nothing merged or replaced
    assert "成都规程第四十一条" in text and "竞争性磋商" in text
    lines = pdf_lines(pdf)
    assert any(line.startswith("第一段") for line in lines) and any(line.startswith("第二段") for line in lines)
    assert "（√）" in text and "购买需求" in text


def test_a_budget_within_the_range_prints_no_threshold_paragraph(clerk):
    pid = _project(clerk, procurement_method="competitive_consultation", budget_amount="300000",
                   threshold_reason="")
    text = "".join(pdf_lines(clerk.run(requirement_print.render, pid)))
    assert "第四十一条" not in text and "竞争性磋商" in text


def test_the_requirement_is_never_written_over_the_database(clerk, db):
    pid = _project(clerk)
    with pytest.raises(ValidationError):
        clerk.run(requirement_print.render, pid, write_to=Path(db.path))


def test_the_printed_requirement_renders_to_an_image(clerk, tmp_path: Path):
    """pdftoppm reads it (what a person sees): one page or more, no error."""
    pid = _project(clerk, procurement_method="competitive_consultation", budget_amount="12000000",
                   threshold_reason=REASON)
    pdf = tmp_path / "r.pdf"
    clerk.run(requirement_print.render, pid, write_to=pdf)
    done = subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert sorted(tmp_path.glob("page*.png"))

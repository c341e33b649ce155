"""Builders for test records."""

from __future__ import annotations

from itertools import count

from app.domain.uscc import make_code
from app.services import orgs

_seq = count(1)


def code(prefix: str = "52", region: str = "110105") -> str:
    return make_code(prefix, region, f"TQ{next(_seq):06d}")


def org_input(name: str = "测试社会工作服务中心", **kw: object) -> orgs.OrgInput:
    data = orgs.OrgInput(name=name, credit_code=str(kw.pop("credit_code", code())))
    for k, v in kw.items():
        setattr(data, k, v)
    return data

"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import io

import pytest


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SPDESK_USER", "SPDESK_PASSWORD", "SPDESK_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: never prompt

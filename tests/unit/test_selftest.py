"""`spdesk --self-test` in-process: every step passes with networking forbidden, in a temporary folder."""

from __future__ import annotations

import io
import socket
import sys
from pathlib import Path

import pytest

from app import cli, paths, selftest


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Any attempt to open a connection or look a name up raises (and is remembered)."""
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network is forbidden in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_every_step_passes_without_network(no_network, tmp_path, qapp):
    out = io.StringIO()
    ok, results = selftest.run_self_test(out)
    assert ok, out.getvalue()
    names = [r.name for r in results]
    assert names == [name for name, _fn in selftest.SelfTest(tmp_path).steps()]
    for must in ("Database and migrations", "Save an organization", "Save an agreement",
                 "Contract PDF with embedded font", "Ledger import (CSV)", "Audit chain", "Main window (offscreen)"):
        assert must in names
    assert all(r.ok and r.ms >= 0 for r in results)
    assert no_network == []
    assert "FAIL" not in out.getvalue()


def test_users_data_folder_is_never_touched(tmp_path, monkeypatch, qapp):
    data = tmp_path / "users-data"
    monkeypatch.setenv("SPDESK_DATA_DIR", str(data))
    monkeypatch.delenv("SPDESK_DB", raising=False)
    ok, _results = selftest.run_self_test(io.StringIO())
    assert ok
    assert not data.exists()
    assert paths.data_dir() == data  # the environment is given back as it was


def test_a_failing_step_is_reported_and_fails_the_run(monkeypatch, qapp):
    def broken(self):
        raise RuntimeError("migrations missing")

    monkeypatch.setattr(selftest.SelfTest, "step_database", broken)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert selftest.main() == 1
    text = out.getvalue()
    assert "FAIL  数据库与迁移" in text or "FAIL  Database and migrations" in text
    assert "migrations missing" in text
    assert "OK    " in text  # the other steps still ran and said so


def test_cli_flag_runs_the_self_test_and_returns_its_code(monkeypatch):
    monkeypatch.setattr(selftest, "main", lambda: 7)
    assert cli.main(["--self-test"]) == 7


def test_resources_are_found_from_source_and_from_a_frozen_build(monkeypatch, tmp_path: Path):
    repo = Path(__file__).resolve().parents[2]
    assert paths.resource_path("fonts", "DroidSansFallbackFull.ttf") == \
        repo / "app" / "resources" / "fonts" / "DroidSansFallbackFull.ttf"
    assert paths.resource_path("fonts", "DroidSansFallbackFull.ttf").is_file()
    assert paths.i18n_dir() == repo / "i18n"
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resource_path("icons", "spdesk.svg") == tmp_path / "app" / "resources" / "icons" / "spdesk.svg"
    assert paths.i18n_dir() == tmp_path / "i18n"

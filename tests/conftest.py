"""Shared fixtures. The offscreen platform is set before Qt is imported anywhere."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.i18n import set_language
from app.services.context import SYSTEM, Actor, Desk
from app.services.orgs import ensure_default_domains
from app.store.db import Database
from app.store.startup import open_database

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _chinese_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts in Chinese with its own data folder and Qt settings."""
    monkeypatch.setenv("SPDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    set_language("zh_CN")
    yield
    set_language("zh_CN")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A real SQLite file per test, migrated to the newest schema."""
    database = open_database(tmp_path / "test.sqlite3")
    with database.session() as s:
        ensure_default_domains(s)
    yield database
    database.dispose()


@pytest.fixture
def actor() -> Actor:
    return SYSTEM


@pytest.fixture
def desk(db: Database, actor: Actor) -> Desk:
    return Desk(db, actor)

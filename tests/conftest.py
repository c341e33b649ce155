"""Shared fixtures. The offscreen platform is set before Qt is imported anywhere."""

from __future__ import annotations

import os
import sqlite3

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


def copy_database(src: Path, dest: Path) -> Path:
    """A page-for-page copy of a closed SQLite file (SQLite's backup API, so a WAL left behind counts)."""
    with sqlite3.connect(src) as source, sqlite3.connect(dest) as target:
        source.backup(target)
    source.close()
    target.close()
    return dest


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database per test process, made by the real start-up (every migration) with the default
    service domains; each test gets a copy of it instead of running the ten migrations again."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = open_database(path, daily_backup=False)
    with database.session() as s:
        ensure_default_domains(s)
    database.dispose()
    return path


@pytest.fixture
def db(tmp_path: Path, migrated_template: Path) -> Iterator[Database]:
    """A real SQLite file per test at the newest schema: a copy of the migrated template, opened by the
    real start-up sequence (instance lock, checks, the day's backup into the test's data folder)."""
    database = open_database(copy_database(migrated_template, tmp_path / "test.sqlite3"))
    yield database
    database.dispose()


@pytest.fixture
def actor() -> Actor:
    return SYSTEM


@pytest.fixture
def desk(db: Database, actor: Actor) -> Desk:
    return Desk(db, actor)

"""Shared fixtures. The offscreen platform is set before Qt is imported anywhere."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from app.i18n import set_language
from app.services.context import SYSTEM, Actor, Desk
from app.store.db import Database
from app.store.startup import open_database
from tests.db_templates import DatabaseTemplates

# Property tests check properties, not speed (speed is measured by the benchmarks): no per-example
# deadline and no "too slow" health check, which fail on a loaded machine for reasons that are not the
# property's.
settings.register_profile("spdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("spdesk")


@pytest.fixture(autouse=True)
def _chinese_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts in Chinese with its own data folder and Qt settings."""
    monkeypatch.setenv("SPDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    set_language("zh_CN")
    yield
    set_language("zh_CN")


@pytest.fixture(scope="session")
def db_templates(tmp_path_factory: pytest.TempPathFactory) -> DatabaseTemplates:
    return DatabaseTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path, db_templates: DatabaseTemplates) -> Iterator[Database]:
    """A real SQLite file per test at the newest schema with the default service domains (plus the
    content a `db_content` marker names): a copy of a template made once per test process by the same
    services, opened by the real start-up sequence (instance lock, checks, the day's backup into the
    test's data folder)."""
    marker = request.node.get_closest_marker("db_content")
    database = open_database(db_templates.copy(tmp_path / "test.sqlite3", marker.args[0] if marker else None))
    yield database
    database.dispose()


@pytest.fixture
def actor() -> Actor:
    return SYSTEM


@pytest.fixture
def desk(db: Database, actor: Actor) -> Desk:
    return Desk(db, actor)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests (marked slow: crash loops, faulty disks) first, so that on several workers
    (make test: pytest-xdist) they run beside the many short ones rather than alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)

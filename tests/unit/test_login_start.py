"""The window's first look at its database (sqlite3 alone, issue 17): what the log-in window shows equals
what the services read, the instance lock is held, and every file not plainly in order takes the full
start (None, with the lock released)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.services import accounts, login_start
from app.services import settings as settings_service
from app.services.context import SYSTEM, Desk
from app.store.lock import DatabaseInUse, InstanceLock
from app.store.startup import open_database

PW = "admin-pass-1"


def _database(path: Path, users: bool = True) -> Path:
    db = open_database(path, daily_backup=False)
    desk = Desk(db)
    if users:
        admin = desk.run(accounts.create_first_admin, "admin", "王主任", PW, PW)
        desk = Desk(db, admin)
        desk.run(accounts.create_user, "zhang", "张三", ["clerk"], "clerk-pass-1")
        desk.run(accounts.create_user, "li", "", ["finance"], "finance-pass-1")
        gone = desk.run(accounts.create_user, "zhao", "赵六", ["clerk"], "clerk-pass-2")
        desk.run(accounts.set_active, gone, False)
        desk.run(settings_service.update, "东华门街道办事处", "en")
    db.dispose()
    return path


def _lock_is_free(path: Path) -> bool:
    try:
        InstanceLock(path).acquire().release()
    except DatabaseInUse:
        return False
    return True


def test_what_the_login_window_shows_equals_what_the_services_read(tmp_path: Path) -> None:
    path = _database(tmp_path / "office.sqlite3")
    start = login_start.read(path)
    assert start is not None
    try:
        assert not _lock_is_free(path)  # held from before the window until the worker has opened the file
        db = open_database(path, daily_backup=False, read_only=True)
        try:
            desk = Desk(db, SYSTEM)
            assert start.choices == desk.run(accounts.login_choices)
            assert start.language == desk.run(lambda s, a: settings_service.get(s, settings_service.LANGUAGE)) == "en"
            assert start.office_name == desk.run(lambda s, a: settings_service.get(s, settings_service.OFFICE_NAME))
            # a log-in window opened without the quick start (after log-out) reads the same through the services
            assert desk.run(login_start.window_contents) == (start.office_name, start.choices)
        finally:
            db.dispose()
        assert [u for u, _n in start.choices] == ["li", "zhang", "admin"]  # no inactive account
        assert ("li", "li") in start.choices
    finally:
        start.lock.release()
    assert (login_start.LANGUAGE_KEY, login_start.OFFICE_NAME_KEY) == (settings_service.LANGUAGE,
                                                                      settings_service.OFFICE_NAME)


def test_no_language_stored_means_chinese(tmp_path: Path) -> None:
    path = _database(tmp_path / "office.sqlite3")
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM settings WHERE key = 'language'")
    start = login_start.read(path)
    assert start is not None and start.language == "zh_CN"
    start.lock.release()


def _older(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")


def _newer(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")


def _foreign(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 not a database at all" * 100)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize("spoil", [_older, _newer, _foreign, _empty, Path.unlink], ids=lambda f: f.__name__)
def test_a_file_not_plainly_in_order_takes_the_full_start(tmp_path: Path, spoil) -> None:  # noqa: ANN001
    path = _database(tmp_path / "office.sqlite3")
    spoil(path)
    assert login_start.read(path) is None
    assert _lock_is_free(path)


def test_no_accounts_yet_takes_the_full_start(tmp_path: Path) -> None:
    path = _database(tmp_path / "new.sqlite3", users=False)
    assert login_start.read(path) is None
    assert _lock_is_free(path)


def test_a_file_in_use_by_another_program_takes_the_full_start(tmp_path: Path) -> None:
    """The full start then says who holds it (DatabaseInUse), in its usual words."""
    path = _database(tmp_path / "office.sqlite3")
    held = InstanceLock(path).acquire()
    try:
        assert login_start.read(path) is None
        assert not _lock_is_free(path)
    finally:
        held.release()

"""A reading program remembers a file's last clean scan by the file's state (app.store.integrity, issue 17):
the scans are skipped only while the file is exactly as it was, and damage is caught once it changes."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app.store import integrity


@pytest.fixture(autouse=True)
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files of a test are seconds old at most; the settling time is tested on its own below."""
    monkeypatch.setattr(integrity, "SETTLE_SECONDS", 0.0)


def _make(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), "
                     "note TEXT)")
        conn.execute("CREATE INDEX ix_child_note ON child(note)")
        conn.executemany("INSERT INTO parent(id, name) VALUES (?, ?)", [(i, f"社会组织{i}" * 5) for i in range(2000)])
        conn.executemany("INSERT INTO child(parent_id, note) VALUES (?, ?)", [(i % 2000, f"记录{i}" * 8)
                                                                            for i in range(4000)])
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _read(path: Path) -> integrity.Findings:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        return integrity.scan_for_reading(conn, path)


def _outcome(path: Path) -> str:
    """remembered | clean | damaged (the scan found damage, or SQLite refused to read on: malformed)"""
    try:
        found = _read(path)
    except sqlite3.DatabaseError as error:
        assert "malformed" in str(error)
        return "damaged"
    return "remembered" if found.remembered else "clean" if found.ok else "damaged"


def _damage_keeping_size(path: Path) -> None:
    """Overwrite a few pages in the middle, as a failing disk does (the size stays)."""
    data = bytearray(path.read_bytes())
    for n in (3, 5, 8):
        data[4096 * n: 4096 * n + 300] = os.urandom(300)
    with open(path, "r+b") as f:
        f.write(bytes(data))


def test_a_clean_scan_is_remembered_while_the_file_stays_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    _make(path)
    first = _read(path)
    assert first.ok and not first.remembered
    again = _read(path)
    assert again.ok and again.remembered
    assert integrity.memo_path().is_relative_to(integrity.cache_dir())  # the user's cache, not beside the file
    assert not integrity.memo_path().is_relative_to(tmp_path / "desk.sqlite3")


def test_damage_after_a_remembered_clean_scan_is_caught_once_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    _make(path)
    assert _read(path).ok
    assert _read(path).remembered
    st = path.stat()
    _damage_keeping_size(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and mtime as before: ctime still moved
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert _outcome(path) == "damaged"
    assert _outcome(path) == "damaged"  # a failed scan is never remembered as clean


def test_a_commit_through_sqlite_is_scanned_again(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    _make(path)
    with closing(sqlite3.connect(path)) as writer:  # held open: the commit stays in the -wal file
        assert _read(path).ok
        assert _read(path).remembered
        writer.execute("INSERT INTO child(parent_id, note) VALUES (99999, 'points nowhere')")
        writer.commit()
        found = _read(path)
        assert not found.remembered and not found.ok and found.foreign_keys
        writer.execute("DELETE FROM child WHERE parent_id = 99999")
        writer.commit()
        assert _read(path).ok
        assert _read(path).remembered


def test_a_copy_of_a_remembered_file_is_scanned(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    _make(path)
    assert _read(path).ok and _read(path).remembered
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(path.read_bytes())
    assert not _read(copy).remembered


def test_a_file_changed_a_moment_ago_is_not_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two writes inside the file system's clock granularity can leave the same times, so a state younger
    than SETTLE_SECONDS is scanned every time."""
    monkeypatch.setattr(integrity, "SETTLE_SECONDS", 3600.0)
    path = tmp_path / "desk.sqlite3"
    _make(path)
    assert _read(path).ok
    assert not _read(path).remembered


@pytest.mark.parametrize("content", ["", "not json", '{"version": 1, "files": []}', '{"version": 999}', "[]"])
def test_an_unreadable_memory_means_scanning(tmp_path: Path, content: str) -> None:
    path = tmp_path / "desk.sqlite3"
    _make(path)
    integrity.memo_path().parent.mkdir(parents=True, exist_ok=True)
    integrity.memo_path().write_text(content, encoding="utf-8")
    found = _read(path)
    assert found.ok and not found.remembered
    assert _read(path).remembered  # and the memory is written again, whole


def test_a_memory_that_cannot_be_written_only_costs_a_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "desk.sqlite3"
    _make(path)
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setattr(integrity, "memo_path", lambda: blocker / "integrity" / "clean.json")
    assert _read(path).ok
    assert not _read(path).remembered


def test_a_reading_start_skips_the_scans_only_while_the_file_is_as_last_found_clean(tmp_path: Path) -> None:
    """app.store.startup: a reading program (read_only) remembers; the writer scans at every start; damage
    made after a remembered clean start is refused at the next reading start."""
    from app.store.startup import DamagedDatabase, start

    path = tmp_path / "desk.sqlite3"
    db, report = start(path, daily_backup=False)
    db.dispose()
    db, report = start(path, daily_backup=False)  # the writer: never remembered, never remembers
    db.dispose()
    assert not report.scans_remembered
    db, first = start(path, read_only=True)
    db.dispose()
    db, second = start(path, read_only=True)
    db.dispose()
    assert (first.scans_remembered, second.scans_remembered) == (False, True)
    db, report = start(path, daily_backup=False)
    db.dispose()
    assert not report.scans_remembered
    with closing(sqlite3.connect(path)) as conn:  # a record pointing nowhere, written behind the program's back
        conn.execute("INSERT INTO qualification_checks(org_id, item_code, status, evidence, checked_by_name) "
                     "VALUES (99999, 'x', 'ok', '', '')")
        conn.commit()
    for _attempt in range(2):  # refused, and not remembered as clean either
        with pytest.raises(DamagedDatabase):
            start(path, read_only=True)

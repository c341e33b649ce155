"""Power loss, not just a crash, in the style of SQLite's own crash tests (test6.c).

Killing a process cannot tell safe settings from unsafe ones: the operating system still holds
the written pages and writes them out later. A power cut loses whatever was not synced. So
SQLite runs here on a file layer (an apsw VFS) that keeps every file twice: what the program
sees, and what would survive — the contents as of the last xSync. At a random write the power
goes: each file is cut back to its synced contents plus a random part of the writes since
(applied in any order, some torn at a sector boundary), and the database is reopened from that.

Every commit SQLite acknowledged before the cut must be there, with its contents, and the
database must pass integrity_check. The same test must catch a weaker setting
(synchronous=OFF or NORMAL), and it is asserted that it does.

The wal-index (-shm) is not modelled: this VFS has no shared memory, so WAL runs with
locking_mode=EXCLUSIVE, which keeps the index in heap memory. The index is never durable anyway
(SQLite rebuilds it from the -wal on recovery), so what survives a power cut is the same.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from dataclasses import dataclass, field

import apsw
import pytest

from app.store.db import JOURNAL_MODE, SYNCHRONOUS

SECTOR = 512
_names = itertools.count()


class PowerCut(Exception):
    pass


@dataclass
class FileState:
    data: bytearray = field(default_factory=bytearray)
    durable: bytes = b""
    pending: list[tuple[str, int, bytes]] = field(default_factory=list)  # ("w", offset, data) / ("t", size, b"")


class Disk:
    """The files of one 'machine', and the power switch."""

    def __init__(self, rng: random.Random, cut_at_write: int, keep_unsynced: float) -> None:
        self.files: dict[str, FileState] = {}
        self.rng = rng
        self.cut_at_write = cut_at_write
        self.keep_unsynced = keep_unsynced
        self.writes = 0
        self.syncs = 0
        self.after_cut: dict[str, FileState] | None = None

    def power_cut(self) -> dict[str, FileState]:
        """What is on the platters when the power goes."""
        survived: dict[str, FileState] = {}
        for name, st in self.files.items():
            img = bytearray(st.durable)
            ops = list(st.pending)
            if self.keep_unsynced:
                self.rng.shuffle(ops)  # a disk cache writes back in any order
            for kind, off, data in ops:
                if self.rng.random() >= self.keep_unsynced:
                    continue
                if kind == "t":
                    del img[off:]
                    continue
                if len(data) > SECTOR and self.rng.random() < 0.3:  # a torn write: only some sectors
                    data = data[: SECTOR * self.rng.randrange(1, len(data) // SECTOR + 1)]
                end = off + len(data)
                if len(img) < end:
                    img.extend(b"\0" * (end - len(img)))
                img[off:end] = data
            survived[name] = FileState(bytearray(img), bytes(img))
        self.after_cut = survived
        return survived


class CrashFile:
    def __init__(self, disk: Disk, st: FileState) -> None:
        self.disk = disk
        self.st = st

    def _alive(self) -> None:
        if self.disk.after_cut is not None:
            raise PowerCut("the power is off")

    def xRead(self, amount: int, offset: int) -> bytes:  # noqa: N802 - apsw's names
        self._alive()
        return bytes(self.st.data[offset:offset + amount])

    def xWrite(self, data: bytes, offset: int) -> None:  # noqa: N802
        self._alive()
        self.disk.writes += 1
        if self.disk.writes >= self.disk.cut_at_write:
            self.disk.power_cut()
            raise PowerCut("power cut during a write")
        end = offset + len(data)
        if len(self.st.data) < end:
            self.st.data.extend(b"\0" * (end - len(self.st.data)))
        self.st.data[offset:end] = data
        self.st.pending.append(("w", offset, bytes(data)))

    def xTruncate(self, size: int) -> None:  # noqa: N802
        self._alive()
        del self.st.data[size:]
        self.st.pending.append(("t", size, b""))

    def xSync(self, flags: int) -> None:  # noqa: N802
        self._alive()
        self.disk.syncs += 1
        self.st.durable = bytes(self.st.data)
        self.st.pending.clear()

    def xFileSize(self) -> int:  # noqa: N802
        self._alive()
        return len(self.st.data)

    def xLock(self, level: int) -> None:  # noqa: N802
        pass

    def xUnlock(self, level: int) -> None:  # noqa: N802
        pass

    def xCheckReservedLock(self) -> bool:  # noqa: N802
        return False

    def xFileControl(self, op: int, ptr: int) -> bool:  # noqa: N802
        return False

    def xSectorSize(self) -> int:  # noqa: N802
        return SECTOR

    def xDeviceCharacteristics(self) -> int:  # noqa: N802
        return 0  # promise nothing: no atomic writes, no safe append, no powersafe overwrite

    def xClose(self) -> None:  # noqa: N802
        pass


class CrashVFS(apsw.VFS):
    """Files live in `files`; creating and deleting a file is durable at once (directory sync)."""

    def __init__(self, disk: Disk, files: dict[str, FileState]) -> None:
        self.disk = disk
        self.files = files
        self.vfs_name = f"powerloss{next(_names)}"
        super().__init__(self.vfs_name, "")

    def xOpen(self, name, flags):  # noqa: N802, ANN001, ANN201
        fname = name.filename() if isinstance(name, apsw.URIFilename) else name
        if fname is None:
            fname = f"temp{next(_names)}"
        return CrashFile(self.disk, self.files.setdefault(fname, FileState()))

    def xDelete(self, name: str, syncdir: bool) -> None:  # noqa: N802
        if self.disk.after_cut is not None:
            raise PowerCut("the power is off")
        self.files.pop(name, None)

    def xAccess(self, name: str, flags: int) -> bool:  # noqa: N802
        return name in self.files

    def xFullPathname(self, name: str) -> str:  # noqa: N802
        return name


def _open(vfs: CrashVFS, journal_mode: str, synchronous: str) -> apsw.Connection:
    conn = apsw.Connection("desk.sqlite3", vfs=vfs.vfs_name)
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")  # see the module docstring: no shared memory here
    conn.execute(f"PRAGMA journal_mode={journal_mode}")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA wal_autocheckpoint=20")  # so that checkpoints happen, and get cut, too
    return conn


def _digest(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def trial(seed: int, journal_mode: str, synchronous: str, keep_unsynced: float) -> list[str]:
    """One power cut; returns what went wrong (empty: every acknowledged commit survived intact)."""
    rng = random.Random(seed)
    disk = Disk(random.Random(seed * 7919 + 1), cut_at_write=rng.randrange(40, 900), keep_unsynced=keep_unsynced)
    vfs = CrashVFS(disk, disk.files)
    acked: dict[int, str] = {}  # id -> digest of the acknowledged contents
    in_flight: tuple[int, str] | None = None
    conn = _open(vfs, journal_mode, synchronous)
    try:
        conn.execute("CREATE TABLE rec(id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        for n in itertools.count(1):
            if acked and rng.random() < 0.3:  # an update of an acknowledged record
                rid = rng.choice(list(acked))
                body = rng.randbytes(rng.randrange(50, 3000))
                in_flight = (rid, _digest(body))
                conn.execute("UPDATE rec SET body=? WHERE id=?", (body, rid))
            else:
                body = rng.randbytes(rng.randrange(50, 3000))
                in_flight = (n, _digest(body))
                conn.execute("INSERT INTO rec(id, body) VALUES(?, ?)", (n, body))
            acked[in_flight[0]] = in_flight[1]  # the commit returned: it is acknowledged
            in_flight = None
    except (PowerCut, apsw.Error):
        assert disk.after_cut is not None, "stopped for a reason other than the power cut"
    finally:
        try:
            conn.close(True)
        except (PowerCut, apsw.Error):
            pass
    vfs.unregister()

    after = CrashVFS(Disk(rng, cut_at_write=1 << 60, keep_unsynced=0.0), disk.after_cut)  # power back on
    problems: list[str] = []
    try:
        conn2 = _open(after, journal_mode, synchronous)
        try:
            check = conn2.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                problems.append(f"integrity_check: {check[:3]}")
            tables = {r[0] for r in conn2.execute("SELECT name FROM sqlite_master")}
            rows = dict(conn2.execute("SELECT id, body FROM rec").fetchall()) if "rec" in tables else {}
        finally:
            conn2.close(True)
    except (apsw.Error, UnicodeDecodeError) as error:  # a damaged page can surface as garbage text
        return [f"cannot read back: {error!r}"]
    finally:
        after.unregister()
    for rid, digest in acked.items():
        if rid not in rows:
            problems.append(f"acknowledged record {rid} lost")
            continue
        got = _digest(rows[rid])
        if got != digest and not (in_flight and in_flight == (rid, got)):
            problems.append(f"acknowledged record {rid} has other contents")
    extra = set(rows) - set(acked) - ({in_flight[0]} if in_flight else set())
    if extra:
        problems.append(f"records never written: {sorted(extra)[:5]}")
    return problems


SEEDS = range(100)


@pytest.mark.parametrize("keep_unsynced", [0.0, 0.5, 1.0], ids=["synced-only", "half-unsynced", "all-unsynced"])
def test_every_acknowledged_commit_survives_a_power_cut_with_the_programs_settings(keep_unsynced: float) -> None:
    assert (JOURNAL_MODE, SYNCHRONOUS) == ("WAL", "FULL")
    failures = {seed: p for seed in SEEDS if (p := trial(seed, JOURNAL_MODE, SYNCHRONOUS, keep_unsynced))}
    assert failures == {}


@pytest.mark.parametrize("journal_mode,synchronous", [("WAL", "OFF"), ("WAL", "NORMAL"), ("DELETE", "OFF")])
def test_the_same_check_catches_weaker_settings(journal_mode: str, synchronous: str) -> None:
    """Proof that the test above could fail: with less syncing, acknowledged commits are lost."""
    failures = {seed: p for seed in SEEDS if (p := trial(seed, journal_mode, synchronous, 0.0))}
    assert len(failures) >= len(SEEDS) // 2, failures
    half = {seed: p for seed in SEEDS if (p := trial(seed, journal_mode, synchronous, 0.5))}
    assert half, "a random half of unsynced writes should still lose or corrupt something"


def test_the_power_cut_really_happens_and_checkpoints_are_exercised() -> None:
    """Guard against a vacuous pass: the cut lands mid-run, after commits and after WAL checkpoints."""
    rng = random.Random(3)
    disk = Disk(rng, cut_at_write=600, keep_unsynced=0.0)
    vfs = CrashVFS(disk, disk.files)
    conn = _open(vfs, JOURNAL_MODE, SYNCHRONOUS)
    conn.execute("CREATE TABLE rec(id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
    committed = 0
    with pytest.raises((PowerCut, apsw.Error)):
        for i in range(10_000):
            conn.execute("INSERT INTO rec(id, body) VALUES(?, ?)", (i, rng.randbytes(2000)))
            committed += 1
    try:
        conn.close(True)
    except (PowerCut, apsw.Error):
        pass
    vfs.unregister()
    assert disk.after_cut is not None and committed > 20
    assert disk.files["desk.sqlite3"].durable, "a checkpoint wrote the database file and synced it"
    assert disk.syncs > committed  # FULL syncs the WAL at every commit

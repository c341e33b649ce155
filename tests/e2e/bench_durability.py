"""Benchmark (not a test): backup of a 10,000-organization database and the start-up sequence.

    .venv/bin/python -m tests.e2e.bench_durability [FOLDER]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    if len(sys.argv) > 1:  # a folder of one's own: its database is kept, and reused by the next run
        run(Path(sys.argv[1]))
        return
    folder = Path(tempfile.mkdtemp(prefix="spdesk-bench-"))
    try:
        run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path) -> None:
    os.environ["SPDESK_DATA_DIR"] = str(folder / "data")
    from app.domain.uscc import make_code
    from app.services import maintenance, orgs
    from app.services.context import Desk
    from app.store.startup import open_database, start
    from tests.factories import org_input

    path = folder / "bench.sqlite3"
    if not path.exists():
        db = open_database(path, daily_backup=False)
        with db.session() as s:
            orgs.ensure_default_domains(s)
        desk = Desk(db)
        t0 = time.perf_counter()

        def fill(session, actor, start: int) -> None:  # noqa: ANN001
            for n in range(start, start + 1000):
                orgs.save(session, actor, org_input(f"基准测试社会工作服务中心{n}号",
                                                     credit_code=make_code("52", "110105", f"BM{n:06d}")))

        for start_n in range(0, 10_000, 1000):
            desk.run(fill, start_n)
        print(f"filled 10,000 organizations through orgs.save in {time.perf_counter() - t0:.1f} s")
        db.dispose()
    size = path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob(path.name + "-wal"))
    print(f"database: {size / 1e6:.1f} MB (with -wal)")
    for i in range(3):
        r = maintenance.backup(path, folder)
        print(f"backup to a folder #{i + 1}: {r.seconds:.3f} s, {r.size / 1e6:.1f} MB, {r.organizations} organizations")
    for i in range(3):
        t0 = time.perf_counter()
        db, report = start(path, daily_backup=(i == 0))
        total = time.perf_counter() - t0
        db.dispose()
        steps = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in report.seconds.items())
        print(f"start-up #{i + 1}: {total * 1000:.0f} ms ({steps})")
    t0 = time.perf_counter()
    results = maintenance.check(path)
    print(f"spdesk check: {time.perf_counter() - t0:.2f} s, all ok: {all(r.ok for r in results)}")


if __name__ == "__main__":
    main()

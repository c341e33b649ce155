"""Benchmark (prints numbers; not a test): the summary and the export of a month with many agreements.

Run: .venv/bin/python -m tests.bench.bench_export [N_AGREEMENTS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from app.services import dashboard, exports, summary
from app.services.context import Desk
from app.services.orgs import ensure_default_domains
from app.store.startup import open_database
from tests.summary_data import seed


def main(n: int = 5000) -> None:
    today = date(2026, 6, 15)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.sqlite3")
        with db.session() as s:
            ensure_default_domains(s)
        seed(db, n=n, today=today)
        desk = Desk(db)
        t = time.perf_counter()
        s = desk.run(summary.summarize, "2026-05", today=today)
        t_sum = time.perf_counter() - t
        t = time.perf_counter()
        desk.run(dashboard.board, today=today)
        t_board = time.perf_counter() - t
        t = time.perf_counter()
        data = desk.run(exports.build, "2026-05", today=today)
        t_build = time.perf_counter() - t
        times = {}
        for f in exports.FORMATS:
            t = time.perf_counter()
            files = exports.render(data, [f])
            times[f] = (time.perf_counter() - t, sum(len(b) for b in files.values()))
        out = Path(tmp) / "out"
        out.mkdir()
        t = time.perf_counter()
        exports.write(data, out, exports.FORMATS)
        t_all = time.perf_counter() - t
        print(f"{n} agreements: summary {t_sum * 1000:.0f} ms ({s.totals.signed_count} signed, "
              f"{s.deadlines_total} deadlines, the first {len(s.deadlines)} listed), dashboard {t_board * 1000:.0f} ms, export data {t_build * 1000:.0f} ms")
        for f, (sec, size) in times.items():
            print(f"  {f}: {sec * 1000:.0f} ms, {size / 1024:.0f} KiB")
        print(f"  whole package (render, write, fsync, read back, rename): {t_all * 1000:.0f} ms")
        db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)

"""Benchmark (prints numbers; not a test): render one three-page agreement, and a batch of 100.

Run: .venv/bin/python -m tests.bench.bench_printing
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from app.services import agreements as ag
from app.services import demo, printing
from app.services.context import Desk
from app.store.startup import open_database


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.sqlite3")
        desk = Desk(db)
        desk.run(demo.load_sample, today=date(2026, 6, 15))
        aid = next(r.id for r in desk.run(ag.list_agreements) if r.state == "performing")
        first = time.perf_counter()
        r = desk.run(printing.render, "agreement", aid)
        cold = time.perf_counter() - first
        times = []
        for _ in range(10):
            t = time.perf_counter()
            r = desk.run(printing.render, "agreement", aid)
            times.append(time.perf_counter() - t)
        print(f"one agreement ({r.pages} pages, {len(r.pdf) / 1024:.0f} KiB): first {cold * 1000:.0f} ms "
              f"(font loading), then median {statistics.median(times) * 1000:.0f} ms over 10")
        ids = [aid] * 100
        t = time.perf_counter()
        files = printing.render_batch(desk, "agreement", ids, Path(tmp) / "batch", final=True)
        batch = time.perf_counter() - t
        print(f"batch of 100 (final prints, one file each, recorded): {batch:.1f} s, "
              f"{batch / 100 * 1000:.0f} ms per document, {len(files)} files")
        db.dispose()


if __name__ == "__main__":
    main()

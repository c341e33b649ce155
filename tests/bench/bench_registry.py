"""Benchmark of the registry list at 100,000 organizations (a script, not a test: it prints numbers).

  QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_registry.py [N]

Builds a temporary database with N organizations (bulk insert through SQLAlchemy core), then
times count + first page of 200 for each kind of query the registry page makes, and the time
the Qt model needs to show its first page.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert, select  # noqa: E402

from app.domain.uscc import make_code  # noqa: E402
from app.models import Organization, ServiceDomain, org_domains  # noqa: E402
from app.services import orgs  # noqa: E402
from app.services.context import SYSTEM, Desk  # noqa: E402
from app.store.startup import open_database  # noqa: E402

PLACES = ["北京市", "东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "顺义区", "昌平区",
          "大兴区", "怀柔区", "平谷区", "密云区", "延庆区", "房山区", "门头沟区", "和平里", "安定门", "交道口"]
THEMES = ["协作者", "阳光", "邻里", "绿色家园", "巾帼", "夕阳红", "启明星", "同心", "春晖", "暖心",
          "扬帆", "益友", "助残", "惠民", "书香", "和谐", "乐龄", "馨悦", "蓝天", "新航"]
KINDS = [("社会工作发展中心", "52"), ("社会工作服务中心", "52"), ("志愿者协会", "51"), ("养老服务中心", "52"),
         ("青少年服务中心", "52"), ("文化艺术协会", "51"), ("公益基金会", "53"), ("家庭服务中心", "52"),
         ("调解协会", "51"), ("环保协会", "51")]
TYPE_BY_PREFIX = {"51": "social_group", "52": "social_service_agency", "53": "foundation"}
PAGE = 200


def build(db_path: Path, n: int) -> Desk:
    db = open_database(db_path)
    desk = Desk(db, SYSTEM)
    desk.run(lambda s, a: orgs.ensure_default_domains(s))
    keys = {w: orgs.pinyin_keys(w) for w in PLACES + THEMES + [k for k, _p in KINDS]}
    rng = random.Random(7)
    started = time.perf_counter()
    with db.session() as s:
        domain_ids = list(s.scalars(select(ServiceDomain.id)))
        rows, links = [], []
        for i in range(1, n + 1):
            place, theme, (kind, prefix) = rng.choice(PLACES), rng.choice(THEMES), rng.choice(KINDS)
            suffix = f"{i:06d}"
            name = f"{place}{theme}{kind}{suffix}"
            ini = keys[place][0] + keys[theme][0] + keys[kind][0] + suffix
            full = keys[place][1] + keys[theme][1] + keys[kind][1] + suffix
            code = make_code(prefix, "110105", f"B{i:07d}")
            rows.append({"id": i, "name": name, "name_initials": ini, "name_pinyin": full, "credit_code": code,
                         "org_type": TYPE_BY_PREFIX[prefix], "region": "110105", "legal_representative": "张三",
                         "contact_person": "李四", "phone": "010-64000000", "rating": rng.choice(["", "3A", "4A", "5A"]),
                         "eligibility": rng.choice(["eligible", "ineligible"]), "is_support_org": i % 97 == 0,
                         "is_sample": False, "version": 1})
            for d in rng.sample(domain_ids, rng.choice([1, 1, 2, 3])):
                links.append({"org_id": i, "domain_id": d})
        s.execute(insert(Organization), rows)
        s.execute(insert(org_domains), links)
    print(f"inserted {n:,} organizations and {len(links):,} domain links in {time.perf_counter() - started:.1f} s")
    return desk


def timed(desk: Desk, query: orgs.OrgQuery, repeat: int = 5) -> tuple[float, float, int, int]:
    counts, pages = [], []
    total = shown = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        total = desk.run(orgs.count, query)
        t1 = time.perf_counter()
        shown = len(desk.run(orgs.page, query, 0, PAGE))
        t2 = time.perf_counter()
        counts.append(t1 - t0)
        pages.append(t2 - t1)
    return statistics.median(counts) * 1000, statistics.median(pages) * 1000, total, shown


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    tmp = Path(tempfile.mkdtemp())
    desk = build(tmp / "bench.sqlite3", n)
    domain = desk.run(orgs.list_domains)[3]
    cases = [
        ("no filter (pinyin order)", orgs.OrgQuery()),
        ("sort by name, descending", orgs.OrgQuery(descending=True)),
        ("sort by credit code", orgs.OrgQuery(sort=orgs.SortKey.CODE)),
        ("sort by eligibility", orgs.OrgQuery(sort=orgs.SortKey.ELIGIBILITY)),
        ("search two characters 阳光", orgs.OrgQuery(search="阳光")),
        ("search rare fragment 协作者社", orgs.OrgQuery(search="协作者社")),
        ("search pinyin initials xzz", orgs.OrgQuery(search="xzz")),
        ("search code prefix 52110105B00012", orgs.OrgQuery(search="52110105B00012")),
        ("filter type foundation", orgs.OrgQuery(org_type="foundation")),
        (f"filter domain {domain.name}", orgs.OrgQuery(domain_id=domain.id)),
        ("filter ineligible", orgs.OrgQuery(eligibility="ineligible")),
        ("filter supporting orgs", orgs.OrgQuery(support_only=True)),
        ("type + domain + eligible", orgs.OrgQuery(org_type="social_group", domain_id=domain.id,
                                                   eligibility="eligible")),
    ]
    print(f"\n{'query':40} {'count ms':>9} {'page ms':>9} {'total':>8} {'rows':>5}")
    for label, query in cases:
        c, p, total, shown = timed(desk, query)
        flag = "  <-- slow" if c + p > 100 else ""
        print(f"{label:40} {c:9.1f} {p:9.1f} {total:8,} {shown:5}{flag}")
    c, p, _t, _s = timed(desk, orgs.OrgQuery(), repeat=3)
    t0 = time.perf_counter()
    desk.run(orgs.page, orgs.OrgQuery(), n - PAGE, PAGE)
    print(f"{'last page (offset ' + str(n - PAGE) + ')':40} {'':9} {(time.perf_counter() - t0) * 1000:9.1f}")

    from PySide6.QtWidgets import QApplication, QTableView

    from app.views.orgs.model import OrgListModel
    from app.views.worker import Worker

    app = QApplication.instance() or QApplication([])
    worker = Worker(desk)
    model = OrgListModel(worker)
    view = QTableView()
    view.setModel(model)
    view.resize(1200, 700)
    view.show()
    times = []
    done: list[float] = []
    model.loaded.connect(lambda: done.append(time.perf_counter()))
    for _ in range(3):
        done.clear()
        t0 = time.perf_counter()
        model.reload()
        while not done:
            app.processEvents()
            time.sleep(0.001)
        app.processEvents()  # paint
        times.append((time.perf_counter() - t0) * 1000)
    print(f"\nmodel: reload to first page shown (median of 3): {statistics.median(times):.1f} ms, "
          f"{model.rowCount()} of {model.total:,} rows loaded")
    t0 = time.perf_counter()
    model.fetchMore()
    while model.busy:
        app.processEvents()
        time.sleep(0.001)
    print(f"model: fetchMore of the next page: {(time.perf_counter() - t0) * 1000:.1f} ms")
    worker.wait()


if __name__ == "__main__":
    main()

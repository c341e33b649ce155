"""A writer process for tests/e2e/test_crash_kill.py: saves organizations through the real
services and prints each committed id (after the commit returned), until it is killed.

Usage: python -m tests.e2e.crash_writer DB_PATH START_NUMBER
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.domain.uscc import make_code
from app.services import orgs
from app.services.context import Desk
from app.store.startup import open_database
from tests.factories import org_input


def main() -> None:
    db_path, start = Path(sys.argv[1]), int(sys.argv[2])
    db = open_database(db_path)
    with db.session() as s:
        orgs.ensure_default_domains(s)
    desk = Desk(db)
    # "ready" means the next thing this process does is save: what the first save would load on first
    # need (the pinyin dictionary; seconds on a loaded machine) is loaded now, so the test's kills land
    # among saves and not in a dictionary load.
    orgs.pinyin_keys("崩溃测试")
    print("ready", flush=True)
    n = start
    while True:
        org_id = desk.run(orgs.save, org_input(f"崩溃测试社会工作服务中心{n}号",
                                               credit_code=make_code("52", "110105", f"CK{n:06d}")))
        print(org_id, flush=True)
        n += 1


if __name__ == "__main__":
    main()

"""Start-up stays light: a reading command loads no heavy library it does not use (issue 17).

Each check runs in a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from app.store import migrate, revisions

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["alembic", "pypinyin", "argon2", "reportlab", "cn2an", "openpyxl", "qrcode", "babel.messages", "PySide6"]


def _loaded_after(code: str, data: Path) -> set[str]:
    script = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPDESK_DATA_DIR": str(data)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                         check=True, timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return [h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in modules)]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose database exists at head and whose catalog cache is filled.

    The first start creates the schema (Alembic is needed then) and compiles the catalog into the
    cache (Babel's reader is needed then); every later start needs neither.
    """
    folder = tmp_path_factory.mktemp("startup")
    db = folder / "r.sqlite3"
    loaded = _loaded_after(f"from app.cli import main\nmain(['--db', {str(db)!r}, 'orgs', 'list'])\n", folder)
    assert "alembic" in loaded  # the migration did run: the check below is not vacuous
    return folder


def test_a_reading_command_loads_no_heavy_library(data: Path) -> None:
    code = (f"from app.cli import main\nimport contextlib, io\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main(['--db', {str(data / 'r.sqlite3')!r}, 'agreements', 'list', '--json']) == 0\n")
    assert _heavy(_loaded_after(code, data)) == []


@pytest.mark.parametrize("module", ["app.services.accounts", "app.services.orgs", "app.services.agreements",
                                    "app.services.printing", "app.store.startup", "app.i18n", "app.cli"])
def test_importing_a_service_loads_no_heavy_library(module: str, data: Path) -> None:
    assert _heavy(_loaded_after(f"import {module}", data)) == []


def test_the_quick_reading_of_revisions_agrees_with_alembic() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.head_revision() == script.get_current_head()
    assert migrate.known_revisions() == {s.revision for s in script.walk_revisions()}
    shipped = revisions.scan()  # the quick reading path's head (app.services.quick_read), without Alembic
    assert shipped is not None and shipped[0] == script.get_current_head()


def test_the_main_window_loads_no_heavy_library(data: Path) -> None:
    code = ("import os\nos.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "import app.views.main_window, app.views.templates_page, app.views.login_dialog\n")
    loaded = _loaded_after(code, data)
    assert "PySide6.QtWidgets" in loaded  # the window's own library is there: the check is not vacuous
    assert [h for h in _heavy(loaded) if h != "PySide6"] == []

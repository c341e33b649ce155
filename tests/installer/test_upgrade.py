"""Version N over N-1 in an isolated dpkg root: the user's data survives the upgrade and the removal."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.installer.conftest import ROOT, build_deb, clean_env

pytestmark = pytest.mark.slow

LEDGER = ("name,credit code,legal representative,phone,established\n"
          "Harmony Community Centre,52110105MJ000019X9,Li Ping,010-88886666,2018-01-02\n")


def _dpkg(root: Path, *args: str) -> str:
    # An isolated dpkg database under `root`: the real system is never touched, even when run as root.
    # The desktop libraries the package depends on are the host's, so dependencies are not checked here.
    proc = subprocess.run(["dpkg", f"--root={root}", "--force-depends", "--force-script-chrootless",
                           "--force-not-root", *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _empty_root(root: Path) -> Path:
    for sub in ("info", "updates", "triggers"):
        (root / "var/lib/dpkg" / sub).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()
    (root / "var/lib/dpkg/available").touch()
    return root


def _spdesk(root: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(root / "opt/spdesk/spdesk"), "--lang", "en", *args], env=clean_env(home),
                          capture_output=True, text=True, timeout=120)


def test_upgrade_from_the_previous_version_keeps_the_users_data(bundle, deb, tmp_path):
    old, _ = build_deb(bundle, tmp_path / "old", version="0.0.9")
    new = deb[0]  # the session's package of the current version (built once, by build-deb.sh as well)
    root = _empty_root(tmp_path / "root")
    home = tmp_path / "home"
    home.mkdir()

    _dpkg(root, "-i", str(old))
    assert "Version: 0.0.9" in _dpkg(root, "-s", "spdesk")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    imported = _spdesk(root, home, "orgs", "import", str(ledger))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    data = home / ".local/share/spdesk"
    db_file = data / "spdesk.sqlite3"
    assert db_file.is_file()
    before = db_file.read_bytes()

    _dpkg(root, "-i", str(new))
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f"Version: {version}" in _dpkg(root, "-s", "spdesk")
    assert db_file.read_bytes() == before  # installing touched nothing in the data folder
    listed = _spdesk(root, home, "orgs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [o["name"] for o in json.loads(listed.stdout)] == ["Harmony Community Centre"]
    verified = _spdesk(root, home, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # Removal and purge take the program away and leave the data.
    _dpkg(root, "-r", "spdesk")
    assert not (root / "opt/spdesk").exists() and not (root / "usr/bin/spdesk").exists()
    _dpkg(root, "-P", "spdesk")
    with sqlite3.connect(db_file) as con:
        names = [r[0] for r in con.execute("SELECT name FROM organizations")]
    assert names == ["Harmony Community Centre"]
    assert not list(root.rglob("*.sqlite3"))  # data never lived in the install root

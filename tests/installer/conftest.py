"""The installer tests: one PyInstaller bundle per test session, packaged as .deb files from it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    """`make test` runs these tests in the background and ends them with SIGTERM when interrupted: as
    an interrupt, the fixtures' clean-up still runs (the Debian 11 root is unmounted, children killed)."""
    signal.signal(signal.SIGTERM, _interrupted)


def _tools() -> None:
    """The Debian tools the build uses; installed with apt when missing and we are root (as in CI)."""
    missing = [pkg for tool, pkg in (("dpkg-deb", "dpkg"), ("objdump", "binutils"), ("strip", "binutils"),
                                      ("lintian", "lintian"), ("tclsh", "tcl"),
                                      ("debootstrap", "debootstrap"), ("patchelf", "patchelf")) if shutil.which(tool) is None]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *sorted(set(missing))],
                       check=True, env=env, capture_output=True)


def freeze_python() -> str:
    """The interpreter built for glibc 2.28 with the pinned wheels (installer/build-python.sh).

    Cached outside the repository: the first run on a machine compiles it (see installer/README.md for
    how long), every later run only checks the cache.
    """
    proc = subprocess.run(["bash", str(ROOT / "installer" / "build-python.sh")], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return proc.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The frozen program (one-folder PyInstaller build), built once for the whole session.

    SPDESK_TEST_BUNDLE names one already built by `make installer` (build/installer/pyinstaller/spdesk),
    to run these tests again without freezing again."""
    _tools()
    if os.environ.get("SPDESK_TEST_BUNDLE"):
        return Path(os.environ["SPDESK_TEST_BUNDLE"])
    work = tmp_path_factory.mktemp("pyinstaller")
    subprocess.run([freeze_python(), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath",
                    str(work / "dist"), "--workpath", str(work / "build"), str(ROOT / "installer" / "spdesk.spec")],
                   check=True, cwd=ROOT, capture_output=True)
    path = work / "dist" / "spdesk"
    assert (path / "spdesk").is_file()
    return path


def build_deb(bundle: Path, out: Path, version: str | None = None, lintian: bool = False) -> tuple[Path, str]:
    """Run installer/build-deb.sh on the session's bundle; returns the .deb and what the script printed."""
    env = {**os.environ, "SPDESK_BUNDLE": str(bundle), "BUILD_DIR": str(out / "build"),
           "DIST_DIR": str(out / "dist"), "DEB_COMPRESSION": "gzip", "LINTIAN": "1" if lintian else "0"}
    if version:
        env["SPDESK_VERSION"] = version
    proc = subprocess.run(["bash", str(ROOT / "installer" / "build-deb.sh")], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    debs = sorted((out / "dist").glob("spdesk_*.deb"))
    assert len(debs) == 1, debs
    return debs[0], proc.stdout


@pytest.fixture(scope="session")
def deb(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The .deb of the current version, checked with lintian when it is installed."""
    return build_deb(bundle, tmp_path_factory.mktemp("deb"), lintian=shutil.which("lintian") is not None)


def clean_env(home: Path) -> dict[str, str]:
    """A user's environment with no screen, no project variables and a home of its own."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SPDESK_", "QT_", "PYTHON", "VIRTUAL_ENV", "DISPLAY", "WAYLAND"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"),
               XDG_CONFIG_HOME=str(home / ".config"), LANG="C.UTF-8")
    return env

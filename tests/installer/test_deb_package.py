"""The .deb: contents, size, lintian, and the installed program's self-test without screen or network."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.installer.conftest import ROOT, clean_env

pytestmark = pytest.mark.slow

# Measured: about 148 MB installed, 61 MB as a gzip .deb (55 MB with xz). Limits leave some room for
# later features but catch an unused Qt module (QtWebEngine alone is 200 MB) or test data slipping in.
MAX_INSTALLED_KB = 200_000
MAX_DEB_BYTES = 80 * 1024 * 1024


def _contents(deb: Path) -> list[str]:
    out = subprocess.run(["dpkg-deb", "-c", str(deb)], check=True, capture_output=True, text=True).stdout
    return [line.split()[5].removeprefix(".") for line in out.splitlines()]


def _field(deb: Path, name: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="module")
def installed(deb, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(deb[0]), str(root)], check=True)
    return root


def test_package_holds_program_command_menu_entry_and_icon(deb):
    files = _contents(deb[0])
    for must in ("/opt/spdesk/spdesk", "/usr/bin/spdesk", "/usr/share/applications/spdesk.desktop",
                 "/usr/share/icons/hicolor/scalable/apps/spdesk.svg", "/usr/share/doc/spdesk/copyright",
                 "/opt/spdesk/_internal/app/resources/fonts/DroidSansFallbackFull.ttf",
                 "/opt/spdesk/_internal/i18n/zh_CN/LC_MESSAGES/spdesk.mo",
                 "/opt/spdesk/_internal/app/store/migrations/env.py",
                 "/opt/spdesk/_internal/PySide6/Qt/translations/qtbase_zh_CN.qm"):
        assert must in files, must
    assert any(re.search(r"/app/store/migrations/versions/0001_.*\.py$", f) for f in files)
    stray = [f for f in files if not f.endswith("/") and not f.startswith(("/opt/spdesk/", "/usr/bin/spdesk",
                                                                           "/usr/share/"))]
    assert stray == []
    # No tests, no test byte code, no Qt modules the program does not use, no data in /opt.
    bad = [f for f in files if re.search(r"/tests?/|_test\.py|test_[^/]*\.py|\.pyc$|__pycache__|WebEngine|Qt6Quick"
                                         r"|Qt6Qml|Qt63D|Qt6Multimedia|Qt6Bluetooth|\.sqlite3$", f)]
    assert bad == []
    # Qt's own catalogs: only Chinese.
    qms = [f for f in files if f.endswith(".qm")]
    assert qms and all("_zh_CN" in f for f in qms)


def test_desktop_entry_in_chinese_and_english(installed):
    text = (installed / "usr/share/applications/spdesk.desktop").read_text(encoding="utf-8")
    assert "Name[zh_CN]=政府购买服务工作台" in text
    assert "\nExec=spdesk\n" in text and "\nIcon=spdesk\n" in text and "\nType=Application\n" in text
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(installed / "usr/share/applications/spdesk.desktop")],
                       check=True)
    wrapper = (installed / "usr/bin/spdesk").read_text()
    assert "exec /opt/spdesk/spdesk" in wrapper and os.access(installed / "usr/bin/spdesk", os.X_OK)


def test_control_size_and_dependencies(deb, installed):
    assert _field(deb[0], "Package") == "spdesk"
    assert "libc6 (>= 2.28)" in _field(deb[0], "Depends")
    installed_kb = int(_field(deb[0], "Installed-Size"))
    assert installed_kb < MAX_INSTALLED_KB, installed_kb
    assert deb[0].stat().st_size < MAX_DEB_BYTES, deb[0].stat().st_size


def test_lintian_finds_nothing_beyond_the_accepted_list(deb):
    out = deb[1]
    if shutil.which("lintian"):
        assert "lintian findings" in out and "NOT ACCEPTED" not in out
    else:  # build-deb.sh says so plainly rather than pretending
        assert "lintian not installed" in out


def test_every_file_needs_at_most_glibc_2_28_as_declared(deb, installed):
    """UOS 20 has glibc 2.28, Kylin V10 2.31: no ELF file in the package (interpreter, extension
    modules, Qt) may need more, and the control file says so (build-deb.sh also fails the build)."""
    listing = subprocess.run(["sh", str(ROOT / "installer" / "glibc-floor.sh"), str(installed), "--all"],
                             check=True, capture_output=True, text=True).stdout
    needs = [line.split(" ", 1) for line in listing.splitlines() if line.strip()]
    assert any(f.endswith("libpython3.11.so.1.0") for _v, f in needs)  # the interpreter was looked at
    assert any("PySide6" in f for _v, f in needs)
    too_new = [(v, f) for v, f in needs if tuple(map(int, v.split("."))) > (2, 28)]
    assert too_new == []
    said = re.search(r"glibc needed: ([0-9.]+) \(declared floor 2\.28", deb[1])
    assert said and tuple(map(int, said.group(1).split("."))) <= (2, 28), deb[1]


def test_every_module_of_the_program_is_frozen(bundle):
    """Also those imported lazily, which PyInstaller's analysis cannot see (import_module in
    app/views/printing: the print preview, batch printing and verification, with the QtPdf bindings)."""
    from PyInstaller.archive.readers import CArchiveReader

    frozen = set(CArchiveReader(str(bundle / "spdesk")).open_embedded_archive("PYZ.pyz").toc)
    ours = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            for p in (ROOT / "app").rglob("*.py") if "migrations" not in p.parts and p.name != "__main__.py"}
    assert "app.views.printing.preview" in ours
    assert sorted(ours - frozen) == []
    bindings = bundle / "_internal" / "PySide6"
    for module in ("QtPdf", "QtPdfWidgets", "QtPrintSupport", "QtCharts"):
        assert any(bindings.glob(f"{module}.*.so")), module
    assert not any(bindings.glob("QtOpenGL*.so"))  # only their libraries, for QtCharts


def _self_test(cmd: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=clean_env(home), capture_output=True, text=True, timeout=180)


def test_installed_program_passes_its_self_test_offscreen(installed, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    proc = _self_test([str(installed / "opt/spdesk/spdesk"), "--self-test"], home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("OK", "FAIL"))]
    assert len(lines) >= 9 and all(line.startswith("OK ") for line in lines), proc.stdout
    assert "offscreen" in proc.stdout and "/_internal/app/resources" in proc.stdout
    assert "print preview" in proc.stdout  # QtPdf opened the printed contract, as the preview does
    # The user's own data folder was never created: the self-test works in a temporary folder.
    assert not (home / ".local/share/spdesk").exists()


def _unshare_net() -> list[str]:
    for cmd in (["unshare", "-n"], ["unshare", "-rn"]):
        if shutil.which("unshare") and subprocess.run([*cmd, "true"], capture_output=True).returncode == 0:
            return cmd
    pytest.fail("unshare -n (a network namespace) is not available on this machine")


def test_installed_program_needs_no_network(installed, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    proc = _self_test([*_unshare_net(), str(installed / "opt/spdesk/spdesk"), "--self-test"], home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FAIL" not in proc.stdout

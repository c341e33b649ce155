"""The .deb on Debian 11 (glibc 2.31, the level of Kylin V10 SP1; UOS 20 has 2.28).

`apt-get install ./spdesk_….deb` into a `debootstrap --variant=minbase bullseye` root (made once and
cached by installer/debian11-root.sh), then inside that root: every library of the bundle resolves,
`spdesk --self-test` passes offscreen, and the real window starts under Xvfb with the xcb platform plugin,
logs in and shows the main window with Chinese text. Each run works in an overlay over the cached root,
so the root itself stays as debootstrap made it. Needs root (chroot, mount), as in CI.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.installer.conftest import ROOT

pytestmark = pytest.mark.slow

# Where the screenshot of the real window goes (look at it); default: the test's temporary folder.
SHOTS = os.environ.get("SPDESK_SHOTS_DIR")
CACHE = Path(os.environ.get("SPDESK_BUILD_CACHE", Path.home() / ".cache" / "spdesk-build"))
ADMIN, ADMIN_PW = "boss", "Desk-2024-pass"
PROGRAM, LOG_IN = "政府购买服务工作台", "登录"  # the program's name and the log-in window's title in Chinese
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": "/home/clerk", "LANG": "C.UTF-8",
       "USER": "root", "XDG_RUNTIME_DIR": "/tmp/runtime-root"}


@dataclass
class Root:
    path: Path
    apt_log: str

    def run(self, *cmd: str, env: dict[str, str] | None = None, timeout: float = 300,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["chroot", str(self.path), *cmd], env={**ENV, **(env or {})}, input=stdin,
                              capture_output=True, text=True, timeout=timeout)

    def popen(self, *cmd: str, env: dict[str, str] | None = None, log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            return subprocess.Popen(["chroot", str(self.path), *cmd], env={**ENV, **(env or {})},
                                    stdout=out, stderr=subprocess.STDOUT)


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def bullseye(deb, tmp_path_factory) -> Iterator[Root]:
    if os.geteuid() != 0:
        pytest.fail("the Debian 11 install test needs root (debootstrap, chroot, mount), as in CI")
    made = subprocess.run(["bash", str(ROOT / "installer" / "debian11-root.sh")], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    base = Path(made.stdout.strip().splitlines()[-1])
    work = tmp_path_factory.mktemp("bullseye")
    upper, ovl, merged = work / "upper", work / "work", work / "root"
    for d in (upper, ovl, merged):
        d.mkdir()
    archives = CACHE / "debian11-apt-archives"  # the dependencies' .debs, kept between runs
    (archives / "partial").mkdir(parents=True, exist_ok=True)
    mounts: list[Path] = []
    try:
        _mount("-t", "overlay", "overlay", "-o", f"lowerdir={base},upperdir={upper},workdir={ovl}", str(merged))
        mounts.append(merged)
        for src, dest, opts in (("proc", "proc", ["-t", "proc"]), ("/dev", "dev", ["--rbind"]),
                                ("sysfs", "sys", ["-t", "sysfs"]), (str(archives), "var/cache/apt/archives",
                                                                   ["--bind"])):
            _mount(*opts, src, str(merged / dest))
            mounts.append(merged / dest)
        shutil.copy2(deb[0], merged / "tmp" / deb[0].name)
        (merged / "home/clerk").mkdir(parents=True)
        (merged / "tmp/runtime-root").mkdir(mode=0o700)
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        root = Root(merged, "")
        upd = root.run("apt-get", "update", "-qq", env=env)
        assert upd.returncode == 0, upd.stdout + upd.stderr
        # The package cache is shared by every run on this machine (another checkout's `make test`, or
        # this module on two xdist workers): apt inside each root locks /var/cache/apt/archives/lock
        # and fails at once when another apt holds it, so runs take turns here instead.
        with (archives.parent / "debian11-apt-archives.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            inst = root.run("apt-get", "install", "-y", "--no-install-recommends", f"/tmp/{deb[0].name}",
                            env=env, timeout=900)
        assert inst.returncode == 0, inst.stdout + inst.stderr
        root.apt_log = inst.stdout
        yield root
    finally:
        for m in reversed(mounts):
            subprocess.run(["umount", "-R", "-l", str(m)], capture_output=True)


def test_apt_installs_the_package_on_debian11_with_its_glibc(bullseye):
    assert "Setting up spdesk" in bullseye.apt_log
    status = bullseye.run("dpkg-query", "-W", "-f=${Status} ${Version}", "spdesk", "libc6")
    assert status.stdout.startswith("install ok installed"), status.stdout
    libc = bullseye.run("dpkg-query", "-W", "-f=${Version}", "libc6").stdout
    assert libc.startswith("2.31"), libc  # really the old glibc, not the build machine's 2.36


def test_every_library_in_the_bundle_resolves_on_debian11(bullseye):
    """ldd over every ELF file: no library missing, no symbol version the system's libraries lack."""
    script = r"""
        cd /opt/spdesk
        dirs=$(find . -name '*.so*' -type f -printf '/opt/spdesk/%h\n' | sort -u | tr '\n' ':')
        find . -type f \( -name '*.so*' -o -name spdesk \) | while read -r f; do
          out=$(LD_LIBRARY_PATH="$dirs" ldd "$f" 2>&1) || true
          case "$out" in *"not found"*|*"version \`"*) echo "== $f"; echo "$out" | grep 'not found';;
          esac
        done"""
    proc = bullseye.run("sh", "-c", script, timeout=600)
    assert proc.stdout.strip() == "", proc.stdout + proc.stderr


def test_self_test_passes_offscreen_on_debian11(bullseye):
    t0 = time.perf_counter()
    version = bullseye.run("spdesk", "--version")
    elapsed = time.perf_counter() - t0
    assert version.returncode == 0, version.stdout + version.stderr
    print(f"spdesk --version on Debian 11: {elapsed:.2f} s")
    t0 = time.perf_counter()
    proc = bullseye.run("spdesk", "--self-test", env={"QT_QPA_PLATFORM": "offscreen"})
    print(f"spdesk --self-test on Debian 11: {time.perf_counter() - t0:.2f} s")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("OK", "FAIL"))]
    assert len(lines) >= 9 and all(line.startswith("OK ") for line in lines), proc.stdout
    assert "print preview" in proc.stdout  # QtPdf works with Debian 11's libraries


def _xwd_to_png(xwd: Path, png: Path) -> None:
    """An X window dump (ZPixmap, depth 24, as Xvfb gives) to PNG with Pillow.

    Debian 11's xwd writes 24 bits per pixel (3 bytes, packed) with 4 bytes per pixel of line length;
    reading the pixels as 32-bit squeezed the picture to three quarters of its width."""
    from PIL import Image

    data = xwd.read_bytes()
    head = [int.from_bytes(data[i:i + 4], "big") for i in range(0, 100, 4)]
    header_size, depth, width, height = head[0], head[3], head[4], head[5]
    bits_per_pixel, bytes_per_line, ncolors = head[11], head[12], head[19]
    assert depth == 24 and bits_per_pixel in (24, 32), (depth, bits_per_pixel)
    assert head[7] == 0, "LSB-first pixels expected"  # byte order: blue first
    raw_mode = "BGR" if bits_per_pixel == 24 else "BGRX"
    assert bytes_per_line >= width * bits_per_pixel // 8, (width, bytes_per_line)
    start = header_size + ncolors * 12
    pixels = data[start:start + bytes_per_line * height]
    Image.frombytes("RGB", (width, height), pixels, "raw", raw_mode, bytes_per_line).save(png)


def _windows(root: Root, display: str) -> dict[str, str]:
    """The program's visible windows (WM_CLASS spdesk) with the title the desktop shows.

    Not `xdotool search --name`: xdotool 3.20160805 (Debian 11) matches that against WM_NAME only,
    where Qt writes the bare window title ("登录"), while the title bar and the task bar show
    _NET_WM_NAME, the title with Qt's application display name ("登录 — 政府购买服务工作台"), which
    `xdotool getwindowname` reads. Searching WM_NAME for the program's name found no log-in window
    once its title stopped naming the program, and the test waited as if the program hung."""
    env = {"DISPLAY": display}
    found = root.run("xdotool", "search", "--onlyvisible", "--class", "^spdesk$", env=env, timeout=30)
    titles = {}
    for window in found.stdout.split():
        name = root.run("xdotool", "getwindowname", window, env=env, timeout=30)
        if name.returncode == 0:
            titles[window] = name.stdout.strip()
    return titles


def _python_stacks(pid: int, log: Path) -> str:
    """What the program is doing: SIGUSR1 makes `spdesk` print every thread's Python stack to its log."""
    before = log.stat().st_size
    try:
        os.kill(pid, signal.SIGUSR1)
    except ProcessLookupError:
        return "(the program has ended)"
    time.sleep(2)
    return log.read_bytes()[before:].decode(errors="replace")


def _wait_for(what, timeout: float = 60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = what()
        if got:
            return got
        time.sleep(0.25)
    return None


def test_real_window_starts_under_xvfb_on_debian11(bullseye, tmp_path):
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    # An administrator made with the command line (as an office's IT person would), password chosen.
    add = bullseye.run("spdesk", "users", "add", ADMIN, "--name", "王主任", "--roles", "admin", "--password-stdin",
                       stdin=ADMIN_PW + "\n")
    assert add.returncode == 0, add.stdout + add.stderr
    pw = bullseye.run("spdesk", "users", "passwd", env={"SPDESK_PASSWORD": ADMIN_PW,
                                                        "SPDESK_NEW_PASSWORD": ADMIN_PW + "x"})
    assert pw.returncode == 0, pw.stdout + pw.stderr

    display = ":57"
    xvfb = bullseye.popen("Xvfb", display, "-screen", "0", "1366x768x24", "-nolisten", "tcp",
                          log=tmp_path / "xvfb.log")
    app = None
    try:
        assert _wait_for(lambda: (bullseye.path / "tmp/.X11-unix/X57").exists(), 30), \
            (tmp_path / "xvfb.log").read_text()
        started = time.perf_counter()
        log_path = tmp_path / "spdesk.log"
        app = bullseye.popen("spdesk", env={"DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
                                            "QT_DEBUG_PLUGINS": "1"}, log=log_path)

        def failure(what: str) -> str:
            log = log_path.read_text(errors="replace")
            return (f"{what}; the program's windows: {_windows(bullseye, display)}; its Python stacks:\n"
                    f"{_python_stacks(app.pid, log_path)}\nprogram output:\n{log[-4000:]}")

        login = _wait_for(lambda: [w for w, t in _windows(bullseye, display).items()
                                   if t == f"{LOG_IN} — {PROGRAM}"], 90)
        assert login, failure("no log-in window appeared")
        login_shown = time.perf_counter() - started
        log = log_path.read_text(errors="replace")
        assert re.search(r"libqxcb\.so", log), log[-4000:]  # the xcb platform plugin was loaded
        xenv = {"DISPLAY": display}
        bullseye.run("xdotool", "windowfocus", "--sync", login[0], env=xenv)
        bullseye.run("xdotool", "type", "--delay", "20", ADMIN, env=xenv)
        bullseye.run("xdotool", "key", "Tab", env=xenv)
        bullseye.run("xdotool", "type", "--delay", "20", ADMIN_PW + "x", env=xenv)
        t_login = time.perf_counter()
        bullseye.run("xdotool", "key", "Return", env=xenv)

        def main_window() -> list[str]:
            return [w for w, t in _windows(bullseye, display).items() if w not in login and PROGRAM in t]

        main = _wait_for(main_window, 90)
        assert main, failure("the main window was not shown after logging in")
        shown = time.perf_counter() - t_login
        print(f"Debian 11, Xvfb: login window {login_shown:.2f} s after start, main window {shown:.2f} s after login")
        time.sleep(2)  # let it paint
        geometry = bullseye.run("xdotool", "getwindowgeometry", main[0], env=xenv).stdout
        dump = bullseye.run("sh", "-c", f"xwd -root -silent -display {display} > /tmp/screen.xwd")
        assert dump.returncode == 0, dump.stderr
        png = shots / "debian11-main-window.png"
        _xwd_to_png(bullseye.path / "tmp/screen.xwd", png)
        print(f"screenshot: {png} ({geometry.strip()})")

        # Chinese text: the program uses a CJK font (the bundled one or a dependency's), mapped in memory.
        # (chroot execs the program, so the process started here is the program itself.)
        maps = Path(f"/proc/{app.pid}/maps").read_text()
        assert re.search(r"DroidSansFallback|wqy|Noto\w*CJK|\.ttc", maps), "no CJK font mapped"
        from PIL import Image

        with Image.open(png) as img:
            colours = len(img.convert("L").crop((0, 0, 400, 768)).getcolors(256) or [])
        assert colours > 20, "the window looks empty"  # text is anti-aliased: many grey levels
    finally:
        for proc in (app, xvfb):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()

"""Removable drives the program can export to (USB sticks, SD cards): a pure listing, no Qt.

Qt's QStorageInfo lists volumes but has no "removable" flag, so the operating system is asked:
- Linux (UOS, Kylin, Debian): the mounted volumes from /proc/self/mounts; a volume is removable
  when its disk's sysfs `removable` flag is 1, when the disk hangs off a USB bus, or when it is
  mounted under /media or /run/media (where desktop environments mount sticks).
- Windows: GetDriveTypeW(root) == DRIVE_REMOVABLE for each letter of GetLogicalDrives (ctypes).
  This path cannot be tested on the project's Linux machines and has not been run.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MEDIA_ROOTS = ("/media/", "/run/media/", "/mnt/usb")
PSEUDO_FS = frozenset({"proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "overlay", "squashfs",
                       "securityfs", "pstore", "bpf", "debugfs", "tracefs", "mqueue", "hugetlbfs", "configfs",
                       "fusectl", "autofs", "binfmt_misc", "nsfs", "efivarfs", "ramfs", "rpc_pipefs"})


@dataclass(frozen=True)
class Drive:
    path: Path  # mount point (Linux) or root "E:\\" (Windows)
    label: str  # volume label or the last part of the mount point
    removable: bool
    total_bytes: int | None = None
    free_bytes: int | None = None
    device: str = ""
    fs_type: str = ""


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes (\\040)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def parse_mounts(text: str) -> list[tuple[str, str, str]]:
    """(device, mount point, fs type) of each line of /proc/mounts."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            out.append((_unescape(parts[0]), _unescape(parts[1]), parts[2]))
    return out


def _disk_of(sys_root: Path, device: str) -> Path | None:
    """The sysfs directory of the whole disk a partition (or disk) device belongs to."""
    name = Path(device).name
    if not device.startswith("/dev/") or not name:
        return None
    node = sys_root / "class" / "block" / name
    if not node.exists():
        return None
    real = node.resolve()
    # A partition's directory sits inside its disk's directory and has a `partition` file.
    return real.parent if (real / "partition").exists() else real


def is_removable_linux(sys_root: Path, device: str, mount_point: str) -> bool:
    if mount_point.startswith(MEDIA_ROOTS):
        return True
    disk = _disk_of(sys_root, device)
    if disk is None:
        return False
    try:
        if (disk / "removable").read_text().strip() == "1":
            return True
    except OSError:
        pass
    return "/usb" in str(disk)


def _space(path: str, statvfs: Callable[[str], os.statvfs_result] | None) -> tuple[int | None, int | None]:
    if statvfs is None:
        return None, None
    try:
        st = statvfs(path)
    except OSError:
        return None, None
    return st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize


def list_linux(mounts_text: str, sys_root: Path = Path("/sys"),
               statvfs: Callable[[str], os.statvfs_result] | None = os.statvfs,
               removable_only: bool = True) -> list[Drive]:
    drives: list[Drive] = []
    seen: set[str] = set()
    for device, mount, fs in parse_mounts(mounts_text):
        if fs in PSEUDO_FS or mount in seen or not device.startswith("/dev/") and not mount.startswith(MEDIA_ROOTS):
            continue
        removable = is_removable_linux(sys_root, device, mount)
        if removable_only and not removable:
            continue
        seen.add(mount)
        total, free = _space(mount, statvfs)
        drives.append(Drive(Path(mount), Path(mount).name or mount, removable, total, free, device, fs))
    return sorted(drives, key=lambda d: str(d.path))


def list_windows(removable_only: bool = True) -> list[Drive]:  # pragma: no cover - Windows only, not run here
    import ctypes
    import string

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]  # windll exists on Windows only
    drive_removable = 2
    mask = kernel32.GetLogicalDrives()
    out: list[Drive] = []
    for i, letter in enumerate(string.ascii_uppercase):
        if not mask & (1 << i):
            continue
        root = f"{letter}:\\"
        kind = kernel32.GetDriveTypeW(ctypes.c_wchar_p(root))
        if removable_only and kind != drive_removable:
            continue
        label_buf = ctypes.create_unicode_buffer(261)
        kernel32.GetVolumeInformationW(ctypes.c_wchar_p(root), label_buf, 261, None, None, None, None, 0)
        free, total = ctypes.c_ulonglong(0), ctypes.c_ulonglong(0)
        ok = kernel32.GetDiskFreeSpaceExW(ctypes.c_wchar_p(root), ctypes.byref(free), ctypes.byref(total), None)
        out.append(Drive(Path(root), label_buf.value or root, kind == drive_removable,
                         total.value if ok else None, free.value if ok else None, root, ""))
    return out


def removable_drives() -> list[Drive]:
    """The removable drives mounted now (empty when none, or when the system cannot tell)."""
    if sys.platform == "win32":  # pragma: no cover
        return list_windows()
    try:
        text = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return list_linux(text)

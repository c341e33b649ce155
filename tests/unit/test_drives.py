"""Removable drive listing on Linux against a fake sysfs and mount table (Windows: not testable here)."""

from __future__ import annotations

import os
from pathlib import Path

from app.documents import drives

MOUNTS = """\
/dev/sda2 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
tmpfs /run tmpfs rw 0 0
/dev/sdb1 /media/clerk/KINGSTON vfat rw 0 0
/dev/sdc1 /mnt/data ext4 rw 0 0
/dev/sdd1 /srv/backup\\040stick vfat rw 0 0
/dev/mmcblk0p1 /run/media/li/SD\\040卡 exfat rw 0 0
/dev/sda1 /boot/efi vfat rw 0 0
"""


def _disk(sys_root: Path, real: str, name: str, removable: str, parts: list[str]) -> None:
    d = sys_root / real / name
    d.mkdir(parents=True)
    (d / "removable").write_text(removable + "\n")
    (sys_root / "class" / "block").mkdir(parents=True, exist_ok=True)
    os.symlink(d, sys_root / "class" / "block" / name)
    for p in parts:
        (d / p).mkdir()
        (d / p / "partition").write_text("1\n")
        os.symlink(d / p, sys_root / "class" / "block" / p)


def _fake_sys(tmp_path: Path) -> Path:
    root = tmp_path / "sys"
    _disk(root, "devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block", "sda", "0", ["sda1", "sda2"])
    _disk(root, "devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/host6/target6:0:0/6:0:0:0/block", "sdb", "1",
          ["sdb1"])
    _disk(root, "devices/pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0/block", "sdc", "0", ["sdc1"])
    # a USB disk that reports removable=0 (many USB hard disks and some sticks do)
    _disk(root, "devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host7/target7:0:0/7:0:0:0/block", "sdd", "0",
          ["sdd1"])
    return root


def test_linux_removable_drives_from_sysfs_and_media(tmp_path):
    root = _fake_sys(tmp_path)
    found = drives.list_linux(MOUNTS, root, statvfs=None)
    assert [str(d.path) for d in found] == ["/media/clerk/KINGSTON", "/run/media/li/SD 卡", "/srv/backup stick"]
    assert all(d.removable for d in found)
    assert found[0].label == "KINGSTON" and found[0].device == "/dev/sdb1" and found[0].fs_type == "vfat"
    everything = drives.list_linux(MOUNTS, root, statvfs=None, removable_only=False)
    fixed = {str(d.path) for d in everything if not d.removable}
    assert fixed == {"/", "/mnt/data", "/boot/efi"}
    assert "/proc" not in {str(d.path) for d in everything}


def test_free_space_comes_from_statvfs(tmp_path):
    class St:
        f_blocks, f_frsize, f_bavail = 1000, 4096, 250

    found = drives.list_linux(MOUNTS, _fake_sys(tmp_path), statvfs=lambda p: St)  # type: ignore[arg-type,return-value]  # a stand-in for os.statvfs_result
    assert (found[0].total_bytes, found[0].free_bytes) == (4096000, 1024000)

    def gone(p: str):
        raise OSError(5, "I/O error")

    found = drives.list_linux(MOUNTS, _fake_sys(tmp_path / "b"), statvfs=gone)
    assert found[0].free_bytes is None


def test_the_live_listing_never_raises():
    assert isinstance(drives.removable_drives(), list)

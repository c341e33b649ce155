"""Writing files so that a reader never sees half a file: a temporary name in the same folder, then rename.

`output_problem` guards where a document may be written: never over the database or its
-wal/-shm/-journal (a PDF written there destroys the office's data), never over an existing file
that is not a PDF unless the user insists.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.i18n import _

PDF_MAGIC = b"%PDF-"
DB_SIDECARS = ("-wal", "-shm", "-journal")


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def _is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(PDF_MAGIC)) == PDF_MAGIC
    except OSError:
        return False


def output_problem(path: Path, protected: Iterable[Path] = (), force: bool = False) -> str | None:
    """Why `path` must not be written (translated), or None.

    `protected`: database files; each and its sidecars are refused even with `force`.
    """
    path = Path(path)
    for db in protected:
        db = Path(db)
        for candidate in (db, *(db.with_name(db.name + s) for s in DB_SIDECARS)):
            if _same(path, candidate):
                return _("{path} is the program's database (or one of its files); writing a document there "
                         "would destroy the data. Choose another file name.").format(path=path)
    if path.is_dir():
        return _("{path} is a folder; give a file name ending in .pdf.").format(path=path)
    if not path.parent.is_dir():
        return _("The folder {folder} does not exist; create it first or choose another one.").format(
            folder=path.parent)
    if path.exists() and not force and not _is_pdf(path):
        return _("{path} already exists and is not a PDF; it was left as it is. Choose another file name, or "
                 "add --force to replace it.").format(path=path)
    return None


def write_atomic(path: Path, data: bytes) -> Path:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


# --- Packages of files written to a folder or a USB stick --------------------------------------

MANIFEST = "manifest.json"
PACKAGE_FORMAT = "spdesk-export"
PACKAGE_FORMAT_VERSION = 1


class ExportError(Exception):
    """An export that did not happen; the message says why in the user's language. Nothing was left behind."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Cancelled(Exception):
    """The user cancelled; nothing was left under a final name."""


def write_error_message(exc: BaseException, target: Path) -> str:
    """Plain words for the ways writing an export to a folder or USB stick fails."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT):
        return _("There is not enough free space on {target}. Nothing was exported; free some space or choose "
                 "another folder.").format(target=target)
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _("{target} cannot be written to (it is read-only or you lack permission). Nothing was exported; "
                 "choose another folder.").format(target=target)
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO, errno.ENOTDIR):
        return _("{target} is not available (the folder does not exist, or the USB stick was removed). Nothing "
                 "was exported.").format(target=target)
    return _("Writing to {target} failed: {reason}. Nothing was exported.").format(
        target=target, reason=getattr(exc, "strerror", None) or str(exc))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _remove_tree_quietly(folder: Path) -> None:
    try:
        shutil.rmtree(folder)
    except OSError:
        pass


def write_package(target: Path, name: str, files: Mapping[str, bytes], manifest: Mapping[str, object],
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> Path:
    """Write `files` and a manifest (each file's SHA-256 and size) as the folder `target/name`.

    Everything goes into a hidden temporary folder on the target first; each file is flushed to
    disk, then all are read back and their hashes compared, then the folder is renamed to its final
    name and the parent folder synced. A full, read-only or vanished target (or a cancel) leaves
    nothing under the final name, and the temporary folder is removed when the medium still allows it.
    """
    from app.store.backup import fsync_dir

    target = Path(target)
    if not target.is_dir():
        raise ExportError(write_error_message(FileNotFoundError(errno.ENOENT, "missing"), target))
    final = target / name
    if final.exists():
        raise ExportError(_("{path} already exists; nothing was written. Remove it or choose another "
                            "folder.").format(path=final))
    tmp = target / f".{name}.{uuid.uuid4().hex[:8]}.partial"
    entries = [{"name": n, "sha256": sha256(b), "size": len(b)} for n, b in files.items()]
    man = dict(manifest)
    man.update({"format": PACKAGE_FORMAT, "format_version": PACKAGE_FORMAT_VERSION, "files": entries})
    all_files = dict(files)
    all_files[MANIFEST] = json.dumps(man, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    total = len(all_files) + 1
    try:
        tmp.mkdir()
        for i, (n, data) in enumerate(all_files.items()):
            if cancelled is not None and cancelled():
                raise Cancelled()
            with open(tmp / n, "xb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if progress is not None:
                progress(i + 1, total)
        fsync_dir(tmp)
        for n, data in all_files.items():  # read back what the medium really holds
            if sha256((tmp / n).read_bytes()) != sha256(data):
                raise ExportError(_("{name} did not read back correctly from {target}; nothing was kept. The "
                                    "medium may be faulty.").format(name=n, target=target))
        if cancelled is not None and cancelled():
            raise Cancelled()
        os.rename(tmp, final)
        fsync_dir(target)
        if progress is not None:
            progress(total, total)
    except (ExportError, Cancelled):
        _remove_tree_quietly(tmp)
        raise
    except OSError as exc:
        _remove_tree_quietly(tmp)
        raise ExportError(write_error_message(exc, target)) from exc
    return final


@dataclass(frozen=True)
class PackageProblem:
    name: str
    kind: str  # "missing" | "changed" | "unexpected" | "manifest"

    @property
    def message(self) -> str:
        return {
            "missing": _("{name}: missing"),
            "changed": _("{name}: changed since it was written (its SHA-256 does not match the manifest)"),
            "unexpected": _("{name}: not listed in the manifest"),
            "manifest": _("{name}: the manifest is missing or unreadable"),
        }[self.kind].format(name=self.name)


@dataclass(frozen=True)
class PackageCheck:
    folder: Path
    manifest: Mapping[str, object]
    checked: int
    problems: tuple[PackageProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_package(folder: Path) -> PackageCheck:
    """Compare every file in `folder` with the manifest: missing, changed and unlisted files are named."""
    folder = Path(folder)
    try:
        man = json.loads((folder / MANIFEST).read_bytes().decode("utf-8"))
        entries = man["files"]
        listed = {str(e["name"]): (str(e["sha256"]), int(e["size"])) for e in entries}
    except (OSError, ValueError, KeyError, TypeError):
        return PackageCheck(folder, {}, 0, (PackageProblem(MANIFEST, "manifest"),))
    problems: list[PackageProblem] = []
    for n, (digest, size) in sorted(listed.items()):
        path = folder / n
        if Path(n).name != n or not path.is_file():
            problems.append(PackageProblem(n, "missing"))
            continue
        data = path.read_bytes()
        if len(data) != size or sha256(data) != digest:
            problems.append(PackageProblem(n, "changed"))
    for path in sorted(folder.iterdir()):
        if path.name != MANIFEST and path.name not in listed:
            problems.append(PackageProblem(path.name, "unexpected"))
    return PackageCheck(folder, man, len(listed), tuple(problems))

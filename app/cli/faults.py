"""One clear sentence for a fault the command line did not foresee, instead of a traceback.

Every OSError, sqlite3.Error and SQLAlchemy error (which wraps sqlite3's) that reaches `main`
ends here: a full disk, a read-only folder, a missing folder, a pulled stick, a locked file.
"""

from __future__ import annotations

import errno
import sqlite3
import sys
from pathlib import Path

from app.i18n import _

EXIT_FAULT = 5


def is_fault(exc: BaseException) -> bool:
    """An OSError, sqlite3.Error or SQLAlchemyError. SQLAlchemy is not imported for the test: a command
    that never loaded it (the quick reading path, issue 17) cannot have raised its error."""
    if isinstance(exc, (OSError, sqlite3.Error)):
        return True
    loaded = sys.modules.get("sqlalchemy.exc")
    return loaded is not None and isinstance(exc, loaded.SQLAlchemyError)


def _where(exc: BaseException, db_path: Path) -> Path:
    name = getattr(exc, "filename", None)
    return Path(name) if name else db_path


def fault_message(exc: BaseException, db_path: Path) -> str:
    """A sentence in the user's language saying what went wrong and that nothing half-done was kept."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "errno", None)
    text = str(orig).lower()
    if isinstance(orig, OSError):
        where = _where(orig, db_path)
        if code == errno.ENOSPC or code == errno.EDQUOT:
            return _("There is not enough free space for {path}; the command stopped and nothing half-done was "
                     "kept. Free some space and try again.").format(path=where)
        if code in (errno.EROFS, errno.EACCES, errno.EPERM):
            return _("{path} cannot be written to (read-only, or no permission); the command stopped and nothing "
                     "half-done was kept.").format(path=where)
        if code in (errno.ENOENT, errno.ENOTDIR):
            return _("{path} does not exist (or its folder is missing); the command stopped.").format(path=where)
        if code in (errno.EIO, errno.ENODEV, errno.ENXIO):
            return _("{path} cannot be reached (the disk or USB stick may have been removed); the command "
                     "stopped.").format(path=where)
        return _("{path} could not be used ({reason}); the command stopped.").format(
            path=where, reason=orig.strerror or orig)
    if "disk is full" in text or "database or disk is full" in text:
        return _("There is not enough free space for the database {path}; the change was not saved. Free some "
                 "space and try again.").format(path=db_path)
    if "readonly" in text or "read-only" in text:
        return _("The database {path} cannot be written to (a read-only file or folder); the change was not "
                 "saved.").format(path=db_path)
    if "unable to open" in text or "disk i/o" in text:
        return _("The database {path} cannot be opened or read (its folder may be missing, read-only or on a "
                 "removed disk); nothing was changed.").format(path=db_path)
    if "locked" in text or "busy" in text:
        return _("The database {path} is busy (another program is writing to it); nothing was changed. Try "
                 "again in a moment.").format(path=db_path)
    if "malformed" in text or "not a database" in text:
        return _("The database {path} is damaged; nothing was changed. Run: spdesk check").format(path=db_path)
    if "no such table" in text or "no such column" in text:
        return _("The database {path} does not have the tables this program expects; nothing was changed. "
                 "Run: spdesk check").format(path=db_path)
    return _("The database {path} reported a problem ({reason}); nothing was changed.").format(
        path=db_path, reason=str(orig).splitlines()[0] if str(orig) else type(orig).__name__)

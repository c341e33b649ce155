"""Shown at start-up when the database failed its integrity check: explain in plain words, and
offer the way back (the newest good backup) or quitting. Never a silent start on a damaged file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThreadPool, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import maintenance
from app.services.context import SYSTEM
from app.store.backup import backups_dir
from app.store.startup import DamagedDatabase
from app.views.background_job import Job, Relay
from app.views.messages import error_text


class RecoveryDialog(QDialog):
    """Accepted once the newest good backup is back in place; rejected means quit."""

    restored = Signal(object)  # maintenance.RestoreResult

    def __init__(self, db_path: Path, damage: DamagedDatabase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.damage = damage
        self.backup = damage.newest_backup
        self.result_message = ""
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._relay: Relay | None = None
        self.setWindowTitle(_("The database is damaged"))
        self.setMinimumWidth(560)

        self.headline = QLabel(_("The database could not be read correctly, so it was not opened."))
        self.headline.setStyleSheet("font-weight: bold; font-size: 12pt;")
        self.headline.setWordWrap(True)
        self.explain = QLabel(_(
            "This usually follows a power cut or a failing disk or USB stick. To protect your records, "
            "the program does not work on a damaged file. The file itself is not deleted: it is kept "
            "aside so that a specialist can still look at it."))
        self.explain.setWordWrap(True)
        self.offer = QLabel()
        self.offer.setObjectName("offer")
        self.offer.setWordWrap(True)
        self.detail = QLabel(_("Damaged file: {path}\nSQLite reports: {detail}").format(
            path=self.db_path, detail=damage.detail))
        self.detail.setObjectName("detail")
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("color: #666666; font-size: 9pt;")
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()

        self.buttons = QDialogButtonBox()
        self.restore_button: QPushButton | None = None
        if self.backup is not None:
            try:  # the file's time: a daily backup's name carries only the date
                when = datetime.fromtimestamp(self.backup.path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
            except OSError:
                when = self.backup.path.name
            n = self.backup.organizations if self.backup.organizations is not None else "?"
            self.offer.setText(_(
                "The newest good backup was made on {when} and holds {n} organizations:\n{path}\n\n"
                "Restoring it brings your records back as they were at that time; whatever was entered "
                "after it must be entered again.").format(when=when, n=n, path=self.backup.path))
            self.restore_button = self.buttons.addButton(_("Restore the newest good backup"),
                                                         QDialogButtonBox.ButtonRole.AcceptRole)
            self.restore_button.setObjectName("restore")
            self.restore_button.setDefault(True)
            self.restore_button.clicked.connect(self.restore)
        else:
            self.offer.setText(_(
                "No good backup of this database was found in {folder}. If you keep backups on a USB stick, "
                "restore one with “spdesk restore FILE”, or ask your IT support for help.").format(
                folder=backups_dir()))
        self.quit_button = self.buttons.addButton(_("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setObjectName("quit")
        self.quit_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        for w in (self.headline, self.explain, self.offer, self.detail, self.progress, self.status, self.buttons):
            layout.addWidget(w)

    def restore(self) -> None:
        """Keep the damaged file aside, put the backup in place — on a worker thread."""
        assert self.backup is not None
        self.buttons.setEnabled(False)
        self.progress.show()
        self.status.setText(_("Restoring the backup…"))
        backup_path, db_path = self.backup.path, self.db_path
        relay = Relay()
        relay.finished.connect(self._finished)
        self._relay = relay
        self.pool.start(Job(lambda: maintenance.restore(db_path, backup_path, SYSTEM, damaged=True), relay))

    @Slot(object, object)
    def _finished(self, result: Any, error: Any) -> None:
        self.progress.hide()
        self._relay = None
        if error is not None:
            self.buttons.setEnabled(True)
            text = error.message if hasattr(error, "message") else error_text(error)
            self.status.setStyleSheet("color: #b00020;")
            self.status.setText(_("The backup could not be restored: {reason}").format(reason=text))
            return
        self.result_message = result.message()
        self.restored.emit(result)
        self.accept()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the restore is done (tests only)."""
        return self.pool.waitForDone(msecs)

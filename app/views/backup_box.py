"""Settings section: back up to a chosen folder or USB stick, and restore from a backup file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.i18n import _
from app.services import maintenance
from app.services.capabilities import may
from app.views.messages import confirm
from app.views.worker import Worker


def _message(error: Exception) -> str:
    from app.views.messages import error_text

    return getattr(error, "message", None) or error_text(error)


class BackupBox(QGroupBox):
    """Backups are files: one copy of the whole database, attachments included."""

    restore_requested = Signal(Path)

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(_("Backups"), parent)
        self.worker = worker
        self.db_path = Path(worker.desk.db.path)
        layout = QVBoxLayout(self)
        hint = QLabel(_("The program backs up the database every day into {folder} and keeps the last 30 daily "
                        "and 12 monthly copies. Make an extra copy on a USB stick before you take the PC away "
                        "or install a new version.").format(folder=maintenance.backups_folder()))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        row = QHBoxLayout()
        self.backup_button = QPushButton(_("Back up to a folder or USB stick…"))
        self.backup_button.setObjectName("backup_to")
        self.backup_button.clicked.connect(self.choose_backup_folder)
        row.addWidget(self.backup_button)
        self.restore_button = QPushButton(_("Restore from a backup…"))
        self.restore_button.setObjectName("restore_from")
        self.restore_button.clicked.connect(self.choose_restore_file)
        self.restore_button.setVisible(may(worker.desk.actor, "backup:restore"))
        row.addWidget(self.restore_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setObjectName("backup_status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    def choose_backup_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the folder or USB stick for the backup"))
        if folder:
            self.backup_to(Path(folder))

    def backup_to(self, folder: Path) -> None:
        """Write the backup on the worker thread; a pulled stick or full disk gives a message, no partial file."""
        self.backup_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(_("Backing up…"))
        db_path = self.db_path
        self.worker.submit(lambda: maintenance.backup(db_path, folder), on_done=self._backed_up,
                           on_error=self._failed)

    def _backed_up(self, result: maintenance.BackupResult) -> None:
        self.backup_button.setEnabled(True)
        self.status.setStyleSheet("color: #1b5e20;")
        self.status.setText(result.message())

    def _failed(self, error: Exception) -> None:
        self.backup_button.setEnabled(True)
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(_("The backup was not made: {reason}").format(reason=_message(error)))

    def choose_restore_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Choose a backup file"), str(maintenance.backups_folder()),
                                                    _("Database backups (*.sqlite3 *.db);;All files (*)"))
        if path:
            self.request_restore(Path(path))

    def request_restore(self, path: Path) -> None:
        """Check the file on the worker (it may be large), then ask before replacing anything."""
        self.restore_button.setEnabled(False)
        self.worker.submit(lambda: maintenance.inspect_backup(path), on_done=lambda info: self._inspected(path, info),
                           on_error=self._failed)

    def _inspected(self, path: Path, info: object) -> None:
        self.restore_button.setEnabled(True)
        if not getattr(info, "ok", False):
            self.status.setStyleSheet("color: #b00020;")
            self.status.setText(getattr(info, "problem", ""))
            return
        if confirm(self, _("Restore from a backup"),
                   _("Replace the current data with the backup {name}? The current database is kept as a backup "
                     "first. The program then starts again and asks you to log in.").format(name=path.name)):
            self.restore_requested.emit(path)

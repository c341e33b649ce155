"""Showing errors to people: the message in their language, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum

from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.errors import DatabaseRefused, NeedsConfirmation, NotFound, StaleRecord, ValidationError
from app.domain.lifecycle import TransitionRefused
from app.i18n import _
from app.services.permissions import PermissionDenied

log = logging.getLogger(__name__)


def error_text(error: BaseException) -> str:
    if isinstance(error, ValidationError | PermissionDenied | NeedsConfirmation | TransitionRefused
                  | DatabaseRefused):
        return error.message
    if isinstance(error, NotFound | StaleRecord):
        return str(error)
    if isinstance(error, OSError):
        return _("The file could not be read or written: {reason}").format(reason=error.strerror or str(error))
    log.error("unexpected error: %s", getattr(error, "__traceback_text__", repr(error)))
    return _("Something went wrong and nothing was saved. Details: {detail}").format(detail=str(error) or repr(error))


def show_error(parent: QWidget | None, error: BaseException) -> None:
    title = _("Could not save") if isinstance(error, ValidationError) else _("Error")
    QMessageBox.warning(parent, title, error_text(error))


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


class UnsavedChoice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def may_close(parent: QWidget | None, save_then_close: Callable[[], None]) -> bool:
    """A form with unsaved changes is being closed: asks (保存/不保存/取消). True when it may close now (不保存);
    保存 starts `save_then_close` (which closes the form once the save succeeded) and keeps it open meanwhile;
    取消 keeps it open."""
    choice = ask_unsaved(parent)
    if choice is UnsavedChoice.SAVE:
        save_then_close()
    return choice is UnsavedChoice.DISCARD


def ask_unsaved(parent: QWidget | None, what: str = "") -> UnsavedChoice:
    """A form with unsaved changes is being closed: save them, drop them, or stay (保存/不保存/取消)."""
    box = QMessageBox(QMessageBox.Icon.Question, _("Unsaved changes"),
                      what or _("This form has changes that are not saved yet. Save them before closing?"),
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("unsaved_box")
    box.button(QMessageBox.StandardButton.Save).setText(_("Save"))
    box.button(QMessageBox.StandardButton.Discard).setText(_("Don't save"))
    box.button(QMessageBox.StandardButton.Cancel).setText(_("Cancel"))
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return UnsavedChoice.SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return UnsavedChoice.DISCARD
    return UnsavedChoice.CANCEL

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from app.views import messages


@pytest.fixture(autouse=True)
def _qt_settings_in_tmp(tmp_path: Path, qapp) -> None:
    """Window geometry and other view state go to a per-test folder, not the user's config."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QSettings("spdesk", "spdesk").clear()


@pytest.fixture(autouse=True)
def _closing_drops_unsaved_edits(monkeypatch: pytest.MonkeyPatch) -> None:
    """A form closed at a test's end does not stop on the modal 'save changes?' question (which would
    wait forever offscreen); tests of that question patch `messages.ask_unsaved` themselves."""
    monkeypatch.setattr(messages, "ask_unsaved", lambda *args, **kwargs: messages.UnsavedChoice.DISCARD)

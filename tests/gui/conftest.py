from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def _qt_settings_in_tmp(tmp_path: Path, qapp) -> None:
    """Window geometry and other view state go to a per-test folder, not the user's config."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QSettings("spdesk", "spdesk").clear()

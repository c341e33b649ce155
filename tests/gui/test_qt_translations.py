"""Qt's own dialogs follow the language: its shipped qtbase_zh_CN catalog, plus the few Qt 6 strings that
catalog lacks (the file dialog's "Folder")."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFileInfo, QLibraryInfo
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileIconProvider

from app.i18n import set_language
from app.views.app import install_qt_translations


def _kind(path: Path) -> str:
    return QFileIconProvider().type(QFileInfo(str(path)))


def test_file_dialog_and_buttons_in_chinese_and_back_in_english(qapp: QApplication, tmp_path: Path):
    catalog = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)) / "qtbase_zh_CN.qm"
    assert catalog.is_file()  # shipped with PySide6, and kept in the installer bundle (installer/spdesk.spec)
    try:
        set_language("zh_CN")
        install_qt_translations(qapp, "zh_CN")
        assert _kind(tmp_path) == "文件夹"
        assert QCoreApplication.translate("QFileDialog", "Look in:") == "查找范围："  # Qt's own catalog
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
        set_language("en")
        install_qt_translations(qapp, "en")  # a language change swaps them out
        assert _kind(tmp_path) == "Folder"
        assert QCoreApplication.translate("QFileDialog", "Look in:") == "Look in:"
    finally:
        set_language("zh_CN")
        install_qt_translations(qapp, "zh_CN")

"""First run: the office's name, the language, and whether to add sample data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import LANGUAGES, _, current_language, set_language
from app.services import demo
from app.services import settings as settings_service
from app.services.context import Desk
from app.views.messages import error_text
from app.views.worker import Worker


class SetupDialog(QDialog):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = Worker(desk, self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.office = QLineEdit()
        self.office.setObjectName("office_name")
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language())))
        self.sample = QCheckBox()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        self.form = QFormLayout()
        self.form.addRow("", self.office)
        self.form.addRow("", self.language)
        self.form.addRow("", self.sample)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.language.currentIndexChanged.connect(self._language_changed)
        self.retranslate()
        self.resize(520, 260)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Welcome to Service Purchase Desk"))
        self.intro.setText(_("Before you start, tell the program which office it works for. "
                             "You can change this later in Settings."))
        self.form.labelForField(self.office).setText(_("Office name"))
        self.form.labelForField(self.language).setText(_("Language"))
        self.form.labelForField(self.sample).setText("")
        self.office.setPlaceholderText(_("for example: XX区XX街道办事处"))
        self.sample.setText(_("Add sample data to try the program (clearly marked, can be deleted)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Start"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))

    def _language_changed(self) -> None:
        set_language(self.language.currentData())
        self.retranslate()

    def save(self) -> None:
        name, lang, sample = self.office.text(), self.language.currentData(), self.sample.isChecked()
        self.buttons.setEnabled(False)
        self.error.clear()

        def job(session, actor):  # type: ignore[no-untyped-def]
            settings_service.complete_setup(session, actor, name, lang)
            if sample:
                demo.load_sample(session, actor)

        self.worker.call(job, on_done=lambda _r: self.accept(), on_error=self._failed)

    def _failed(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(error_text(error))
        self.office.setFocus(Qt.FocusReason.OtherFocusReason)

"""Settings: office name, language, and the list of service domains."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import LANGUAGES, _, current_language, ngettext, set_language
from app.services import demo, orgs, practice
from app.services import settings as settings_service
from app.services.capabilities import may
from app.views.agreements.settings_section import AgreementSettingsSection
from app.views.backup_box import BackupBox
from app.views.messages import confirm, error_text
from app.views.pages import page_title
from app.views.rules_section import RulesSection
from app.views.users_page import UsersBox
from app.views.worker import Worker


class SettingsPage(QWidget):
    language_changed = Signal(str)
    restore_requested = Signal(Path)
    idle_lock_changed = Signal(int)  # minutes (0: never)
    practice_requested = Signal()  # open the practice data
    office_requested = Signal()  # from the practice data back to the office's database

    loads_when_built = True  # reads in __init__; the main window does not refresh it again at once

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        # The sections scroll, so the page fits a low office screen.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        content = QWidget()
        scroll.setWidget(content)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(page_title(_("Settings")))

        office_box = QGroupBox(_("Office"))
        office_box.setMaximumWidth(760)
        form = QFormLayout(office_box)
        self.office = QLineEdit()
        self.office.setObjectName("office_name")
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language())))
        form.addRow(_("Office name"), self.office)
        self.details: dict[str, QLineEdit] = {}
        for key, label in settings_service.OFFICE_DETAILS.items():
            edit = QLineEdit()
            edit.setObjectName(key)
            edit.setPlaceholderText(_(settings_service.OFFICE_DETAIL_HINTS.get(key, settings_service.DEFAULT_DETAIL_HINT)))
            self.details[key] = edit
            form.addRow(_(label), edit)
        form.addRow(_("Language"), self.language)
        self.idle_lock = QSpinBox()
        self.idle_lock.setObjectName("idle_lock")
        self.idle_lock.setRange(0, settings_service.IDLE_LOCK_MAX)
        self.idle_lock.setValue(settings_service.IDLE_LOCK_DEFAULT)
        self.idle_lock.setSpecialValueText(_("never"))
        self.idle_lock.setSuffix(_(" min"))
        self.idle_lock.setMaximumWidth(160)
        form.addRow(_("Lock after idle minutes"), self.idle_lock)
        self.save_button = QPushButton(_("Save"))
        self.save_button.clicked.connect(self.save)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        form.addRow(row)
        layout.addWidget(office_box)

        domain_box = QGroupBox(_("Service domains"))
        domain_box.setMaximumWidth(760)
        dl = QVBoxLayout(domain_box)
        hint = QLabel(_("One domain per line. Domains already used by organizations are kept on their records."))
        hint.setWordWrap(True)
        dl.addWidget(hint)
        self.domains = QPlainTextEdit()
        self.domains.setObjectName("domains")
        self.domains.setMaximumHeight(220)
        dl.addWidget(self.domains)
        self.save_domains_button = QPushButton(_("Save domains"))
        self.save_domains_button.clicked.connect(self.save_domains)
        self.domain_status = QLabel()
        drow = QHBoxLayout()
        drow.addWidget(self.save_domains_button)
        drow.addWidget(self.domain_status, 1)
        dl.addLayout(drow)
        layout.addWidget(domain_box)
        me = worker.desk.actor
        if me.id is not None:
            account_box = QGroupBox(_("My account"))
            account_box.setMaximumWidth(760)
            arow = QHBoxLayout(account_box)
            arow.addWidget(QLabel(_("Logged in as {name} ({user})").format(name=me.label, user=me.username)), 1)
            self.password_button = QPushButton(_("Change my password…"))
            self.password_button.setObjectName("change_password")
            self.password_button.clicked.connect(self.change_password)
            arow.addWidget(self.password_button)
            layout.addWidget(account_box)
        self.users: UsersBox | None = None
        if may(worker.desk.actor, "users:manage"):
            self.users = UsersBox(worker)
            self.users.setMaximumWidth(760)
            layout.addWidget(self.users)
        self.agreement_settings: AgreementSettingsSection | None = None
        if may(worker.desk.actor, "settings:edit"):
            self.agreement_settings = AgreementSettingsSection(worker)
            self.agreement_settings.setMaximumWidth(760)
            layout.addWidget(self.agreement_settings)
            self.rules = RulesSection(worker)
            self.rules.setMaximumWidth(760)
            layout.addWidget(self.rules)
        layout.addWidget(self._practice_box())
        self.backups = BackupBox(worker)
        self.backups.setMaximumWidth(760)
        self.backups.restore_requested.connect(self.restore_requested)
        layout.addWidget(self.backups)
        layout.addStretch(1)
        self.refresh()

    def _practice_box(self) -> QGroupBox:
        box = QGroupBox(_("Practice data"))
        box.setObjectName("practice_box")
        box.setMaximumWidth(760)
        v = QVBoxLayout(box)
        self.practice_note = QLabel(_("Sample organizations, projects and agreements to try every screen. They "
                                      "live in a separate practice database, never in the office's records; you "
                                      "log in there with your own password, and the practice colleagues 练习经办人 "
                                      "and 练习审核人 use it too."))
        self.practice_note.setWordWrap(True)
        v.addWidget(self.practice_note)
        row = QHBoxLayout()
        self.practice_button = QPushButton(_("Open practice data"))
        self.practice_button.setObjectName("open_practice")
        self.practice_button.clicked.connect(self._practice_clicked)
        row.addWidget(self.practice_button)
        self.remove_samples_button = QPushButton(_("Remove sample data…"))
        self.remove_samples_button.setObjectName("remove_samples")
        self.remove_samples_button.setToolTip(_("Earlier versions put sample records into the office's database; "
                                                "this removes them and everything attached to them."))
        self.remove_samples_button.clicked.connect(self.remove_samples)
        self.remove_samples_button.hide()
        row.addWidget(self.remove_samples_button)
        self.practice_status = QLabel()
        self.practice_status.setObjectName("practice_status")
        self.practice_status.setWordWrap(True)
        row.addWidget(self.practice_status, 1)
        v.addLayout(row)
        self.in_practice = False
        self.sample_counts: dict[str, int] = {}
        return box

    def _practice_clicked(self) -> None:
        (self.office_requested if self.in_practice else self.practice_requested).emit()

    def _show_practice(self, state: tuple[bool, dict[str, int]]) -> None:
        self.in_practice, self.sample_counts = state
        self.practice_button.setText(_("Back to the office's data") if self.in_practice
                                     else _("Open practice data"))
        self.remove_samples_button.setVisible(
            not self.in_practice and may(self.worker.desk.actor, "samples:remove")
            and any(self.sample_counts.values()))

    def remove_samples(self) -> None:
        c = self.sample_counts
        text = _("Remove the sample data from the office's database: {orgs}, {projects} and {agreements}, with "
                 "everything attached to them? Real records are not touched. This cannot be undone.").format(
            orgs=ngettext("{n} organization", "{n} organizations", c.get("organizations", 0)).format(
                n=c.get("organizations", 0)),
            projects=ngettext("{n} purchase project", "{n} purchase projects",
                                                c.get("projects", 0)).format(n=c.get("projects", 0)),
            agreements=ngettext("{n} service agreement", "{n} service agreements", c.get("agreements", 0)).format(
                n=c.get("agreements", 0)))
        if not confirm(self, _("Remove sample data"), text):
            return

        def done(_counts: dict[str, int]) -> None:
            self.practice_status.setText(_("The sample data was removed."))
            self.refresh()

        self.worker.call(demo.remove_sample_data, on_done=done,
                         on_error=lambda e: self.practice_status.setText(error_text(e)))

    def refresh(self) -> None:
        self.worker.call(lambda s, a: (practice.is_practice(s, a), demo.sample_counts(s, a)),
                         on_done=self._show_practice)
        self.worker.call(settings_service.get_all, on_done=self._show_settings)
        self.worker.call(orgs.list_domains,
                         on_done=lambda rows: self.domains.setPlainText("\n".join(r.name for r in rows)))
        if self.agreement_settings is not None:
            self.agreement_settings.refresh()

    def _show_settings(self, values: dict[str, str]) -> None:
        self.office.setText(values.get(settings_service.OFFICE_NAME, ""))
        for key, edit in self.details.items():
            edit.setText(values.get(key, ""))
        self.worker.call(settings_service.idle_lock_minutes, on_done=self.idle_lock.setValue)

    def save(self) -> None:
        lang = self.language.currentData()
        details = {key: edit.text() for key, edit in self.details.items()}
        changed = lang != current_language()

        minutes = self.idle_lock.value()

        def done(_r: object) -> None:
            self.idle_lock_changed.emit(minutes)
            if changed:
                set_language(lang)
                self.language_changed.emit(lang)
            else:
                self.status.setText(_("Saved."))

        office = self.office.text()

        self.worker.call(settings_service.update_all, office, lang, details, minutes, on_done=done,
                         on_error=lambda e: self.status.setText(error_text(e)))

    def change_password(self) -> None:
        from app.views.password_dialog import ChangePasswordDialog

        dlg = ChangePasswordDialog(self.worker, self)
        if dlg.exec() == ChangePasswordDialog.DialogCode.Accepted:
            self.status.setText(_("Your password was changed."))

    def save_domains(self) -> None:
        names = self.domains.toPlainText().splitlines()
        self.worker.call(orgs.save_domains, names, on_done=lambda _r: self.domain_status.setText(_("Saved.")),
                         on_error=lambda e: self.domain_status.setText(error_text(e)))

"""The main window: navigation on the left, one page at a time on the right."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from app.i18n import N_, _
from app.services import practice
from app.services import settings as settings_service
from app.services.context import Actor, Desk
from app.views.messages import error_text
from app.views.pages import PlaceholderPage
from app.views.worker import Worker

# (key, label, what a placeholder page says until its feature lands)
NAVIGATION: list[tuple[str, str, str]] = [
    ("dashboard", N_("Dashboard"), ""),
    ("organizations", N_("Organizations"), ""),
    ("projects", N_("Projects"), N_("Purchase projects (budget, requirement, procurement, award) come with the next "
                                    "version of the program.")),
    ("agreements", N_("Agreements"), N_("Yearly service agreements and their lifecycle come with the next version "
                                        "of the program.")),
    ("assessments", N_("Assessments"), ""),
    ("summaries", N_("Summaries"), ""),
    ("templates", N_("Templates"), N_("Contract templates and printing come in a later version of the program.")),
    ("audit", N_("Audit trail"), ""),
    ("settings", N_("Settings"), ""),
]


class LazyPages(Mapping[str, QWidget]):
    """The window's pages by key, each built the first time it is asked for (shown, or opened from
    another page): building all nine at log-in cost seconds at district scale and started every
    page's first queries on the worker, ahead of the page the person looks at."""

    def __init__(self, keys: list[str], build: Callable[[str], QWidget]) -> None:
        self._keys = keys
        self._build = build
        self._built: dict[str, QWidget] = {}

    def __getitem__(self, key: str) -> QWidget:
        if key not in self._built:
            if key not in self._keys:
                raise KeyError(key)
            self._built[key] = self._build(key)
        return self._built[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def built(self) -> dict[str, QWidget]:
        return dict(self._built)


class _ActivityWatch(QObject):
    """Restarts the idle timer on any keyboard or mouse input in the program."""

    INPUT = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel)

    def __init__(self, timer: QTimer, parent: QObject) -> None:
        super().__init__(parent)
        self.timer = timer

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in self.INPUT and self.timer.interval() > 0 and self.timer.isActive():
            self.timer.start()
        return False


class MainWindow(QMainWindow):
    user_switched = Signal(object)  # the Actor now working

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.worker = Worker(desk, self)
        self.pages: LazyPages = LazyPages([], QWidget)
        self.restart_requested = False  # set after a restore: run_gui opens the database again
        self.next_database: Path | None = None  # set to move to the practice data or back
        self.practice = False  # this database holds practice data (练习数据)
        self.practice_label = QLabel()
        self.practice_label.setObjectName("practice_label")
        self.practice_label.setStyleSheet("background: #fff0c2; color: #7a4b00; font-weight: bold;"
                                          " padding: 1px 8px; border-radius: 3px;")
        self.practice_label.hide()
        self._settings = QSettings("spdesk", "spdesk")
        self.db_label = QLabel()
        self.busy_label = QLabel()
        self.user_label = QLabel()
        self.user_label.setObjectName("user_label")
        self.switch_button = QToolButton()
        self.switch_button.setObjectName("switch_user")
        self.switch_button.setAutoRaise(True)
        self.switch_action = QAction(self)
        self.switch_action.setObjectName("switch_user_action")
        self.switch_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.switch_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.switch_action.triggered.connect(lambda: self.log_out("switch"))
        self.lock_action = QAction(self)
        self.lock_action.setObjectName("lock_action")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(lambda: self.log_out("lock"))
        self.addAction(self.switch_action)
        self.addAction(self.lock_action)
        self.switch_button.setDefaultAction(self.switch_action)
        self.statusBar().addPermanentWidget(self.practice_label)
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.switch_button)
        self.statusBar().addPermanentWidget(self.db_label)
        # Locks the window after the configured minutes without keyboard or mouse.
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(lambda: self.log_out("lock"))
        self._activity = _ActivityWatch(self.idle_timer, self)
        qapp = QApplication.instance()
        if qapp is not None:
            qapp.installEventFilter(self._activity)
        self.locked = False
        self.worker.busy_changed.connect(lambda busy: self.busy_label.setText(_("Working…") if busy else ""))
        self.build()
        self.restore_size()

    def restore_size(self) -> None:
        """The size of the last session, clamped to this screen; on first run, sized to the screen
        (maximized on a screen smaller than 1366×800, where a fixed 1280×800 would hang off it)."""
        from app.views.layout_helpers import available_area, fit_to_screen

        geometry = self._settings.value("main_window/geometry")
        if geometry is not None and self.restoreGeometry(geometry):
            fit_to_screen(self)
            return
        area = available_area(self)
        if area.width() < 1366 or area.height() < 800:
            self.resize(area.size())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        else:
            self.resize(1280, 800)

    # Building is separate from __init__ so a language switch can rebuild every page.
    def build(self) -> None:
        current = self.nav.currentRow() if hasattr(self, "nav") else 0
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(168)
        self.nav.setStyleSheet(
            "QListWidget#navigation { font-size: 11pt; border: none; background: #f3f5f8; padding-top: 8px;"
            " outline: 0; }"
            "QListWidget#navigation::item { padding: 9px 14px; }"
            "QListWidget#navigation::item:selected { background: #d7e4f5; color: #0b3d91; }")
        self.stack = QStackedWidget()
        self._factories: dict[str, Callable[[], QWidget]] = {
            "dashboard": self._dashboard_page,
            "organizations": self._organizations_page,
            "projects": self._projects_page,
            "settings": self._settings_page,
            "audit": self._audit_page,
            "templates": self._templates_page,
            "agreements": self._agreements_page,
            "summaries": self._summaries_page,
            "assessments": self._assessments_page,
        }
        self.pages = LazyPages([key for key, _l, _p in NAVIGATION], self._build_page)
        for _key, label, _placeholder in NAVIGATION:
            self.stack.addWidget(QWidget())  # stands in for the page until it is first shown
            item = QListWidgetItem(_(label))
            item.setData(Qt.ItemDataRole.UserRole, _key)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_page)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        old = self.centralWidget()
        self.setCentralWidget(central)
        if old is not None:
            old.deleteLater()
        self.nav.setCurrentRow(current)
        if NAVIGATION[current][0] not in self.pages.built():  # the row was current already: no signal
            self._show_page(current)
        self.retranslate_chrome()

    def _build_page(self, key: str) -> QWidget:
        """Build one page and put it in its place in the stack."""
        index = [k for k, _l, _p in NAVIGATION].index(key)
        label, placeholder = NAVIGATION[index][1], NAVIGATION[index][2]
        page = self._factories[key]() if key in self._factories else PlaceholderPage(_(label), _(placeholder))
        page.setObjectName(f"page_{key}")
        stand_in = self.stack.widget(index)
        current = self.stack.currentIndex()
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(stand_in)
        stand_in.deleteLater()
        if current == index:
            self.stack.setCurrentIndex(index)
        return page

    def _dashboard_page(self) -> QWidget:
        from app.views.dashboard_page import DashboardPage

        page = DashboardPage(self.worker, self.go_to)
        page.record_opened.connect(self._open_record)
        return page

    def _open_record(self, kind: str, record_id: int) -> None:
        """One click on a to-do opens its record."""
        if kind == "agreement":
            self._open_agreement(record_id)
        elif kind == "project":
            self.go_to("projects")
            opener = getattr(self.pages.get("projects"), "open_form", None)
            if callable(opener):
                opener(record_id)

    def _summaries_page(self) -> QWidget:
        from app.views.summaries_page import SummariesPage

        return SummariesPage(self.worker)

    def _organizations_page(self) -> QWidget:
        from app.views.orgs.page import OrganizationsPage

        return OrganizationsPage(self.worker)

    def _projects_page(self) -> QWidget:
        from app.views.projects.page import ProjectsPage

        page = ProjectsPage(self.worker)
        page.agreement_opened.connect(self._open_agreement)
        return page

    def _open_agreement(self, agreement_id: int) -> None:
        """From a project's agreement list to the agreement screen (when it offers open_agreement)."""
        self.go_to("agreements")
        opener = getattr(self.pages.get("agreements"), "open_agreement", None)
        if callable(opener):
            opener(agreement_id)

    def _agreements_page(self) -> QWidget:
        from app.views.agreements.page import AgreementsPage

        return AgreementsPage(self.worker)

    def _assessments_page(self) -> QWidget:
        from app.views.assessments.page import AssessmentsPage

        page = AssessmentsPage(self.worker)
        page.agreement_opened.connect(self._open_agreement)
        return page

    def _templates_page(self) -> QWidget:
        from app.views.templates_page import TemplatesPage

        return TemplatesPage(self.worker)

    def _audit_page(self) -> QWidget:
        from app.views.audit_page import AuditPage

        return AuditPage(self.worker)

    def _settings_page(self) -> QWidget:
        from app.views.settings_page import SettingsPage

        page = SettingsPage(self.worker)
        page.language_changed.connect(self._language_changed)
        page.restore_requested.connect(self.restore_backup)
        page.idle_lock_changed.connect(self.apply_idle_lock)
        page.practice_requested.connect(self.open_practice)
        page.office_requested.connect(self.open_office)
        return page

    def restore_backup(self, path: Path) -> None:
        """Close the database, restore the backup on the worker thread, then start again (new log-in)."""
        from app.services import maintenance

        self.worker.wait()
        db_path, actor = Path(self.desk.db.path), self.desk.actor
        self.desk.db.dispose()  # releases the instance lock the restore takes
        progress = QProgressDialog(_("Restoring the backup…"), "", 0, 0, self)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.show()
        self._restore_progress = progress

        def done(result: maintenance.RestoreResult) -> None:
            progress.close()
            QMessageBox.information(self, _("Backup restored"), result.message())
            self.restart_requested = True
            self.close()

        def failed(error: Exception) -> None:
            progress.close()
            from app.views.app import reopen_database

            reopen_database(self.desk)
            QMessageBox.warning(self, _("The backup was not restored"),
                                getattr(error, "message", None) or str(error))

        self.worker.submit(lambda: maintenance.restore(db_path, path, actor), on_done=done, on_error=failed)

    # -- who is working -----------------------------------------------------------------------

    def apply_idle_lock(self, minutes: int) -> None:
        """Lock after `minutes` without input (0: never). Settings calls this when it changes."""
        self.idle_minutes = minutes
        if minutes > 0:
            self.idle_timer.setInterval(minutes * 60_000)
            self.idle_timer.start()
        else:
            self.idle_timer.stop()

    def log_out(self, purpose: str = "switch") -> bool:
        """Log out and let someone log in ("switch"), or lock until a password is given ("lock").

        Open dialogs are closed first, each through its own Cancel, so a form with unsaved changes
        asks before anything is lost; if one stays open the log-out does not happen. While the
        log-in box is up the pages are hidden. Returns whether someone is logged in afterwards
        (False when the person quit from the box: the window closes)."""
        from app.views.login_dialog import LoginDialog

        if self.locked:
            return True
        for dialog in [w for w in QApplication.topLevelWidgets()
                       if isinstance(w, QDialog) and w.isVisible() and w is not getattr(self, "_login", None)]:
            dialog.reject()
            if dialog.isVisible():
                return True  # the person chose to keep working in it
        self.idle_timer.stop()
        self.locked = True
        self.worker.cancel_reads()
        self.worker.wait()
        self.centralWidget().setVisible(False)
        login = LoginDialog(self.worker, self, purpose=purpose,
                            current=self.desk.actor if purpose == "lock" else None)
        self._login = login
        accepted = login.exec() == QDialog.DialogCode.Accepted
        self._login = None
        self.locked = False
        if not accepted or login.actor is None:
            self.close()
            return False
        if login.actor != self.desk.actor or purpose == "switch":
            self.switch_user(login.actor)
        self.centralWidget().setVisible(True)
        self.apply_idle_lock(getattr(self, "idle_minutes", 0))
        return True

    def switch_user(self, actor: Actor) -> None:
        """From now on the window acts as `actor`: every page is built again for their roles."""
        self.worker.cancel_reads()
        self.worker.wait()
        self.desk = Desk(self.desk.db, actor)
        self.worker.desk = self.desk
        self.nav.setCurrentRow(0)
        self.build()
        self.user_switched.emit(actor)

    def retranslate_chrome(self) -> None:
        self.db_label.setText(_("Database: {path}").format(path=self.desk.db.path))
        self.user_label.setText(_("User: {name}").format(name=self.desk.actor.label))
        self.switch_action.setText(_("Log out / switch user"))
        self.switch_action.setToolTip(_("Log out and let another person log in (Ctrl+Shift+L); lock: Ctrl+L"))
        self.lock_action.setText(_("Lock"))
        self.worker.call(settings_service.idle_lock_minutes, on_done=self.apply_idle_lock)
        self.worker.call(lambda s, a: settings_service.get(s, settings_service.OFFICE_NAME),
                         on_done=self._set_title)
        self.worker.call(practice.is_practice, on_done=self._set_practice)

    def _set_practice(self, flag: bool) -> None:
        self.practice = flag
        self.practice_label.setText(_("Practice data — not the office's records") if flag else "")
        self.practice_label.setVisible(flag)
        self._set_title(getattr(self, "_office", ""))

    def open_practice(self) -> None:
        """Prepare the practice database beside this one and start again on it, as the same person."""
        db, actor = self.desk.db, self.desk.actor

        def done(path: Path) -> None:
            self.next_database = path
            self.close()

        self.worker.submit(lambda: practice.prepare(db, actor), on_done=done,
                           on_error=lambda e: QMessageBox.warning(self, _("Practice data"), error_text(e)))

    def open_office(self) -> None:
        """From the practice data back to the office's own database."""
        self.next_database = practice.office_path(self.desk.db.path)
        self.close()

    def _set_title(self, office: str) -> None:
        self._office = office
        title = _("Service Purchase Desk")
        title = f"{title} — {office}" if office else title
        self.setWindowTitle(_("[Practice data] {title}").format(title=title) if self.practice else title)

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        key = NAVIGATION[row][0]
        fresh = key not in self.pages.built()
        page = self.pages[key]
        self.stack.setCurrentWidget(page)
        refresh = getattr(page, "refresh", None)
        if callable(refresh) and not (fresh and getattr(page, "loads_when_built", False)):
            refresh()

    def go_to(self, key: str) -> None:
        keys = [k for k, _l, _p in NAVIGATION]
        self.nav.setCurrentRow(keys.index(key))

    def _language_changed(self, lang: str) -> None:
        from app.views.app import install_qt_translations

        qapp = QApplication.instance()
        if isinstance(qapp, QApplication):
            install_qt_translations(qapp, lang)
        self.worker.cancel_reads()
        self.build()
        self.go_to("settings")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._settings.setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.idle_timer.stop()
        self.worker.cancel_reads()
        qapp = QApplication.instance()
        if qapp is not None:
            qapp.removeEventFilter(self._activity)
        self.worker.wait()

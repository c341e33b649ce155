"""Starting the window: Qt application, translations, fonts, database, first-run setup."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.i18n import _, current_language, set_language
from app.paths import resource_path

if TYPE_CHECKING:  # SQLAlchemy, the models and the services load after the log-in window is up (issue 17)
    from app.services.context import Actor, Desk
    from app.services.login_start import LoginStart
    from app.views.login_dialog import LoginDialog
    from app.views.startup_check import StartupCheck
    from app.views.worker import Worker

_qt_translators: list[QTranslator] = []


class QtGapsTranslator(QTranslator):
    """Qt 6 strings its shipped qtbase_zh_CN catalog lacks: the file dialog's kinds ("Folder", "Drive", …)
    moved to the context QAbstractFileIconProvider in Qt 6, and the catalog (6.9) has them only under the
    old QFileIconProvider, so a Chinese file dialog said "Folder". Anything else falls through to Qt's."""

    ZH_CN = {
        ("QAbstractFileIconProvider", "Folder"): "文件夹",
        ("QAbstractFileIconProvider", "Drive"): "驱动器",
        ("QAbstractFileIconProvider", "File"): "文件",
        ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
        ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
        ("QAbstractFileIconProvider", "Alias"): "替身",
    }

    def translate(self, context: str, source_text: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        return self.ZH_CN.get((context, source_text), "")

    def isEmpty(self) -> bool:
        return False


def install_qt_translations(app: QApplication, lang: str) -> None:
    """Qt's own dialogs (buttons, file dialogs) in the chosen language, from Qt's shipped catalogs."""
    for t in _qt_translators:
        app.removeTranslator(t)
    _qt_translators.clear()
    # The name Qt appends to window titles follows the language too (not Chinese in English titles).
    app.setApplicationDisplayName(_("Service Purchase Desk"))
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China) if lang == "zh_CN"
                       else QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    if lang == "en":
        return
    gaps = QtGapsTranslator(app)
    app.installTranslator(gaps)
    _qt_translators.append(gaps)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase",):
        t = QTranslator(app)
        if t.load(f"{name}_{lang}", path):
            app.installTranslator(t)
            _qt_translators.append(t)


def load_fonts(app: QApplication) -> None:
    """Bundled CJK fonts, so Chinese shows on a PC without Chinese fonts."""
    folder = resource_path("fonts")
    families: list[str] = []
    if folder.is_dir():
        for f in sorted(folder.iterdir()):
            # The screen needs the sans faces only; the Ming print face (a 21 MB collection) stays out of
            # Qt's font database, which would parse it at every start.
            if f.suffix.lower() in {".ttf", ".otf"}:
                fid = QFontDatabase.addApplicationFont(str(f))
                families += QFontDatabase.applicationFontFamilies(fid)
    font = app.font()
    if font.pointSizeF() < 10:
        font.setPointSizeF(10.5)
    preferred = ["Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", *families]
    available = set(QFontDatabase.families())
    for fam in preferred:
        if fam in available:
            font.setFamilies([fam, *[f for f in preferred if f != fam and f in available]])
            break
    app.setFont(font)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("spdesk")
    app.setOrganizationName("spdesk")
    app.setApplicationDisplayName(_("Service Purchase Desk"))
    icon = resource_path("icons", "spdesk.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    load_fonts(app)
    from app.views.layout_helpers import install_screen_fit

    install_screen_fit(app)
    QFont.insertSubstitution("Sans", app.font().family())
    return app


def open_desk(db_path: Path) -> Desk:
    from app.services.context import Desk
    from app.services.orgs import ensure_registry_defaults
    from app.store.startup import open_database

    desk = Desk(open_database(db_path))
    desk.run(ensure_registry_defaults)
    return desk


def smoke_test_window(desk: Desk, settings_dir: Path, pdf: Path | None = None) -> str:
    """For `spdesk --self-test`: build and show the main window once, with Qt's Chinese catalog, and
    open `pdf` (a printed contract) the way the print preview does.

    Catches a bundle that lacks a Qt plugin, a translation or a lazily imported module (the print
    preview's, with QtPdf); the caller sets the offscreen platform.
    """
    from PySide6.QtCore import QSettings

    from app.views.main_window import MainWindow

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    qapp = make_application([sys.argv[0] if sys.argv else "spdesk"])
    install_qt_translations(qapp, "zh_CN")
    if not _qt_translators:
        raise RuntimeError("Qt's own Chinese translations (qtbase_zh_CN) were not found")
    window = MainWindow(desk)
    try:
        window.show()
        QApplication.processEvents()
        if not window.isVisible() or window.nav.count() == 0:
            raise RuntimeError("the main window did not show")
        pages = window.nav.count()
    finally:
        window.hide()
        window.shutdown()
        window.deleteLater()
        QApplication.processEvents()
    preview = f", {_smoke_test_preview(pdf)}" if pdf is not None else ""
    return f"{qapp.platformName()}, {pages} pages, Qt zh_CN{preview}"


def _smoke_test_preview(pdf: Path) -> str:
    """The print preview's path: its dialog module loads (QtPdf, QtPdfWidgets) and QtPdf draws page 1."""
    from importlib import import_module

    from PySide6.QtCore import QSize

    import_module("app.views.printing.preview")
    from app.views.printing.pdf import load_pdf

    doc = load_pdf(pdf.read_bytes())
    try:
        if doc.render(0, QSize(210, 297)).isNull():
            raise RuntimeError("QtPdf drew no page of the contract")
        return f"print preview {doc.pageCount()} p"
    finally:
        doc.close()
        doc.deleteLater()


def reopen_database(desk: Desk) -> None:
    """Open the same file again after it was closed for a restore that did not happen."""
    from app.store.startup import open_database

    desk.db = open_database(desk.db.path, daily_backup=False)


def first_run_or_login(desk: Desk, as_user: str | None = None, check: StartupCheck | None = None,
                       worker: Worker | None = None) -> Actor | None:
    """Before any account exists, the setup dialog creates the administrator (also for a database
    set up before accounts existed); otherwise the login dialog. None when the person cancelled.

    `as_user`: the person who just logged in to the other database of this office (moving between the
    office's data and the practice data) goes on without typing the password again. When the setup
    dialog asks for practice data, `desk.wants_practice` is set.

    `check`: the database's start-up checks (not yet started, or running): the log-in window opens at
    once and they run while it waits; the setup dialog, and going on as `as_user`, wait for them first
    (they write at once). A failed check raises its StartupError (the caller offers the recovery)."""
    from app.services import accounts
    from app.views.setup_dialog import SetupDialog
    from app.views.worker import Worker

    if as_user:
        actor = desk.run(accounts.find_actor, as_user)
        if actor is not None:
            wait_for_check(check)
            return actor
    if not desk.run(accounts.has_users):
        wait_for_check(check)
        setup = SetupDialog(desk)
        accepted = setup.exec() == SetupDialog.DialogCode.Accepted
        setup.worker.wait()
        desk.wants_practice = accepted and setup.sample.isChecked()  # type: ignore[attr-defined]
        return setup.admin if accepted else None
    return log_in(worker or (check.worker if check is not None else Worker(desk)), check)


def log_in(worker: Worker, check: StartupCheck | None, start: LoginStart | None = None) -> Actor | None:
    """The log-in window of the program's start (`start`: its contents, read before the database was
    opened); the checks are queued behind its first reads. None when the person cancelled; a failed
    check raises its StartupError."""
    from app.views.login_dialog import LoginDialog

    login = show_login(worker, check, start)
    accepted = login.exec() == LoginDialog.DialogCode.Accepted
    worker.wait()
    if login.startup_error is not None:
        raise login.startup_error
    return login.actor if accepted else None


def show_login(worker: Worker, check: StartupCheck | None, start: LoginStart | None = None) -> LoginDialog:
    """Build the log-in window, queue the checks, and start importing the main window (at once, or, when
    the database is still to be opened, the checks once the window is up and the import once the checks'
    job has imported SQLAlchemy and the services: two threads importing the same packages at once could
    see each other's half-initialised modules)."""
    from app.views.login_dialog import LoginDialog

    login = LoginDialog(worker, check=check, start=start)  # its first reads are queued before the checks
    if check is not None and check.db is None:
        # Opening the file imports SQLAlchemy and the models on the worker: started once the window is up
        # (two threads busy in Python at once would share one interpreter lock and delay the window).
        check.opened.connect(start_preloading)
        login.first_shown.connect(check.start)
        return login
    start_preloading()
    if check is not None:
        check.start()
    return login


# The modules of the main window and of the pages a person sees first (the dashboard, the agreements):
# imported while the log-in window waits for the password, so logging in does not wait for them.
MAIN_WINDOW_MODULES = ("app.views.main_window", "app.views.dashboard_page", "app.views.agreements.page",
                       "app.views.orgs.page", "app.views.projects.page")


def preload_main_window() -> None:
    """Import the main window's modules (about a second under load: services, QtCharts, the pages)."""
    from importlib import import_module

    for name in MAIN_WINDOW_MODULES:
        try:
            import_module(name)
        except Exception:  # noqa: BLE001 - imported again (and any error shown) when the window opens
            return


def start_preloading() -> None:
    """`preload_main_window` on a background thread (imports only: no widget is made there)."""
    import threading

    threading.Thread(target=preload_main_window, name="spdesk-preload", daemon=True).start()


def wait_for_check(check: StartupCheck | None) -> None:
    """Show "Checking the database…" until the start-up checks are done; raise their error if they fail."""
    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtWidgets import QProgressDialog

    from app.views.startup_check import FAILED, RUNNING

    if check is None:
        return
    check.start()
    if check.state == RUNNING:
        progress = QProgressDialog(_("Checking the database…"), "", 0, 0)
        progress.setObjectName("check_progress_dialog")
        progress.setWindowTitle(_("Service Purchase Desk"))
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.setMinimumDuration(300)
        loop = QEventLoop()
        check.passed.connect(loop.quit)
        check.failed.connect(lambda _e: loop.quit())
        if check.state == RUNNING:
            loop.exec()
        progress.close()
        progress.deleteLater()
    if check.state == FAILED and check.error is not None:
        raise check.error


def run_gui(db_path: Path) -> int:
    """Open the database and the window; start again after a restore from a backup (new log-in), or
    on the practice database and back (the same person, without a new log-in)."""
    app = make_application()
    as_user: str | None = None
    while True:
        code, restart, next_path, as_user = _run_once(app, db_path, as_user)
        if not restart:
            return code
        db_path = next_path or db_path


def _prepare_practice(desk: Desk, actor: Actor) -> Path | None:
    from app.services import practice

    try:
        return practice.prepare(desk.db, actor)
    except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
        QMessageBox.warning(None, _("Practice data"), getattr(exc, "message", None) or str(exc))
        return None


def _run_once(app: QApplication, db_path: Path,
              as_user: str | None = None) -> tuple[int, bool, Path | None, str | None]:
    from app.services import login_start

    # The usual start: a file in order with accounts. The log-in window appears before SQLAlchemy and
    # the models are imported (most of a second here): the lock is taken and what the window shows is read
    # with sqlite3; the database is opened on the worker, then checked, while the person types.
    start = None if as_user else login_start.read(db_path)
    if start is not None:
        return _run_from_login(app, db_path, start)
    return _run_checked(app, db_path, as_user)


def _run_from_login(app: QApplication, db_path: Path,
                    start: LoginStart) -> tuple[int, bool, Path | None, str | None]:
    from app.views.startup_check import StartupCheck
    from app.views.worker import Worker

    worker = Worker(None)
    check = StartupCheck.opening(worker, db_path, start.lock)
    try:
        set_language(start.language)
        install_qt_translations(app, start.language)
        actor = log_in(worker, check, start)
    except Exception as exc:
        if check.error is not exc:
            check.wait()
            check.close()
            raise
        check.wait()  # the file could not be opened or failed its checks: explain, offer the backup
        check.close()
        return _cannot_start(app, db_path, exc)
    if actor is None or worker.desk is None:
        check.wait()
        check.close()
        return 0, False, None, None
    return _main_window(app, worker.desk, actor, check)


def _run_checked(app: QApplication, db_path: Path,
                 as_user: str | None = None) -> tuple[int, bool, Path | None, str | None]:
    """The start through open_unchecked (a new file, a pending migration, moving between the office's
    and the practice data, or anything the first look did not find plainly in order)."""
    from app.services.context import Desk
    from app.store.startup import open_unchecked
    from app.views.startup_check import StartupCheck
    from app.views.worker import Worker

    try:
        # Milliseconds: the lock and the schema's revision. The integrity and foreign-key scans (seconds
        # on a large file), a pending migration and the day's backup run on the worker while the log-in
        # window waits; until the scans have passed the database refuses every write.
        db, report = open_unchecked(db_path)
    except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
        return _cannot_start(app, db_path, exc)
    desk = Desk(db)
    worker = Worker(desk)
    check = StartupCheck(worker, db, report)
    try:
        if report.migration_pending:  # nothing reads an older schema: the migration comes first
            wait_for_check(check)
        lang = _stored_language(desk)
        set_language(lang)
        install_qt_translations(app, lang)
        actor = first_run_or_login(desk, as_user, check)
    except Exception as exc:
        if check.error is not exc:
            raise
        check.wait()  # the checks failed: explain, offer the newest good backup
        db.dispose()
        return _cannot_start(app, db_path, exc)
    if actor is None:
        check.wait()
        desk.db.dispose()
        return 0, False, None, None
    return _main_window(app, desk, actor, check)


def _main_window(app: QApplication, desk: Desk, actor: Actor,
                 check: StartupCheck) -> tuple[int, bool, Path | None, str | None]:
    from app.services.context import Desk
    from app.views.main_window import MainWindow

    install_qt_translations(app, current_language())
    if getattr(desk, "wants_practice", False):  # the setup screen asked to start with practice data
        practice_file = _prepare_practice(desk, actor)
        if practice_file is not None:
            check.wait()
            desk.db.dispose()
            return 0, True, practice_file, actor.username
    desk = Desk(desk.db, actor)
    window = MainWindow(desk)
    window.show()
    code = app.exec()
    window.shutdown()
    check.wait()  # the day's backup, if it is still being written
    desk.db.dispose()
    if window.next_database is not None:
        return code, True, window.next_database, window.desk.actor.username
    return code, window.restart_requested, None, None


def _stored_language(desk: Desk) -> str:
    """The language chosen in Settings (one row, read before the checks have passed; a file too damaged
    to read it is found by the checks)."""
    from app.services import settings as settings_service

    try:
        stored = desk.run(lambda s, a: settings_service.get(s, settings_service.LANGUAGE))
    except Exception:  # noqa: BLE001 - the start-up checks report the damage
        return "zh_CN"
    return stored or "zh_CN"


def _cannot_start(app: QApplication, db_path: Path, exc: Exception) -> tuple[int, bool, Path | None, str | None]:
    """The database could not be opened or failed its checks: say why; offer the newest good backup."""
    from app.store.startup import DamagedDatabase, DatabaseInUse, SchemaTooNew, StartupError

    install_qt_translations(app, current_language())
    if isinstance(exc, DamagedDatabase):  # never a silent start on a damaged file: explain, offer the backup
        from app.views.recovery_dialog import RecoveryDialog

        dlg = RecoveryDialog(db_path, exc)
        if dlg.exec() != RecoveryDialog.DialogCode.Accepted:
            return 1, False, None, None
        QMessageBox.information(None, _("Backup restored"), dlg.result_message)
        return 0, True, None, None
    if isinstance(exc, (DatabaseInUse, StartupError)):
        title = (_("Database in use") if isinstance(exc, DatabaseInUse) else
                 _("Database from a newer version") if isinstance(exc, SchemaTooNew) else
                 _("Cannot open the database"))
        QMessageBox.critical(None, title, exc.message)
        return 1, False, None, None
    QMessageBox.critical(None, _("Cannot open the database"),
                         _("The database {path} could not be opened: {reason}").format(path=db_path, reason=exc))
    return 1, False, None, None

"""Every top-level window and dialog of the program, opened on sample data.

Used by the window-size test (tests/gui/test_window_sizes.py, which runs `python -m
tests.gui.window_catalogue` on an offscreen screen of a given size) and by scripts/screenshots.py.
Each entry opens one window the way the program opens it, with data that makes it as large as
it gets in daily use (a signed agreement, an awarded project, the long sample names).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

# A taskbar takes about 40 px of a 768-pixel screen (Windows 10/11, UOS, Kylin).
TASKBAR = 40


@dataclass
class Opened:
    name: str
    widget: Any  # QWidget


def screen_config(width: int, height: int, folder: Path) -> str:
    """The QT_QPA_PLATFORM value for an offscreen screen of this size."""
    cfg = folder / f"screen-{width}x{height}.json"
    cfg.write_text(json.dumps({"screens": [{"name": "office", "x": 0, "y": 0, "width": width, "height": height,
                                            "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    return f"offscreen:configfile={cfg}"


def prepare(folder: Path) -> Any:
    """A database with the office set up, an administrator, and the sample organizations,
    projects and agreements. Returns the Desk acting as the administrator."""
    from app.services import accounts, demo
    from app.services import settings as settings_service
    from app.services.context import SYSTEM, Desk
    from app.views.app import open_desk

    desk = open_desk(folder / "catalogue.sqlite3")
    desk.run(settings_service.complete_setup, "示例区桃源街道办事处", "zh_CN")
    admin = desk.run(accounts.create_first_admin, "admin", "管理员张三", "Admin-pass-2026", "Admin-pass-2026")
    desk.run(demo.load_sample)
    desk.run(demo.load_sample_projects)
    del SYSTEM
    return Desk(desk.db, admin)


def _first(desk: Any, kind: str, state: str | None = None) -> int:
    from sqlalchemy import select

    from app.models.project import Agreement, Project

    model = {"agreement": Agreement, "project": Project}[kind]
    with desk.db.session() as s:
        q = select(model.id).order_by(model.id)
        if state is not None:
            q = q.where(model.state == state)
        return int(s.scalars(q).first())


def _org(desk: Any) -> int:
    from sqlalchemy import select

    from app.models import Organization

    with desk.db.session() as s:
        return int(s.scalars(select(Organization.id).order_by(Organization.id)).first())


def entries(desk: Any, worker: Any) -> list[tuple[str, Callable[[], Any]]]:
    """(name, opener) for every window and dialog. Openers import lazily so a failure names its window."""
    from app.services import accounts

    def main_window() -> Any:
        from app.views.main_window import MainWindow

        return MainWindow(desk)

    def setup() -> Any:
        from app.views.setup_dialog import SetupDialog

        return SetupDialog(desk)

    def login() -> Any:
        from app.views.login_dialog import LoginDialog

        return LoginDialog(worker)

    def login_checking() -> Any:
        """The log-in window while the database's start-up scans still run, after Log in was pressed."""
        from app.store.startup import StartupReport
        from app.views.login_dialog import LoginDialog
        from app.views.startup_check import RUNNING, StartupCheck

        check = StartupCheck(worker, desk.db, StartupReport())
        check.state = RUNNING  # never started here: the scans stay "running" for the picture
        dialog = LoginDialog(worker, check=check)
        dialog.username.setText("admin")
        dialog.password.setText("Admin-pass-2026")
        dialog.submit()
        return dialog

    def password() -> Any:
        from app.views.password_dialog import ChangePasswordDialog

        return ChangePasswordDialog(worker)

    def recovery() -> Any:
        from app.store.startup import DamagedDatabase
        from app.views.recovery_dialog import RecoveryDialog

        return RecoveryDialog(Path(desk.db.path), DamagedDatabase(
            Path(desk.db.path), "database disk image is malformed (row 1234 missing from index)", None))

    def calendar() -> Any:
        from app.views.calendar_dialog import HolidayCalendarDialog

        return HolidayCalendarDialog(worker)

    def org_new() -> Any:
        from app.views.orgs.form import OrgFormDialog

        return OrgFormDialog(worker)

    def org_existing() -> Any:
        from app.views.orgs.form import OrgFormDialog

        return OrgFormDialog(worker, _org(desk))

    def org_checklist() -> Any:
        from app.views.orgs.form import TAB_CHECKLIST, OrgFormDialog

        dialog = OrgFormDialog(worker, _org(desk))
        dialog.tabs.setCurrentIndex(TAB_CHECKLIST)
        return dialog

    def ledger_import() -> Any:
        from app.views.orgs.import_dialog import ImportDialog

        return ImportDialog(worker)

    def project_new() -> Any:
        from app.views.projects.form import ProjectFormDialog

        return ProjectFormDialog(worker)

    def project_awarded() -> Any:
        from app.views.projects.form import ProjectFormDialog

        return ProjectFormDialog(worker, _first(desk, "project", "in_performance"))

    def consortium() -> Any:
        from app.views.projects.dialogs import ConsortiumDialog

        return ConsortiumDialog(worker, 1)

    def catalogue() -> Any:
        from app.views.projects.dialogs import CatalogueDialog

        return CatalogueDialog(worker)

    def reason() -> Any:
        from app.i18n import _
        from app.views.widgets.reason_dialog import ReasonDialog

        return ReasonDialog(_("Cancel the project"))

    def agreement_new() -> Any:
        from app.views.agreements.form import AgreementFormDialog

        return AgreementFormDialog(worker, project_id=_first(desk, "project", "awarded"))

    def agreement_signed() -> Any:
        from app.views.agreements.form import AgreementFormDialog

        return AgreementFormDialog(worker, _first(desk, "agreement", "effective"))

    def agreement_performing() -> Any:
        from app.views.agreements.form import AgreementFormDialog

        return AgreementFormDialog(worker, _first(desk, "agreement", "performing"))

    def signing() -> Any:
        from app.views.agreements.dialogs import SigningDialog

        return SigningDialog(worker, _first(desk, "agreement", "awaiting_signature"), "王主任", "李涛",
                             "示例区桃源街道办事处", "【示例】巾帼家庭服务中心", today=date(2026, 6, 15))

    def amendment() -> Any:
        from app.services import agreements as ag
        from app.views.agreements.dialogs import AmendmentDialog

        aid = _first(desk, "agreement", "performing")
        return AmendmentDialog(worker, aid, desk.run(ag.get, aid).data)

    def choose_project() -> Any:
        from app.views.agreements.page import ChooseProjectDialog

        return ChooseProjectDialog(worker)

    def preview() -> Any:
        from app.views.printing.preview import PreviewDialog

        return PreviewDialog(worker, "agreement", _first(desk, "agreement", "effective"))

    def batch() -> Any:
        from app.views.printing.batch import BatchPrintDialog

        return BatchPrintDialog(worker, "agreement", [_first(desk, "agreement", "effective")])

    def verify() -> Any:
        from app.views.printing.verify import VerifyDialog

        return VerifyDialog(worker)

    def users() -> Any:
        from app.views.users_page import UsersDialog

        return UsersDialog(worker)

    def user_new() -> Any:
        from app.views.users_page import UserDialog

        return UserDialog(worker)

    def reset_password() -> Any:
        from app.views.users_page import ResetPasswordDialog

        row = desk.run(accounts.list_users)[0]
        return ResetPasswordDialog(worker, row)

    def checklist_editor() -> Any:
        from app.views.assessments.checklist_editor import ChecklistEditorDialog

        return ChecklistEditorDialog(worker)

    return [("main_window", main_window), ("setup", setup), ("login", login), ("login_checking", login_checking),
            ("change_password", password),
            ("recovery", recovery), ("holiday_calendar", calendar), ("org_new", org_new),
            ("org_existing", org_existing), ("org_checklist", org_checklist), ("ledger_import", ledger_import), ("project_new", project_new),
            ("project_performing", project_awarded), ("consortium", consortium), ("catalogue", catalogue),
            ("reason", reason), ("agreement_new", agreement_new), ("agreement_signed", agreement_signed),
            ("agreement_performing", agreement_performing), ("signing", signing), ("amendment", amendment),
            ("choose_project", choose_project), ("print_preview", preview), ("batch_print", batch),
            ("verify_copy", verify), ("users", users), ("user_new", user_new), ("reset_password", reset_password),
            ("checklist_editor", checklist_editor)]


def settle(app: Any, widget: Any, worker: Any, rounds: int = 20) -> None:
    """Let the worker's reads arrive and the layouts settle."""
    for _ in range(rounds):
        app.processEvents()
        worker.wait(2000)
        for w in getattr(widget, "findChildren", lambda *_a: [])(type(worker)):
            w.wait(2000)
    app.processEvents()


def open_all(languages: tuple[str, ...] = ("zh_CN", "en"),
             names: set[str] | None = None) -> Iterator[tuple[str, str, Any, Any]]:
    """Open every window in turn; yields (language, name, widget, app) while it is shown."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.i18n import set_language
    from app.views.app import install_qt_translations, make_application
    from app.views.worker import Worker

    folder = Path(tempfile.mkdtemp(prefix="spdesk-windows-"))
    os.environ["SPDESK_DATA_DIR"] = str(folder / "data")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "qs"))
    app = make_application([])
    desk = prepare(folder)
    for lang in languages:
        set_language(lang)
        install_qt_translations(app, lang)
        worker = Worker(desk)
        for name, opener in entries(desk, worker):
            if names and name not in names:
                continue
            widget = opener()
            widget.show()
            settle(app, widget, worker)
            yield lang, name, widget, app
            widget.close()
            for w in widget.findChildren(Worker):
                w.wait(5000)
            if hasattr(widget, "shutdown"):
                widget.shutdown()
            widget.deleteLater()
            settle(app, widget, worker, 2)
        worker.wait(5000)
        QApplication.processEvents()


def measure() -> list[dict[str, Any]]:
    """Sizes of every window on the current screen, as plain data."""
    out = []
    for lang, name, widget, app in open_all():
        screen = app.primaryScreen().availableGeometry()
        frame = widget.frameGeometry()
        hint = widget.minimumSizeHint()
        minimum = widget.minimumSize()
        out.append({"lang": lang, "name": name, "x": frame.x(), "y": frame.y(),
                    "width": frame.width(), "height": frame.height(),
                    "min_width": max(minimum.width(), hint.width() if widget.layout() else 0),
                    "min_height": max(minimum.height(), hint.height() if widget.layout() else 0),
                    "screen_width": screen.width(), "screen_height": screen.height()})
    return out


if __name__ == "__main__":  # python -m tests.gui.window_catalogue  (prints JSON)
    json.dump(measure(), sys.stdout, ensure_ascii=False)

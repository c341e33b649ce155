"""Printing reached from the agreement screens: the form's print menu, amendments, batch, verify."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QItemSelectionModel

from app.services import agreements as ag
from app.services import demo
from app.views.agreements.form import AgreementFormDialog
from app.views.agreements.page import AgreementsPage
from tests.db_templates import sample_data

TODAY = date(2026, 11, 23)
# Every test works on the sample agreements: one copy each of a template made once per process.
pytestmark = pytest.mark.db_content(sample_data(TODAY))


def _performing(desk) -> int:
    return next(r.id for r in desk.run(ag.list_agreements, today=TODAY) if r.state == "performing")


def test_form_print_menu_opens_the_preview_of_the_real_pdf(qtbot, desk):
    assert desk.run(demo.load_sample, today=TODAY) == 0  # there already: the module's db_content marker
    aid = _performing(desk)
    from app.views.worker import Worker

    desk_worker = Worker(desk)
    form = AgreementFormDialog(desk_worker, aid)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: form.number_label.text() != "", timeout=10000)
    kinds = [a.objectName() for a in form.print_button.menu().actions()]
    assert kinds == ["print_agreement", "print_assessment_notice", "print_acceptance_form"]
    for kind in ("agreement", "acceptance_form"):
        dialog = form.open_print(kind)
        qtbot.waitUntil(lambda d=dialog: d.document is not None and d.document.pageCount() > 0, timeout=30000)
        dialog.close()
    desk_worker.wait()


def test_amendment_is_printed_from_the_history_tab(qtbot, desk):
    assert desk.run(demo.load_sample, today=TODAY) == 0  # there already: the module's db_content marker
    aid = _performing(desk)
    desk.run(ag.amend, aid, "服务地点变更", {"place": "新址社区服务站"}, signed_on="2026-11-20")
    from app.views.worker import Worker

    worker = Worker(desk)
    form = AgreementFormDialog(worker, aid)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: form.amendments.rowCount() == 1, timeout=10000)
    assert form.print_selected_amendment() is None  # nothing chosen yet: a message, no dialog
    assert form.action_message.text()
    form.amendments.setCurrentCell(0, 0)
    dialog = form.print_selected_amendment()
    qtbot.waitUntil(lambda: dialog.document is not None and dialog.document.pageCount() > 0, timeout=30000)
    dialog.close()
    worker.wait()


def test_list_batch_print_follows_the_selection_and_verify_opens(qtbot, desk):
    assert desk.run(demo.load_sample, today=TODAY) == 0  # there already: the module's db_content marker
    from app.views.worker import Worker

    worker = Worker(desk)
    page = AgreementsPage(worker, today=TODAY)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() >= 3, timeout=10000)
    assert not page.batch_button.isEnabled()
    sel = page.table.selectionModel()
    for r in (0, 1, 2):
        sel.select(page.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    assert page.batch_button.isEnabled() and not page.open_button.isEnabled()
    dialog = page.batch_print()
    assert dialog is not None and dialog.isVisible()
    dialog.close()
    verify = page.verify_copy()
    assert verify.isVisible()
    verify.close()
    worker.wait()

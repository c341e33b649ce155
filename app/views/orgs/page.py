"""The organization registry page: search, filters, the paged table and the actions on it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.eligibility import ELIGIBILITY_LABELS
from app.domain.uscc import ORG_TYPE_LABELS
from app.i18n import _, ngettext
from app.services import orgs
from app.services.capabilities import may
from app.views.layout_helpers import flow_row
from app.views.messages import confirm
from app.views.orgs.model import Column, OrgListModel
from app.views.table_helpers import (
    is_filtered,
    list_table,
    message_label,
    nothing_found,
    search_box,
    search_timer,
    sort_by_header,
    title_row,
)
from app.views.worker import Worker

# Default widths in pixels (widened to fit the header text); the last column takes what is left.
COLUMN_WIDTHS = {
    Column.NAME: 280, Column.CODE: 165, Column.TYPE: 100, Column.DOMAINS: 130, Column.LEGAL_REP: 76, Column.CONTACT: 72,
    Column.PHONE: 108, Column.RATING: 72, Column.ELIGIBILITY: 88, Column.SUPPORT: 88,
}


class OrganizationsPage(QWidget):

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.model = OrgListModel(worker, parent=self)
        self._domains_loaded = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        top, self.count_label = title_row(_("Organizations"), "org_count")
        layout.addLayout(top)

        filter_box, filters = flow_row()
        self.search = search_box("org_search", _("Search by name, pinyin initials or credit code"), 260,
                                 fit_placeholder=True)
        filters.addWidget(self.search)
        self.type_filter = QComboBox()
        self.type_filter.setObjectName("type_filter")
        self.type_filter.addItem(_("All types"), "")
        for org_type, label in ORG_TYPE_LABELS.items():
            self.type_filter.addItem(_(label), org_type.value)
        self.domain_filter = QComboBox()
        self.domain_filter.setObjectName("domain_filter")
        self.domain_filter.addItem(_("All service domains"), None)
        self.eligibility_filter = QComboBox()
        self.eligibility_filter.setObjectName("eligibility_filter")
        self.eligibility_filter.addItem(_("Any eligibility"), "")
        for value, label in ELIGIBILITY_LABELS.items():
            self.eligibility_filter.addItem(_(label), value.value)
        self.support_filter = QComboBox()
        self.support_filter.setObjectName("support_filter")
        self.support_filter.addItem(_("Supporting or not"), None)
        self.support_filter.addItem(_("Supporting organizations only"), True)
        self.support_filter.addItem(_("Not supporting organizations"), False)
        for combo in (self.type_filter, self.domain_filter, self.eligibility_filter, self.support_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMaximumWidth(230)
            combo.currentIndexChanged.connect(self.apply_filters)
            filters.addWidget(combo)
        self.clear_button = QPushButton(_("Clear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        filters.addWidget(self.clear_button)
        layout.addWidget(filter_box)

        actions = QHBoxLayout()
        self.add_button = QPushButton(_("New…"))
        self.add_button.setObjectName("add_org")
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.setObjectName("edit_org")
        self.delete_button = QPushButton(_("Delete"))
        self.delete_button.setObjectName("delete_org")
        self.import_button = QPushButton(_("Import ledger…"))
        self.import_button.setObjectName("import_ledger")
        for b in (self.add_button, self.edit_button, self.delete_button, self.import_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.notice = QLabel()  # what happened to a saved record, when the list cannot show it
        self.notice.setObjectName("page_notice")
        self.notice.setStyleSheet("color: #6b4500;")
        self.notice.setWordWrap(True)
        actions.addWidget(self.notice, 1)
        self.message = message_label()
        actions.addWidget(self.message)
        layout.addLayout(actions)
        self.add_button.clicked.connect(self.add_org)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self.import_ledger)
        self.delete_button.setVisible(may(worker.desk.actor, "org:delete"))

        # Room for the sort arrow next to each header text.
        self.table = list_table("org_table", self.model, COLUMN_WIDTHS, header_room=28, min_section=48,
                                stretch=Column.NAME)
        sort_by_header(self.table, self.model)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        layout.addWidget(self.table, 1)

        self._search_timer = search_timer(self, self.search, self.apply_filters)

        self.model.count_changed.connect(self._show_count)
        self.model.loaded.connect(lambda: self.message.setText(""))
        self.model.failed.connect(self.message.setText)
        self._update_buttons()

    # -- loading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the domain filter and the table with the current query (the window calls this on show)."""
        self.worker.call(orgs.list_domains, on_done=self._fill_domains)
        self.model.reload()

    def _fill_domains(self, domains: list[orgs.DomainRow]) -> None:
        current = self.domain_filter.currentData()
        self.domain_filter.blockSignals(True)
        while self.domain_filter.count() > 1:
            self.domain_filter.removeItem(1)
        for d in domains:
            self.domain_filter.addItem(d.name, d.id)
        index = self.domain_filter.findData(current) if current is not None else 0
        self.domain_filter.setCurrentIndex(max(0, index))
        self.domain_filter.blockSignals(False)
        self._domains_loaded = True
        if index < 0:  # the selected domain was removed
            self.apply_filters()

    def current_query(self) -> orgs.OrgQuery:
        return orgs.OrgQuery(
            search=self.search.text().strip(),
            org_type=self.type_filter.currentData() or "",
            domain_id=self.domain_filter.currentData(),
            eligibility=self.eligibility_filter.currentData() or "",
            support_only=self.support_filter.currentData(),
            sort=self.model.query.sort,
            descending=self.model.query.descending,
        )

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.notice.setText("")
        self.model.set_query(self.current_query())

    def clear_filters(self) -> None:
        for combo in (self.type_filter, self.domain_filter, self.eligibility_filter, self.support_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filters()

    def _show_count(self, total: int) -> None:
        self.count_label.setText(nothing_found() if total == 0 and is_filtered(self.model.query) else
                                 ngettext("{n} organization in total", "{n} organizations in total", total)
                                 .format(n=total))

    # -- actions ----------------------------------------------------------------------------

    def selected_row(self) -> orgs.OrgRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        has = self.selected_row() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_form(row.id)

    def add_org(self) -> None:
        self.open_form(None)

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_form(row.id)

    def open_form(self, org_id: int | None) -> None:
        from app.views.orgs.form import OrgFormDialog

        dialog = OrgFormDialog(self.worker, org_id, self)
        dialog.saved.connect(self._form_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.form = dialog

    def _form_saved(self, org_id: int) -> None:
        """A saved organization the current search or filters hide is not dropped from sight without a word."""
        query = self.model.query

        def shown(result: tuple[int, list[orgs.OrgRow]]) -> None:
            name = next((r.name for r in result[1] if r.id == org_id), "")
            if name:
                self.show_notice(_("Saved: {name}.").format(name=name))
            else:
                self.show_notice(_("Saved, but it does not match the current search or filters, so the list does "
                                   "not show it. Clear the filters to see it."))

        self.worker.call(orgs.rows_with_ids, query, [org_id], on_done=shown)

    def show_notice(self, text: str) -> None:
        """In the page and in the window's status line (for a while)."""
        self.notice.setText(text)
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 15000)

    def delete_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if not confirm(self, _("Delete organization"),
                       _("Delete {name} and all its records and attachments? This cannot be undone.")
                       .format(name=row.name)):
            return
        self.worker.call(orgs.delete_org, row.id)  # the list drops the row when the change comes back

    def import_ledger(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose the ledger to import"), "", _("Ledgers (*.xlsx *.csv);;All files (*)"))
        if path:
            self.open_import(path)

    def open_import(self, path: str | None = None) -> None:
        from app.views.orgs.import_dialog import ImportDialog

        dialog = ImportDialog(self.worker, path, self)
        dialog.imported.connect(self._after_import)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.import_dialog = dialog

    def _after_import(self, *_args: object) -> None:
        self.model.reload()  # many rows at once: ask again

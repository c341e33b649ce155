"""The purchase projects page: filters, the list, and the ways into a project, the consortia and
the catalogue.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import lifecycle as lc
from app.i18n import _, ngettext
from app.services import projects
from app.services.capabilities import page_actions
from app.views.layout_helpers import flow_row
from app.views.projects.model import Column, ProjectListModel
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

COLUMN_WIDTHS = {
    Column.NAME: 230, Column.YEAR: 76, Column.AMOUNT: 120, Column.METHOD: 110, Column.PLAN: 60,
    Column.UNDERTAKER: 180, Column.AGREEMENTS: 70, Column.STATE: 120,
}


class ProjectsPage(QWidget):
    agreement_opened = Signal(int)  # the user asked to open an agreement from a project

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.model = ProjectListModel(worker, parent=self)
        can = page_actions(worker.desk.actor)
        self.form: QWidget | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        top, self.count_label = title_row(_("Purchase projects"), "project_count")
        layout.addLayout(top)

        filter_box, filters = flow_row()
        self.search = search_box("project_search", _("Search by project name"), 260)
        filters.addWidget(self.search)
        self.year_filter = QComboBox()
        self.year_filter.setObjectName("year_filter")
        self.year_filter.addItem(_("All years"), None)
        this_year = date.today().year
        for y in range(this_year + 1, this_year - 6, -1):
            self.year_filter.addItem(str(y), y)
        self.state_filter = QComboBox()
        self.state_filter.setObjectName("state_filter")
        self.state_filter.addItem(_("All states"), "")
        for state, label in lc.PROJECT_STATE_LABELS.items():
            self.state_filter.addItem(_(label), state.value)
        for combo in (self.year_filter, self.state_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.apply_filters)
            filters.addWidget(combo)
        self.clear_button = QPushButton(_("Clear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        filters.addWidget(self.clear_button)
        layout.addWidget(filter_box)

        actions = QHBoxLayout()
        self.add_button = QPushButton(_("New project…"))
        self.add_button.setObjectName("add_project")
        self.open_button = QPushButton(_("Open…"))
        self.open_button.setObjectName("open_project")
        self.consortia_button = QPushButton(_("Consortia…"))
        self.consortia_button.setObjectName("consortia")
        self.consortia_button.setToolTip(_("Groups of organizations that undertake services together (16+1+N)"))
        self.catalogue_button = QPushButton(_("Service catalogue…"))
        self.catalogue_button.setObjectName("catalogue")
        for b in (self.add_button, self.open_button, self.consortia_button, self.catalogue_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.message = message_label()
        actions.addWidget(self.message)
        layout.addLayout(actions)
        self.add_button.clicked.connect(lambda: self.open_form(None))
        self.open_button.clicked.connect(self.open_selected)
        self.consortia_button.clicked.connect(self.open_consortia)
        self.catalogue_button.clicked.connect(self.open_catalogue)
        self.add_button.setVisible(can["project:new"].ok)
        self.consortia_button.setVisible(can["consortium:edit"].ok)
        self.catalogue_button.setVisible(can["catalogue:edit"].ok)

        self.table = list_table("project_table", self.model, COLUMN_WIDTHS, stretch=Column.NAME,
                                fit={Column.STATE: [_(t) for t in lc.PROJECT_STATE_LABELS.values()]})
        sort_by_header(self.table, self.model)  # newest budget year first until a header is clicked
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
        self.model.reload()

    def current_query(self) -> projects.ProjectQuery:
        return projects.ProjectQuery(search=self.search.text().strip(), year=self.year_filter.currentData(),
                                     state=self.state_filter.currentData() or "", sort=self.model.query.sort,
                                     descending=self.model.query.descending)

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.model.set_query(self.current_query())

    def clear_filters(self) -> None:
        for combo in (self.year_filter, self.state_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filters()

    def _show_count(self, total: int) -> None:
        self.count_label.setText(nothing_found() if total == 0 and is_filtered(self.model.query) else
                                 ngettext("{n} project", "{n} projects", total).format(n=total))

    # -- actions ----------------------------------------------------------------------------

    def selected_row(self) -> projects.ProjectRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected_row() is not None)

    def _double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_form(row.id)

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_form(row.id)

    def open_form(self, project_id: int | None) -> None:
        from app.views.projects.form import ProjectFormDialog

        dialog = ProjectFormDialog(self.worker, project_id, self)
        dialog.agreement_opened.connect(self.agreement_opened)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.form = dialog

    def open_consortia(self) -> None:
        from app.views.projects.dialogs import ConsortiumDialog

        dialog = ConsortiumDialog(self.worker, parent=self)
        dialog.saved.connect(self._after_change)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.consortium_dialog = dialog

    def open_catalogue(self) -> None:
        from app.views.projects.dialogs import CatalogueDialog

        dialog = CatalogueDialog(self.worker, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.catalogue_dialog = dialog

    def _after_change(self, *_args: object) -> None:
        self.model.reload()  # a consortium's name shows in the award column of its projects

"""The agreement list: filters (year, state, organization, domain, expiring soon, search), the table, actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain import lifecycle as lc
from app.i18n import _, format_amount, ngettext
from app.services import agreements as ag
from app.services import orgs, projects
from app.services.capabilities import may
from app.views.agreements.model import AgreementListModel, Column, strip_sample
from app.views.layout_helpers import flow_row
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
    Column.NUMBER: 200, Column.PROJECT: 150, Column.YEAR_INDEX: 70, Column.PARTY_A: 120, Column.PARTY_B: 120,
    Column.AMOUNT: 110, Column.PAID: 100, Column.PERIOD: 175, Column.STATE: 80, Column.SAMPLE: 50,
}



class ChoiceListModel(QAbstractListModel):
    """A combo box's choices as one list: "all" (no value) first, then (value, text) pairs."""

    def __init__(self, everything: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.everything = everything
        self.choices: list[tuple[int, str]] = []

    def set_choices(self, choices: list[tuple[int, str]]) -> None:
        self.beginResetModel()
        self.choices = list(choices)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.choices) + 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = index.row()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.everything if row == 0 else self.choices[row - 1][1]
        if role == Qt.ItemDataRole.UserRole:
            return None if row == 0 else self.choices[row - 1][0]
        return None


class ChooseProjectDialog(QDialog):
    """Pick the awarded project the new agreement belongs to."""

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.setWindowTitle(_("New agreement: choose the project"))
        self.resize(640, 420)
        v = QVBoxLayout(self)
        hint = QLabel(_("An agreement is drawn up for a project whose undertaker has been determined "
                        "(awarded or in performance). The form starts from the award: undertaker, price, start."))
        hint.setWordWrap(True)
        v.addWidget(hint)
        self.list = QListWidget()
        self.list.setObjectName("project_choices")
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        v.addWidget(self.list, 1)
        self.empty = QLabel()
        self.empty.setStyleSheet("color: #7a5200;")
        self.empty.setWordWrap(True)
        v.addWidget(self.empty)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Draw up the agreement"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        v.addWidget(self.buttons)
        self.loaded = False
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        worker.call(projects.open_for_agreements, on_done=self._fill)

    def _fill(self, rows: list[projects.ProjectRow]) -> None:
        for r in rows:
            item = QListWidgetItem(_("{name} — {year}, {undertaker}, {state}").format(
                name=strip_sample(r.name), year=r.budget_year, undertaker=strip_sample(r.undertaker) or "—",
                state=r.state_label))
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.list.addItem(item)
        if rows:
            self.list.setCurrentRow(0)
        else:
            self.empty.setText(_("No project has an undertaker yet. Record the award on the project first."))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(rows))
        self.loaded = True

    def project_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item else None


class AgreementsPage(QWidget):

    def __init__(self, worker: Worker, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.today = today
        self.model = AgreementListModel(worker, parent=self)
        self.form: QDialog | None = None
        self.chooser: ChooseProjectDialog | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        top, self.count_label = title_row(_("Agreements"), "agreement_count")
        layout.addLayout(top)

        filter_box, filters = flow_row()
        self.search = search_box("agreement_search", _("Search number, project or organization"), 220,
                                 fit_placeholder=True)
        filters.addWidget(self.search)
        self.year_filter = QComboBox()
        self.year_filter.setObjectName("year_filter")
        self.year_filter.addItem(_("All years"), None)
        this_year = (today or date.today()).year
        for y in range(this_year + 1, this_year - 6, -1):
            self.year_filter.addItem(str(y), y)
        self.state_filter = QComboBox()
        self.state_filter.setObjectName("state_filter")
        self.state_filter.addItem(_("All states"), "")
        for state, text in lc.AGREEMENT_STATE_LABELS.items():
            self.state_filter.addItem(_(text), state.value)
        self.org_filter = QComboBox()
        self.org_filter.setObjectName("org_filter")
        # Up to 20,000 undertakers at district scale: one list model set at once (not an addItem per name)
        # and a width that does not measure every name.
        self.org_choices = ChoiceListModel(_("All organizations"), self.org_filter)
        self.org_filter.setModel(self.org_choices)
        self.domain_filter = QComboBox()
        self.domain_filter.setObjectName("domain_filter")
        self.domain_filter.addItem(_("All service domains"), None)
        for combo in (self.year_filter, self.state_filter, self.org_filter, self.domain_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMaximumWidth(220)
        self.org_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.org_filter.setMinimumContentsLength(14)
        for combo in (self.year_filter, self.state_filter, self.org_filter, self.domain_filter):
            combo.currentIndexChanged.connect(self.apply_filters)
            filters.addWidget(combo)
        self.expiring = QSpinBox()
        self.expiring.setObjectName("expiring_filter")
        self.expiring.setRange(0, 365)
        self.expiring.setSingleStep(30)
        self.expiring.setSpecialValueText(_("Any end date"))
        self.expiring.setPrefix(_("Ending within "))
        self.expiring.setSuffix(_(" days"))
        self.expiring.setMinimumWidth(self.expiring.fontMetrics().horizontalAdvance(
            _("Ending within ") + "365" + _(" days")) + 40)
        self.expiring.valueChanged.connect(lambda _v: self._search_timer.start())
        filters.addWidget(self.expiring)
        self.clear_button = QPushButton(_("Clear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        filters.addWidget(self.clear_button)
        layout.addWidget(filter_box)

        actions = QHBoxLayout()
        self.new_button = QPushButton(_("New agreement…"))
        self.new_button.setObjectName("new_agreement")
        self.new_button.clicked.connect(self.new_agreement)
        self.new_button.setVisible(may(worker.desk.actor, "agreement:new"))
        self.open_button = QPushButton(_("Open"))
        self.open_button.setObjectName("open_agreement")
        self.open_button.clicked.connect(self.open_selected)
        self.batch_button = QPushButton(_("Print selected…"))
        self.batch_button.setObjectName("batch_print")
        self.batch_button.setToolTip(_("Save the selected agreements as PDF files for printing, in the background"))
        self.batch_button.clicked.connect(self.batch_print)
        self.verify_button = QPushButton(_("Check a paper copy…"))
        self.verify_button.setObjectName("verify_copy")
        self.verify_button.clicked.connect(self.verify_copy)
        actions.addWidget(self.new_button)
        actions.addWidget(self.open_button)
        actions.addWidget(self.batch_button)
        actions.addWidget(self.verify_button)
        actions.addStretch(1)
        self.total_label = QLabel()
        self.total_label.setObjectName("agreement_total")
        actions.addWidget(self.total_label)
        self.message = message_label()
        actions.addWidget(self.message)
        layout.addLayout(actions)

        self.table = list_table("agreement_table", self.model, COLUMN_WIDTHS,
                                selection=QAbstractItemView.SelectionMode.ExtendedSelection,
                                stretch=Column.PROJECT, elide_middle=(Column.NUMBER,),
                                fit={Column.STATE: [_(t) for t in lc.AGREEMENT_STATE_LABELS.values()]})
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
        self.model.reload()  # the list first: the filters' choices (20,000 undertakers) after it
        self.worker.call(ag.filter_choices, on_done=self._fill_choices)

    def _fill_choices(self, result: tuple[list[tuple[int, str]], list[orgs.DomainRow]]) -> None:
        undertakers, domains = result
        current = self.org_filter.currentData()
        self.org_filter.blockSignals(True)
        self.org_choices.set_choices(undertakers)
        self.org_filter.setCurrentIndex(max(0, self.org_filter.findData(current)) if current is not None else 0)
        self.org_filter.blockSignals(False)
        combo = self.domain_filter
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for d in domains:
            combo.addItem(d.name, d.id)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        combo.blockSignals(False)

    def current_query(self) -> ag.AgreementQuery:
        return ag.AgreementQuery(
            year=self.year_filter.currentData(), state=self.state_filter.currentData() or "",
            undertaker_id=self.org_filter.currentData(), domain_id=self.domain_filter.currentData(),
            expiring_within_days=self.expiring.value() or None, search=self.search.text().strip(),
            sort=self.model.query.sort, descending=self.model.query.descending)

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.model.set_query(self.current_query())

    def clear_filters(self) -> None:
        for w in (self.year_filter, self.state_filter, self.org_filter, self.domain_filter, self.expiring,
                  self.search):
            w.blockSignals(True)
        for combo in (self.year_filter, self.state_filter, self.org_filter, self.domain_filter):
            combo.setCurrentIndex(0)
        self.expiring.setValue(0)
        self.search.clear()
        for w in (self.year_filter, self.state_filter, self.org_filter, self.domain_filter, self.expiring,
                  self.search):
            w.blockSignals(False)
        self.apply_filters()

    def _show_count(self, total: int) -> None:
        if not self.model.exact:  # a very common search fragment is counted only so far (first page)
            text = ngettext("at least {n} agreement", "at least {n} agreements", total).format(n=f"{total:,}")
        elif total == 0 and is_filtered(self.model.query):
            text = nothing_found()
        else:
            text = ngettext("{n} agreement", "{n} agreements", total).format(n=total)
        self.count_label.setText(text)
        shown = [self.model.row_at(r) for r in range(self.model.rowCount())]
        money = sum((r.amount for r in shown if r is not None), start=Decimal(0))
        self.total_label.setText(_("Amount of the listed agreements: {amount}").format(amount=format_amount(money))
                                 if total == len(shown) and self.model.exact else "")

    # -- actions ----------------------------------------------------------------------------

    def selected_row(self) -> ag.AgreementRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def selected_rows(self) -> list[ag.AgreementRow]:
        rows = (self.model.row_at(i.row()) for i in self.table.selectionModel().selectedRows())
        return [r for r in rows if r is not None]

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(len(self.selected_rows()) == 1)
        self.batch_button.setEnabled(bool(self.selected_rows()))

    def batch_print(self) -> QWidget | None:
        ids = [r.id for r in self.selected_rows()]
        if not ids:
            return None
        from app.views.printing import open_batch_print

        return open_batch_print(self, self.worker, "agreement", ids)

    def verify_copy(self) -> QWidget | None:
        from app.views.printing import open_verify

        return open_verify(self, self.worker)

    def _double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_form(row.id)

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_form(row.id)

    def new_agreement(self) -> None:
        dialog = ChooseProjectDialog(self.worker, self)
        dialog.accepted.connect(lambda: self._project_chosen(dialog.project_id()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.chooser = dialog
        dialog.open()

    def _project_chosen(self, project_id: int | None) -> None:
        if project_id is not None:
            self.open_form(None, project_id)

    def open_form(self, agreement_id: int | None, project_id: int | None = None) -> None:
        from app.views.agreements.form import AgreementFormDialog

        dialog = AgreementFormDialog(self.worker, agreement_id, project_id, today=self.today, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.form = dialog

    def open_agreement(self, agreement_id: int) -> None:
        """Open one agreement's form (from the project screen)."""
        self.open_form(agreement_id)

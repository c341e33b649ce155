"""The checklist editor (考核指标体系): the administrator edits a checklist's indicators; saving makes a
new version (app.services.checklists), so assessments already filled keep the version they used.

The rules (levels, parents, weights adding up to 100 per level, grade bands) are the service's: the
editor only shows its refusal, naming the indicator and the reason.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import checklists
from app.views.form_helpers import ERROR_STYLE, OK_STYLE
from app.views.messages import error_text
from app.views.worker import Worker

FIELDS = ("key", "level", "parent", "name", "weight", "max", "scoring", "evidence")
WIDTHS = (60, 50, 60, 220, 60, 60, 220, 160)


def _headers() -> tuple[str, ...]:
    return (_("No."), _("Level"), _("Parent"), _("Indicator"), _("Weight"), _("Max score"), _("How it is scored"),
            _("Evidence"))


class ChecklistEditorDialog(QDialog):
    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.setWindowTitle(_("Assessment checklists"))
        self.state: checklists.EditorState | None = None
        self.template_id: int | None = None  # None: a new checklist
        self.bands: list[dict[str, object]] = []
        self.dirty = False
        self.loaded = False
        self._show_newest = False  # after a new checklist was saved: show it, the last in the list

        self.chooser = QComboBox()
        self.chooser.setObjectName("checklist_chooser")
        self.chooser.activated.connect(self._chosen)
        self.new_button = QPushButton(_("New checklist"))
        self.new_button.setObjectName("new_checklist")
        self.new_button.clicked.connect(self._new)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Checklist")))
        top.addWidget(self.chooser, 1)
        top.addWidget(self.new_button)

        self.name = QLineEdit()
        self.name.setObjectName("checklist_name")
        self.name.setMaxLength(200)
        self.name.textEdited.connect(self._edited)
        self.purpose = QComboBox()
        self.purpose.setObjectName("checklist_purpose")
        self.version = QLabel()
        self.version.setObjectName("checklist_version")
        form = QFormLayout()
        form.addRow(_("Checklist name"), self.name)
        form.addRow(_("Purpose"), self.purpose)
        form.addRow(_("Version"), self.version)

        self.table = QTableWidget(0, len(FIELDS))
        self.table.setObjectName("indicator_table")
        self.table.setHorizontalHeaderLabels(_headers())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for col, width in enumerate(WIDTHS):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(FIELDS.index("name"), QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._edited)
        self.add_button = QPushButton(_("Add a row"))
        self.add_button.setObjectName("add_indicator")
        self.add_button.clicked.connect(self._add_row)
        self.remove_button = QPushButton(_("Remove the selected rows"))
        self.remove_button.setObjectName("remove_indicator")
        self.remove_button.clicked.connect(self._remove_rows)
        rows = QHBoxLayout()
        rows.addWidget(self.add_button)
        rows.addWidget(self.remove_button)
        rows.addStretch(1)
        hint = QLabel(_("Weights of each level add up to 100; a level 2 or 3 indicator names its parent's number. "
                        "Saving makes a new version; assessments already filled keep theirs."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.bands_label = QLabel()
        self.bands_label.setObjectName("checklist_bands")
        self.bands_label.setWordWrap(True)

        self.message = QLabel()
        self.message.setObjectName("checklist_message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save as a new version"))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        v = QVBoxLayout(self)
        v.addLayout(top)
        v.addLayout(form)
        v.addWidget(hint)
        v.addWidget(self.table, 1)
        v.addLayout(rows)
        v.addWidget(self.bands_label)
        v.addWidget(self.message)
        v.addWidget(self.buttons)
        self.resize(960, 600)
        self.reload(None)

    # -- loading ------------------------------------------------------------------------------

    def reload(self, template_id: int | None) -> None:
        self.worker.call(checklists.editor_state, template_id, on_done=self._show, on_error=self._failed)

    def _show(self, state: checklists.EditorState) -> None:
        if self._show_newest and state.rows:
            self._show_newest = False
            self.reload(state.rows[-1].template_id)
            return
        self.state = state
        self.chooser.clear()
        for row in state.rows:
            self.chooser.addItem(_("{name} (version {version}, {n} indicators)").format(
                name=row.name, version=row.version, n=row.indicators), row.template_id)
        self.purpose.clear()
        for code, label in state.purposes.items():
            self.purpose.addItem(label, code)
        d = state.detail
        if d is not None:
            self.chooser.setCurrentIndex(max(0, self.chooser.findData(d.template_id)))
            self._fill(d.template_id, d.name, d.purpose, _("{n} (saved)").format(n=d.version),
                       [checklists.indicator_fields(i) for i in d.indicators],
                       [checklists.band_fields(b) for b in d.bands])
        self.loaded = True

    def _fill(self, template_id: int | None, name: str, purpose: str, version: str,
              indicators: list[dict[str, str]], bands: list[dict[str, object]]) -> None:
        self.table.blockSignals(True)
        self.template_id = template_id
        self.name.setText(name)
        self.purpose.setCurrentIndex(max(0, self.purpose.findData(purpose)))
        self.purpose.setEnabled(template_id is None)  # a checklist keeps its purpose
        self.version.setText(version)
        self.table.setRowCount(0)
        for item in indicators:
            self._append(item)
        self.bands = bands
        self.bands_label.setText(_("Grades: {bands}").format(bands="；".join(
            f"{b['label']} ≥ {b['minimum']}" for b in bands)))
        self.table.blockSignals(False)
        self.table.resizeRowsToContents()
        self.dirty = False
        self.message.hide()

    def _append(self, item: dict[str, str]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, key in enumerate(FIELDS):
            self.table.setItem(row, col, QTableWidgetItem(item.get(key, "")))

    def _failed(self, error: Exception) -> None:
        self._say(error_text(error), ok=False)
        self.save_button.setEnabled(True)

    def _say(self, text: str, ok: bool) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- editing ------------------------------------------------------------------------------

    def _edited(self, *_args: object) -> None:
        self.dirty = True

    def _may_discard(self) -> bool:
        if not self.dirty:
            return True
        answer = QMessageBox.question(self, _("Unsaved changes"), _("Discard the changes to this checklist?"),
                                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def _chosen(self, index: int) -> None:
        template_id = self.chooser.itemData(index)
        if template_id == self.template_id:
            return
        if not self._may_discard():
            self.chooser.setCurrentIndex(max(0, self.chooser.findData(self.template_id)))
            return
        self.reload(template_id)

    def _new(self) -> None:
        if not self._may_discard():
            return
        self._fill(None, "", "assessment", _("new"), [], self.bands)
        self._add_row()
        self.name.setFocus()

    def _add_row(self) -> None:
        self._append({"level": "1"})
        self.table.setCurrentCell(self.table.rowCount() - 1, FIELDS.index("key"))
        self.dirty = True

    def _remove_rows(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)
        self.dirty = True

    def indicators(self) -> list[dict[str, object]]:
        """The table as the service reads it; empty rows are left out."""
        out: list[dict[str, object]] = []
        for row in range(self.table.rowCount()):
            cells = {key: (self.table.item(row, col).text() if self.table.item(row, col) else "")
                     for col, key in enumerate(FIELDS)}
            if any(v.strip() for k, v in cells.items() if k != "level"):
                out.append(dict(cells))
        return out

    def save(self) -> None:
        self.save_button.setEnabled(False)
        self.message.hide()

        def done(_version_id: object) -> None:
            self.save_button.setEnabled(True)
            self.dirty = False
            self._say(_("Saved as a new version."), ok=True)
            self._show_newest = self.template_id is None
            self.reload(self.template_id)

        purpose = self.purpose.currentData() or "assessment"
        self.worker.call(checklists.save_checklist, self.template_id, self.name.text(), self.indicators(),
                         self.bands or None, purpose=purpose, on_done=done, on_error=self._failed)

    def reject(self) -> None:
        if self._may_discard():
            super().reject()

"""The Templates screen: the template library, and the clause editor with live checking.

Templates are data (numbered clauses whose text names fields from a declared catalogue). The
editor checks every keystroke with templates.check_clauses (pure, no database), so an unknown
field or a missing required clause is an error while editing, never a surprise at print time.
Saving makes a new version; versions an agreement was printed from never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import FieldProblem
from app.i18n import N_, _, current_language, format_datetime, ngettext
from app.services import printing, templates
from app.services.capabilities import may
from app.views.messages import confirm, error_text
from app.views.pages import page_title
from app.views.printing.common import ERROR_STYLE, OK_STYLE, banner, kind_label, show_banner
from app.views.worker import Worker

_Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
NUMBER_ROLE = Qt.ItemDataRole.UserRole + 3  # a clause's article number (0: unnumbered)


def article(n: int) -> str:
    """第一条 in Chinese, Article 1 in English."""
    if current_language() != "zh_CN":
        return _("Article {n}").format(n=n)
    import cn2an  # on first use: its import compiles large patterns (the main window should not wait)

    numeral = cn2an.an2cn(n, "low")
    return _("Article {n}").format(n=numeral)


def numbers(clauses: list[Clause]) -> list[int]:
    """Article numbers as they print (0: an unnumbered paragraph), from the one rule the PDF uses."""
    return templates.article_numbers([c.title for c in clauses])


class Column(IntEnum):
    KIND = 0
    NAME = 1
    VERSION = 2
    UPDATED = 3


HEADERS = {Column.KIND: N_("Kind"), Column.NAME: N_("Name"), Column.VERSION: N_("Version"),
           Column.UPDATED: N_("Updated")}


class TemplateListModel(QAbstractTableModel):
    """The template library (a few dozen rows at most: one list, no paging)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, template_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == template_id), -1)

    def rowCount(self, parent: _Index = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(
                Column):
            return _(HEADERS[Column(section)])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = Column(index.column())
        if role == ROW_ROLE:
            return r
        if role == Qt.ItemDataRole.DisplayRole:
            if col == Column.KIND:
                return kind_label(r.kind)
            if col == Column.NAME:
                return r.name if r.active else _("{name} (not in use)").format(name=r.name)
            if col == Column.VERSION:
                return str(r.version)
            return format_datetime(r.updated_at)
        if role == SORT_ROLE:
            return {Column.KIND: r.kind, Column.NAME: r.name, Column.VERSION: r.version,
                    Column.UPDATED: r.updated_at}[col]
        if role == Qt.ItemDataRole.ForegroundRole and not r.active:
            return QColor("#888888")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == Column.VERSION:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


@dataclass
class Clause:
    title: str
    text: str
    requirement: str = ""


class ClauseListModel(QAbstractListModel):
    """The clauses being edited, numbered as they print; rows with a problem are shown in red."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.clauses: list[Clause] = []
        self.flagged: set[int] = set()  # 0-based rows with a problem

    def set_clauses(self, clauses: list[Clause]) -> None:
        self.beginResetModel()
        self.clauses = clauses
        self.flagged = set()
        self.endResetModel()

    def set_flagged(self, rows: set[int]) -> None:
        if rows != self.flagged:
            self.flagged = rows
            if self.clauses:
                self.dataChanged.emit(self.index(0), self.index(len(self.clauses) - 1))

    def rowCount(self, parent: _Index = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.clauses)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.clauses):
            return None
        c = self.clauses[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return c.title if c.title.strip() else _("(unnumbered) {text}").format(text=c.text[:24])
        if role == NUMBER_ROLE:  # by position, so it is not display data (that moves with its row)
            return numbers(self.clauses)[index.row()]
        if role == ROW_ROLE:
            return c
        if role == Qt.ItemDataRole.ForegroundRole and index.row() in self.flagged:
            return QColor("#b91c1c")
        if role == Qt.ItemDataRole.ToolTipRole:
            return c.text[:200]
        return None

    def changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row), self.index(row))

    def insert(self, row: int, clause: Clause) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self.clauses.insert(row, clause)
        self.endInsertRows()
        self._renumber(row)

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.clauses[row]
        self.endRemoveRows()
        self._renumber(row)

    def move(self, row: int, to: int) -> bool:
        if not (0 <= row < len(self.clauses) and 0 <= to < len(self.clauses)) or row == to:
            return False
        # Qt's destination is the row the item lands before, counted before the move.
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), to + 1 if to > row else to)
        self.clauses.insert(to, self.clauses.pop(row))
        self.endMoveRows()
        self._renumber(min(row, to))
        return True

    def _renumber(self, first: int) -> None:
        if first < len(self.clauses):
            self.dataChanged.emit(self.index(first), self.index(len(self.clauses) - 1))


class ClauseDelegate(QStyledItemDelegate):
    """Shows each clause with the article number it prints with (第一条 …)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:  # noqa: N802 - Qt override
        super().initStyleOption(option, index)
        option.text = clause_label(index)


def clause_label(index: _Index) -> str:
    n = index.data(NUMBER_ROLE)
    return f"{article(n)}  {index.data()}" if n else str(index.data())


class TemplatesPage(QWidget):
    loaded = Signal()  # the library list arrived
    opened = Signal(int)  # a template's clauses are in the editor
    checked = Signal(list)  # the problems of the latest live check
    saved = Signal(int)  # the new version number
    save_failed = Signal(str)
    notice_shown = Signal()  # a message about the preview

    loads_when_built = True  # reads in __init__; the main window does not refresh it again at once

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.can_edit = may(worker.desk.actor, "template:edit")
        self.detail: Any = None
        self.problems: list[Any] = []
        self.dirty = False
        self._loading = False
        self._notice_after_open = ""

        self.model = TemplateListModel(self)
        self.table = QTableView()
        self.table.setObjectName("template_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        for col in (Column.KIND, Column.VERSION, Column.UPDATED):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.verify_button = QPushButton(_("Verify a paper copy…"))
        self.verify_button.setObjectName("open_verify")
        self.preview_button = QPushButton(_("Preview…"))
        self.preview_button.setObjectName("template_preview")
        self.preview_button.setToolTip(_("Preview the saved version of this template with an agreement from the "
                                         "register"))
        self.verify_button.clicked.connect(self._open_verify)
        self.preview_button.clicked.connect(self._preview)

        # --- editor -----------------------------------------------------------------------------
        self.name = QLineEdit()
        self.name.setObjectName("template_name")
        self.version_label = QLabel()
        self.version_label.setObjectName("template_version")
        self.version_label.setStyleSheet("color: #555;")
        self.clause_model = ClauseListModel(self)
        self.clause_list = QListView()
        self.clause_list.setObjectName("clause_list")
        self.clause_list.setModel(self.clause_model)
        self.clause_list.setItemDelegate(ClauseDelegate(self.clause_list))
        self.clause_list.setMinimumWidth(200)
        self.clause_list.selectionModel().currentRowChanged.connect(self._clause_changed)
        self.add_button = QPushButton(_("Add"))
        self.add_button.setObjectName("clause_add")
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.setObjectName("clause_remove")
        self.up_button = QPushButton(_("Up"))
        self.up_button.setObjectName("clause_up")
        self.down_button = QPushButton(_("Down"))
        self.down_button.setObjectName("clause_down")
        self.add_button.clicked.connect(self.add_clause)
        self.remove_button.clicked.connect(self.remove_clause)
        self.up_button.clicked.connect(lambda: self.move_clause(-1))
        self.down_button.clicked.connect(lambda: self.move_clause(1))

        self.clause_title = QLineEdit()
        self.clause_title.setObjectName("clause_title")
        self.requirement = QComboBox()
        self.requirement.setObjectName("clause_requirement")
        self.clause_text = QPlainTextEdit()
        self.clause_text.setObjectName("clause_text")
        self.clause_text.setTabChangesFocus(True)
        self.clause_title.textEdited.connect(self._clause_edited)
        self.clause_text.textChanged.connect(self._clause_edited)
        self.requirement.currentIndexChanged.connect(self._clause_edited)
        self.name.textEdited.connect(self._name_edited)

        self.fields = QListWidget()
        self.fields.setObjectName("field_catalogue")
        self.fields.setToolTip(_("Click a field to insert it at the cursor"))
        self.fields.itemClicked.connect(self._field_clicked)
        self.fields.itemActivated.connect(self._field_clicked)
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("template_problems")
        self.problem_list.setMaximumHeight(84)
        self.problem_list.setStyleSheet("QListWidget { color: #9b1c1c; background: #fff7f7; }")
        self.check_label = QLabel()
        self.check_label.setObjectName("template_check")
        self.notice = banner("template_notice")
        self.save_button = QPushButton(_("Save as new version"))
        self.save_button.setObjectName("template_save")
        self.revert_button = QPushButton(_("Discard changes"))
        self.revert_button.setObjectName("template_revert")
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self._revert)

        clause_buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            clause_buttons.addWidget(b)
        clause_side = QWidget()
        cl = QVBoxLayout(clause_side)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(QLabel(_("Clauses")))
        cl.addWidget(self.clause_list, 1)
        cl.addLayout(clause_buttons)

        text_side = QWidget()
        form = QFormLayout(text_side)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(_("Clause title:"), self.clause_title)
        form.addRow(_("Required clause:"), self.requirement)
        form.addRow(_("Clause text:"), self.clause_text)

        field_side = QWidget()
        fl = QVBoxLayout(field_side)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(QLabel(_("Fields (click to insert)")))
        fl.addWidget(self.fields, 1)

        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(clause_side)
        body.addWidget(text_side)
        body.addWidget(field_side)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 5)
        body.setStretchFactor(2, 3)
        body.setSizes([330, 560, 330])
        body.setChildrenCollapsible(False)

        name_row = QHBoxLayout()
        name_row.addWidget(QLabel(_("Template name:")))
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.version_label)
        save_row = QHBoxLayout()
        save_row.addWidget(self.check_label, 1)
        save_row.addWidget(self.revert_button)
        save_row.addWidget(self.save_button)

        editor = QWidget()
        el = QVBoxLayout(editor)
        el.setContentsMargins(0, 0, 0, 0)
        el.addLayout(name_row)
        el.addWidget(self.notice)
        el.addWidget(body, 1)
        el.addWidget(self.problem_list)
        el.addLayout(save_row)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(editor)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        split.setSizes([190, 560])

        head = QHBoxLayout()
        head.addWidget(page_title(_("Templates")))
        head.addStretch(1)
        head.addWidget(self.preview_button)
        head.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addLayout(head)
        if not self.can_edit:
            note = QLabel(_("Only an administrator can change templates; you can read them and preview them."))
            note.setObjectName("read_only_note")
            note.setStyleSheet("color: #555;")
            layout.addWidget(note)
        layout.addWidget(split, 1)
        self._fill_fields()
        self._set_editable(False)
        self.refresh()

    # --- library -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.worker.call(templates.list_templates, on_done=self._show_list, on_error=self._list_failed)

    def _show_list(self, rows: list[Any]) -> None:
        keep = self.detail.id if self.detail is not None else None
        self.model.set_rows(rows)
        row = self.model.row_of(keep) if keep is not None else -1
        if row < 0 and rows:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self.loaded.emit()

    def _list_failed(self, error: BaseException) -> None:
        show_banner(self.notice, error_text(error), ERROR_STYLE)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        r = self.model.row_at(current.row())
        if r is None or (self.detail is not None and self.detail.id == r.id):
            return  # the same template (a refresh of the list): keep what is being edited
        if self.dirty and not confirm(self, _("Discard changes"), _("Discard the changes to this template?")):
            return
        self.open_template(r.id)

    def open_template(self, template_id: int) -> None:
        self.worker.call(templates.get_template, template_id, on_done=self._show_detail, on_error=self._list_failed)

    def _show_detail(self, detail: Any) -> None:
        self.detail = detail
        self._loading = True
        self.name.setText(detail.name)
        self.version_label.setText(_("Version {n}").format(n=detail.version))
        self._fill_requirements(detail.kind)
        self.clause_model.set_clauses([Clause(c.title, c.text, c.requirement) for c in detail.clauses])
        self._loading = False
        self.dirty = False
        show_banner(self.notice, self._notice_after_open, OK_STYLE)
        self._notice_after_open = ""
        self._set_editable(True)
        if detail.clauses:
            self.clause_list.setCurrentIndex(self.clause_model.index(0))
        else:
            self._clause_changed(QModelIndex(), QModelIndex())
        self.run_check()
        self.opened.emit(detail.id)

    def _revert(self) -> None:
        if self.detail is not None:
            self.dirty = False
            self.open_template(self.detail.id)

    # --- editing -----------------------------------------------------------------------------
    def _fill_fields(self) -> None:
        self.fields.clear()
        for key, spec in templates.FIELD_CATALOGUE.items():
            item = QListWidgetItem(f"{_(spec.label)}  {{{key}}}")
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(_("Example: {example}").format(example=spec.example))
            self.fields.addItem(item)

    def _fill_requirements(self, kind: str) -> None:
        self.requirement.blockSignals(True)
        self.requirement.clear()
        self.requirement.addItem(_("(none)"), "")
        for key in templates.REQUIRED_BY_KIND.get(kind, ()):
            self.requirement.addItem(_(templates.REQUIREMENTS[key]), key)
        self.requirement.blockSignals(False)

    def _set_editable(self, has_template: bool) -> None:
        editable = has_template and self.can_edit
        row = self.clause_list.currentIndex().row()
        has_clause = 0 <= row < len(self.clause_model.clauses)
        for w in (self.name, self.clause_title):
            w.setReadOnly(not editable)
        self.clause_text.setReadOnly(not editable)
        self.requirement.setEnabled(editable and has_clause)
        self.clause_title.setEnabled(has_clause)
        self.clause_text.setEnabled(has_clause)
        self.add_button.setEnabled(editable)
        self.remove_button.setEnabled(editable and has_clause)
        self.up_button.setEnabled(editable and has_clause and row > 0)
        self.down_button.setEnabled(editable and has_clause and row < len(self.clause_model.clauses) - 1)
        self.fields.setEnabled(editable and has_clause)
        self.preview_button.setEnabled(has_template)
        self._update_save()

    def _update_save(self) -> None:
        self.save_button.setEnabled(self.can_edit and self.detail is not None and self.dirty and not self.problems)
        self.revert_button.setEnabled(self.can_edit and self.dirty)

    def current_row(self) -> int:
        row = self.clause_list.currentIndex().row()
        return row if 0 <= row < len(self.clause_model.clauses) else -1

    def _clause_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.row() if current.isValid() else -1
        was_loading, self._loading = self._loading, True
        if 0 <= row < len(self.clause_model.clauses):
            c = self.clause_model.clauses[row]
            self.clause_title.setText(c.title)
            self.clause_text.setPlainText(c.text)
            if c.requirement and self.requirement.findData(c.requirement) < 0:
                self.requirement.addItem(_(templates.REQUIREMENTS.get(c.requirement, c.requirement)), c.requirement)
            i = self.requirement.findData(c.requirement)
            self.requirement.setCurrentIndex(max(i, 0))
        else:
            self.clause_title.clear()
            self.clause_text.clear()
            self.requirement.setCurrentIndex(0)
        self._loading = was_loading
        self._set_editable(self.detail is not None)

    def _clause_edited(self, *_args: Any) -> None:
        row = self.current_row()
        if self._loading or row < 0 or not self.can_edit:
            return
        c = self.clause_model.clauses[row]
        c.title = self.clause_title.text()
        c.text = self.clause_text.toPlainText()
        c.requirement = self.requirement.currentData() or ""
        self.clause_model.changed(row)
        self._mark_dirty()

    def _name_edited(self, _text: str) -> None:
        self._mark_dirty()

    def _mark_dirty(self) -> None:
        self.dirty = True
        self.run_check()

    def add_clause(self) -> None:
        row = self.current_row() + 1 if self.current_row() >= 0 else len(self.clause_model.clauses)
        self.clause_model.insert(row, Clause(_("New clause"), ""))
        self.clause_list.setCurrentIndex(self.clause_model.index(row))
        self.clause_title.selectAll()
        self.clause_title.setFocus()
        self._mark_dirty()

    def remove_clause(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        self.clause_model.remove(row)
        if self.clause_model.clauses:
            self.clause_list.setCurrentIndex(self.clause_model.index(min(row, len(self.clause_model.clauses) - 1)))
        else:
            self._clause_changed(QModelIndex(), QModelIndex())
        self._mark_dirty()

    def move_clause(self, step: int) -> None:
        row = self.current_row()
        if row >= 0 and self.clause_model.move(row, row + step):
            self.clause_list.setCurrentIndex(self.clause_model.index(row + step))
            self._mark_dirty()

    def _field_clicked(self, item: QListWidgetItem) -> None:
        if self.clause_text.isReadOnly() or self.current_row() < 0:
            return
        self.clause_text.insertPlainText("{" + str(item.data(Qt.ItemDataRole.UserRole)) + "}")
        self.clause_text.setFocus()

    def clause_inputs(self) -> list[Any]:
        return [templates.ClauseInput(c.title, c.text, c.requirement) for c in self.clause_model.clauses]

    def run_check(self) -> list[Any]:
        """The live check: pure, so it runs on every keystroke without the worker."""
        if self.detail is None:
            return []
        problems = list(templates.check_clauses(self.detail.kind, self.clause_inputs()))
        if not self.name.text().strip():
            problems.insert(0, FieldProblem("name", _("Template name"), _("is required")))
        self.problems = problems
        self.problem_list.clear()
        for p in problems:
            self.problem_list.addItem(str(p))
        self.problem_list.setVisible(bool(problems))
        keys = {p.field for p in problems}
        self.clause_model.set_flagged({row for row in range(len(self.clause_model.clauses))
                                       if templates.clause_key(row) in keys})
        if problems:
            self.check_label.setStyleSheet("color: #9b1c1c;")
            self.check_label.setText(ngettext("{n} problem: fix it before saving.", "{n} problems: fix them before saving.",
                                              len(problems)).format(n=len(problems)))
        else:
            self.check_label.setStyleSheet("color: #14532d;")
            self.check_label.setText(_("No problems found.") if self.dirty or self.can_edit else "")
        self._update_save()
        self.checked.emit(problems)
        return problems

    def save(self) -> None:
        if self.detail is None or not self.can_edit or self.run_check():
            return
        self.save_button.setEnabled(False)
        self.worker.call(templates.save_template, self.detail.id, self.name.text().strip(), self.clause_inputs(),
                         on_done=self._saved, on_error=self._save_failed)

    def _saved(self, version: int) -> None:
        """save_template answers the version number; the template keeps its id."""
        template_id = self.detail.id
        self.dirty = False
        self.detail = None
        self.worker.call(templates.list_templates, on_done=lambda rows: self._after_save(rows, template_id, version),
                         on_error=self._list_failed)

    def _after_save(self, rows: list[Any], template_id: int, version: int) -> None:
        self.model.set_rows(rows)
        row = self.model.row_of(template_id)
        if row >= 0:
            self.table.selectRow(row)  # opens the saved version in the editor
        self._notice_after_open = _("Saved as version {n}. Agreements already printed keep the version they were "
                                    "printed from.").format(n=version)
        self.saved.emit(version)

    def _save_failed(self, error: BaseException) -> None:
        text = error_text(error)
        show_banner(self.notice, text, ERROR_STYLE)
        self._update_save()
        self.save_failed.emit(text)

    # --- verify and preview --------------------------------------------------------------------
    def _open_verify(self) -> None:
        from app.views.printing import open_verify

        self.verify_dialog = open_verify(self, self.worker)

    def _preview(self) -> None:
        if self.detail is None:
            return
        kind = self.detail.kind
        self.preview_button.setEnabled(False)
        self.worker.call(printing.sample_for_preview, kind, on_done=lambda found: self._open_preview(kind, found),
                         on_error=self._list_failed)

    def _open_preview(self, kind: str, found: tuple[int, int | None] | None) -> None:
        self.preview_button.setEnabled(self.detail is not None)
        if found is None:
            show_banner(self.notice, _("There is no agreement to preview this template with yet."), ERROR_STYLE)
            self.notice_shown.emit()
            return
        from app.views.printing import open_preview

        template_id = self.detail.id if self.detail is not None else None
        print_kind = "agreement" if kind in ("contract", "community") else kind
        self.preview_dialog = open_preview(self, self.worker, print_kind, found[0], found[1], template_id)

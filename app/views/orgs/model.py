"""The registry table: rows fetched from SQL in pages on the worker thread, sorted and filtered in SQL.

The model holds only the rows loaded so far. Counting and every page query run through
Worker.call; answers come back by signal and are dropped when the query changed meanwhile
(a generation number), so a slow answer to an old search never overwrites a newer one.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from app.domain.eligibility import Eligibility
from app.i18n import N_, _
from app.services import orgs
from app.services.demo import SAMPLE_MARK
from app.views.paged_model import PAGE_SIZE, SORT_ROLE, PagedTableModel
from app.views.paged_model import ROW_ROLE as ROW_ROLE  # re-exported for the page and tests
from app.views.worker import Worker

ELIGIBLE_COLOR = QColor("#1b7f3b")
INELIGIBLE_COLOR = QColor("#b3261e")
ELIGIBLE_BACKGROUND = QColor("#e7f4ea")
INELIGIBLE_BACKGROUND = QColor("#fbe9e7")


class Column(IntEnum):
    NAME = 0
    CODE = 1
    TYPE = 2
    DOMAINS = 3
    LEGAL_REP = 4
    CONTACT = 5
    PHONE = 6
    RATING = 7
    ELIGIBILITY = 8
    SUPPORT = 9


HEADERS = {
    Column.NAME: N_("Name"),
    Column.CODE: N_("Credit code"),
    Column.TYPE: N_("Org. type"),
    Column.DOMAINS: N_("Service domains"),
    Column.LEGAL_REP: N_("Legal rep."),
    Column.CONTACT: N_("Contact"),
    Column.PHONE: N_("Phone"),
    Column.RATING: N_("Rating"),
    Column.ELIGIBILITY: N_("Eligibility"),
    Column.SUPPORT: N_("Supporting org."),
}

# Columns the service can sort by; the others keep the current order when their header is clicked.
SORT_KEYS = {
    Column.NAME: orgs.SortKey.NAME,
    Column.CODE: orgs.SortKey.CODE,
    Column.TYPE: orgs.SortKey.TYPE,
    Column.LEGAL_REP: orgs.SortKey.LEGAL_REP,
    Column.RATING: orgs.SortKey.RATING,
    Column.ELIGIBILITY: orgs.SortKey.ELIGIBILITY,
}
COLUMN_OF_SORT = {v: k for k, v in SORT_KEYS.items()}


def display_name(row: orgs.OrgRow) -> str:
    if row.is_sample and SAMPLE_MARK not in row.name:
        return _("[Sample] {name}").format(name=row.name)
    return row.name


def short_type_label(label: str) -> str:
    """The table shows "社会服务机构", the tooltip and form the full "社会服务机构（民办非企业单位）"."""
    return re.split(r"[（(]", label, maxsplit=1)[0].strip() or label


class OrgListModel(PagedTableModel):
    def __init__(self, worker: Worker, page_size: int = PAGE_SIZE, parent: Any = None) -> None:
        super().__init__(worker, query=orgs.OrgQuery(), first_page=orgs.first_page, page=orgs.next_page,
                         columns=Column, headers=HEADERS, page_size=page_size, parent=parent,
                         kind="org", rows_with_ids=orgs.rows_with_ids)

    sort_keys = SORT_KEYS

    # -- the table --------------------------------------------------------------------------

    def header_data(self, col: Column, role: int) -> Any:
        return self.unsortable_tip(col, role)

    def cell_data(self, row: orgs.OrgRow, col: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == SORT_ROLE:
            return self._raw(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Column.TYPE:
                return row.org_type_label
            if col in (Column.NAME, Column.DOMAINS):
                return self._display(row, col) or None
            if col == Column.ELIGIBILITY:
                return _("Open the organization to see the reasons")
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == Column.ELIGIBILITY:
                return ELIGIBLE_COLOR if row.eligibility == Eligibility.ELIGIBLE else INELIGIBLE_COLOR
            if col == Column.NAME and row.is_sample:
                return QColor("#6b5900")
            return None
        if role == Qt.ItemDataRole.BackgroundRole and col == Column.ELIGIBILITY:
            return ELIGIBLE_BACKGROUND if row.eligibility == Eligibility.ELIGIBLE else INELIGIBLE_BACKGROUND
        if role == Qt.ItemDataRole.FontRole and col == Column.CODE:
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.TypeWriter)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (Column.RATING, Column.ELIGIBILITY, Column.SUPPORT):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _display(row: orgs.OrgRow, col: Column) -> str:
        if col == Column.NAME:
            return display_name(row)
        if col == Column.TYPE:
            return short_type_label(row.org_type_label)
        if col == Column.ELIGIBILITY:
            return row.eligibility_label
        if col == Column.SUPPORT:
            return _("Yes") if row.is_support_org else ""
        return str(OrgListModel._raw(row, col))

    @staticmethod
    def _raw(row: orgs.OrgRow, col: Column) -> str | bool:
        return {
            Column.NAME: row.name, Column.CODE: row.credit_code, Column.TYPE: row.org_type,
            Column.DOMAINS: row.domains, Column.LEGAL_REP: row.legal_representative,
            Column.CONTACT: row.contact_person, Column.PHONE: row.phone, Column.RATING: row.rating,
            Column.ELIGIBILITY: row.eligibility, Column.SUPPORT: row.is_support_org,
        }[col]

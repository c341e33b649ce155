"""Settings (administrator): the agreement number pattern, the filing deadline and the holiday calendar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.domain.errors import ValidationError
from app.i18n import _
from app.services import agreements as ag
from app.views.form_helpers import ERROR_STYLE, OK_STYLE
from app.views.messages import error_text
from app.views.worker import Worker


class AgreementSettingsSection(QGroupBox):
    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(_("Agreements and deadlines"), parent)
        self.worker = worker
        self.calendar_dialog: QWidget | None = None
        form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.pattern = QLineEdit()
        self.pattern.setObjectName("number_pattern")
        self.pattern.setToolTip(_("{office} is the office name, {year} the year of the period start, {seq:03d} the "
                                  "running number with three digits."))
        form.addRow(_("Agreement number pattern"), self.pattern)
        self.pattern_example = QLabel()
        self.pattern_example.setObjectName("pattern_example")
        self.pattern_example.setStyleSheet("color: #555;")
        self.pattern_example.setWordWrap(True)
        form.addRow("", self.pattern_example)
        self.pattern.textChanged.connect(self._pattern_changed)
        self.filing_days = QSpinBox()
        self.filing_days.setObjectName("filing_days")
        self.filing_days.setRange(1, 60)
        self.filing_days.setSuffix(_(" working days"))
        self.filing_days.setMaximumWidth(160)
        form.addRow(_("File with finance within"), self.filing_days)
        row = QHBoxLayout()
        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("save_agreement_settings")
        self.save_button.clicked.connect(self.save)
        self.calendar_button = QPushButton(_("Holiday calendar…"))
        self.calendar_button.setObjectName("open_calendar")
        self.calendar_button.clicked.connect(self.open_calendar)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row.addWidget(self.save_button)
        row.addWidget(self.calendar_button)
        row.addWidget(self.status, 1)
        form.addRow(row)

    def refresh(self) -> None:
        self.worker.call(ag.number_settings, on_done=self._show)

    def _pattern_changed(self, text: str) -> None:
        self.worker.call(ag.example_number, text, on_done=self._show_example)

    def _show_example(self, example: str) -> None:
        try:
            self.pattern_example.setText(example)
        except RuntimeError:  # the page was rebuilt before the answer came
            pass

    def _show(self, values: tuple[str, int]) -> None:
        self.pattern.setText(values[0])
        self.filing_days.setValue(values[1])

    def save(self) -> None:
        def failed(error: Exception) -> None:
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText("；".join(p.reason for p in error.problems) if isinstance(error, ValidationError)
                                else error_text(error))

        def done(_r: object) -> None:
            self.status.setStyleSheet(OK_STYLE)
            self.status.setText(_("Saved."))

        self.worker.call(ag.set_number_pattern, self.pattern.text(), self.filing_days.value(), on_done=done,
                         on_error=failed)

    def open_calendar(self) -> None:
        from app.views.calendar_dialog import HolidayCalendarDialog

        dialog = HolidayCalendarDialog(self.worker, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.calendar_dialog = dialog
        dialog.open()

"""Layout pieces that keep windows within an office screen (1024×768 or 1366×768 less a taskbar).

- `FlowLayout`: a row of buttons or filters that wraps onto the next line instead of widening
  the window (Qt's own "Flow Layout" example, in Python).
- `WrapCheckBox`: a check box whose long text wraps (QCheckBox's text never does, so one long
  label in English made whole forms 1,300 px wide).
- `scrolling`: a long form page inside a scroll area, so the dialog never grows past the screen.
- `ScreenFit`: an application-wide event filter that clamps every window, when it is shown, to
  the screen's available area (a size saved on a large screen, a dialog that asks for 900 px).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QLabel,
    QLayout,
    QLayoutItem,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QWidget,
    QWidgetItem,
)

# What a window frame (title bar and borders) adds before the window system has told us.
FRAME_ALLOWANCE = QSize(8, 32)


class FlowLayout(QLayout):
    """Items left to right, wrapping onto further lines when the row is full."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        if parent is not None:
            self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def addWidget(self, widget: QWidget) -> None:  # noqa: N802 - Qt API
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        if 0 <= index < len(self._items):
            item = self._items.pop(index)
            self.invalidate()
            return item
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        width, height = 0, 0
        for item in self._visible():
            hint = item.sizeHint()
            width += hint.width() + (self._spacing if width else 0)
            height = max(height, hint.height())
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not (i.widget() is not None and i.widget().isHidden())]

    def _arrange(self, rect: QRect, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._visible():
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._spacing, 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), QSize(min(hint.width(), area.width()), hint.height())))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()


def flow_row(*widgets: QWidget, spacing: int = 6) -> tuple[QWidget, FlowLayout]:
    """A widget holding `widgets` in a wrapping row (add it to a page like any widget)."""
    box = QWidget()
    flow = FlowLayout(box, spacing)
    for w in widgets:
        flow.addWidget(w)
    policy = box.sizePolicy()
    policy.setHeightForWidth(True)
    box.setSizePolicy(policy)
    return box, flow


class WrapCheckBox(QCheckBox):
    """A QCheckBox whose text wraps onto further lines when the form is narrow."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = QLabel(text, self)
        self._label.setWordWrap(True)
        self._label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        policy.setHorizontalPolicy(QSizePolicy.Policy.Preferred)
        self.setSizePolicy(policy)

    def text(self) -> str:
        return self._label.text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        self._label.setText(text)
        self.updateGeometry()

    def _indent(self) -> int:
        style = self.style()
        return (style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, self)
                + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, self) + 2)

    def _indicator_height(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorHeight, None, self) + 4

    def hitButton(self, pos: QPoint) -> bool:  # noqa: N802 - the text is part of the button
        return self.rect().contains(pos)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = self._label.sizeHint()
        return QSize(self._indent() + hint.width(), max(self._indicator_height(), hint.height()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        width = self._indent() + min(self._label.sizeHint().width(), 160)
        return QSize(width, self.heightForWidth(width))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return max(self._indicator_height(), self._label.heightForWidth(max(1, width - self._indent())))

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        indent = self._indent()
        self._label.setGeometry(indent, 0, max(1, self.width() - indent), self.height())


def scrolling(page: QWidget) -> QScrollArea:
    """`page` in a frameless scroll area: a long form scrolls inside instead of growing the dialog."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(page)
    return area


def available_area(widget: QWidget) -> QRect:
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(widget: QWidget, move: bool = True) -> None:
    """Shrink `widget` to the available screen area (less its frame) and, with `move`, move it fully
    onto it."""
    if widget.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
        return
    area = available_area(widget)
    frame, inner = widget.frameGeometry(), widget.geometry()
    extra = QSize(frame.width() - inner.width(), frame.height() - inner.height())
    if extra.width() <= 0 and extra.height() <= 0:
        extra = FRAME_ALLOWANCE
    room = QSize(area.width() - extra.width(), area.height() - extra.height())
    size = widget.size().boundedTo(room).expandedTo(widget.minimumSize())
    if size != widget.size():
        widget.resize(size)
    if not move:
        return
    full = QSize(size.width() + extra.width(), size.height() + extra.height())
    pos = widget.pos()
    x = min(max(pos.x(), area.left()), max(area.left(), area.right() + 1 - full.width()))
    y = min(max(pos.y(), area.top()), max(area.top(), area.bottom() + 1 - full.height()))
    if (x, y) != (pos.x(), pos.y()):
        widget.move(x, y)


class ScreenFit(QObject):
    """Clamps every main window and dialog to the screen when it is shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (event.type() == QEvent.Type.Show and isinstance(watched, (QDialog, QMainWindow))
                and watched.isWindow()):
            fit_to_screen(watched, move=False)
            # Qt places a dialog (centred on its parent) after this event: check the place after that.
            QTimer.singleShot(0, watched, lambda w=watched: _onto_screen(w))
        return False


def _onto_screen(widget: QWidget) -> None:
    if widget.isVisible() and not available_area(widget).contains(widget.frameGeometry()):
        fit_to_screen(widget)


def install_screen_fit(app: QObject) -> ScreenFit:
    existing = app.findChild(ScreenFit)
    if existing is not None:
        return existing
    fit = ScreenFit(app)
    app.installEventFilter(fit)
    return fit

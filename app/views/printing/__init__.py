"""Print preview, batch printing and paper-copy verification dialogs.

The dialogs load lazily (module __getattr__), so a screen that only needs the shared labels does
not load QtPdf and the printing service at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "PreviewDialog": "preview", "open_preview": "preview",
    "BatchPrintDialog": "batch", "open_batch_print": "batch",
    "VerifyDialog": "verify", "open_verify": "verify",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"app.views.printing.{_WHERE[name]}"), name)
    raise AttributeError(name)

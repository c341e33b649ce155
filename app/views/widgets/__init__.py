"""Widgets more than one screen uses: the attachments panel, the reason dialog, the instalment editor."""

"""argparse's own words (usage, options, errors) through our catalogs, so `spdesk --help` is Chinese.

argparse looks its strings up with `gettext.gettext` bound at import; we rebind that name to ours.
The strings below are the ones a user can meet; marking them here puts them in the catalogs.
"""

from __future__ import annotations

import argparse

from app.i18n import N_, _, ngettext

ARGPARSE_STRINGS = [
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("can't open '%(filename)s': %(error)s"),
]


def install() -> None:
    argparse._ = _  # type: ignore[attr-defined]  # argparse reads its messages through these module globals
    argparse.ngettext = ngettext  # type: ignore[attr-defined]  # (the same)

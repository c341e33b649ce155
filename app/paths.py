"""Where things live: bundled resources (source tree or frozen build) and the user's data folder.

One helper for both layouts, so that the installer never needs special cases elsewhere.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "spdesk"
APP_AUTHOR = "spdesk"
DB_ENV = "SPDESK_DB"
DATA_ENV = "SPDESK_DATA_DIR"


def _bundle_root() -> Path:
    """Folder that holds `app/` and `i18n/`: the repository, or PyInstaller's unpack folder."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """A file under app/resources (fonts, icons, templates)."""
    return _bundle_root().joinpath("app", "resources", *parts)


def i18n_dir() -> Path:
    return _bundle_root() / "i18n"


def data_dir() -> Path:
    """Per-user data folder; never the install folder, so upgrades and removal keep data."""
    override = os.environ.get(DATA_ENV)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Per-user cache (compiled catalogs, font metrics): safe to delete, rebuilt on need."""
    override = os.environ.get(DATA_ENV)
    return Path(override) / "cache" if override else Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env)
    return data_dir() / "spdesk.sqlite3"

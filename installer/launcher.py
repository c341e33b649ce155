"""Entry point of the frozen program (PyInstaller): the same `spdesk` command as from source."""

import multiprocessing

from app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    raise SystemExit(main())

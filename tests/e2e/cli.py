"""Running the command line in-process for the end-to-end tests: the exit code with what was printed.
Tests that use it take the `no_credentials` fixture (tests/e2e/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    """`spdesk --db DB ARGS…` in this process: (exit code, stdout, stderr)."""
    try:
        code = main(["--db", str(db), *args])
    except SystemExit as exc:  # refusals exit like argparse does
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err

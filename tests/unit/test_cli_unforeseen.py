"""The command line never shows a traceback: an error no part of the program foresaw ends in one sentence
in the user's language, with the details in a report file for whoever supports the program; Ctrl+C ends
in a sentence too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import EXIT_INTERRUPTED, EXIT_UNFORESEEN, main
from app.cli import printing as cli_printing

ROOT = Path(__file__).resolve().parents[2]


def test_an_unforeseen_error_is_one_sentence_and_a_report(monkeypatch, tmp_path, capsys) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("的确没有料到")

    monkeypatch.setattr(cli_printing, "cmd_verify", broken)
    assert main(["--db", str(tmp_path / "x.sqlite3"), "verify", "ABCD-EFGH"]) == EXIT_UNFORESEEN
    err = capsys.readouterr().err
    assert "Traceback" not in err and "RuntimeError: 的确没有料到" in err and "未预料" in err
    reports = list((tmp_path / "data" / "reports").glob("error-*.txt"))
    assert len(reports) == 1 and str(reports[0]) in err
    text = reports[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "broken" in text


def test_without_a_folder_for_the_report_it_still_says_one_sentence(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setattr(cli_printing, "cmd_verify", lambda args: 1 / 0)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "reports").write_text("a file where the folder would be", encoding="utf-8")
    assert main(["--db", str(tmp_path / "x.sqlite3"), "verify", "ABCD-EFGH"]) == EXIT_UNFORESEEN
    err = capsys.readouterr().err
    assert "ZeroDivisionError" in err and "Traceback" not in err and "reports" not in err


def test_ctrl_c_is_a_sentence(monkeypatch, tmp_path, capsys) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_printing, "cmd_verify", interrupted)
    assert main(["--db", str(tmp_path / "x.sqlite3"), "verify", "ABCD-EFGH"]) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "Ctrl+C" in err and "Traceback" not in err


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_whole_process_shows_no_traceback(tmp_path, lang) -> None:
    """As a person runs it: `python -m app` with a command whose handler fails unforeseen."""
    code = ("import sys; from app.cli import printing as p; p.cmd_verify = lambda a: {}['missing']; "
            "from app.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, "--lang", lang, "--db", str(tmp_path / "x.sqlite3"), "verify",
                           "ABCD"], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "SPDESK_DATA_DIR": str(tmp_path / "d")})
    assert done.returncode == EXIT_UNFORESEEN
    assert "Traceback" not in done.stderr and "KeyError" in done.stderr
    assert ("did not foresee" in done.stderr) == (lang == "en")

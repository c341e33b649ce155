"""The command line imports only the module of the command being run (issue 17), and says the same.

`spdesk --help` lists every command from app.cli.COMMANDS without importing their modules; these tests
hold that table to what the modules register, and the help to that of a parser built from every module.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.cli import argparse_zh
from app.i18n import set_language

ROOT = Path(__file__).resolve().parents[2]


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str | None]]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [(c.dest, c.help) for c in sub._choices_actions]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_table_names_every_command_as_its_module_registers_it(lang: str) -> None:
    set_language(lang)
    try:
        full = _subcommands(cli._build_parser(every=True))
        stubs = _subcommands(cli._build_parser())
    finally:
        set_language("zh_CN")
    assert full == stubs
    assert [name for name, _help in full] == ["gui", *(name for name, _m, _h in cli.COMMANDS)]


@pytest.mark.parametrize("module", sorted({m for _n, m, _h in cli.COMMANDS}))
def test_each_module_registers_exactly_its_commands(module: str) -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    cli.command_module(module).register(sub)
    assert list(sub.choices) == [name for name, m, _h in cli.COMMANDS if m == module]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("argv", [["--help"], ["agreements", "--help"], ["agreements", "list", "--help"],
                                  ["payments", "list", "--help"], ["print", "--help"], ["nonsense"],
                                  ["--db"], ["agreements"], ["users", "add"]])
def test_help_and_usage_errors_are_those_of_the_full_parser(lang: str, argv: list[str]) -> None:
    """What `main` prints for help and usage errors equals what the parser of every module prints."""
    argv = ["--lang", lang, *argv]
    set_language(lang)
    argparse_zh.install()
    want_out, want_err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(want_out), contextlib.redirect_stderr(want_err), pytest.raises(SystemExit) as want:
        cli._build_parser(every=True).parse_args(argv)
    got_out, got_err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(got_out), contextlib.redirect_stderr(got_err), pytest.raises(SystemExit) as got:
        cli.main(argv)
    set_language("zh_CN")
    assert (got.value.code, got_out.getvalue(), got_err.getvalue()) == (
        want.value.code, want_out.getvalue(), want_err.getvalue())
    assert want_out.getvalue() or want_err.getvalue()  # something was printed: the comparison is not vacuous


def test_a_command_imports_only_its_own_module(tmp_path: Path) -> None:
    """`spdesk agreements list` loads app.cli.agreements and no other command module, nor SQLAlchemy's ORM
    through them (the command itself may still need it); `--help` loads no command module at all."""
    script = ("import sys, json, contextlib, io\nfrom app.cli import main\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              "    try:\n        main(sys.argv[1:])\n    except SystemExit:\n        pass\n"
              "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('app.cli.', 'sqlalchemy')))))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPDESK_DATA_DIR": str(tmp_path)}

    def loaded(*argv: str) -> set[str]:
        out = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, env=env,
                             cwd=ROOT, check=True, timeout=120)
        return set(json.loads(out.stdout.strip().splitlines()[-1]))

    commands = {f"app.cli.{m}" for _n, m, _h in cli.COMMANDS}
    on_help = loaded("--help")
    assert on_help & commands == set()
    assert not any(m.startswith("sqlalchemy") for m in on_help)
    on_print_help = loaded("print", "--help")
    assert on_print_help & commands == {"app.cli.printing", "app.cli.common"}  # printing imports common's helpers

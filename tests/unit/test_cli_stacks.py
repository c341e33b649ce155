"""A window that seems stuck can be asked where it waits: SIGUSR1 prints every thread's Python stack.

(Issue 16: the Debian 11 window test reported a 'hang' that was the log-in dialog waiting for input;
the stack of the running program says so at once.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="POSIX signals only")

SCRIPT = """
import os, signal, threading
from app.cli import stacks_on_request

def waiting_in_a_dialog(ready, event):
    ready.set()
    event.wait()

assert stacks_on_request()
ready, done = threading.Event(), threading.Event()
worker = threading.Thread(target=waiting_in_a_dialog, args=(ready, done), name="worker")
worker.start()
ready.wait()
os.kill(os.getpid(), signal.SIGUSR1)
done.set()
worker.join()
print("still running")
"""


def test_sigusr1_prints_every_threads_stack_and_the_program_goes_on() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "still running"
    assert "waiting_in_a_dialog" in proc.stderr, proc.stderr  # the other thread's stack too
    assert "Current thread" in proc.stderr, proc.stderr


def test_without_a_stderr_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    from app import cli

    monkeypatch.setattr(sys, "stderr", None)
    assert cli.stacks_on_request() is False

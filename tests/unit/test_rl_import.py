"""reportlab's paragraphs imported with their URL pattern compiled on first use (issue 17): the same pattern,
the same matches, and `re.compile` put back. In a fresh interpreter: this process imported reportlab long ago."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = r'''
import json, re
real = re.compile
from app.documents.rl_import import LazyPattern, import_platypus
import_platypus()
from reportlab.platypus import paragraph
assert re.compile is real
lazy = paragraph.uri_pat
out = {"lazy": isinstance(lazy, LazyPattern), "compiled_before_use": lazy._compiled is not None}
eager = real(lazy.pattern_text, lazy.flags_given)
uris = ["https://www.example.com/a/b?c=1", "HTTP://例子.中国/路径/", "ftp://user:pw@10.0.0.1:21/x", "www.gov.cn",
        "not a uri", "https://[::1]/x", "mailto:x@y.z", "https://xn--fiqs8s.cn/"]
out["same"] = all((lazy.match(u) and lazy.match(u).groups()) == (eager.match(u) and eager.match(u).groups())
                  for u in uris)
out["pairs"] = [paragraph._uri_split_pairs(u) for u in uris]
paragraph.uri_pat = eager
out["same_pairs"] = out["pairs"] == [paragraph._uri_split_pairs(u) for u in uris]
out["flags"] = lazy.flags == eager.flags and lazy.pattern == eager.pattern
import_platypus()  # a second call changes nothing
out["still"] = paragraph.uri_pat is eager and re.compile is real
del out["pairs"]
print(json.dumps(out))
'''


def test_the_url_pattern_is_compiled_on_first_use_and_matches_the_same() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, cwd=ROOT,
                          check=True, timeout=120)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "lazy": True, "compiled_before_use": False, "same": True, "same_pairs": True, "flags": True, "still": True}

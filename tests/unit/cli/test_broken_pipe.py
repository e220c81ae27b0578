"""A listing piped into a reader that stops early (``credit quarantine | head``): the command stops
quietly with exit 0, as ``seq 1000000 | head`` does for its users — no traceback, no "Exception
ignored … BrokenPipeError", not exit 1 without a word. Handled once, in the entry point
(:func:`credit.cli.main.main`), for output written by rich (tables) and by plain writes (JSON, CSV)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CREDIT = Path(sys.executable).with_name("credit")


def _into_closed_pipe(args: list[str], home: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``credit ARGS`` with standard output a pipe whose reader has already gone (head exited)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = dict(os.environ, CREDIT_HOME=str(home), CREDIT_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        return subprocess.run([str(CREDIT), *args], stdout=write_end, stderr=subprocess.PIPE, env=env,
                              check=False, timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [
    ["keys", "public"],                                                   # a plain print
    ["sample", "--entities", "1", "--nights", "1", "--out", "{tmp}/drop"],  # a rich console's lines
    ["--help"],                                                           # help pages: `credit --help | head -1`
    ["nightly", "--help"],
    ["roster", "export", "--help"],
])
def test_a_closed_pipe_ends_the_command_quietly_with_exit_0(tmp_path: Path, args: list[str]) -> None:
    r = _into_closed_pipe([a.replace("{tmp}", str(tmp_path)) for a in args], tmp_path / "home")
    assert r.returncode == 0, r.stderr.decode()
    assert b"Traceback" not in r.stderr and b"Exception ignored" not in r.stderr and b"BrokenPipe" not in r.stderr
    assert r.stderr == b""


def test_a_refusal_keeps_its_exit_code_when_the_reader_is_gone(tmp_path: Path) -> None:
    """Only a write into the closed pipe is forgiven: a refusal (exit 2) is still a refusal."""
    r = _into_closed_pipe(["sample", "--entities", "1", "--nights", "1", "--out", "-"], tmp_path / "home")
    assert r.returncode == 2 and "refused" in r.stderr.decode()

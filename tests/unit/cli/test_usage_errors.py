"""What the parser refuses (an option or argument missing, an option misspelt, no such command, an
extra argument) reads as every other refusal of the command line: ``拒绝 refused:``, Chinese first,
the parser's own English after, the command's ``--help`` named, exit 2 — Typer printed them in
English only, in a box. The installed ``credit`` command is run (its entry point does this), with
a database URL nothing listens on: none of these reaches the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CREDIT = Path(sys.executable).with_name("credit")


def _credit(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CREDIT_HOME=str(home), CREDIT_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none",
               COLUMNS="200")
    return subprocess.run([str(CREDIT), *args], capture_output=True, text=True, env=env, check=False, timeout=120,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("args, said", [
    (["officers", "add", "li"], "缺少选项 --name (Missing option '--name')；用法见 credit officers add --help"),
    (["status"], "缺少参数 USCC (Missing argument 'USCC')；用法见 credit status --help"),
    (["officers", "add", "li", "--nmae", "x"], "没有选项 --nmae（是否想用 --name？）"),
    (["nosuch"], "没有这个命令 (No such command 'nosuch')；用法见 credit --help"),
    (["keys", "public", "extra"], "多给了参数 (Got unexpected extra argument(s) (extra))"),
], ids=["missing option", "missing argument", "misspelt option", "no such command", "extra argument"])
def test_a_command_line_the_parser_refuses_reads_chinese_first(tmp_path: Path, args: list[str], said: str) -> None:
    r = _credit(args, tmp_path)
    assert r.returncode == 2, (r.returncode, r.stderr)
    text = " ".join(r.stderr.split())
    assert text.startswith("拒绝 refused: ") and " ".join(said.split()) in text, text
    assert "Traceback" not in r.stderr and "╭" not in r.stderr and r.stdout == ""


def test_help_and_an_ordinary_end_still_exit_0(tmp_path: Path) -> None:
    r = _credit(["--help"], tmp_path)
    assert r.returncode == 0 and "Usage" in r.stdout, r.stderr
    assert _credit(["keys", "--help"], tmp_path).returncode == 0


@pytest.mark.parametrize("args", [[], ["roster"], ["api", "keys"]], ids=["credit", "credit roster", "credit api keys"])
def test_a_group_given_no_command_shows_its_help_and_says_what_is_missing(tmp_path: Path, args: list[str]) -> None:
    """``credit roster`` alone: its help page, then the refusal names what is missing — it read
    "命令行有误 ()", an empty reason (the parser's error carries the help page as its text)."""
    r = _credit(args, tmp_path)
    assert r.returncode == 2, (r.returncode, r.stderr)
    where = " ".join(["credit", *args])
    assert r.stdout.startswith(f"用法 Usage: {where} [OPTIONS] COMMAND"), r.stdout
    assert r.stderr.strip() == f"拒绝 refused: 缺少命令 (Missing command)；用法见 {where} --help (see {where} --help)"

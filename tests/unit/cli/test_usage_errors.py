"""What the parser refuses (an option or argument missing, an option misspelt, no such command, an
extra argument) reads as every other refusal of the command line: ``拒绝 refused:``, Chinese first,
the parser's own English after, the command's ``--help`` named, exit 2 — Typer printed them in
English only, in a box. The installed ``credit`` command is run (its entry point does this), with
a database URL nothing listens on: none of these reaches the database."""

from __future__ import annotations

import enum
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
import typer

from credit.cli.help import BureauTyper
from credit.cli.output import usage_problem

CREDIT = Path(sys.executable).with_name("credit")


def _credit(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CREDIT_HOME=str(home), CREDIT_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none",
               COLUMNS="200")
    return subprocess.run([str(CREDIT), *args], capture_output=True, text=True, env=env, check=False, timeout=120,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("args, said", [
    (["officers", "add", "li"], "缺少选项 --name (Missing option '--name')；用法见 credit officers add --help"),
    (["status"], "缺少参数 统一社会信用代码 USCC (Missing argument 'USCC')；用法见 credit status --help"),
    (["officers", "add", "li", "--nmae", "x"], "没有选项 --nmae（是否想用 --name？）"),
    (["nosuch"], "没有这个命令 (No such command 'nosuch')；用法见 credit --help"),
    (["keys", "public", "extra"], "多给了参数 (Got unexpected extra argument(s) (extra))"),
    (["nightly", "--drop"], "选项 --drop 缺少取值 (Option '--drop' requires an argument)；用法见 credit nightly --help"),
], ids=["missing option", "missing argument", "misspelt option", "no such command", "extra argument", "missing value"])
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
    assert " ".join(r.stdout.split()).startswith(f"用法 Usage: {where} [选项 OPTIONS] 命令 COMMAND"), r.stdout
    assert r.stderr.strip() == f"拒绝 refused: 缺少命令 (Missing command)；用法见 {where} --help (see {where} --help)"


def _refusal(args: list[str], application: typer.Typer | None = None) -> str:
    """What the entry point says of ``credit ARGS`` the parser refuses (:func:`credit.cli.main.main`
    does this with the error): run in-process, so that a table of every kind at every depth is fast."""
    from typer.exceptions import TyperException

    from credit.cli.main import app

    try:
        (application or app)(args=args, prog_name="credit", standalone_mode=False)
    except TyperException as e:
        return usage_problem(e)
    raise AssertionError(f"credit {' '.join(args)} was not refused")


U = "91350100M000100Y3A"
#: (arguments, the command whose help the refusal names): each kind of refusal at each depth.
EVERY_KIND_AT_EVERY_DEPTH = [
    (["--bogus"], "credit"),                                          # no such option
    (["nosuch"], "credit"),                                           # no such command
    (["nightly", "--drop"], "credit nightly"),                        # missing value
    (["status", U, "--json=1"], "credit status"),                     # a value given to a flag
    (["sample", "--entities", "x", "--nights", "1", "--out", "d"], "credit sample"),   # bad type
    (["nightly", "--date", "2026-07-15"], "credit nightly"),          # missing option
    (["status", U, "extra"], "credit status"),                        # extra argument
    (["status"], "credit status"),                                    # missing argument
    (["nightly", "--bogus"], "credit nightly"),                       # no such option
    (["roster", "nosuch"], "credit roster"),                          # no such command
    (["draw", "verify", "--record"], "credit draw verify"),           # missing value
    (["grades", "show", U, "--json=1"], "credit grades show"),        # a value given to a flag
    (["objection", "decide", "x"], "credit objection decide"),        # bad type
    (["draw", "run", "D1"], "credit draw run"),                       # missing option
    (["draw", "run", "D1", "D2", "--seed", "s"], "credit draw run"),  # extra argument
    (["draw", "run"], "credit draw run"),                             # missing argument
    (["draw", "run", "--bogus"], "credit draw run"),                  # no such option
    (["api", "keys", "nosuch"], "credit api keys"),                   # no such command
    (["api", "keys", "create", "--role"], "credit api keys create"),  # missing value
    (["api", "keys", "list", "--json=1"], "credit api keys list"),    # a value given to a flag
    (["api", "keys", "revoke", "x"], "credit api keys revoke"),       # bad type
    (["api", "keys", "create", "--name", "n"], "credit api keys create"),   # missing option
    (["api", "keys", "revoke", "1", "2"], "credit api keys revoke"),  # extra argument
    (["api", "keys", "revoke"], "credit api keys revoke"),            # missing argument
    (["api", "keys", "list", "--bogus"], "credit api keys list"),     # no such option
]


@pytest.mark.parametrize("args, where", EVERY_KIND_AT_EVERY_DEPTH, ids=[" ".join(a) for a, _ in EVERY_KIND_AT_EVERY_DEPTH])
def test_every_refusal_of_the_parser_names_the_help_of_the_command_it_was_reading(args: list[str], where: str) -> None:
    """``credit nightly --drop`` (an option without its value) sent the officer to ``credit --help``
    while ``credit nightly --bogus`` named ``credit nightly --help``: click's parser raises "requires
    an argument" and "does not take a value" without saying whose option it was."""
    said = _refusal(args)
    assert said.endswith(f"；用法见 {where} --help (see {where} --help)"), said


class Kind(enum.StrEnum):
    abnormal = "abnormal"
    serious = "serious"


def test_a_bad_choice_names_the_command_whose_option_it_is() -> None:
    """No option of ``credit`` is a typer choice today (the commands check --roster, --role and
    --format themselves, naming the values allowed); one added later is refused as the others."""
    outer, inner = BureauTyper(), BureauTyper()
    outer.add_typer(inner, name="roster")

    @inner.command("export")
    def export(roster: Annotated[Kind, typer.Option("--roster", help="名录 — Roster.")]) -> None:
        raise AssertionError(roster)

    @inner.command("other")
    def other() -> None:
        raise AssertionError("not this one")

    said = _refusal(["roster", "export", "--roster", "nosuch"], outer)
    assert said.startswith("--roster 的取值无效") and said.endswith("用法见 credit roster export --help (see credit roster export --help)"), said


@pytest.mark.parametrize("args, said", [
    (["nightly", "--drop"], "选项 --drop 缺少取值 (Option '--drop' requires an argument)"),
    (["status", U, "--json=1"], "选项 --json 不带取值 (Option '--json' does not take a value)"),
])
def test_an_option_without_its_value_or_a_flag_with_one_is_said_so(args: list[str], said: str) -> None:
    """Both read 选项 … 的用法有误 ("the option's usage is wrong"): true, and no help to the officer."""
    assert _refusal(args).startswith(said), _refusal(args)


@pytest.mark.parametrize("args, said", [
    (["draw", "run"], "缺少参数 抽取编号 DRAW_ID (Missing argument 'DRAW_ID')"),
    (["objection", "decide", "x"], "异议编号 OBJECTION 的取值无效 (Invalid value for 'OBJECTION'"),
])
def test_a_refusal_names_an_argument_as_its_help_page_does(args: list[str], said: str) -> None:
    """They read 缺少参数 draw_id (Missing argument 'draw_id') and objection 的取值无效: the
    parameter's name, where the usage line reads {抽取编号 DRAW_ID} (contracts.md §2: DRAW_ID)."""
    assert _refusal(args).startswith(said), _refusal(args)

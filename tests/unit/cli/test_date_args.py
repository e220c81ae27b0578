"""A date an officer mistypes on any command (``--on 2026-13-01``, ``--as-of yesterday``,
``--night 2026/7/1``) is refused in one line, Chinese first with the English after, naming the
option and showing the value in 「」 (never a Python repr), exit 2 as every refusal
(contracts.md §2) — before any database is reached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from credit.cli.main import app

pytestmark = pytest.mark.usefixtures("unreachable_database")


@pytest.mark.parametrize(("args", "option", "value"), [
    (["nightly", "--drop", "x", "--date"], "--date", "2026/7/1"),
    (["summary", "--date"], "--date", "yesterday"),
    (["sample", "--entities", "1", "--nights", "1", "--out", "OUT", "--start"], "--start", "2026-13-01"),
    (["status", "91330106MA2B3C4D11", "--as-of"], "--as-of", "2026-13-01"),
    (["status", "91330106MA2B3C4D11", "--known-at"], "--known-at", "yesterday"),
    (["roster", "export", "--roster", "abnormal", "--as-of"], "--as-of", "yesterday"),
    (["repair", "apply", "91330106MA2B3C4D11", "--roster", "abnormal", "--received"], "--received", "2026/7/1"),
    (["serious", "list", "--on"], "--on", "2026-13-01"),
    (["deadlines", "--on"], "--on", "yesterday"),
    (["grades", "show", "91330106MA2B3C4D11", "--as-of"], "--as-of", "2026-02-30"),
    (["grades", "transitions", "--night"], "--night", "2026/7/1"),
    (["notices", "--night"], "--night", "2026/7/1"),
    (["quality", "--night"], "--night", "2026/7/1"),
    (["draw", "plan", "--matter", "m", "--as-of"], "--as-of", "2026/7/1"),
    (["draw", "results", "T1", "--as-of"], "--as-of", "yesterday"),
])
def test_a_bad_date_is_refused_in_chinese_naming_the_option(args: list[str], option: str, value: str,
                                                             tmp_path: Path) -> None:
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    r = CliRunner().invoke(app, [*args, value])
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    said = " ".join(r.output.split())
    assert said.startswith(f"拒绝 refused: {option}「{value}」不是有效日期"), said   # as every refusal (output.refuse)
    assert said.index("不是有效日期") < said.index(f"({option} is not a date YYYY-MM-DD)")
    assert repr(value) not in said and "Traceback" not in said


def test_control_characters_in_a_bad_date_are_shown_as_codes() -> None:
    r = CliRunner().invoke(app, ["summary", "--date", "2026\x1b[2J"])
    assert r.exit_code == 2
    assert "「2026\\x1b[2J」" in r.output and "\x1b" not in r.output


# --------------------------------------------------------------- only YYYY-MM-DD, on every option
def _leaves(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command that runs (typer 0.29's click: a group is told by its ``commands``)."""
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _leaves(sub, (*path, name))
    else:
        yield path, cmd


def _date_options() -> list[tuple[tuple[str, ...], Any, str]]:
    """(command path, command, option) for every date option (its metavar is ``YYYY-MM-DD``)."""
    return [(path, cmd, p.opts[0]) for path, cmd in _leaves(typer.main.get_command(app)) for p in cmd.params
            if p.param_type_name == "option" and p.metavar == "YYYY-MM-DD"]


def _call(path: tuple[str, ...], cmd: Any, option: str, value: str, out: Path) -> list[str]:
    """``credit <path>`` with ``option`` set to ``value`` and every other required parameter (and
    ``--roster``, which ``repair apply`` needs unless ``--penalty``) given a value of its kind."""
    args = list(path)
    for p in cmd.params:
        if p.param_type_name == "argument":
            args.append(USCC if p.name == "uscc" else "1")
        elif p.opts[0] == option:
            args += [option, value]
        elif p.required or p.opts[0] == "--roster":
            given = ("2026-07-15" if p.metavar == "YYYY-MM-DD" else "abnormal" if p.opts[0] == "--roster"
                     else str(out / p.name) if p.type_descriptor.annotation is Path else "1")
            args += [p.opts[0], given]
    return args


USCC = "91330106MA2B3C4D11"
DATE_OPTIONS = _date_options()


def test_every_date_option_is_enumerated() -> None:
    assert len(DATE_OPTIONS) >= 20
    assert {o for _, _, o in DATE_OPTIONS} >= {"--date", "--as-of", "--known-at", "--night", "--on", "--received",
                                               "--consented-on", "--start"}


@pytest.mark.parametrize("value", ["20260715", "2026-W29-3", "2026-196", "2026-07-15T00:00:00+09:00"])
@pytest.mark.parametrize(("path", "cmd", "option"), DATE_OPTIONS, ids=[f"{' '.join(p)} {o}" for p, _, o in DATE_OPTIONS])
def test_only_yyyy_mm_dd_is_a_date_on_any_option(path: tuple[str, ...], cmd: Any, option: str, value: str,
                                                 tmp_path: Path) -> None:
    """contracts.md writes every date YYYY-MM-DD. Python 3.11's ``date.fromisoformat`` also reads the
    basic form ``20260715`` and the ISO week date ``2026-W29-3`` (Wednesday of week 29: 2026-07-15),
    so ``--as-of 2026-W29-3`` answered for a day the officer may never have meant: every date option
    refuses any other form, in the usual words, exit 2, before the database."""
    r = CliRunner().invoke(app, _call(path, cmd, option, value, tmp_path))
    assert r.exit_code == 2, (path, option, r.exit_code, r.output, r.exception)
    said = " ".join(r.output.split())
    assert said.startswith(f"拒绝 refused: {option}「{value}」不是有效日期，应写作 YYYY-MM-DD"), said
    assert f"({option} is not a date YYYY-MM-DD)" in said, said

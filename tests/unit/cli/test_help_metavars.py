"""``--help`` names what a value is written as (typer 0.29 shows ``<str>`` for a string option and
the parameter's name for an argument): every date option reads ``YYYY-MM-DD``, a USCC argument
``USCC``. Flags keep typer's ``<bool>``: typer 0.29 shows every type in ``<>`` by design
(fastapi/typer#1863), and ``--help`` itself, which typer adds, takes no metavar."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
from typer.testing import CliRunner

from credit.cli.main import app

DATE_OPTIONS = {"--as-of", "--date", "--night", "--known-at", "--on", "--received", "--consented-on", "--start"}


def _commands(cmd: Any, path: str = "credit") -> Iterator[tuple[str, Any]]:
    """Every command under ``cmd`` (typer 0.29 carries its own copy of click: groups are told by
    their ``commands``, not by ``isinstance``)."""
    yield path, cmd
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _commands(sub, f"{path} {name}")


def test_every_date_option_shows_its_format_and_every_uscc_argument_its_name() -> None:
    seen = 0
    for path, cmd in _commands(typer.main.get_command(app)):
        for p in cmd.params:
            if p.param_type_name == "option" and DATE_OPTIONS & set(p.opts):
                assert p.metavar == "YYYY-MM-DD", (path, p.opts)
                seen += 1
            if p.param_type_name == "argument" and p.name == "uscc":
                assert p.metavar == "USCC", path
    assert seen >= 20


def test_status_help_reads_the_date_format_and_uscc() -> None:
    r = CliRunner().invoke(app, ["status", "--help"], env={"COLUMNS": "120"})
    assert r.exit_code == 0
    text = " ".join(r.output.split())
    assert "{USCC}" in text and "--as-of YYYY-MM-DD" in text and "--known-at YYYY-MM-DD" in text
    assert "{uscc}" not in text


def test_roster_export_help_names_the_columns_it_writes_in_order() -> None:
    """contracts.md §2's columns, then ``remedy`` (and ``steps`` on the serious list): the help is the
    officer's reference for what the file holds."""
    from credit.rosters.read import EXPORT_COLUMNS

    cmd = typer.main.get_command(app).commands["roster"].commands["export"]  # type: ignore[attr-defined]
    text = " ".join((cmd.help or "").split())
    assert ", ".join(EXPORT_COLUMNS) in text and "steps" in text


def test_no_help_cites_our_internal_rules_document() -> None:
    """Help is read by officers: it names the legal source itself (a statute and its article),
    never ``domain.md`` or ``contracts.md``, the project's own notes outside the repository
    (``credit draw results`` cited "domain.md §8", ``credit audit publish`` "contracts.md §2")."""
    cited = [path for path, cmd in _commands(typer.main.get_command(app))
             if any(doc in " ".join([cmd.help or "", *(getattr(p, "help", None) or "" for p in cmd.params)])
                    for doc in ("domain.md", "contracts.md"))]
    assert cited == []


def test_draw_results_help_names_the_legal_source_of_results_publicity() -> None:
    r = CliRunner().invoke(app, ["draw", "results", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    text = " ".join(r.output.split())
    assert "企业信息公示暂行条例" in text and "domain.md" not in text, text

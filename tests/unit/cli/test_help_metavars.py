"""``--help`` names what a value is written as, Chinese first as every text of the page: every
date option reads ``<日期 YYYY-MM-DD>``, a USCC argument ``统一社会信用代码 USCC``, a string
``<文本 str>`` (typer 0.29 shows ``<str>``, and an argument by its parameter's name), and the usage
line ``[选项 OPTIONS]`` and ``命令 COMMAND [参数 ARGS]...``. A flag and ``--help`` take no value."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from rich.cells import cell_len
from typer._click.core import Context
from typer.testing import CliRunner

from credit.cli.main import app
from tests.unit.cli.test_help_in_chinese import chinese_first

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
    assert "{统一社会信用代码 USCC}" in text and "--as-of <日期 YYYY-MM-DD>" in text
    assert "--known-at <日期 YYYY-MM-DD>" in text and "{uscc}" not in text


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


def _page(path: list[str], width: int) -> list[str]:
    r = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(width)}, prog_name="credit")
    assert r.exit_code == 0, (path, r.output)
    return r.output.splitlines()


def _name_lines(page: list[str]) -> list[str]:
    """The name lines of a page's arguments and options (indented 2 under their section's title)."""
    names, inside = [], False
    for line in page:
        if line.endswith(":") and not line.startswith(" "):
            inside = line in ("参数 Arguments:", "选项 Options:")
        elif inside and line.startswith("  ") and not line.startswith("   "):
            names.append(line.strip())
    return names


@pytest.mark.parametrize("width", [60, 80, 120])
def test_no_usage_line_or_placeholder_is_english_only_at_any_width(width: int) -> None:
    """``用法 Usage: credit draw run [OPTIONS] {draw_id}`` and ``--seed <str>``: the last English of
    the pages. Every usage line is whole (each piece Chinese first, none cut when the line is
    wrapped) and every value an option or argument takes reads Chinese first, at 60, 80 and 120
    columns, no line wider than the terminal."""
    pages = 0
    for path, cmd in _commands(typer.main.get_command(app)):
        words = path.split()[1:]
        page = _page(words, width)
        assert max(cell_len(line) for line in page) <= width, (path, width)
        usage = " ".join(page[:page.index("")])
        ctx = Context(cmd, info_name="credit")
        pieces = cmd.collect_usage_pieces(ctx)
        assert usage.split() == ["用法", "Usage:", *path.split(), *" ".join(pieces).split()], (path, usage)
        english = [p for p in pieces if not chinese_first(p)]
        assert english == [], (path, english)
        shown = [p for p in cmd.get_params(ctx) if not p.hidden]
        names = _name_lines(page)
        assert len(names) == len(shown), (path, names)
        for name in names:
            value = name if not name.startswith("-") else " ".join(
                w for w in name.split() if not w.startswith("-") and w != "/")   # an option's value
            assert value == "" or chinese_first(value), (path, name)
        pages += 1
    assert pages > 60


def test_every_placeholder_of_the_command_line_has_its_chinese() -> None:
    """A new argument or option type without its Chinese in PLACEHOLDERS is named here."""
    from credit.cli.help import PLACEHOLDERS, argument_code

    missing = set()
    for _, cmd in _commands(typer.main.get_command(app)):
        for p in cmd.get_params(Context(cmd)):
            if p.param_type_name == "argument":
                missing |= {argument_code(p), p.display_type(None).strip("<>")} - set(PLACEHOLDERS)
            elif not (p.is_flag or p.count):
                missing |= {p.metavar or p.display_type(None).strip("<>")} - set(PLACEHOLDERS)
    assert missing == set()

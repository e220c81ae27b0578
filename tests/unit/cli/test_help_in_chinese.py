"""Every help text of the command line reads Chinese first, the English after it (officers read
Chinese; contracts.md §2: ``--help`` on every subcommand): each command's and sub-app's text and
each option's and argument's, ``--help`` itself included. A text is missing, or has no Chinese
before its first Latin letter, and this walk of the whole app names it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer._click.core import Context

from credit.cli.main import app

_LATIN = re.compile("[A-Za-z]")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


def _texts(cmd: Any, path: str = "credit") -> Iterator[tuple[str, str | None]]:
    """(where, help text) of ``cmd``, of each of its parameters, then of every command under it
    (typer 0.29 carries its own click: groups are told by their ``commands``)."""
    yield path, cmd.help
    for param in cmd.get_params(Context(cmd, info_name=path)):
        yield f"{path} {param.opts[0] if param.param_type_name == 'option' else param.name.upper()}", param.help
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _texts(sub, f"{path} {name}")


def chinese_first(text: str | None) -> bool:
    if not text or not text.strip():
        return False
    latin = _LATIN.search(text)
    return _CJK.search(text[:latin.start()] if latin else text) is not None


def test_the_rule_tells_chinese_first_from_english_first() -> None:
    assert chinese_first("运行某一夜的全部步骤 — Run night D end to end.")
    assert chinese_first("统一社会信用代码")
    assert not chinese_first("Credit repair (信用修复).")
    assert not chinese_first("YYYY-MM-DD; 默认最近一夜")
    assert not chinese_first(None) and not chinese_first("  ")


def test_every_command_option_and_argument_has_help_in_chinese_first() -> None:
    texts = list(_texts(typer.main.get_command(app)))
    assert len(texts) > 200   # the walk reached every sub-app
    wrong = [f"{where}: {text!r}" for where, text in texts if not chinese_first(text)]
    assert wrong == [], "\n".join(wrong)


def _paths(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _paths(sub, (*path, name))


@pytest.mark.parametrize("width", [60, 80, 120])
def test_every_help_page_keeps_its_chinese_whole_at_each_width(width: int) -> None:
    """``COLUMNS=80 credit … --help``: every line fits the terminal (a Chinese character takes two
    cells) and every text's Chinese is there whole — rich's boxes measured a Chinese sentence as one
    word and cut it with "…" (``credit nightly --help`` lost most of --skip-night's); so at 60 and
    120 columns too, the usage line and the placeholders Chinese first as well."""
    from rich.cells import cell_len
    from typer.testing import CliRunner

    runner = CliRunner()
    pages = 0
    for path, cmd in _paths(typer.main.get_command(app)):
        r = runner.invoke(app, [*path, "--help"], env={"COLUMNS": str(width)})
        assert r.exit_code == 0, (path, r.output)
        assert max(cell_len(line) for line in r.output.splitlines()) <= width, path
        page = "".join(r.output.split())
        texts = [cmd.help, *(p.help for p in cmd.get_params(Context(cmd)))]
        texts += [(sub.help or "").split("\n\n")[0] for sub in getattr(cmd, "commands", {}).values()]
        for text in texts:
            chinese = (text or "").split(" — ")[0]
            assert "".join(chinese.split()) in page, (path, chinese)
        pages += 1
    assert pages > 60


@pytest.mark.parametrize("text, width", [
    ("确认已交付但无法发布的批次（被拒绝且平台无法重新交付）予以放弃，其变更随之丢失。", 21),
    ("交付目录，内含 <YYYY-MM-DD>/manifest.json — The drop folder holding it.", 30),
    ("a/very/long/path/that/is/wider/than/any/line/of/the/page 与中文", 16),
])
def test_wrap_breaks_beside_chinese_characters_never_inside_one(text: str, width: int) -> None:
    from rich.cells import cell_len

    from credit.cli.help import wrap

    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")    # nothing lost, nothing cut
    assert not any(line[0] in "，。；：）" for line in lines), lines     # no line opens with a closing mark
    assert any(cell_len(line) > width - 3 for line in lines[:-1]), lines   # lines filled, not one run a line


def test_wrap_keeps_a_bracketed_note_on_one_line() -> None:
    from credit.cli.help import wrap

    for width in range(20, 90):
        lines = wrap("统一社会信用代码 — Unified social credit code (统一社会信用代码). [必填 required]", width)
        assert any("[必填 required]" in line for line in lines), (width, lines)

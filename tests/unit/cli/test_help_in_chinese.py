"""Every help text of the command line reads Chinese first, the English after it (officers read
Chinese; contracts.md §2: ``--help`` on every subcommand): each command's and sub-app's text and
each option's and argument's, ``--help`` itself included. A text is missing, or has no Chinese
before its first Latin letter, and this walk of the whole app names it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

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

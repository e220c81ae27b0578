"""The legal terms of the Chinese help texts say what the code does with the value (rev42, an
outsider's reading of the help pages as an officer reads them).

``--intent no_intent_proven`` is the art. 12 finding that the party proved it had no intent, which
excludes listing (domain.md §4, Discretion (art. 12); credit.rosters.serious_officers refuses a
listing with it). Its help read 未证明有过错 (fault not proven): the burden turned round, an officer
who had not proven intent was told to pick the value that forbids listing."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import typer
from typer.testing import CliRunner

from credit.api.pages import INTENT_LABELS
from credit.cli.main import app
from credit.draws.labels import REDRAW_KIND_LABELS
from tests.unit.cli.test_help_in_chinese import chinese_first


def _command_texts(cmd: Any, path: str = "credit") -> Iterator[tuple[str, str]]:
    """(command, its help text) of ``cmd`` and of every command under it."""
    yield path, cmd.help or ""
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _command_texts(sub, f"{path} {name}")


def _help(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    return re.sub(r"\s+", " ", result.output)


def test_each_intent_choice_reads_in_chinese_as_the_decision_pages_and_the_refusal_name_it() -> None:
    page = _help("serious", "assess")
    for value, label in INTENT_LABELS.items():
        assert f"{label} {value}" in page, (value, label)
    assert "未证明有过错" not in page


def test_a_redraw_for_a_closed_entity_is_not_offered_for_a_suspended_one() -> None:
    """歇业 is a suspension the entity returns from, still a market entity that files its annual
    report (domain.md §2, 实施细则 art. 63): not 'the entity closed' (--entity-closed, 主体已关闭)."""
    page = _help("draw", "redraw")
    assert REDRAW_KIND_LABELS["entity_closed"] in page and "歇业" not in page


def test_every_paragraph_of_a_command_text_reads_chinese_first_with_the_english_beside_it() -> None:
    """A command's help page prints each paragraph of its text; `credit draw verify` explained what
    it checks, and `credit draw results` the legal basis of its limit, in English alone below the
    first paragraph (the results' Chinese said it in the first paragraph instead, so that the
    listing of `credit draw --help` gave it in Chinese and not in English)."""
    wrong = []
    for where, text in _command_texts(typer.main.get_command(app)):
        for paragraph in inspect.cleandoc(text).partition("\f")[0].split("\n\n"):
            if paragraph.strip() and not (chinese_first(paragraph) and " — " in " ".join(paragraph.split())):
                wrong.append(f"{where}: {paragraph[:60]!r}")
    assert wrong == [], "\n".join(wrong)
    listing = _help("draw")
    results = listing[listing.index(" results "):]
    assert "第十四条第三款" not in results.partition(" — ")[0]

"""The legal terms of the Chinese help texts say what the code does with the value (rev42, an
outsider's reading of the help pages as an officer reads them).

``--intent no_intent_proven`` is the art. 12 finding that the party proved it had no intent, which
excludes listing (domain.md §4, Discretion (art. 12); credit.rosters.serious_officers refuses a
listing with it). Its help read 未证明有过错 (fault not proven): the burden turned round, an officer
who had not proven intent was told to pick the value that forbids listing."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from credit.api.pages import INTENT_LABELS
from credit.cli.main import app
from credit.draws.labels import REDRAW_KIND_LABELS


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

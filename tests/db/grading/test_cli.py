"""`credit grades show` and `credit grades transitions` against a graded night; the empty store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.cli.commands.grading import app
from credit.context import NightContext
from credit.grading.night import grade_night
from credit.settings import Settings, get_settings
from tests.db.grading.helpers import all_filed, listed, reg

NIGHT = date(2026, 7, 15)


@pytest.fixture()
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    monkeypatch.setenv("CREDIT_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_empty_store_grades_nobody(engine: Engine, settings: Settings) -> None:
    with engine.begin() as c:
        summary = grade_night(c, NightContext(NIGHT, "d", settings))
    assert summary["graded"] == 0 and summary["distribution"] == {"A": 0, "B": 0, "C": 0, "D": 0}


def test_show_and_transitions(engine: Engine, settings: Settings, cli_env: None) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["transitions"]).exit_code == 2      # nothing graded yet: a refusal, with a reason
    with engine.begin() as c:
        reg(c, "91110105MA00000001")
        all_filed(c, "91110105MA00000001")
        reg(c, "91110105MA00000002")
        listed(c, "91110105MA00000002", "abnormal")
        grade_night(c, NightContext(NIGHT, "d", settings))
    res = runner.invoke(app, ["show", "91110105MA00000002", "--as-of", "2026-07-20", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["grade"] == "C" and doc["local_label"] == "信用风险较高" and doc["night"] == "2026-07-15"
    assert [r["code"] for r in doc["reasons"]][:2] == ["ABNORMAL_ROSTER", "REPORTS_MISSING"]
    assert doc["to_improve"][0]["code"] == "ABNORMAL_ROSTER"
    table = runner.invoke(app, ["show", "91110105MA00000002"])
    assert table.exit_code == 0 and "ABNORMAL_ROSTER" in table.output and "列入经营异常名录" in table.output
    assert runner.invoke(app, ["show", "91110105MA00000002", "--as-of", "2026-07-14"]).exit_code == 2
    assert runner.invoke(app, ["show", "91110105MA00000002", "--as-of", "yesterday"]).exit_code == 2
    tr = runner.invoke(app, ["transitions", "--night", "2026-07-15", "--json"])
    assert tr.exit_code == 0
    assert json.loads(tr.output)["transitions"] == [{"from": "-", "to": "A", "count": 1}, {"from": "-", "to": "C", "count": 1}]
    assert runner.invoke(app, ["transitions", "--night", "2026-07-10"]).exit_code == 2
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from grades")).scalar() == 2

"""`credit grades show` and `credit grades transitions` against a graded night; the empty store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
import typer
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
        reg(c, "91110105MA00000012")
        all_filed(c, "91110105MA00000012")
        reg(c, "91110105MA00000025")
        listed(c, "91110105MA00000025", "abnormal")
        grade_night(c, NightContext(NIGHT, "d", settings))
    res = runner.invoke(app, ["show", "91110105MA00000025", "--as-of", "2026-07-20", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["grade"] == "C" and doc["local_label"] == "信用风险较高" and doc["night"] == "2026-07-15"
    assert [r["code"] for r in doc["reasons"]][:2] == ["ABNORMAL_ROSTER", "REPORTS_MISSING"]
    assert doc["to_improve"][0]["code"] == "ABNORMAL_ROSTER"
    table = runner.invoke(app, ["show", "91110105MA00000025"])
    assert table.exit_code == 0 and "ABNORMAL_ROSTER" in table.output and "列入经营异常名录" in table.output
    assert runner.invoke(app, ["show", "91110105MA00000025", "--as-of", "2026-07-14"]).exit_code == 2
    assert runner.invoke(app, ["show", "91110105MA00000025", "--as-of", "yesterday"]).exit_code == 2
    tr = runner.invoke(app, ["transitions", "--night", "2026-07-15", "--json"])
    assert tr.exit_code == 0
    assert json.loads(tr.output)["transitions"] == [{"from": "-", "to": "A", "count": 1}, {"from": "-", "to": "C", "count": 1}]
    assert runner.invoke(app, ["transitions", "--night", "2026-07-10"]).exit_code == 2
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from grades")).scalar() == 2


def test_show_a_marked_individual_business(engine: Engine, settings: Settings, cli_env: None) -> None:
    # domain.md §2: a 个体工商户 is marked (标记为经营异常状态, roster abnormal_status), not listed; its
    # reason and advice name the marking and the restoration of normal status (69号令), not the roster.
    runner = CliRunner()
    with engine.begin() as c:
        for u in ("92110105MA00000035", "91110105MA0000004B"):
            reg(c, u)
            all_filed(c, u)
        listed(c, "92110105MA00000035", "abnormal_status")
        listed(c, "91110105MA0000004B", "abnormal")
        grade_night(c, NightContext(NIGHT, "d", settings))
    doc = json.loads(runner.invoke(app, ["show", "92110105MA00000035", "--json"]).output)
    assert doc["grade"] == "C"
    assert [(r["code"], r["text"]) for r in doc["reasons"]] == [("ABNORMAL_STATUS", "被标记为经营异常状态")]
    assert doc["to_improve"][0]["code"] == "ABNORMAL_STATUS"
    assert "恢复正常记载状态" in doc["to_improve"][0]["change"] and "名录" not in doc["to_improve"][0]["change"]
    table = runner.invoke(app, ["show", "92110105MA00000035"])
    assert table.exit_code == 0 and "被标记为经营异常状态" in table.output and "列入经营异常名录" not in table.output
    ent = json.loads(runner.invoke(app, ["show", "91110105MA0000004B", "--json"]).output)
    assert [(r["code"], r["text"]) for r in ent["reasons"]] == [("ABNORMAL_ROSTER", "列入经营异常名录")]
    assert ent["to_improve"][0]["change"].endswith("（《企业经营异常名录管理暂行办法》第十条至第十四条）")


def test_the_tables_show_values_as_an_officer_reads_them(engine: Engine, settings: Settings, cli_env: None) -> None:
    """A boolean reason reads 是/否, never Python's True or JSON's true, and the tier's name is not
    said twice when the local label is the national one."""
    from credit.cli.commands import rosters

    with engine.begin() as c:
        reg(c, "91110105MA0000000Y")
        listed(c, "91110105MA0000000Y", "abnormal")
        grade_night(c, NightContext(NIGHT, "d", settings))
    table = CliRunner().invoke(app, ["show", "91110105MA0000000Y"])
    assert table.exit_code == 0, table.output
    assert "信用风险较高（信用风险较高）" not in table.output
    row = next(line for line in table.output.splitlines() if "ABNORMAL_ROSTER" in line)
    assert "是" in row and "true" not in row and "True" not in row
    status = typer.Typer()
    status.command("status")(rosters.status_command)
    status.command("unused")(lambda: None)
    said = CliRunner().invoke(status, ["status", "91110105MA0000000Y"])
    assert said.exit_code == 0, said.output
    assert "列入经营异常名录（值 value 是）" in said.output and "True" not in said.output


def test_show_warns_for_a_date_after_the_latest_night(engine: Engine, settings: Settings, cli_env: None) -> None:
    """As `credit status` warns (s35, an outsider's pass: `grades show U --as-of 2030-01-01` gave the
    latest night's grade with no word that later nights may change it)."""
    runner = CliRunner()
    u = "91110105MA00000025"
    with engine.begin() as c:
        reg(c, u)
        listed(c, u, "abnormal")
        grade_night(c, NightContext(NIGHT, "d", settings))
        c.execute(sa.text("insert into night_runs (night, manifest_digest, config_version, started_at, finished_at, "
                          "summary) values (:n, 'test', 'test', now(), now(), '{}'::jsonb)"), {"n": NIGHT})
    late = runner.invoke(app, ["show", u, "--as-of", "2030-01-01"])
    said = " ".join(late.output.split())
    assert late.exit_code == 0 and "warning: 2030-01-01 is after the latest published night" in said, said
    doc = json.loads(runner.invoke(app, ["show", u, "--as-of", "2030-01-01", "--json"]).output)
    assert doc["beyond_data"] is True and doc["data_through"] == "2026-07-15" and doc["grade"] == "C"
    for args in (["--as-of", "2026-07-15"], []):
        on_time = runner.invoke(app, ["show", u, *args])
        assert on_time.exit_code == 0 and "warning" not in on_time.output, on_time.output
    assert json.loads(runner.invoke(app, ["show", u, "--as-of", "2026-07-15", "--json"]).output)["beyond_data"] is False


def test_refusals_go_to_standard_error_not_into_the_answer(engine: Engine, settings: Settings, cli_env: None) -> None:
    # common rules (contracts.md §2 exit codes): a refusal is exit 2 with its reason on stderr, Chinese
    # first; standard output stays the answer — a `--json` reader must never get the reason as its JSON.
    runner = CliRunner()
    with engine.begin() as c:
        reg(c, "91110105MA00000012")
        all_filed(c, "91110105MA00000012")
        grade_night(c, NightContext(NIGHT, "d", settings))
    for args in (["show", "91110105MA00000012", "--as-of", "2026-07-14", "--json"],
                 ["show", "91110105MA00000012", "--as-of", "2026-07-14"],
                 ["transitions", "--night", "2026-07-10", "--json"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert r.stdout == "", (args, r.stdout)
        assert "没有分类结果" in r.stderr.replace("\n", ""), (args, r.stderr)

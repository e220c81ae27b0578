"""``credit quality --night D [--json]`` (issue 15)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit.cli.main import app
from credit.night import steps
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night

runner = CliRunner()


@pytest.fixture()
def cli_env(cli_env: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The shared ``cli_env`` (tests/conftest.py), printing tables 250 columns wide."""
    monkeypatch.setenv("COLUMNS", "250")
    return cli_env


def test_quality_prints_each_expectation_and_json(cli_env: Settings, tmp_path: Path) -> None:
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(10)]
    bad = [dict(registration_row(code(body="MA2B3C99")), uscc="NOT-A-CODE")]
    write_night(tmp_path / "drop", date(2026, 7, 13), {"registration.csv": csv_file("registration", "full", rows + bad)})
    steps.run_night(tmp_path / "drop", date(2026, 7, 13), cli_env)
    r = runner.invoke(app, ["quality", "--night", "2026-07-13"])
    assert r.exit_code == 0, r.output
    assert "registration.csv" in r.output and "1/11 (9.09%)" in r.output and "未通过 fail" in r.output
    r = runner.invoke(app, ["quality", "--night", "2026-07-13", "--json"])
    doc = json.loads(r.output)
    assert doc["night"] == "2026-07-13" and [x["unexpected_count"] for x in doc["results"] if not x["success"]] == [1]
    assert runner.invoke(app, ["quality", "--night", "2026-07-14"]).exit_code == 2   # not published: refused
    assert runner.invoke(app, ["quality", "--night", "tomorrow"]).exit_code == 2

"""`credit draw …` end to end on a real database: plan, run, show, verify, redraw, results, refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.commands.draws import app
from credit.draws import core
from credit.settings import Settings, get_settings

from .test_draws_store import SEED, load_store

runner = CliRunner()


@pytest.fixture()
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("CREDIT_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("CREDIT_HOME", str(settings.home))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def test_cli_round_trip(engine: Engine, cli_env: Settings) -> None:
    load_store(engine)
    r = runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", "2026-09-01",
                            "--seed-commitment", core.seed_commitment(SEED)])
    assert r.exit_code == 0, r.output
    assert "DRAW-20260901-001" in r.output
    assert runner.invoke(app, ["run", "DRAW-20260901-001", "--seed", "wrong"]).exit_code == 2
    r = runner.invoke(app, ["run", "DRAW-20260901-001", "--seed", SEED])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["verify", "DRAW-20260901-001"])
    assert r.exit_code == 0 and "match" in r.output
    assert runner.invoke(app, ["show", "DRAW-20260901-001"]).exit_code == 0
    public = cli_env.reports_dir / "draws" / "DRAW-20260901-001.public.json"
    assert runner.invoke(app, ["verify", "--record", str(public)]).exit_code == 0
    doc = json.loads(public.read_text("utf-8"))
    first_uscc = doc["inspections"][0]["uscc"]
    first_inspector = doc["inspections"][0]["inspectors"][0]["inspector_id"]
    doc["inspections"][0]["inspectors"][0]["inspector_id"] = "INS999"
    edited = public.with_name("edited.json")
    edited.write_text(json.dumps(doc), "utf-8")
    r = runner.invoke(app, ["verify", "--record", str(edited)])
    assert r.exit_code == 1 and "first difference" in r.output
    r = runner.invoke(app, ["redraw", "DRAW-20260901-001", "--uscc", first_uscc, "--reason", "回避",
                            "--recuse", first_inspector])
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["verify", "DRAW-20260901-001"]).exit_code == 0
    r = runner.invoke(app, ["results", "DRAW-20260901-001", "--as-of", "2026-09-02", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)[0]["status"] == "awaiting"


def test_cli_refusals_exit_2(engine: Engine, cli_env: Settings) -> None:
    assert runner.invoke(app, ["verify", "DRAW-NOPE"]).exit_code == 2
    assert runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", "2026-09-01"]).exit_code == 2
    r = runner.invoke(app, ["plan", "--matter", "nope", "--as-of", "2026-09-01", "--public-seed-source", "x"])
    assert r.exit_code == 2 and "refused" in r.output
    assert runner.invoke(app, ["plan", "--matter", "annual_report", "--public-seed-source", "x"]).exit_code == 2

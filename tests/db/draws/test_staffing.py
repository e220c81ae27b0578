"""Draws whose matters name departments (domain.md §8): who is competent, what a plan says about
it, what an unstaffed inspection holds back, and when an entity counts as closed (an outsider's
acceptance pass, round 35)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.cli.commands.draws import app
from credit.draws import core, read, store, verify
from credit.draws.core import DrawRefused
from credit.settings import Settings
from tests.db.draws.helpers import AS_OF, SEED, close_entity, load_store, plan_and_run

BUREAU = "杭州市西湖区市场监督管理局"
THREE = ("信用监督管理科", "食品生产安全监督管理科", "广告监督管理科")
runner = CliRunner()


def _ratio(settings: Settings, tmp_path: Path, b: str) -> Settings:
    """Settings whose draws.yaml draws ``b`` of tier B (all entities here are ungraded: B)."""
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    path = conf / "draws.yaml"
    path.write_text(path.read_text("utf-8").replace("B: 0.02", f"B: {b}"), "utf-8")
    return settings.model_copy(update={"config_dir": conf})


def test_a_roster_department_ending_with_the_division_is_competent(engine: Engine, settings: Settings) -> None:
    # The roster names bureau and division (杭州市西湖区市场监督管理局食品生产安全监督管理科); the
    # matter names the division. Before, only the exact text matched: every inspection unstaffed.
    load_store(engine, bureau=BUREAU)
    draw_id = plan_and_run(engine, settings, "food_production")
    with engine.connect() as c:
        rec = read.full_record(c, draw_id)
        plan = read.load_plan(c, draw_id)
    states = {i["state"] for i in rec["inspections"]}
    assert rec["inspections"] and "unstaffed" not in states, states
    assert plan["rules"]["department_match"] == "suffix"
    (food,) = plan["public_plan"]["staffing"]
    assert food["matter"] == "food_production" and food["inspectors"] == 5 and food["unstaffable"] == 0
    assert plan["public_plan"]["staffing_warnings"] == []
    assert verify.verify_record(rec).ok
    # A plan made before the setting (no department_match) re-derives as drawn, with exact names.
    old = json.loads(json.dumps(rec))
    del old["rules"]["department_match"]
    assert not verify.verify_record(old).ok   # exact names would staff no one: a difference


def test_a_plan_no_inspector_can_staff_is_refused(engine: Engine, settings: Settings) -> None:
    # Inspectors carry their bureau's name only (as the sample used to): no division matches.
    load_store(engine, bureau=BUREAU, divisions=("",))
    for matter, name in (("food_production", "食品生产企业监督检查"), ("advertising", "广告发布行为检查")):
        with engine.begin() as c, pytest.raises(DrawRefused) as e:
            store.plan_draw(c, matter, AS_OF, settings, seed_commitment=core.seed_commitment(SEED))
        assert name in str(e.value) and f"matter {matter}" in str(e.value) and "fewer than 2" in str(e.value)
    # A matter naming no department is staffed by any.
    plan_and_run(engine, settings, "annual_report")


def test_a_plan_warns_of_entities_no_team_can_be_found_for(engine: Engine, cli_env: Settings) -> None:
    # 广告监督管理科: INS002, INS008 (341000) and INS011 (000000); INS005 is inactive. The entities
    # of 411402 (商丘) have one competent inspector even at province level: they can never be staffed.
    load_store(engine, divisions=THREE)
    r = runner.invoke(app, ["plan", "--matter", "advertising", "--as-of", AS_OF.isoformat(),
                            "--seed-commitment", core.seed_commitment(SEED)])
    assert r.exit_code == 0, r.output
    with engine.connect() as c:
        p = read.load_plan(c, "DRAW-20260901-001")["public_plan"]
    (ad,) = p["staffing"]
    shang = sum(1 for i in range(240) if i % 3 == 2 and i % 40)   # operating entities of 411402
    assert ad == {"matter": "advertising", "entities": 234, "inspectors": 3, "unstaffable": shang}
    (warning,) = p["staffing_warnings"]
    assert "广告发布行为检查" in warning and f"{shang} 户" in warning and "fewer than 2" in warning
    assert "警告 warning" in r.output and f"{shang} 户" in r.output
    assert "competent inspectors  advertising: 3 名" in r.output


def test_an_unstaffed_inspection_does_not_hold_its_entity(engine: Engine, settings: Settings,
                                                          tmp_path: Path) -> None:
    load_store(engine, n=60, divisions=THREE)
    s = _ratio(settings, tmp_path, "0.5")
    first = plan_and_run(engine, s, "advertising")
    with engine.connect() as c:
        cur = read.current_inspections(c, first)
    unstaffed = set(cur["uscc"][cur["state"] == "unstaffed"])
    assigned = set(cur["uscc"][cur["state"] == "assigned"])
    assert unstaffed and assigned
    with engine.begin() as c:
        second = store.plan_draw(c, "advertising", AS_OF, s, seed_commitment=core.seed_commitment("seed-two"))
    with engine.begin() as c:
        store.run_draw(c, second, "seed-two", s)
    with engine.connect() as c:
        plan2 = read.load_plan(c, second)["public_plan"]
        rec2 = read.full_record(c, second)
    # Only the inspections that will take place hold their entities; the never-staffed are drawable.
    assert plan2["excluded_drawn"] == [{"draw_id": first, "usccs": sorted(assigned)}]
    cols = rec2["entity_pool"]["columns"]
    pool = {row[cols.index("uscc")] for row in rec2["entity_pool"]["rows"]}
    assert unstaffed <= pool and not assigned & pool
    # Recomputable from the published record: its states say which entities are held.
    public1 = json.loads((s.reports_dir / "draws" / f"{first}.public.json").read_text("utf-8"))
    held = sorted(i["uscc"] for i in public1["inspections"] if i["state"] not in ("cancelled", "unstaffed"))
    assert held == plan2["excluded_drawn"][0]["usccs"]
    assert verify.verify_record(rec2).ok


def test_a_redraw_for_a_closed_entity_needs_the_store_to_say_it_closed(engine: Engine, cli_env: Settings) -> None:
    load_store(engine)
    draw_id = plan_and_run(engine, cli_env)
    with engine.connect() as c:
        rec = read.full_record(c, draw_id)
    first, second = rec["inspections"][0]["uscc"], rec["inspections"][1]["uscc"]
    r = runner.invoke(app, ["redraw", draw_id, "--uscc", first, "--reason", "企业已注销", "--entity-closed"])
    assert r.exit_code == 2, r.output
    assert "存续" in r.output and "operating" in r.output
    with engine.connect() as c:
        assert read.redraw_events(c, draw_id) == []
    for code, status in ((first, "revoked"), (second, "moved_out")):
        close_entity(engine, code, status)
        r = runner.invoke(app, ["redraw", draw_id, "--uscc", code, "--reason", "企业已吊销或迁出", "--entity-closed"])
        assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["verify", draw_id]).exit_code == 0

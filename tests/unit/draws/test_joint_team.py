"""A joint inspection's team (联合抽查, 进一次门、查多项事): every matter has an inspector competent
for it on the team (domain.md §8: inspectors are drawn from those competent for the matter;
draws.yaml ``joint_team``, docs/draws.md)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from credit.config import load_config
from credit.draws import core, derive, store, verify
from credit.settings import Settings
from tests.unit.draws.test_core import TASK, full_record, rules

FOOD = "食品生产安全监督管理科"
ADS = "广告监督管理科"


def _world() -> tuple[pd.DataFrame, pd.DataFrame]:
    """40 manufacturers (section C) of one district, drawn for both matters; 2 food officers and 6
    others (advertising, credit), all of the district and with field C."""
    n = 40
    usccs = [f"91330106MA{i:08d}X" for i in range(n)]
    ent = pd.concat([pd.DataFrame({"matter": m, "uscc": usccs, "stratum": "D", "region_code": "330106",
                                   "section": "C", "prev_inspectors": [[] for _ in range(n)]})
                     for m in ("annual", "food")], ignore_index=True)
    depts = [FOOD, FOOD, ADS, ADS, ADS, "信用监督管理科", "信用监督管理科", "信用监督管理科"]
    ins = pd.DataFrame({"inspector_id": [f"I{j:03d}" for j in range(len(depts))],
                        "department": [f"杭州市西湖区市场监督管理局{d}" for d in depts],
                        "region_code": "330106", "fields": [["C"] for _ in depts],
                        "conflicts": [[] for _ in depts]})
    return ent, ins


def _rules(joint: str | None = "each_matter") -> dict[str, Any]:
    r = rules(matters=("annual", "food"))
    r["tier_ratios"] = {**r["tier_ratios"], "D": 1}
    r["department_match"] = "suffix"
    r["matters"]["food"].update(departments=[FOOD], requires_field=True, quiet_days_apply=False)
    if joint is not None:
        r["joint_team"] = joint
    return r


def _depts(rec: dict[str, Any], ins: pd.DataFrame) -> list[list[str]]:
    by_id = ins.set_index("inspector_id")["department"]
    return [[str(by_id[x["inspector_id"]]) for x in i["inspectors"]] for i in rec["inspections"]]


def test_every_joint_inspection_has_an_inspector_competent_for_each_matter() -> None:
    ent, ins = _world()
    rec = full_record("s", _rules(), ent, ins)
    assert len(rec["inspections"]) == 40
    assert all(i["matters"] == ["annual", "food"] and i["state"] == "assigned" for i in rec["inspections"])
    for team in _depts(rec, ins):
        assert len(team) >= 2
        assert any(d.endswith(FOOD) for d in team), team   # the food inspection by a food officer
    assert verify.verify_record(rec).ok


def test_plans_before_the_setting_re_derive_unchanged() -> None:
    ent, ins = _world()
    old = full_record("s", _rules(None), ent, ins)   # any department when one matter names none
    assert verify.verify_record(old).ok
    assert any(not any(d.endswith(FOOD) for d in team) for team in _depts(old, ins))


def test_no_competent_inspector_for_one_matter_leaves_it_unstaffed() -> None:
    ent, ins = _world()
    ins = ins[~ins["department"].str.endswith(FOOD)].reset_index(drop=True)
    rec = full_record("s", _rules(), ent, ins)
    assert {i["state"] for i in rec["inspections"]} == {"unstaffed"}   # never staffed without one


def test_a_recused_food_officer_is_replaced_by_a_food_officer() -> None:
    ent, ins = _world()
    r = _rules()
    sizes = ent.groupby(["matter", "stratum"]).size()
    alloc = core.plan_strata(r, {(m, s): int(n) for (m, s), n in sizes.items()})
    state = derive.derive_draw(TASK, "s", r, ent, ins, alloc)
    food = {"I000", "I001"}
    u, cur = next((u, i) for u, i in sorted(state.inspections.items())
                  if len(food & set(i["inspectors"])) == 1)
    who = next(x for x in cur["inspectors"] if x in food)
    out = derive.apply_event(state, "s", TASK, {"seq": 1, "kind": "inspector_recused", "uscc": u,
                                             "inspector_id": who, "reason": "回避"})
    v = out["versions"][0]
    assert v["state"] == "assigned"
    team = [x["inspector_id"] for x in v["inspectors"]]
    assert len(team) == 2 and food - {who} <= set(team)   # one replacement, the other food officer


@pytest.mark.parametrize("bad", ["both", ""])
def test_an_unknown_joint_team_rule_is_refused(bad: str) -> None:
    ent, ins = _world()
    if bad == "":
        full_record("s", _rules(bad), ent, ins)   # empty: as before the setting
        return
    with pytest.raises(core.DrawError, match="joint_team"):
        full_record("s", _rules(bad), ent, ins)


@pytest.mark.parametrize("seed", ["s", "t", "u", "v"])
def test_a_replacement_joining_a_drawn_inspection_gets_an_inspector_for_its_matter(seed: str) -> None:
    """An entity closes; its food stratum's next entity is already drawn for the annual report
    alone: the matter joins that inspection, whose team must then have a food officer."""
    ent, ins = _world()
    ent.loc[ent["matter"] == "food", "stratum"] = "C"   # 10 %: 4 of 40 drawn for food, all 40 for annual
    r = _rules()
    sizes = ent.groupby(["matter", "stratum"]).size()
    alloc = core.plan_strata(r, {(m, s): int(n) for (m, s), n in sizes.items()})
    state = derive.derive_draw(TASK, seed, r, ent, ins, alloc)
    u = next(u for u, i in sorted(state.inspections.items()) if "food" in i["matters"])
    out = derive.apply_event(state, seed, TASK, {"seq": 1, "kind": "entity_closed", "uscc": u, "reason": "注销"})
    joined = [v for v in out["versions"] if v["uscc"] != u]
    assert [v["matters"] for v in joined] == [["annual", "food"]]
    by_id = ins.set_index("inspector_id")["department"]
    v = joined[0]
    assert v["state"] == "assigned" and len(v["inspectors"]) >= 2
    assert any(str(by_id[x["inspector_id"]]).endswith(FOOD) for x in v["inspectors"]), v
    rec = full_record(seed, r, ent, ins)
    rec["events"] = state.events
    assert verify.verify_record(rec).ok


def test_new_plans_freeze_each_matter_and_a_bad_value_is_refused() -> None:
    doc = dict(load_config("draws", Settings()).data)
    assert store.frozen_rules(doc, ["annual_report", "food_production"])["joint_team"] == "each_matter"
    with pytest.raises(core.DrawRefused, match="joint_team"):
        store.frozen_rules({**doc, "joint_team": "whole_team"}, ["annual_report"])


@pytest.mark.parametrize("seed", ["s", "t", "u", "v", "w"])
def test_a_matter_joining_by_redraw_keeps_off_its_quiet_days(seed: str) -> None:
    """A food inspection (no quiet days: quiet_days_apply false) in 商丘 (4114: days 1–20 quiet,
    domain.md §9) is joined by an annual-report check after an entity closed: the visit, now also
    for a matter the quiet days bind, is not on a quiet day."""
    ent, ins = _world()
    ent["region_code"] = "411402"
    ent["uscc"] = ent["uscc"].str.replace("91330106", "91411402")
    ins["region_code"] = "411402"
    ent.loc[ent["matter"] == "annual", "stratum"] = "C"   # 4 of 40 for the annual report, all 40 for food
    r = _rules()
    r["quiet_days"] = {"4114": {"days_of_month": "1-20"}}
    sizes = ent.groupby(["matter", "stratum"]).size()
    alloc = core.plan_strata(r, {(m, s): int(n) for (m, s), n in sizes.items()})
    state = derive.derive_draw(TASK, seed, r, ent, ins, alloc)
    u = next(u for u, i in sorted(state.inspections.items()) if "annual" in i["matters"])
    out = derive.apply_event(state, seed, TASK, {"seq": 1, "kind": "entity_closed", "uscc": u, "reason": "注销"})
    joined = [v for v in out["versions"] if v["uscc"] != u]
    assert [sorted(v["matters"]) for v in joined] == [["annual", "food"]]
    v = joined[0]
    assert v["state"] == "assigned" and int(v["scheduled_on"][8:10]) > 20, v
    rec = full_record(seed, r, ent, ins)
    rec["events"] = state.events
    assert verify.verify_record(rec).ok

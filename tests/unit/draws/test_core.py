"""The pure draw, in memory: keys, sample sizes, fairness statistics, constraints, verification."""

from __future__ import annotations

import copy
import hashlib
import re
import shutil
import subprocess
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from scipy import stats

from credit.calendar import working_calendar
from credit.draws import core, dates, derive, records, verify
from credit.draws.inspectors import region_prefix
from credit.settings import Settings

TASK = "DRAW-20260901-001"
SCHEDULE_DAYS = [str(d) for d in working_calendar(Settings()).working
                 if np.datetime64("2026-09-07") <= d <= np.datetime64("2026-11-06")]


def rules(per: int = 2, spread: int = 2, requires_field: bool = False, departments: list[str] | None = None,
          quiet: dict[str, Any] | None = None, matters: tuple[str, ...] = ("m1",)) -> dict[str, Any]:
    return {
        "tier_ratios": {"A": 0.01, "B": 0.02, "C": 0.10, "D": 0.30}, "ungraded_tier": "B",
        "inspectors_per_inspection": per, "workload_spread": spread,
        "schedule_days": SCHEDULE_DAYS,
        "quiet_days": quiet if quiet is not None else {"4114": {"days_of_month": "1-20"}},
        "matters": {m: {"departments": departments or [], "industries": [], "regions": [],
                        "requires_field": requires_field, "quiet_days_apply": True,
                        "min_count": None, "max_count": None} for m in matters},
    }


def entities(n: int, tiers: str = "ABCD", regions: tuple[str, ...] = ("341000", "411402"),
             matter: str = "m1") -> pd.DataFrame:
    return pd.DataFrame({
        "matter": matter, "uscc": [f"91{regions[i % len(regions)]}MA{i:08d}X" for i in range(n)],
        "stratum": [tiers[i % len(tiers)] for i in range(n)],
        "region_code": [regions[i % len(regions)] for i in range(n)],
        "section": ["C" if i % 2 else "F" for i in range(n)], "prev_inspectors": [[] for _ in range(n)]})


def inspectors(n: int, regions: tuple[str, ...] = ("340000", "411400")) -> pd.DataFrame:
    return pd.DataFrame({"inspector_id": [f"I{j:03d}" for j in range(n)], "department": "d1",
                         "region_code": [regions[j % len(regions)] for j in range(n)],
                         "fields": [["C", "F"] for _ in range(n)], "conflicts": [[] for _ in range(n)]})


def full_record(seed: str, r: dict[str, Any], ent: pd.DataFrame, ins: pd.DataFrame) -> dict[str, Any]:
    sizes = ent.groupby(["matter", "stratum"]).size()
    alloc = core.plan_strata(r, {(m, s): int(n) for (m, s), n in sizes.items()})
    state = derive.derive_draw(TASK, seed, r, ent, ins, alloc)
    table = lambda df: {"columns": list(df.columns), "rows": [list(x) for x in df.itertuples(index=False)]}  # noqa: E731
    return {"format": records.FULL_FORMAT, "draw_id": TASK, "task": TASK, "seed": seed,
            "seed_commitment": core.seed_commitment(seed), "inspectors_per_inspection": r["inspectors_per_inspection"],
            "strata": state.strata, "rules": r,
            "inspections": [records.public_inspection(i) for i in sorted(state.inspections.values(),
                                                                      key=lambda i: i["entity_key"])],
            "entity_pool": table(ent), "inspector_pool": table(ins),
            "entity_pool_digest": core.entity_pool_digest(ent), "inspector_pool_digest": core.inspector_pool_digest(ins),
            "events": []}


# -- keys ----------------------------------------------------------------------------------------
def test_rank_key_is_sha256_of_the_documented_bytes() -> None:
    want = hashlib.sha256(b"s33d|DRAW-20260901-001|91110000600037341L").digest()
    assert core.rank_key("s33d", TASK, "91110000600037341L") == want
    assert core.rank_keys("s33d", TASK, ["91110000600037341L"]) == [want.hex()]
    assert core.inspector_key("s", "t", "u", "I1") == hashlib.sha256(b"s|t|u|I1").hexdigest()
    assert core.seed_commitment("种子") == hashlib.sha256("种子".encode()).hexdigest()


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="no sha256sum on this machine")
def test_a_citizen_checks_a_key_with_sha256sum() -> None:
    out = subprocess.run(["sh", "-c", "printf '%s' 's33d|DRAW-20260901-001|91110000600037341L' | sha256sum"],
                         capture_output=True, text=True, check=True).stdout.split()[0]
    assert out == core.rank_key("s33d", TASK, "91110000600037341L").hex()


def test_tokens_with_a_separator_are_refused() -> None:
    for bad in ("a|b", "a\nb", ""):
        with pytest.raises(core.DrawError):
            core.check_token(bad, "seed")


def test_select_stratum_takes_the_lowest_keys() -> None:
    usccs = [f"U{i:04d}" for i in range(200)]
    sel = core.select_stratum("seed", TASK, usccs, 7)
    keys = sorted(core.rank_keys("seed", TASK, usccs))
    assert list(sel.keys) == keys[:7] and sel.threshold == keys[6]
    assert all(core.rank_key("seed", TASK, u).hex() <= sel.threshold for u in sel.selected)
    assert sum(k <= sel.threshold for k in keys) == 7
    assert core.select_stratum("seed", TASK, usccs, 0).threshold is None
    assert core.select_stratum("seed", TASK, list(reversed(usccs)), 7).selected == sel.selected  # order-free


# -- sample sizes --------------------------------------------------------------------------------
def test_sample_sizes_use_exact_decimals_and_bounds() -> None:
    assert core.sample_size(0.01, 300) == 3        # float 0.01*300 = 3.0000000000000004
    assert core.sample_size(0.3, 10) == 3
    assert core.sample_size(0.02, 1) == 1          # ceil: the 3 % floor is "不少于"
    ratios = {"A": 0.01, "B": 0.02, "C": 0.10, "D": 0.30}
    sizes = {"A": 1000, "B": 1000, "C": 100, "D": 10}
    assert core.allocate(sizes, ratios) == {"A": 10, "B": 20, "C": 10, "D": 3}
    capped = core.allocate(sizes, ratios, max_count=20)
    assert sum(capped.values()) == 20 and capped["B"] > capped["A"]
    raised = core.allocate(sizes, ratios, min_count=500)
    assert sum(raised.values()) == 500 and raised["D"] == 10   # never beyond a stratum's size
    assert core.allocate({"A": 5}, ratios, min_count=50) == {"A": 5}


@hsettings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 400), min_size=1),
       st.one_of(st.none(), st.integers(0, 300)), st.one_of(st.none(), st.integers(0, 300)))
def test_allocation_respects_sizes_and_bounds(sizes: dict[str, int], lo: int | None, hi: int | None) -> None:
    ratios = {"A": 0.01, "B": 0.02, "C": 0.10, "D": 0.30}
    out = core.allocate(sizes, ratios, lo, hi)
    total = sum(out.values())
    assert all(0 <= out[s] <= n for s, n in sizes.items())
    if hi is not None:
        assert total <= hi
    if lo is not None and (hi is None or lo <= hi):
        assert total >= min(lo, sum(sizes.values()))


# -- fairness statistics -------------------------------------------------------------------------
def test_inclusion_rates_match_the_tier_ratios_and_entities_are_equally_likely() -> None:
    """Over 1,000 seeds: each tier's inclusion rate is its configured ratio (exactly, since the
    sample size is fixed) and, within each stratum, every entity is drawn equally often: the
    chi-square goodness-of-fit test of the per-entity counts against the uniform expectation must
    not reject at the 0.1 % level (a biased selection — e.g. by USCC order — gives p ≈ 0)."""
    sizes = {"A": 500, "B": 250, "C": 100, "D": 50}
    ratios = {"A": 0.01, "B": 0.02, "C": 0.10, "D": 0.30}
    k = core.allocate(sizes, ratios)
    seeds = [f"seed-{n}" for n in range(1000)]
    for tier, n in sizes.items():
        usccs = [f"91341000MA{tier}{i:07d}" for i in range(n)]
        pos = {u: i for i, u in enumerate(usccs)}
        counts, flawed = np.zeros(n), np.zeros(n)
        for s in seeds:
            for u in core.select_stratum(s, TASK, usccs, k[tier]).selected:
                counts[pos[u]] += 1
            # A flawed selector that never reaches the last quarter of the list (e.g. a truncated
            # pool): the same test must reject it, or the test could not fail.
            for u in core.select_stratum(s, TASK, usccs[: n * 3 // 4], k[tier]).selected:
                flawed[pos[u]] += 1
        rate = counts.sum() / (n * len(seeds))
        assert rate == pytest.approx(ratios[tier], rel=1e-9)
        p = stats.chisquare(counts).pvalue
        assert p > 0.001, (tier, p)
        assert stats.chisquare(flawed).pvalue < 0.001


def test_the_same_record_always_derives_the_same_draw() -> None:
    r = rules()
    ent, ins = entities(400), inspectors(12)
    a, b = full_record("x", r, ent, ins), full_record("x", r, ent.sample(frac=1, random_state=3), ins[::-1])
    assert a["inspections"] == b["inspections"] and a["strata"] == b["strata"]
    assert verify.verify_record(a).ok and verify.verify_record(a).ok
    assert full_record("y", r, ent, ins)["inspections"] != a["inspections"]


# -- constraints (property tests) ----------------------------------------------------------------
@st.composite
def worlds(draw: Any) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    n_ins = draw(st.integers(0, 10))
    n_ent = draw(st.integers(1, 60))
    regions = ("341000", "411402", "530115")
    ent = entities(n_ent, tiers="CD", regions=regions)
    ent["section"] = draw(st.lists(st.sampled_from("CFG"), min_size=n_ent, max_size=n_ent))
    ids = [f"I{j:02d}" for j in range(n_ins)]
    ent["prev_inspectors"] = [sorted(set(draw(st.lists(st.sampled_from(ids), max_size=2)))) if ids else []
                              for _ in range(n_ent)]
    usccs = ent["uscc"].tolist()
    ins = pd.DataFrame({
        "inspector_id": ids, "department": "d1",
        "region_code": [draw(st.sampled_from(("340000", "411400", "000000", "530115"))) for _ in ids],
        "fields": [sorted(set(draw(st.lists(st.sampled_from("CFG"), min_size=1, max_size=3)))) for _ in ids],
        "conflicts": [sorted(set(draw(st.lists(st.sampled_from(usccs), max_size=15)))) for _ in ids]})
    return ent, ins, draw(st.integers(2, 3))


@hsettings(max_examples=20, deadline=None)
@given(worlds(), st.text(alphabet="abc123", min_size=1, max_size=8))
def test_recusal_minimum_inspectors_and_dates_are_never_violated(world: Any, seed: str) -> None:
    ent, ins, per = world
    r = rules(per=per, requires_field=True)
    rec = full_record(seed, r, ent, ins)
    cal = working_calendar(Settings())
    by_id = ins.set_index("inspector_id")
    rows = ent.set_index("uscc")
    for i in rec["inspections"]:
        team = [x["inspector_id"] for x in i["inspectors"]]
        e = rows.loc[i["uscc"]]
        if i["state"] == "unstaffed":
            assert team == []
            continue
        assert len(team) >= per and len(set(team)) == len(team)          # 行政处罚法 art. 42
        for x in team:
            assert i["uscc"] not in by_id.loc[x, "conflicts"]             # 回避, art. 43
            assert x not in e["prev_inspectors"]                          # not the previous inspectors
            assert e["section"] in by_id.loc[x, "fields"]                 # competent for the section
            assert e["region_code"].startswith(region_prefix(by_id.loc[x, "region_code"]))
        if i["state"] == "assigned":
            day = date.fromisoformat(i["scheduled_on"])
            assert cal.is_working_day(day)                                # never a rest day
            quiet = dates.quiet_rule(r["quiet_days"], e["region_code"])
            assert day.day not in quiet                                   # never a quiet day
    assert verify.verify_record(rec).ok


def test_unstaffed_when_recusal_leaves_fewer_than_two() -> None:
    ent = entities(1, tiers="D")
    ins = inspectors(2)
    ins.loc[0, "conflicts"] = [ent["uscc"][0]]
    rec = full_record("s", rules(), ent, ins)
    assert [i["state"] for i in rec["inspections"]] == ["unstaffed"]
    assert verify.verify_record(rec).ok


@hsettings(max_examples=15, deadline=None)
@given(st.integers(1, 3), st.integers(4, 15), st.text(alphabet="xyz", min_size=1, max_size=5))
def test_workloads_stay_within_the_configured_spread(spread: int, n_ins: int, seed: str) -> None:
    ent = entities(300, tiers="D", regions=("341000",))
    ins = inspectors(n_ins, regions=("340000",))
    r = rules(spread=spread)
    state = derive.derive_draw(TASK, seed, r, ent, ins, core.plan_strata(r, {("m1", "D"): 300}))
    assert state.assigner.loads.sum() == 2 * 90
    assert state.assigner.loads.max() - state.assigner.loads.min() <= spread


def test_quiet_days_do_not_apply_to_exempt_matters() -> None:
    ent = entities(200, tiers="D", regions=("411402",))
    r = rules(quiet={"4114": {"days_of_month": "1-31"}})
    rec = full_record("s", r, ent, inspectors(6))
    assert {i["state"] for i in rec["inspections"]} == {"unscheduled"}
    r["matters"]["m1"]["quiet_days_apply"] = False
    rec = full_record("s", r, ent, inspectors(6))
    assert {i["state"] for i in rec["inspections"]} == {"assigned"}


# -- verification catches tampering --------------------------------------------------------------
@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return full_record("open-seed", rules(matters=("m1",)), entities(600), inspectors(10))


def _public(rec: dict[str, Any]) -> dict[str, Any]:
    pub = {k: v for k, v in rec.items() if k not in ("entity_pool", "inspector_pool", "rules", "events")}
    pub["format"] = records.PUBLIC_FORMAT_V1   # the threshold checks: a /1 record (with strata)
    return pub


def test_verify_accepts_the_record_and_its_public_part(record: dict[str, Any]) -> None:
    assert verify.verify_record(record) == verify.VerifyResult(True, None)
    assert verify.verify_record(_public(record)).ok


@pytest.mark.parametrize("edit,expect", [
    (lambda r: r.update(seed="other-seed"), "commit"),
    (lambda r: r.update(seed="other-seed", seed_commitment=core.seed_commitment("other-seed")), "entity key"),
    (lambda r: r["entity_pool"]["rows"].pop(), "pool"),
    (lambda r: r["entity_pool"]["rows"][0].__setitem__(2, "D" if r["entity_pool"]["rows"][0][2] != "D" else "A"),
     "pool"),
    (lambda r: r["inspector_pool"]["rows"][0][4].append("91341000MA00000000X"), "pool"),
    (lambda r: r["inspections"][0]["inspectors"].reverse(), "inspections[0]"),
    (lambda r: r["inspections"][1].update(scheduled_on="2026-10-01"), "inspections[1].scheduled_on"),
    (lambda r: r["inspections"].pop(), "drawn"),
    (lambda r: r["strata"][0].update(threshold="0" * 64), "threshold"),
])
def test_verify_catches_changed_seed_pool_or_result(record: dict[str, Any], edit: Any, expect: str) -> None:
    rec = copy.deepcopy(record)
    edit(rec)
    result = verify.verify_record(rec)
    assert not result.ok
    assert expect in (result.first_difference or "")


def test_public_check_catches_an_edited_selection(record: dict[str, Any]) -> None:
    pub = _public(copy.deepcopy(record))
    pub["inspections"][0]["uscc"] = "91341000MA99999999X"
    assert "entity key" in (verify.verify_record(pub).first_difference or "")
    pub = _public(copy.deepcopy(record))
    pub["inspections"][0]["inspectors"] = pub["inspections"][0]["inspectors"][:1]
    assert "fewer than the minimum" in (verify.verify_record(pub).first_difference or "")


# -- competence widens district → city → province (finding 3) -------------------------------------
def _zhejiang() -> tuple[pd.DataFrame, pd.DataFrame]:
    """One inspector per district bureau, as in the sample data (region_code = the district)."""
    regions = ("330106", "330226", "341004")   # 杭州西湖区, 宁波宁海县, 黄山徽州区
    ent = entities(30, tiers="D", regions=regions)
    ins = pd.DataFrame({"inspector_id": ["I000", "I001", "I002", "I003", "I004"], "department": "d1",
                        "region_code": ["330106", "330102", "330212", "340000", "330106"],
                        "fields": [["C", "F"]] * 5, "conflicts": [[], [], [], [], list(ent["uscc"])]})
    return ent, ins


def _all_drawn(competence: list[str] | None) -> dict[str, Any]:
    r = rules()
    r["tier_ratios"] = {**r["tier_ratios"], "D": 1}
    if competence is not None:
        r["competence"] = competence
    ent, ins = _zhejiang()
    return full_record("s", r, ent, ins)


def test_competence_widens_to_the_city_then_the_province_and_records_the_level() -> None:
    rec = _all_drawn(["district", "city", "province"])
    assert verify.verify_record(rec).ok
    by_region: dict[str, set[tuple[str, Any, tuple[str, ...]]]] = {}
    for i in rec["inspections"]:
        team = tuple(sorted(x["inspector_id"] for x in i["inspectors"]))
        by_region.setdefault(i["uscc"][2:8], set()).add((i["state"], i["competence"], team))
    # 西湖区: its own inspector I000 (I004 is conflicted) and the 上城区 one of the same city.
    assert by_region["330106"] == {("assigned", "city", ("I000", "I001"))}
    # 宁海县: none in the district, one in the city (宁波 3302): the province's three, two drawn.
    assert {(s, c) for s, c, _ in by_region["330226"]} == {("assigned", "province")}
    assert all(set(t) <= {"I000", "I001", "I002"} for _, _, t in by_region["330226"])
    # 黄山: the Anhui provincial inspector alone: never staffed short (行政处罚法 art. 42).
    assert by_region["341004"] == {("unstaffed", None, ())}


def test_competence_district_only_leaves_them_unstaffed_and_old_plans_record_no_level() -> None:
    rec = _all_drawn(["district"])
    assert {i["state"] for i in rec["inspections"]} == {"unstaffed"}
    skip_city = _all_drawn(["district", "province"])
    assert {i["competence"] for i in skip_city["inspections"] if i["uscc"][2:8] == "330106"} == {"province"}
    old = _all_drawn(None)   # a plan made before the setting: district only, no level in the record
    assert all("competence" not in i for i in old["inspections"]) and verify.verify_record(old).ok
    with pytest.raises(core.DrawError, match="narrowest first"):
        _all_drawn(["province", "district"])
    with pytest.raises(core.DrawError, match="among"):
        _all_drawn(["district", "county"])


def test_a_recusal_replacement_widens_too_and_the_level_follows() -> None:
    r = rules()
    r["tier_ratios"] = {**r["tier_ratios"], "D": 1}
    r["competence"] = ["district", "city", "province"]
    ent, ins = _zhejiang()
    ent = ent[ent["region_code"] == "330106"].reset_index(drop=True)
    sizes = ent.groupby(["matter", "stratum"]).size()
    alloc = core.plan_strata(r, {(m, s): int(n) for (m, s), n in sizes.items()})
    state = derive.derive_draw(TASK, "s", r, ent, ins, alloc)
    u = sorted(state.inspections)[0]
    assert state.inspections[u]["competence"] == "city"
    out = derive.apply_event(state, "s", TASK, {"seq": 1, "kind": "inspector_recused", "uscc": u,
                                             "inspector_id": "I001", "reason": "回避"})
    v = out["versions"][0]
    assert [x["inspector_id"] for x in v["inspectors"]] == ["I000", "I002"]   # 宁波's, from the province
    assert v["competence"] == "province" and v["state"] == "assigned"
    rec = full_record("s", r, ent, ins)
    rec["events"] = state.events
    assert verify.verify_record(rec).ok
    rec["events"][0]["outcome"]["versions"][0]["competence"] = "city"
    assert "competence" in (verify.verify_record(rec).first_difference or "")


# -- malformed records are named, not compared (finding 2) ----------------------------------------
@pytest.mark.parametrize("edit,field", [
    (lambda r: r.pop("task"), "no field 'task'"),
    (lambda r: r["inspections"][2].pop("entity_key"), "inspections[2] has no field 'entity_key'"),
    (lambda r: r["inspections"][0]["inspectors"][1].pop("key"), "inspections[0].inspectors[1] has no field 'key'"),
    (lambda r: r["strata"][0].pop("threshold"), "strata[0] has no field 'threshold'"),
    (lambda r: r.update(inspections={}), "field 'inspections' of the record is not a list"),
    (lambda r: r["entity_pool"]["columns"].remove("section"), "entity_pool has no column 'section'"),
    (lambda r: r.update(format="something"), "field 'format'"),
])
def test_a_malformed_record_names_the_missing_field(record: dict[str, Any], edit: Any, field: str) -> None:
    rec = copy.deepcopy(record)
    edit(rec)
    with pytest.raises(records.RecordMalformed, match=re.escape(field)):
        records.check_record_shape(rec)
    result = verify.verify_record(rec)
    assert not result.ok and result.malformed
    assert field in (result.first_difference or "") and "KeyError" not in (result.first_difference or "")
    assert not verify.verify_record(record).malformed

"""The pure grading core: golden entities computed by hand from config/grading.yaml, and properties."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from credit.config import ConfigDoc, load_config
from credit.grading.indicators import INDICATOR_DEFAULTS
from credit.grading.scheme import TIERS, ConfigError, scheme_of
from credit.grading.score import grade, to_improve

CONFIG = load_config("grading")
RANK = {t: i for i, t in enumerate(TIERS)}


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    full = [{**INDICATOR_DEFAULTS, "uscc": f"E{i}", **r} for i, r in enumerate(rows)]
    df = pd.DataFrame(full)
    df["tax_grade"] = df["tax_grade"].astype("string")
    return df


def reasons(out: pd.DataFrame, i: int) -> list[dict[str, Any]]:
    return json.loads(out["reasons"].iloc[i])


# -- golden entities (points and thresholds from config/grading.yaml "grading-2026.1") -----------

GOLDEN = [
    # nothing adverse: score 0 < B threshold 20 → A, with the neutral reason
    ({}, "A", 0.0, ["NO_ADVERSE"]),
    # REPORTS_MISSING 1×15 + REPORTS_LATE 1×4 + TAX_GRADE C 10 = 29 ∈ [20, 40) → B
    ({"reports_missing": 1, "reports_late": 1, "tax_grade": "C"}, "B", 29.0, ["REPORTS_MISSING", "TAX_GRADE", "REPORTS_LATE"]),
    # PENALTIES 2×8=16 + FINES band ≥100000 → 8 + SOCIAL_ARREARS band ≥3 → 12 + INSURED_DROP band ≥0.9 → 10 = 46 → C
    ({"penalties": 2, "fines_total": 150000.0, "social_arrears_months": 3, "insured_drop": 0.95}, "C", 46.0,
     ["PENALTIES", "SOCIAL_ARREARS", "INSURED_DROP", "FINES"]),
    # rule ABNORMAL_ROSTER floor C, score 0 → C
    ({"on_abnormal": True}, "C", 0.0, ["ABNORMAL_ROSTER"]),
    # rule SERIOUS_LIST floor D
    ({"on_serious": True}, "D", 0.0, ["SERIOUS_LIST"]),
    # REPORTS_MISSING capped at 3 → 45 + OPEN_FINDINGS 15 = 60 ≥ D threshold 60 → D by score alone
    ({"reports_missing": 5, "open_findings": 1}, "D", 60.0, ["REPORTS_MISSING", "OPEN_FINDINGS"]),
    # rule RELATED_SERIOUS floor B; NEW_ENTITY 5 points
    ({"related_serious": 1, "new_entity": True}, "B", 5.0, ["RELATED_SERIOUS", "NEW_ENTITY"]),
    # TAX_GRADE D 25 + TAX_ARREARS ≥100000 → 12 = 37 → B; rules ABNORMAL_TAXPAYER and (from
    # grading-2026.6) TAX_LEVEL_D both lift to C and come first, in the file's order
    ({"tax_grade": "D", "tax_arrears": 250000.0, "abnormal_taxpayer": True}, "C", 37.0,
     ["ABNORMAL_TAXPAYER", "TAX_LEVEL_D", "TAX_GRADE", "TAX_ARREARS"]),
]


def test_golden_entities() -> None:
    out = grade(frame([g[0] for g in GOLDEN]), CONFIG)
    for i, (_, tier, score, codes) in enumerate(GOLDEN):
        assert out["grade"].iloc[i] == tier, (i, out.iloc[i].to_dict())
        assert out["score"].iloc[i] == score
        assert [r["code"] for r in reasons(out, i)] == codes


def test_reason_carries_code_text_value_contribution() -> None:
    out = grade(frame([{"penalties": 2, "on_abnormal": True}]), CONFIG)
    rs = reasons(out, 0)
    assert rs[0] == {"code": "ABNORMAL_ROSTER", "text": "列入经营异常名录", "kind": "rule", "floor": "C",
                     "value": True, "contribution": None}
    assert rs[1] == {"code": "PENALTIES", "text": "公示期内的行政处罚", "kind": "points", "value": 2, "contribution": 16}


def test_to_improve_names_the_facts_that_lift_the_tier() -> None:
    # C by score 46 (golden row 3): dropping below 40 needs the largest item, PENALTIES (16) → 30 → B
    out = grade(frame([GOLDEN[2][0]]), CONFIG)
    advice = to_improve("C", 46.0, reasons(out, 0), CONFIG)
    assert [a["code"] for a in advice] == ["PENALTIES"]
    assert to_improve("A", 0.0, reasons(grade(frame([{}]), CONFIG), 0), CONFIG) == []


def test_marked_individual_business_is_told_its_own_rule() -> None:
    # domain.md §2: a 个体工商户 is not put on the roster but marked (标记为经营异常状态, 69号令 arts.
    # 13–15) and restored to normal status (arts. 16–18). Same floor C as a listing (scoring unchanged).
    out = grade(frame([{"marked_abnormal": True}, {"on_abnormal": True}]), CONFIG)
    assert list(out["grade"]) == ["C", "C"] and list(out["score"]) == [0.0, 0.0]
    marked, listed_ = reasons(out, 0), reasons(out, 1)
    assert marked == [{"code": "ABNORMAL_STATUS", "text": "被标记为经营异常状态", "kind": "rule", "floor": "C",
                       "value": True, "contribution": None}]
    assert "名录" not in marked[0]["text"]
    advice = to_improve("C", 0.0, marked, CONFIG)
    assert [a["code"] for a in advice] == ["ABNORMAL_STATUS"]
    assert "恢复正常记载状态" in advice[0]["change"] and "《个体工商户年度报告暂行办法》" in advice[0]["change"]
    assert "第十六条至第十八条" in advice[0]["change"]
    assert "名录" not in advice[0]["change"] and "企业经营异常名录管理暂行办法" not in advice[0]["change"]
    # an enterprise on the roster: reason and advice unchanged
    assert listed_ == [{"code": "ABNORMAL_ROSTER", "text": "列入经营异常名录", "kind": "rule", "floor": "C",
                        "value": True, "contribution": None}]
    assert to_improve("C", 0.0, listed_, CONFIG)[0]["change"] == (
        "补报年报、履行公示义务、更正公示信息或恢复联系后申请移出经营异常名录（《企业经营异常名录管理暂行办法》第十条至第十四条）")


def test_tax_level_d_alone_is_tier_c() -> None:
    # domain.md §11: tax-and-fee credit level D is a strong input to tier C/D. Its 25 points alone
    # are under C's 40 (grading-2026.5 graded this entity B); rule TAX_LEVEL_D sets floor C.
    out = grade(frame([{"tax_grade": "D"}, {"tax_grade": "C"}]), CONFIG)
    assert list(out["grade"]) == ["C", "A"] and list(out["score"]) == [25.0, 10.0]
    rs = reasons(out, 0)
    assert [r["code"] for r in rs] == ["TAX_LEVEL_D", "TAX_GRADE"]
    assert rs[0] == {"code": "TAX_LEVEL_D", "text": "纳税缴费信用级别为D级", "kind": "rule", "floor": "C",
                     "value": "D", "contribution": None}
    advice = to_improve("C", 25.0, rs, CONFIG)
    assert [a["code"] for a in advice] == ["TAX_LEVEL_D"] and "《纳税缴费信用管理办法》" in advice[0]["change"]
    # level D with enough other points is still D by score: the rule only sets a floor
    assert grade(frame([{"tax_grade": "D", "reports_missing": 3}]), CONFIG)["grade"].iloc[0] == "D"


def test_an_in_rule_must_take_every_worse_category_value() -> None:
    data = json.loads(json.dumps(CONFIG.data))
    rule = next(r for r in data["rules"] if r["code"] == "TAX_LEVEL_D")
    rule["value"] = ["C"]   # level C at least tier C but level D not: a worse level would grade better
    with pytest.raises(ConfigError, match="TAX_LEVEL_D"):
        scheme_of(ConfigDoc("grading", "bad", data))
    rule["value"] = ["C", "D"]
    assert any(r.code == "TAX_LEVEL_D" for r in scheme_of(ConfigDoc("grading", "ok", data)).rules)


def test_reasons_graded_under_an_older_config_stay_readable() -> None:
    # A grade stored under grading-2026.4 (before the marking had its own rule) is read with the
    # config stored with its night (grading_runs.config): its advice is that version's.
    old = json.loads(json.dumps(CONFIG.data))
    old["version"] = "grading-2026.4"
    old["rules"] = [r for r in old["rules"] if r["code"] != "ABNORMAL_STATUS"]
    stored = [{"code": "ABNORMAL_ROSTER", "text": "列入经营异常名录", "kind": "rule", "floor": "C", "value": True,
               "contribution": None}]
    advice = to_improve("C", 0.0, stored, old)
    assert [a["code"] for a in advice] == ["ABNORMAL_ROSTER"] and advice[0]["change"].startswith("补报年报")


def test_non_monotone_config_is_refused() -> None:
    data = json.loads(json.dumps(CONFIG.data))
    data["scorecard"][0]["points"] = -5
    with pytest.raises(ConfigError, match="REPORTS_MISSING"):
        scheme_of(ConfigDoc("grading", "bad", data))
    data = json.loads(json.dumps(CONFIG.data))
    tax = next(i for i in data["scorecard"] if i["code"] == "TAX_GRADE")
    tax["points"]["D"] = 1  # D scoring less than C would let a worse tax grade improve a tier
    with pytest.raises(ConfigError, match="TAX_GRADE"):
        scheme_of(ConfigDoc("grading", "bad", data))


def test_config_version_changes_with_content(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    from credit.settings import Settings

    (tmp_path / "grading.yaml").write_text(
        (Settings().config_dir / "grading.yaml").read_text(encoding="utf-8").replace("thresholds: {B: 20", "thresholds: {B: 25"),
        encoding="utf-8")
    other = load_config("grading", Settings(config_dir=tmp_path))
    label = yaml.safe_load((Settings().config_dir / "grading.yaml").read_text(encoding="utf-8"))["version"]
    assert other.version != CONFIG.version and other.version.startswith(f"{label}@")
    # a stricter threshold can only move entities to better tiers: golden row 2 (29 points) stays B
    assert grade(frame([GOLDEN[1][0]]), other)["grade"].iloc[0] == "B"


# -- properties ---------------------------------------------------------------------------------

TAX_ORDER = ["A", "B", "M", "C", "D"]

row_strategy = st.fixed_dictionaries({
    "new_entity": st.booleans(),
    "reports_missing": st.integers(0, 4),
    "reports_late": st.integers(0, 4),
    "report_all_zero": st.booleans(),
    "on_abnormal": st.booleans(),
    "marked_abnormal": st.booleans(),
    "on_serious": st.booleans(),
    "penalties": st.integers(0, 6),
    "heavier_penalties": st.integers(0, 2),
    "fines_total": st.sampled_from([0.0, 500.0, 20000.0, 150000.0, 2e6]),
    "penalties_unfulfilled": st.integers(0, 3),
    "open_findings": st.integers(0, 3),
    "inspections_adverse": st.integers(0, 4),
    "tax_grade": st.sampled_from([None, *TAX_ORDER]),
    "abnormal_taxpayer": st.booleans(),
    "tax_arrears": st.sampled_from([0.0, 50.0, 200000.0]),
    "social_arrears_months": st.integers(0, 8),
    "insured_drop": st.sampled_from([np.nan, 0.0, 0.3, 0.6, 0.95]),
    "related_serious": st.integers(0, 2),
    "related_d": st.integers(0, 3),
})


def _worse_tax(g: Any) -> Any:
    if g is None or pd.isna(g):
        return "C"
    return TAX_ORDER[min(TAX_ORDER.index(g) + 1, len(TAX_ORDER) - 1)]


ADVERSE = {
    "one more missing report": lambda r: {**r, "reports_missing": r["reports_missing"] + 1},
    "one more late report": lambda r: {**r, "reports_late": r["reports_late"] + 1},
    "all-zero report": lambda r: {**r, "report_all_zero": True},
    "abnormal roster": lambda r: {**r, "on_abnormal": True},
    "marked abnormal": lambda r: {**r, "marked_abnormal": True},
    "serious list": lambda r: {**r, "on_serious": True},
    "a heavier penalty": lambda r: {**r, "penalties": r["penalties"] + 1, "heavier_penalties": r["heavier_penalties"] + 1,
                                    "fines_total": r["fines_total"] + 60000.0},
    "unfulfilled penalty": lambda r: {**r, "penalties_unfulfilled": r["penalties_unfulfilled"] + 1},
    "open finding": lambda r: {**r, "open_findings": r["open_findings"] + 1},
    "adverse inspection": lambda r: {**r, "inspections_adverse": r["inspections_adverse"] + 1},
    "worse tax grade": lambda r: {**r, "tax_grade": _worse_tax(r["tax_grade"])},
    "abnormal taxpayer": lambda r: {**r, "abnormal_taxpayer": True},
    "tax arrears": lambda r: {**r, "tax_arrears": r["tax_arrears"] + 100000.0},
    "social arrears": lambda r: {**r, "social_arrears_months": r["social_arrears_months"] + 2},
    "headcount drop": lambda r: {**r, "insured_drop": 0.95},
    "related D": lambda r: {**r, "related_d": r["related_d"] + 1},
    "related serious": lambda r: {**r, "related_serious": r["related_serious"] + 1},
}


@hsettings(max_examples=40, deadline=None)
@given(rows=st.lists(row_strategy, min_size=1, max_size=25), fact=st.sampled_from(sorted(ADVERSE)))
def test_adding_an_adverse_fact_never_improves_a_tier(rows: list[dict[str, Any]], fact: str) -> None:
    before = grade(frame(rows), CONFIG)
    after = grade(frame([ADVERSE[fact](r) for r in rows]), CONFIG)
    rb = before["grade"].map(RANK).to_numpy()
    ra = after["grade"].map(RANK).to_numpy()
    assert (ra >= rb).all(), fact
    assert (after["score"].to_numpy() >= before["score"].to_numpy()).all()


@hsettings(max_examples=40, deadline=None)
@given(rows=st.lists(row_strategy, min_size=1, max_size=25))
def test_serious_list_always_d_every_grade_has_a_reason_and_grading_is_deterministic(rows: list[dict[str, Any]]) -> None:
    df = frame(rows)
    out = grade(df, CONFIG)
    serious = df["on_serious"].to_numpy()
    assert (out["grade"].to_numpy()[serious] == "D").all()
    for i in range(len(out)):
        rs = reasons(out, i)
        assert len(rs) >= 1
        assert all({"code", "text", "value", "contribution"} <= set(r) for r in rs)
        if serious[i]:
            assert rs[0]["code"] == "SERIOUS_LIST"
    again = grade(df.copy(), CONFIG)
    pd.testing.assert_frame_equal(out, again)
    # the same rows in another order grade the same, row for row
    shuffled = grade(df.iloc[::-1].reset_index(drop=True), CONFIG).iloc[::-1].reset_index(drop=True)
    pd.testing.assert_frame_equal(out.reset_index(drop=True), shuffled)


@hsettings(max_examples=40, deadline=None)
@given(row=row_strategy)
def test_following_the_advice_moves_the_tier_up_by_at_least_one(row: dict[str, Any]) -> None:
    out = grade(frame([row]), CONFIG)
    g = out["grade"].iloc[0]
    advice = to_improve(g, float(out["score"].iloc[0]), reasons(out, 0), CONFIG)
    if g == "A":
        assert advice == []
        return
    fixed = dict(row)
    for a in advice:  # undo each named fact (its indicator back to neutral)
        ind = next(x.indicator for x in (*scheme_of(CONFIG).rules, *scheme_of(CONFIG).items) if x.code == a["code"])
        fixed[ind] = INDICATOR_DEFAULTS[ind]
    assert RANK[grade(frame([fixed]), CONFIG)["grade"].iloc[0]] <= RANK[g] - 1


def test_scheme_is_reusable_and_frames_keep_their_index() -> None:
    s = scheme_of(CONFIG)
    df = frame([{}, {"on_serious": True}]).set_index(pd.Index([10, 20]))
    out = grade(df, replace(s))
    assert list(out.index) == [10, 20] and list(out["grade"]) == ["A", "D"]


def test_texts_shown_to_applicants_cite_regulations_not_our_files() -> None:
    """Reason, basis and advice texts reach applicants: they cite the regulation, never domain.md."""
    import yaml

    from credit.settings import Settings

    doc = yaml.safe_load((Settings().config_dir / "grading.yaml").read_text(encoding="utf-8"))
    shown = [str(x.get(k, "")) for x in doc["rules"] + doc["scorecard"] for k in ("text", "basis", "improve")]
    shown += [str(doc["no_adverse"]["text"])] + [str(t["label"]) for t in doc["tiers"].values()]
    assert [s for s in shown if "domain.md" in s or "§" in s] == []
    assert any("国市监信发〔2022〕6号" in s for s in shown)
    assert doc["version"] != "grading-2026.1"     # the texts changed: a new version label


def test_insured_drop_s_reason_names_the_months_compared_and_the_band() -> None:
    # The reason said 较12个月前 whatever windows.insured_trend_months was (the drop compared 6 months
    # with a bureau's 6): it names the months of the file, and the band's minimum reached, as
    # BANK_OVERDUE's bands do (domain.md §7: every grade with its reasons).
    six = ConfigDoc("grading", CONFIG.version, {**CONFIG.data, "windows": {**CONFIG["windows"], "insured_trend_months": 6}})
    drops = frame([{"insured_drop": 0.55}, {"insured_drop": 0.95}, {"insured_drop": 0.3}])
    for config, months in ((six, 6), (CONFIG, 12)):
        out = grade(drops, config)
        shown = [[(r["text"], r["value"], r["contribution"]) for r in reasons(out, i) if r["code"] == "INSURED_DROP"]
                 for i in range(3)]
        assert shown == [[(f"参保人数较{months}个月前下降比例达50%", 0.55, 5)],
                         [(f"参保人数较{months}个月前下降比例达90%", 0.95, 10)], []], shown
    assert scheme_of(six).items[[i.code for i in scheme_of(six).items].index("INSURED_DROP")].text == \
        "参保人数较6个月前下降比例"

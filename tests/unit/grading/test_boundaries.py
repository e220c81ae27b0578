"""Every threshold and band of config/grading.yaml, one below, at and one above (domain.md §7): a
band's ``min`` and a tier's threshold are reached at the value itself ("the highest tier whose
minimum the score reaches"), and the reason names the band reached with the value graded."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from credit.config import ConfigDoc, load_config
from credit.grading.indicators import INDICATOR_DEFAULTS
from credit.grading.score import grade

CONFIG = load_config("grading")
#: the smallest step of each banded indicator's values: whole days and months, fen, whole percents
STEP = {"bank_overdue_days": 1, "social_arrears_months": 1, "fines_total": 0.01, "tax_arrears": 0.01,
        "insured_drop": 0.01}


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame([{**INDICATOR_DEFAULTS, "uscc": f"E{i}", **r} for i, r in enumerate(rows)])
    df["tax_grade"] = df["tax_grade"].astype("string")
    return df


def _cases() -> list[tuple[str, str, float, float]]:
    out = []
    for item in CONFIG.data["scorecard"]:
        if item["kind"] != "bands":
            continue
        bands = sorted((float(b["min"]), float(b["points"])) for b in item["bands"])
        for i, (lo, points) in enumerate(bands):
            below = bands[i - 1][1] if i else 0.0
            step = STEP[item["indicator"]]
            out += [(item["code"], item["indicator"], round(lo - step, 2), below),
                    (item["code"], item["indicator"], lo, points),
                    (item["code"], item["indicator"], round(lo + step, 2),
                     bands[i + 1][1] if i + 1 < len(bands) and bands[i + 1][0] <= lo + step else points)]
    return out


@pytest.mark.parametrize(("code", "indicator", "value", "points"), _cases())
def test_each_band_is_reached_at_its_minimum(code: str, indicator: str, value: float, points: float) -> None:
    out = grade(_frame([{indicator: value}]), CONFIG)
    reasons = {r["code"]: r for r in json.loads(out["reasons"].iloc[0])}
    assert out["score"].iloc[0] == points
    if points:
        assert reasons[code]["contribution"] == points and reasons[code]["value"] == value
    else:
        assert code not in reasons


@pytest.mark.parametrize("tier", ["B", "C", "D"])
def test_each_tier_is_reached_at_its_threshold(tier: str) -> None:
    # one flag item worth exactly (threshold − 1, threshold, threshold + 1) points
    t = float(CONFIG.data["thresholds"][tier])
    order = "ABCD"
    got = []
    for points in (t - 1, t, t + 1):
        data = {**CONFIG.data, "rules": [], "scorecard": [
            {"code": "X", "text": "x", "indicator": "new_entity", "kind": "flag", "points": points}]}
        out = grade(_frame([{"new_entity": True}]), ConfigDoc("grading", "boundary", data))
        got.append(out["grade"].iloc[0])
    assert got == [order[order.index(tier) - 1], tier, tier]

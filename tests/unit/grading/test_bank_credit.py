"""Bank credit (银行信用) in the pure grading core: the configured day counts name the reason, a
120-day overdue loan costs at least one tier, and no bank fact ever improves a tier (domain.md §11)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from credit.config import ConfigDoc, load_config
from credit.grading.indicators import INDICATOR_DEFAULTS
from credit.grading.scheme import TIERS, ConfigError, scheme_of
from credit.grading.score import grade

CONFIG = load_config("grading")
RANK = {t: i for i, t in enumerate(TIERS)}


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame([{**INDICATOR_DEFAULTS, "uscc": f"E{i}", **r} for i, r in enumerate(rows)])
    df["tax_grade"] = df["tax_grade"].astype("string")
    return df


def reasons(out: pd.DataFrame, i: int) -> list[dict[str, Any]]:
    return json.loads(out["reasons"].iloc[i])


@pytest.mark.parametrize(("days", "code_text", "points"), [
    (0, None, 0.0),
    (30, None, 0.0),                       # 30 days is not "beyond 30 days"
    (31, "银行贷款逾期超过30天", 8.0),
    (90, "银行贷款逾期超过30天", 8.0),
    (91, "银行贷款逾期超过90天", 25.0),
    (120, "银行贷款逾期超过90天", 25.0),
])
def test_the_configured_day_counts_name_the_reason(days: int, code_text: str | None, points: float) -> None:
    out = grade(frame([{"bank_overdue_days": days}]), CONFIG)
    bank = [r for r in reasons(out, 0) if r["code"] == "BANK_OVERDUE"]
    if code_text is None:
        assert bank == []
    else:
        assert [(r["text"], r["value"], r["contribution"]) for r in bank] == [(code_text, days, points)]
    assert float(out["score"].iloc[0]) == points


def test_a_120_day_overdue_loan_grades_at_least_one_tier_below_its_twin() -> None:
    twins = [{}, {"new_entity": True}, {"reports_missing": 1}, {"tax_grade": "C", "reports_late": 2},
             {"penalties": 3, "reports_late": 1}]
    for twin in twins:
        out = grade(frame([twin, {**twin, "bank_overdue_days": 120}]), CONFIG)
        assert RANK[out["grade"].iloc[1]] >= RANK[out["grade"].iloc[0]] + 1, twin
        assert "银行贷款逾期超过90天" in [r["text"] for r in reasons(out, 1)], twin


def test_default_is_its_own_reason() -> None:
    out = grade(frame([{"bank_default": True, "bank_overdue_days": 200}]), CONFIG)
    codes = [r["code"] for r in reasons(out, 0)]
    assert codes == ["BANK_DEFAULT", "BANK_OVERDUE"] and out["grade"].iloc[0] == "C"   # 30 + 25 = 55


def test_band_texts_without_a_text_fall_back_to_the_item_text() -> None:
    doc = dict(CONFIG.data)
    doc["scorecard"] = [{"code": "X", "text": "逾期", "indicator": "bank_overdue_days", "kind": "bands",
                         "bands": [{"min": 91, "points": 25, "text": "超过90天"}, {"min": 31, "points": 8}]}]
    s = scheme_of(ConfigDoc("grading", "t", doc))
    assert s.items[0].bands == ((31.0, 8.0), (91.0, 25.0)) and s.items[0].band_texts == ("", "超过90天")
    out = grade(frame([{"bank_overdue_days": 40}, {"bank_overdue_days": 95}]), s)
    assert [reasons(out, i)[0]["text"] for i in (0, 1)] == ["逾期", "超过90天"]
    doc["scorecard"][0]["bands"][0]["points"] = 1   # falls as the value rises: refused
    with pytest.raises(ConfigError):
        scheme_of(ConfigDoc("grading", "t", doc))


@hsettings(max_examples=40, deadline=None)
@given(days=st.lists(st.integers(0, 400), min_size=1, max_size=20), more=st.integers(0, 200),
       default=st.booleans())
def test_no_bank_fact_improves_a_tier(days: list[int], more: int, default: bool) -> None:
    before = grade(frame([{"bank_overdue_days": d} for d in days]), CONFIG)
    after = grade(frame([{"bank_overdue_days": d + more, "bank_default": default} for d in days]), CONFIG)
    assert (after["grade"].map(RANK).to_numpy() >= before["grade"].map(RANK).to_numpy()).all()

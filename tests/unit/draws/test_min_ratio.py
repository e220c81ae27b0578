"""A matter's floor ratio (企业公示信息抽查办法 art. 4: 抽查比例不低于3%, domain.md §7): the tier ratios
(1/2/10/30 %) give less than 3 % of a pool of mostly tier-A enterprises; ``min_ratio`` raises the
matter's total to ceil(min_ratio × pool), shared out among the strata like ``min_count``."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from credit.config import load_config
from credit.draws import core, store
from credit.settings import Settings

SIZES = {("annual_report", "A"): 1743, ("annual_report", "B"): 83, ("annual_report", "C"): 300,
         ("annual_report", "D"): 6}   # the sample province's shape: 1/2/10/30 % give 2.3 %


def _rules() -> dict[str, object]:
    doc = dict(load_config("draws", Settings()).data)
    return store.frozen_rules(doc, ["annual_report"])


def test_the_annual_report_check_draws_at_least_three_percent() -> None:
    r = _rules()
    strata = core.plan_strata(r, SIZES)
    total = sum(s["sample_size"] for s in strata)
    pool = sum(SIZES.values())
    assert total >= math.ceil(Decimal("0.03") * pool), (total, pool)
    # every stratum keeps at least its tier ratio's share (the floor only adds)
    ratios = r["tier_ratios"]
    assert all(s["sample_size"] >= core.sample_size(ratios[s["stratum"]], s["size"]) for s in strata)  # type: ignore[index]


def test_without_a_floor_the_tier_ratios_alone_apply() -> None:
    r = _rules()
    r["matters"]["annual_report"].pop("min_ratio")   # type: ignore[index]
    total = sum(s["sample_size"] for s in core.plan_strata(r, SIZES))
    assert total == 18 + 2 + 30 + 2 < math.ceil(Decimal("0.03") * sum(SIZES.values()))


def test_a_floor_outside_zero_to_one_is_refused() -> None:
    doc = dict(load_config("draws", Settings()).data)
    doc["matters"] = {**doc["matters"], "annual_report": {**doc["matters"]["annual_report"], "min_ratio": 3}}
    with pytest.raises(core.DrawRefused, match="min_ratio"):
        store.frozen_rules(doc, ["annual_report"])


@pytest.mark.parametrize("sizes", [
    {"A": 174, "B": 20, "C": 20, "D": 1},   # raised as min_count is, tier D's one seat went to A and C
    {"A": 174, "B": 20, "C": 0, "D": 6},
    {"A": 174, "B": 20, "C": 5, "D": 6},
    {"A": 3000, "B": 0, "C": 0, "D": 1},
    {"A": 10, "B": 0, "C": 0, "D": 0},
])
def test_the_floor_only_adds_to_each_tier_share(sizes: dict[str, int]) -> None:
    """The floor adds seats, in proportion to ratio × size; it never takes a stratum below its own
    ratio's share (domain.md §7: tier D sampled at a much higher ratio)."""
    r = _rules()
    ratios = r["tier_ratios"]
    strata = core.plan_strata(r, {("annual_report", s): n for s, n in sizes.items()})
    base = {s: core.sample_size(ratios[s], n) for s, n in sizes.items()}   # type: ignore[index]
    got = {s["stratum"]: s["sample_size"] for s in strata}
    assert all(got[s] >= base[s] for s in sizes), (got, base)
    total = sum(sizes.values())
    assert sum(got.values()) == max(sum(base.values()), core.sample_size("0.03", total), 1)
    assert all(got[s] <= sizes[s] for s in sizes)


@hsettings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 5000), min_size=1),
       st.sampled_from(["0.03", "0.5", "1", "0"]), st.one_of(st.none(), st.integers(0, 300)))
def test_floored_never_below_a_tier_share_and_reaches_the_floor(sizes: dict[str, int], floor: str,
                                                                  lo: int | None) -> None:
    ratios = {"A": 0.01, "B": 0.02, "C": 0.10, "D": 0.30}
    got = core.floored(sizes, ratios, floor, lo)
    base = {s: core.sample_size(ratios[s], n) for s, n in sizes.items()}
    total = sum(sizes.values())
    want = max(sum(base.values()), core.sample_size(floor, total), min(lo or 0, total))
    assert all(base[s] <= got[s] <= sizes[s] for s in sizes)
    assert sum(got.values()) == want

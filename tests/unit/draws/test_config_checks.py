"""A draws.yaml a plan would freeze is checked first: a bad value is refused naming it, never
published as a negative sample size nor ending in a traceback (domain.md §7: a ratio per tier
A–D; common rule: bad input → a clear error)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from credit.config import load_config
from credit.draws import core, store
from credit.settings import Settings


def _doc() -> dict[str, Any]:
    return copy.deepcopy(dict(load_config("draws", Settings()).data))


def _set(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *keys, last = path.split(".")
    d = doc
    for k in keys:
        d = d[k]
    if value is _DROP:
        del d[last]
    else:
        d[last] = value
    return doc


_DROP = object()


@pytest.mark.parametrize("path,value,named", [
    ("tier_ratios.D", -0.3, "tier_ratios"),
    ("tier_ratios.D", 1.5, "tier_ratios"),
    ("tier_ratios.D", "abc", "tier_ratios"),
    ("tier_ratios.D", True, "tier_ratios"),
    ("tier_ratios.D", _DROP, "tier_ratios"),
    ("matters.annual_report.tier_ratios", {"A": 0.01, "B": 0.02, "C": 0.1}, "annual_report"),
    ("ungraded_tier", "E", "ungraded_tier"),
    ("exclusion_exempt_tiers", ["X"], "exclusion_exempt_tiers"),
    ("matters.annual_report.min_count", -1, "min_count"),
    ("matters.annual_report.max_count", "many", "max_count"),
    ("schedule.window_working_days", 0, "window_working_days"),
    ("workload_spread", 0, "workload_spread"),       # no one below "least + 0": a wrong inspector drawn
    ("workload_spread", "2", "workload_spread"),
    ("exclusion_window_days", -1, "exclusion_window_days"),
    ("inspectors_per_inspection", "two", "inspectors_per_inspection"),
    ("schedule.lead_working_days", -2, "lead_working_days"),
    ("quiet_days.4114.days_of_month", "1-x", "4114"),
    ("quiet_days.4114.days_of_month", "0-40", "4114"),
])
def test_a_bad_value_is_refused_naming_it(path: str, value: Any, named: str) -> None:
    doc = _set(_doc(), path, value)
    with pytest.raises(core.DrawRefused, match=named):
        store.frozen_rules(doc, ["annual_report"])


@pytest.mark.parametrize("path,value,named", [
    ("exclusion_exempt_tiers", "CD", "exclusion_exempt_tiers"),   # a string: "C", "D" passed, isin failed later
    ("exclusion_exempt_tiers", {"D": True}, "exclusion_exempt_tiers"),
    ("exclusion_exempt_tiers", _DROP, "exclusion_exempt_tiers"),
    ("quiet_days", [{"days_of_month": "1-20"}], "quiet_days"),     # a list: .items() AttributeError
    ("quiet_days", "1-20", "quiet_days"),
    ("schedule", [5, 40], "schedule"),                             # not a mapping: .get AttributeError
    ("schedule", "5 40", "schedule"),
    ("schedule", _DROP, "schedule"),
    ("matters.annual_report.regions", ["000000"], "regions"),      # no area: an empty prefix, the whole province
    ("matters.annual_report.regions", ["00"], "regions"),
    ("matters.annual_report.regions", ["4114x"], "regions"),
    ("matters.annual_report.regions", "4114", "regions"),          # a string iterates as "4", "1", …
])
def test_a_wrong_shaped_value_is_refused_naming_it_in_chinese_and_english(path: str, value: Any, named: str) -> None:
    doc = _set(_doc(), path, value)
    with pytest.raises(core.DrawRefused, match=named) as e:
        store.frozen_rules(doc, ["annual_report"])
    assert "配置" in str(e.value), str(e.value)   # Chinese first, English in brackets


def test_the_bundled_file_passes_and_a_ratio_of_one_is_allowed() -> None:
    store.frozen_rules(_doc(), ["annual_report", "food_production", "advertising"])
    store.frozen_rules(_set(_doc(), "matters.annual_report.regions", [411400, "4114"]), ["annual_report"])
    store.frozen_rules(_set(_doc(), "tier_ratios.D", 1), ["annual_report"])
    store.frozen_rules(_set(_doc(), "tier_ratios.A", "0.005"), ["annual_report"])

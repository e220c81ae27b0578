"""The rules of the quality page and ``credit quality`` are named Chinese first, the English after
(house rule for officer lines): a type without a label showed its bare Great Expectations name."""

from __future__ import annotations

import json
import re

from credit.contract.sources import SOURCES
from credit.night.quality import SuiteTally
from credit.night.quality_results import expectation_label
from credit.night.suites import contract_expectations
from credit.settings import bundled

CHINESE_THEN_ENGLISH = re.compile(r"[\u4e00-\u9fff][^()A-Za-z]* \([a-z][^()]*\)")


def test_every_expectation_a_source_s_suite_may_hold_is_named_chinese_first_then_english() -> None:
    kinds = {e["type"] for s in SOURCES.values() for e in contract_expectations(s)} | set(SuiteTally.MAP_KINDS)
    for name in SOURCES:
        path = bundled("expectations", f"{name}.json")
        if path.is_file():
            kinds |= {e["type"] for e in json.loads(path.read_text(encoding="utf-8"))["expectations"]}
    named = {k: expectation_label(k) for k in sorted(kinds)}
    wrong = {k: v for k, v in named.items() if not CHINESE_THEN_ENGLISH.fullmatch(v) or v.startswith("其他规则")}
    assert not wrong, wrong


def test_a_type_without_a_label_is_said_in_chinese_with_its_gx_name() -> None:
    assert expectation_label("expect_column_mean_to_be_between") == \
        "其他规则 (other rule: expect_column_mean_to_be_between)"

"""Authorities by name from GB/T 2260 divisions, and the remedy statement (issue 13; no database)."""

from __future__ import annotations

from datetime import date

import pytest

from credit.config import load_config
from credit.rosters.authorities import authority_of, remedy_text


@pytest.mark.parametrize(("code", "name", "prefix", "resolved"), [
    ("420106", "武汉市武昌区市场监督管理局", "武昌市监信", "county"),
    ("330106", "杭州市西湖区市场监督管理局", "西湖市监信", "county"),
    ("110105", "北京市朝阳区市场监督管理局", "朝阳市监信", "county"),
    ("330182", "建德市市场监督管理局", "建德市监信", "county"),          # county-level city: stands alone
    ("330122", "桐庐县市场监督管理局", "桐庐市监信", "county"),
    ("330114", "杭州市钱塘区市场监督管理局", "钱塘市监信", "county"),    # created 2021
    ("330100", "杭州市市场监督管理局", "杭州市监信", "city"),
    ("330000", "浙江省市场监督管理局", "浙江市监信", "province"),
    ("330103", "杭州市市场监督管理局", "杭州市监信", "city"),          # 下城区, abolished 2021: its city
])
def test_authority_named_from_the_division(code: str, name: str, prefix: str, resolved: str) -> None:
    a = authority_of(code, {})
    assert (a.name, a.doc_prefix, a.resolved) == (name, prefix, resolved)
    assert not any(ch.isdigit() for ch in a.name + a.doc_prefix)


def test_unknown_code_falls_back_to_the_configured_default_never_to_digits() -> None:
    conf = {"fallback": {"name": "某某市场监督管理局", "doc_prefix": "某市监信"}}
    a = authority_of("990199", conf)
    assert (a.name, a.doc_prefix, a.resolved) == ("某某市场监督管理局", "某市监信", "fallback")
    assert authority_of("", {}).name == "市场监督管理局"


def test_config_overrides_a_region() -> None:
    a = authority_of("420106", {"by_region": {"420106": {"doc_prefix": "武市监信"}}})
    assert (a.name, a.doc_prefix, a.resolved) == ("武汉市武昌区市场监督管理局", "武市监信", "config")


def test_remedy_names_the_body_in_force_on_the_decision_date() -> None:
    conf = dict(load_config("rosters").get("remedy") or {})
    a = authority_of("420106", {})
    after = remedy_text(a, date(2026, 7, 1), conf)
    assert "六十日内向武汉市武昌区人民政府申请行政复议" in after and "六个月内向有管辖权的人民法院提起行政诉讼" in after
    before = remedy_text(a, date(2023, 7, 1), conf)    # 行政复议法 2017: government or the bureau one level up
    assert "武汉市武昌区人民政府或者武汉市市场监督管理局" in before
    court = remedy_text(a, date(2026, 7, 1), conf | {"by_authority": {"420106": {"court": "某某人民法院"}}})
    assert "六个月内向某某人民法院提起行政诉讼" in court


def test_tier_labels_say_only_what_the_tier_means() -> None:
    tiers = load_config("grading").get("tiers") or {}
    assert {g: (t["label"], t["local_label"]) for g, t in tiers.items()} == {
        "A": ("信用风险低", "信用风险低"), "B": ("信用风险一般", "信用风险一般"),
        "C": ("信用风险较高", "信用风险较高"), "D": ("信用风险高", "信用风险高")}


@pytest.mark.parametrize(("code", "higher"), [
    ("420106", "420100"),   # a district: its city's bureau
    ("110105", "110000"),   # a district of a municipality: the municipality's
    ("330100", "330000"),   # a city: the province's
    ("429004", "420000"),   # 仙桃市, 省直辖县级行政区划: the province's (no city 429000 exists)
    ("659001", "650000"),   # 石河子市, 自治区直辖县级行政区划: the region's
    ("419001", "410000"),   # 济源市
    ("339999", "339900"),   # not in the dataset: read from the code, as before
])
def test_the_next_higher_bureau_is_the_divisions_parent(code: str, higher: str) -> None:
    """The bureau whose consent a serious listing needs (domain.md §4) is the division one level up
    in GB/T 2260, the same parent that names the authority (``authorities.divisions``)."""
    from credit.rosters.authorities import higher_authority

    assert higher_authority(code) == higher

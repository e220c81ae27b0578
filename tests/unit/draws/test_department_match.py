"""How a roster's department matches a matter's (draws.yaml ``department_match``, docs/draws.md)."""

from __future__ import annotations

from credit.draws.inspectors import department_matches

FOOD = ["食品生产安全监督管理科"]


def test_suffix_is_the_bureau_then_the_whole_division() -> None:
    assert department_matches("杭州市西湖区市场监督管理局食品生产安全监督管理科", FOOD, "suffix")
    assert department_matches("食品生产安全监督管理科", FOOD, "suffix")
    # a longer division whose name ends the same is another division (an outside review)
    assert not department_matches("杭州市西湖区市场监督管理局特殊食品生产安全监督管理科", FOOD, "suffix")
    assert not department_matches("杭州市西湖区市场监督管理局", FOOD, "suffix")
    assert not department_matches("杭州市西湖区市场监督管理局食品生产安全监督管理科", [""], "suffix")


def test_exact_is_the_same_text_only() -> None:
    assert department_matches("食品生产安全监督管理科", FOOD, "exact")
    assert not department_matches("杭州市西湖区市场监督管理局食品生产安全监督管理科", FOOD, "exact")

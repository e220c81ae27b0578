"""The name shown for a decision is the decision made (law review item 3; domain.md §2, §3.4)."""

from __future__ import annotations

from credit.rosters.labels import action_label, decision_label


def test_a_refused_objection_is_named_as_such_not_as_a_refused_removal() -> None:
    assert decision_label("refuse", "any.refuse.objection", "abnormal") == "异议不成立"
    assert decision_label("refuse", "any.refuse.objection", "abnormal_status") == "异议不成立"
    assert decision_label("refuse", "any.refuse.repair", "abnormal") == "不予移出"
    assert decision_label("revoke", "any.revoke.objection_upheld", "abnormal") == "异议成立，撤销原决定"
    assert decision_label("revoke", "any.revoke.fact_withdrawn", "abnormal") == "撤销"


def test_an_individual_business_is_marked_and_restored_not_listed_and_removed() -> None:
    assert decision_label("include", "ind.mark.annual_report_missing", "abnormal_status") == "标记为经营异常状态"
    assert decision_label("remove", "ind.restore.annual_report_missing", "abnormal_status") == "恢复正常记载状态"
    assert decision_label("refuse", "any.refuse.repair", "abnormal_status") == "不予恢复正常记载状态"
    assert decision_label("include", "abn.include.annual_report_missing", "abnormal") == "列入"


def test_penalty_repair_and_fallbacks() -> None:
    assert decision_label("remove", "pen.repair", "penalty") == "信用修复，停止公示"
    assert decision_label("refuse", "pen.refuse.repair", "penalty") == "不予信用修复"
    # a draft's rejection keeps the draft's rule: it is named as a rejection
    assert decision_label("reject", "pen.repair", "penalty") == action_label("reject") == "驳回草稿"
    assert decision_label("refuse") == "不予移出" and decision_label(None) == "" and decision_label("odd") == "odd"

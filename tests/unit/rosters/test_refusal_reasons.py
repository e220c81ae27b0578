"""A refused application says what was not met (domain.md §3.3 the cure of each cause, §4 early
removal's conditions), in the rule's words first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from credit.rosters.decide import UNCURED, refusal_reason, unmet_conditions


def test_an_uncured_abnormal_entry_names_its_cause() -> None:
    why = unmet_conditions("abnormal", "annual_report_missing", False, False, False, False)
    assert refusal_reason("abnormal", why) == "不符合移出条件，不予移出：办理期限届满时仍未补报年度报告"
    why = unmet_conditions("abnormal_status", "instant_info_not_disclosed", False, False, False, False)
    assert refusal_reason("abnormal_status", why) == \
        "不符合恢复正常记载状态的条件，不予恢复：办理期限届满时仍未履行即时信息公示义务"


def test_the_serious_list_names_every_condition_not_met() -> None:
    why = unmet_conditions("serious", None, True, True, False, False)
    assert refusal_reason("serious", why) == \
        "不符合移出条件，不予移出：行政处罚决定规定的义务尚未履行完毕；列入后又受到较重行政处罚"
    assert unmet_conditions("serious", None, False, False, False, True) == ["据以列入的经营异常名录记录尚未移出"]


@given(st.sampled_from(["abnormal", "abnormal_status", "serious"]), st.sampled_from([None, *UNCURED, "unreachable"]),
       st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_a_reason_names_exactly_the_conditions_that_fail(roster: str, cause: str | None, heavier: bool,
                                                          based: bool, fulfilled: bool, still_open: bool) -> None:
    why = unmet_conditions(roster, cause, heavier, based, fulfilled, still_open)
    if roster == "serious":
        # the night's condition of early removal after the year (credit/rosters/decide.py)
        met = not heavier and (fulfilled if based else not still_open)
        assert (why == []) == met
    else:
        assert len(why) == 1
    reason = refusal_reason(roster, why)
    assert reason.startswith("不符合") and all(w in reason for w in why)

"""The repair outlook of every (entity kind, cause) pair says that entry's own cure, automatic-end
text and legal basis (domain.md §3.3, §3.4, §5): an unreachable 个体工商户 was told "补报年度报告后
申请恢复正常记载状态" under 《企业经营异常名录管理暂行办法》第十三条、第十四条 (s35)."""

from __future__ import annotations

from datetime import date

import pytest

from credit.api.views import repair_outlook
from credit.rosters.deadlines import cure_note
from credit.rosters.env import RosterEnv
from credit.settings import Settings

ORDER_68 = "《企业经营异常名录管理暂行办法》"
ORDER_69 = "《个体工商户年度报告暂行办法》"
ORDER_70 = "《农民专业合作社年度报告公示办法》"
# (entity kind, roster, cause) → (order, article of the removal / restoration, what 查实 establishes
# for causes 3 and 4, a phrase of the cure the public is told)
CASES = {
    ("enterprise", "abnormal", "annual_report_missing"): (ORDER_68, "第十一条", None, "补报未报年份的年度报告"),
    ("enterprise", "abnormal", "instant_info_not_disclosed"): (ORDER_68, "第十二条", None, "履行即时信息公示义务"),
    ("enterprise", "abnormal", "false_disclosure"): (ORDER_68, "第十三条", "已更正公示信息", "更正公示的信息"),
    ("enterprise", "abnormal", "unreachable"): (ORDER_68, "第十四条", "已变更登记住所或重新取得联系", "重新取得联系"),
    ("farmer_coop", "abnormal", "annual_report_missing"): (ORDER_70, "第十三条", None, "补报未报年份的年度报告"),
    ("farmer_coop", "abnormal", "instant_info_not_disclosed"): (ORDER_68, "第十二条", None, "履行即时信息公示义务"),
    ("farmer_coop", "abnormal", "false_disclosure"): (ORDER_70, "第十四条", "已更正公示信息", "更正公示的信息"),
    ("farmer_coop", "abnormal", "unreachable"): (ORDER_70, "第十五条", "已变更登记住所或重新取得联系",
                                                 "依法办理住所变更登记，或者通过登记的住所可以重新取得联系"),
    ("individual", "abnormal_status", "annual_report_missing"): (ORDER_69, "第十六条", None, "补报年度报告"),
    ("individual", "abnormal_status", "false_disclosure"): (ORDER_69, "第十七条", "已更正年度报告", "更正后的年度报告"),
    ("individual", "abnormal_status", "unreachable"): (ORDER_69, "第十八条", "已变更经营场所或重新取得联系",
                                                       "经营场所、经营者住所变更登记"),
}
TODAY = date(2026, 7, 16)


@pytest.fixture(scope="module")
def env() -> RosterEnv:
    return RosterEnv.load(Settings())


@pytest.mark.parametrize(("kind", "roster", "cause"), sorted(CASES))
def test_each_entry_is_told_its_own_cure_end_and_basis(env: RosterEnv, kind: str, roster: str, cause: str) -> None:
    order, article, cured, cure = CASES[(kind, roster, cause)]
    entry = {"roster": roster, "cause_code": cause, "included_on": "2026-07-13", "apply_until": None}
    out = repair_outlook(env, entry, TODAY, kind)
    assert order in out["basis"] and out["basis"].endswith(article), out["basis"]
    assert cure in out["needs"] and cure in out["expires_note"], out
    marked = roster == "abnormal_status"
    assert out["expires_note"].startswith("不会自动恢复：" if marked else "不会自动移出："), out["expires_note"]
    if cause != "annual_report_missing":
        assert "补报" not in out["expires_note"]            # no late filing for a cause that is not one
    notes = f"{out['accept_note'] or ''}{out['decide_by_note'] or ''}"
    if cured is None:
        assert out["accept_note"] is None and out["decide_by_note"] is None
    else:
        assert f"查实{cured}之日起" in out["accept_note"] and out["accept_note"].endswith(f"{article}）")
        assert f"自查实{cured}之日起5个工作日内决定" in out["decide_by_note"]
        assert cure_note(env, out["rule"].partition("@")[0]).endswith(f"{article}）")
    if order != ORDER_68:      # never the enterprise roster's order for a co-op's or a 个体工商户's entry
        assert ORDER_68 not in notes + out["basis"] + out["expires_note"]


def test_no_decide_by_date_for_an_application_today_that_is_too_early(env: RosterEnv) -> None:
    # domain.md §4: early removal from the serious list only after one full year on it. Listed on
    # 2025-08-31, the year is full at 24:00 2026-08-31 and an application can succeed from 2026-09-01;
    # one made today (2026-07-16) is refused as too early. The page said "今日 2026-07-16 申请的，应于
    # 2026-09-10 前作出决定": a limit counted from 2026-09-01 (7 WD, order 107), for an application
    # that would be refused — not a limit of any application made today.
    entry = {"roster": "serious", "cause_code": "heavier_penalty", "included_on": "2025-08-31",
             "early_removal_from": "2026-09-01", "automatic_removal_on": "2028-09-01"}
    out = repair_outlook(env, entry, TODAY)
    assert out["apply_from"] == "2026-09-01"
    assert out["decide_by_if_applied_today"] is None and out["decide_by_provisional"] is None
    assert out["decide_within"] == "7个工作日"               # the limit itself is still said
    # from the first day it can succeed, the limit counts from today: 7 WD after Wed 2026-09-02
    # are Sep 3, 4, 7, 8, 9, 10, 11
    out = repair_outlook(env, entry, date(2026, 9, 2))
    assert out["decide_by_if_applied_today"] == "2026-09-11"
    # no early removal at all (a restriction runs to the automatic removal): no date either
    barred = {**entry, "early_removal_from": None, "restriction_note": "限制期限届满前不予提前移出严重违法失信名单"}
    out = repair_outlook(env, barred, date(2026, 9, 2))
    assert out["apply_from"] is None and out["decide_by_if_applied_today"] is None
    assert out["decide_by_provisional"] is None

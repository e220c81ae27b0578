"""Golden cases of the abnormal-operation roster (经营异常名录) and the individual-business marking
(经营异常状态), dates from domain.md §13 where it gives them; each case names the rule it checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import sqlalchemy as sa

from credit.calendar import working_calendar
from credit.grading.indicators import report_deadlines
from credit.rosters.deadlines import deadline_watch
from credit.rosters.read import entity_rosters, roster_as_of
from credit.rosters.repair import apply_for_removal, decide_objection, file_objection
from credit.settings import Settings, bundled
from tests.db.rosters.helpers import D, decisions, finding, inspection, night, reg, report

A = "91110105MA0000001A"
B = "91110105MA0000002B"


def test_annual_report_missing_included_the_night_after_30_june(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 68号令 art. 6, domain.md §3.2, §13 ex. 1: decision due 10 WD after 30 June 2026 = 2026-07-14.
    with engine.begin() as c:
        reg(c, A)
        reg(c, B, established="2026-01-05")        # registered in 2026: first report due in 2027
        reg(c, "93110105MA0000003C", kind="farmer_coop")
        reg(c, "91110105MA0000004D")
        report(c, "91110105MA0000004D", 2025, "2026-06-30")   # filed on the last day: in time
        assert night(c, settings, "2026-06-30")["decisions"] == 0
        night(c, settings, "2026-07-01")
        rows = decisions(c)
        assert [r["uscc"] for r in rows] == [A, "93110105MA0000003C"]
        d = rows[0]
        assert d["action"] == "include" and d["roster"] == "abnormal" and d["cause_code"] == "annual_report_missing"
        assert d["decision_date"] == D("2026-07-01") and d["due_date"] == D("2026-07-14") and not d["late"]
        assert d["trigger_date"] == D("2026-06-30") and d["facts"]["period_end"] == "2026-06-30"   # a Tuesday: not rolled
        assert "第十八条第一款" in d["basis"] and "第八条" in d["cause"]
        assert d["decision_no"] == "朝阳市监信〔2026〕1号" and rows[1]["decision_no"] == "朝阳市监信〔2026〕2号"
        assert d["facts"]["report_year"] == 2025 and d["facts"]["source"] == "annual_reports"
        assert d["night"] == D("2026-07-01") and d["actor"] == "night" and d["config_version"].startswith("rules-")


def test_late_data_is_decided_and_marked_late(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # brief: a trigger older than its limit is decided anyway and recorded late (68号令 art. 6).
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-20")
        d = decisions(c)[0]
        assert d["due_date"] == D("2026-07-14") and d["decision_date"] == D("2026-07-20") and d["late"]


def test_cancelled_revoked_and_moved_out_entities_get_no_new_decisions(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # rosters.yaml statuses_decided: 注销 entities no longer exist, 吊销/迁出 are not ours to list.
    with engine.begin() as c:
        reg(c, A, status="cancelled")
        reg(c, B, status="revoked")
        reg(c, "91110105MA0000005E", status="moved_out")
        finding(c, "F1", A, "unreachable_address", "2026-07-02")
        assert night(c, settings, "2026-07-03")["decisions"] == 0


def test_individual_business_gets_the_abnormal_status_marking_not_the_roster(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # domain.md §2: 个体工商户 non-filers are marked (标记为经营异常状态), 69号令 art. 13 (unverified limit).
    with engine.begin() as c:
        reg(c, "92110105MA0000006F", kind="individual", name="朝阳区张三小吃店")
        night(c, settings, "2026-07-01")
        d = decisions(c)[0]
        assert d["roster"] == "abnormal_status" and "经营异常状态" in d["cause"] and "69号" in d["basis"]
        assert roster_as_of(c, D("2026-07-02"), "abnormal").empty
        assert len(roster_as_of(c, D("2026-07-02"), "abnormal_status")) == 1


def test_removal_after_late_filing_crosses_national_day(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 68号令 art. 11, domain.md §13 ex. 3: application Wed 2026-09-30 → decide by Tue 2026-10-13.
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-01")
        report(c, A, 2025, "2026-09-25")
        app = apply_for_removal(c, A, "abnormal", D("2026-09-30"), "已补报2025年度报告", settings=settings)
        assert app["decide_by"] == "2026-10-13"
        night(c, settings, "2026-09-30")
        rm = decisions(c, action="remove")[0]
        assert rm["request_id"] == app["id"] and rm["due_date"] == D("2026-10-13") and not rm["late"]
        assert rm["reason"] == "已补报年度报告" and "第十一条" in rm["basis"]
        before = roster_as_of(c, D("2026-09-29"), "abnormal")
        after = roster_as_of(c, D("2026-09-30"), "abnormal")
        assert before["state"].tolist() == ["listed"]
        assert after["state"].tolist() == ["removed"] and after["removal_reason"].tolist() == ["已补报年度报告"]
        assert after["removed_on"].tolist() == [D("2026-09-30")]


def test_uncured_application_is_refused_when_its_limit_has_run(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-01")
        app = apply_for_removal(c, A, "abnormal", D("2026-09-30"), settings=settings)
        for d in ("2026-09-30", "2026-10-08", "2026-10-12"):
            night(c, settings, d)
        assert decisions(c, action="refuse") == []              # limit not yet run out
        night(c, settings, "2026-10-13")                        # last day of the 5 WD (§13 ex. 3)
        ref = decisions(c, action="refuse")[0]
        assert ref["request_id"] == app["id"] and ref["decision_no"] and ref["reason"] == "不符合移出条件，不予移出：办理期限届满时仍未补报年度报告"
        assert roster_as_of(c, D("2026-10-13"), "abnormal")["state"].tolist() == ["listed"]


def test_ordered_disclosure_from_a_spot_check_waits_for_the_order(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Issue 13 item 7, 68号令 art. 7, domain.md §3.2: the 10 days run from the order (责令), not from
    # the inspection day. The drop carries no order date (contracts.md §1), so the cause arises from
    # the documented source, the finding ordered_disclosure_overdue. Order served Mon 2026-09-21, its
    # 10 days end Thu 2026-10-08 (§13 ex. 2); the lapse is established on Fri 2026-10-09.
    with engine.begin() as c:
        reg(c, A)
        reg(c, B)
        report(c, A, 2025, "2026-04-01")
        report(c, B, 2025, "2026-04-01")
        inspection(c, "T1", A, "2026-09-14", "not_disclosed")
        inspection(c, "T1", B, "2026-09-14", "not_disclosed")
        # Assuming the order on the inspection day, its 10 days would end 2026-09-24: nothing yet.
        assert night(c, settings, "2026-09-25")["decisions"] == 0
        assert night(c, settings, "2026-10-08")["decisions"] == 0
        finding(c, "F8", A, "ordered_disclosure_overdue", "2026-10-09")   # B complied within the period
        night(c, settings, "2026-10-09")
        rows = decisions(c)
        assert [r["uscc"] for r in rows] == [A]
        assert rows[0]["cause_code"] == "instant_info_not_disclosed" and rows[0]["trigger_date"] == D("2026-10-09")
        assert rows[0]["facts"]["kind"] == "ordered_disclosure_overdue"


def test_ordered_period_ending_on_a_rest_day_expires_on_the_next_working_day(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # s35: found_on of ordered_disclosure_overdue is the ordered period's last day (68号令 art. 7); a
    # rest day rolls to the next working day (民法典 art. 203, domain.md §12), as the annual-report
    # period's end does. §13 ex. 2: day 10 = Thu 2026-10-01 → the period ends Thu 10-08 → due Wed
    # 10-21 (main: trigger 10-01, due 10-20). Dragon Boat Fri 2026-06-19 → Mon 06-22 → due 07-06
    # (main: 07-03). Until the expiry the entity may still disclose: no decision before it.
    with engine.begin() as c:
        reg(c, A)
        reg(c, B)
        report(c, A, 2025, "2026-04-01")
        report(c, B, 2025, "2026-04-01")
        finding(c, "F1", A, "ordered_disclosure_overdue", "2026-06-19")
        assert night(c, settings, "2026-06-19")["decisions"] == 0
        night(c, settings, "2026-06-22")
        [a] = decisions(c)
        assert a["uscc"] == A and a["trigger_date"] == D("2026-06-22") and a["due_date"] == D("2026-07-06")
        finding(c, "F2", B, "ordered_disclosure_overdue", "2026-10-01")
        assert night(c, settings, "2026-10-02")["decisions"] == 0
        night(c, settings, "2026-10-08")
        [b] = [r for r in decisions(c) if r["uscc"] == B]
        assert b["trigger_date"] == D("2026-10-08") and b["due_date"] == D("2026-10-21")
        assert b["decision_date"] == D("2026-10-08") and b["facts"]["found_on"] == "2026-10-01"


def test_an_ordered_period_ending_in_a_year_without_its_notice_waits_for_the_calendar(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Outside review, stop 46: found_on Fri 2027-01-01 (元旦, a day off by law) is the ordered
    # period's last day; 2027's notice is not in the calendar, so the day the period ends (民法典 art.
    # 203: the next working day, at least Mon 01-04) cannot be known. The code took 01-01 as the end
    # and listed the entity, final and numbered, on the night of Sat 01-02. Now the finding waits,
    # the night says for which year, and once the notice is entered the period ends on the next
    # working day it gives.
    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-04-01")
        finding(c, "F1", A, "ordered_disclosure_overdue", "2027-01-01")
        summary = night(c, settings, "2027-01-02")
        assert summary["decisions"] == 0 and decisions(c) == []
        assert [w.split(":")[:2] for w in summary["warnings"]] == [["ordered_period_end_unknown", "2027"]]
        assert night(c, settings, "2027-01-05")["decisions"] == 0   # still unknown: it still waits
        cfg = tmp_path / "config"
        shutil.copytree(bundled("config"), cfg)
        text = (cfg / "calendar.yaml").read_text(encoding="utf-8")
        assert "years: {}" in text
        (cfg / "calendar.yaml").write_text(text.replace("years: {}", (
            "years:\n  2027:\n    notice: test\n    holidays: [2027-01-01, 2027-10-01]\n    workdays: []\n")), encoding="utf-8")
        known = Settings(database_url=settings.database_url, home=settings.home, config_dir=cfg)
        summary = night(c, known, "2027-01-06")
        assert "warnings" not in summary
        [d] = decisions(c)
        assert d["uscc"] == A and d["trigger_date"] == D("2027-01-04") and d["facts"]["found_on"] == "2027-01-01"
        assert d["due_date"] == D("2027-01-18") and not d["late"]


def test_unreachable_across_spring_festival_then_cured(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 68号令 art. 9: 10 WD after 查实 Tue 2026-02-10 — Feb 11–13, Sat 14 (make-up), Feb 24–27, Sat 28,
    # Mon Mar 2 (10). Removal art. 14: 5 WD after 查实 of the cure Wed 2026-04-01 (Qingming 4–6 Apr off).
    with engine.begin() as c:
        reg(c, A)
        finding(c, "F1", A, "unreachable_address", "2026-02-10")
        night(c, settings, "2026-02-10")
        inc = decisions(c)[0]
        assert inc["cause_code"] == "unreachable" and inc["due_date"] == D("2026-03-02")
        assert "第九条" in inc["basis"] and inc["facts"]["finding_id"] == "F1"
        finding(c, "F2", A, "unreachable_address", "2026-03-05")      # a second fact while listed
        inspection(c, "T7", A, "2026-03-06", "unreachable")
        night(c, settings, "2026-03-06")
        assert len(decisions(c, action="include")) == 1               # covered by the open entry
        apply_for_removal(c, A, "abnormal", D("2026-03-20"), settings=settings)
        finding(c, "F3", A, "contact_restored", "2026-04-01")
        night(c, settings, "2026-04-01")
        rm = decisions(c, action="remove")[0]
        assert rm["due_date"] == D("2026-04-09") and rm["reason"] == "已变更登记住所或重新取得联系"
        for d in ("2026-04-02", "2026-04-07"):
            night(c, settings, d)
        assert len(decisions(c, action="include")) == 1               # F2/T7 predate the cure: no relisting
        finding(c, "F4", A, "unreachable_address", "2026-05-06")      # a new fact after the cure
        night(c, settings, "2026-05-06")
        assert len(decisions(c, action="include")) == 2


def test_false_disclosure_rests_on_68_after_2024(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # domain.md §3.1: since 2024-05-01 false information is no longer a statutory roster cause.
    with engine.begin() as c:
        reg(c, A)
        inspection(c, "T2", A, "2026-05-12", "false_disclosure")
        night(c, settings, "2026-05-12")
        d = decisions(c)[0]
        assert d["cause_code"] == "false_disclosure" and "隐瞒真实情况" in d["cause"]
        assert "企业信息公示暂行条例" not in d["basis"] and "第四条第（三）项" in d["basis"]


def test_listing_revoked_when_the_report_was_filed_in_time_after_all(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-01")
        report(c, A, 2025, "2026-06-28", first_night="2026-07-03")    # arrived late, filed in time
        night(c, settings, "2026-07-03")
        rv = decisions(c, action="revoke")[0]
        assert rv["entry_id"] == decisions(c, action="include")[0]["seq"]
        assert roster_as_of(c, D("2026-07-03"), "abnormal")["state"].tolist() == ["removed"]


def test_revocation_as_wrong_counts_from_the_night_the_in_time_filing_arrived(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # s35: listed on 07-13 on a report stored as filed 07-06 (late); the 07-14 drop corrects it to
    # 06-30 (in time). The error is established on 07-14, when the store holds the evidence: the
    # correction is due 5 WD later, 07-21 (domain.md §3.4), not 5 WD after the listing (07-20).
    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-07-06", first_night="2026-07-13")
        night(c, settings, "2026-07-13")
        [inc] = decisions(c, action="include")
        c.execute(sa.text("update annual_reports set filed_on = '2026-06-30', last_night = '2026-07-14' "
                          "where uscc = :u"), {"u": A})
        c.execute(sa.text("insert into annual_reports_history (night, change, uscc, report_year, filed_on) "
                          "values ('2026-07-14', 'changed', :u, 2025, '2026-06-30')"), {"u": A})
        night(c, settings, "2026-07-14")
        [rv] = decisions(c, action="revoke")
        assert rv["entry_id"] == inc["seq"] and rv["decision_date"] == D("2026-07-14")
        assert rv["trigger_date"] == D("2026-07-14") and rv["due_date"] == D("2026-07-21")
        assert not rv["late"]


def test_objection_periods_and_upheld_objection(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 68号令 art. 16, domain.md §3.4, §13 ex. 4: published 2026-07-14 → object until Thu 2026-08-13;
    # received Aug 13 → accept by Aug 20.
    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-04-01")
        finding(c, "F1", A, "unreachable_address", "2026-07-14")
        night(c, settings, "2026-07-14")
        assert len(decisions(c)) == 1
        no = decisions(c)[0]["decision_no"]
        ok = file_objection(c, no, D("2026-08-13"), "地址可以联系", settings=settings)
        assert ok["in_time"] is True and ok["accept_by"] == "2026-08-20" and ok["filing_period_ends"] == "2026-08-13"
        late = file_objection(c, no, D("2026-08-14"), settings=settings)
        assert late["in_time"] is False
        res = decide_objection(c, ok["id"], "upheld", D("2026-08-25"), "王科长", settings=settings)
        assert res["action"] == "revoke" and res["decision_no"]
        st = entity_rosters(c, A, D("2026-08-25"), settings)
        assert st[0]["state"] == "removed" and "撤销" in st[0]["removal_reason"]


def test_unknown_2027_calendar_gives_a_provisional_due_date(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # domain.md §12, §13 ex. 11: 2027 schedule unpublished → decision made, due date not guessed.
    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-05-01")
        night(c, settings, "2027-07-01")
        d = decisions(c)[0]
        assert d["due_date"] is None and d["due_provisional"] == D("2027-07-14")
        assert "provisional" in d["due_note"] and not d["late"]
        n = c.execute(sa.text("select count(*) from roster_decisions")).scalar()
        assert n == 1


def _from_2023(settings: Settings, tmp: Path) -> Settings:
    """The repository's config with cause 1 decided from report year 2023 (2024's 30 June is a Sunday)."""
    cfg = tmp / "config"
    shutil.copytree(bundled("config"), cfg)
    text = (cfg / "rosters.yaml").read_text(encoding="utf-8")
    assert "annual_report_first_year: 2025\n" in text
    (cfg / "rosters.yaml").write_text(text.replace("annual_report_first_year: 2025\n", "annual_report_first_year: 2023\n"),
                                      encoding="utf-8")
    return Settings(database_url=settings.database_url, home=settings.home, config_dir=cfg)


def _held(c: sa.Connection, uscc: str, year: int) -> None:
    c.execute(sa.text("""insert into quarantine (night, file, line, source, rule, reason, raw)
                         values ('2024-06-28', 'annual_reports.csv', 7, 'annual_reports', 'date', 'bad date',
                                 cast(:raw as jsonb))"""),
              {"raw": json.dumps({"uscc": uscc, "report_year": str(year)})})


def test_a_sunday_30_june_ends_the_period_on_monday(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 企业信息公示暂行条例 art. 8 with 民法典 art. 203 (domain.md §2, §12): Sun 2024-06-30 is a rest
    # day, the 2023 reports' period ends Mon 2024-07-01. A report filed that day is in time; no one is
    # included on the night of 07-01 (the enterprise may still file); from 07-02 the non-filer is,
    # trigger 2024-07-01, due 10 WD after it (68号令 art. 6, domain.md §3.2): Jul 2, 3, 4, 5 (4),
    # Jul 8–12 (9), Mon 2024-07-15 (10) — no holiday in July 2024.
    s = _from_2023(settings, tmp_path)
    held = "91110105MA0000009H"
    with engine.begin() as c:
        reg(c, A)                                         # no 2023 report
        reg(c, B)
        report(c, B, 2023, "2024-07-01")                  # filed on the rolled last day: in time
        reg(c, held)
        _held(c, held, 2023)                              # its 2023 report sits in quarantine
        assert night(c, s, "2024-07-01")["decisions"] == 0
        assert deadline_watch(c, D("2024-07-01"), 10, s).empty      # no hold before the period ended
        night(c, s, "2024-07-02")
        rows = decisions(c)
        assert [r["uscc"] for r in rows] == [A]
        d = rows[0]
        assert d["cause_code"] == "annual_report_missing" and d["fact_key"] == f"annual_report_missing:{A}:2023"
        assert d["trigger_date"] == D("2024-07-01") and d["facts"]["period_end"] == "2024-07-01"
        assert d["decision_date"] == D("2024-07-02") and d["due_date"] == D("2024-07-15") and not d["late"]
        w = deadline_watch(c, D("2024-07-02"), 10, s)
        assert w["uscc"].tolist() == [held] and w["due_date"].tolist() == [D("2024-07-15")]
        # A report of 07-01 arriving after a listing (late data) revokes it: filed in time.
        report(c, A, 2023, "2024-07-01", first_night="2024-07-03")
        night(c, s, "2024-07-03")
        assert decisions(c, action="revoke")[0]["entry_id"] == d["seq"]


def test_a_report_filed_the_day_after_a_sunday_30_june_is_in_time_for_the_grading(settings) -> None:  # type: ignore[no-untyped-def]
    # The grading and the roster share the end (credit.annual_reports.filing_period_end).
    deadlines, warnings = report_deadlines(D("2024-07-02"), 3, working_calendar(settings))
    assert deadlines[-1] == (2023, D("2024-07-01")) and not warnings
    assert report_deadlines(D("2024-07-01"), 3, working_calendar(settings))[0][-1][0] == 2022


def test_an_unknown_year_s_weekend_30_june_waits_with_a_warning(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # credit.annual_reports.ended_before: 2028 and 2029 are unknown to the calendar. Fri 2028-06-30 is
    # taken (the due date is then provisional, as in example 11); Sat 2029-06-30 could end the period
    # that Saturday (a make-up day) or on Monday: report year 2028 waits, and the night says so.
    s = _from_2023(settings, tmp_path)
    with engine.begin() as c:
        reg(c, A)
        for y in (2023, 2024, 2025, 2026):
            report(c, A, y, f"{y + 1}-05-01")
        summary = night(c, s, "2029-07-10")
        assert [r["fact_key"] for r in decisions(c)] == [f"annual_report_missing:{A}:2027"]
        assert decisions(c)[0]["trigger_date"] == D("2028-06-30") and decisions(c)[0]["due_date"] is None
        assert [w.split(":")[:2] for w in summary["warnings"]] == [["annual_report_period_end_unknown", "2028"]]

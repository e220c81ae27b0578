"""Golden tests of the working-day calendar against domain.md §13's worked examples (verbatim dates).

Each case cites the rule whose deadline it checks. The calendar itself is credit/calendar.py;
these pin its behaviour on the 2025/2026 holiday blocks and make-up working days.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from credit.calendar import UnknownCalendarYear, WorkingCalendar, add_years, working_calendar
from credit.rosters.rules import Period

D = date.fromisoformat


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return working_calendar()


@pytest.mark.parametrize(("rule", "start", "n", "expected"), [
    # §13 ex. 1 — 68号令 art. 6: 10 WD after 30 June 2026
    ("68号令 art. 6", "2026-06-30", 10, "2026-07-14"),
    # §13 ex. 2 — 68号令 art. 7: 10 WD after the order period ended Thu 2026-10-08 (Sat Oct 10 make-up counts)
    ("68号令 art. 7", "2026-10-08", 10, "2026-10-21"),
    # §13 ex. 3 — 68号令 art. 11: 5 WD after an application of Wed 2026-09-30 (National Day block)
    ("68号令 art. 11", "2026-09-30", 5, "2026-10-13"),
    # §13 ex. 4 — 68号令 art. 16: acceptance 5 WD after Aug 13, verification 20 WD after Aug 20
    ("68号令 art. 16 acceptance", "2026-08-13", 5, "2026-08-20"),
    ("68号令 art. 16 verification", "2026-08-20", 20, "2026-09-17"),
    # §13 ex. 6 — 45号令 art. 9: 20 WD across the Spring Festival with Sat Feb 14 and Sat Feb 28 make-up days
    ("45号令 art. 9", "2026-02-10", 20, "2026-03-16"),
    ("45号令 art. 10 push", "2026-02-10", 10, "2026-03-02"),
    # §13 ex. 7 — 行政处罚法 arts. 64, 85: 5 WD hearing request across Labour Day (Sat May 9 make-up)
    ("行政处罚法 art. 64", "2026-04-30", 5, "2026-05-11"),
    # §13 ex. 8 — spot-check results 20 WD (Sun Sep 20 make-up is day 1)
    ("spot-check results §8", "2026-09-18", 20, "2026-10-22"),
    # §13 ex. 9 — order 107: 7 WD after acceptance Tue 2026-09-29; the old 15 WD ended 2026-10-26
    ("order 107 serious list", "2026-09-29", 7, "2026-10-14"),
    ("国市监信规〔2021〕3号 15 WD", "2026-09-29", 15, "2026-10-26"),
    # 2025 Spring Festival (Jan 28 – Feb 4 off, Sun Jan 26 and Sat Feb 8 make-up): 5 WD after Fri Jan 24: Sun 26 (1), Mon 27 (2), Feb 5, 6, 7 (5)
    ("2025 Spring Festival", "2025-01-24", 5, "2025-02-07"),
    # 2025 National Day (Oct 1–8 off, Sun Sep 28 and Sat Oct 11 make-up): 5 WD after Fri Sep 26: Sun 28 (1), 29, 30, Oct 9, 10 (5)
    ("2025 National Day", "2025-09-26", 5, "2025-10-10"),
])
def test_working_day_limits(cal: WorkingCalendar, rule: str, start: str, n: int, expected: str) -> None:
    assert cal.add_working_days(D(start), n) == D(expected), rule
    # the vectorised path the nights use gives the same answer
    many = cal.add_working_days_many(np.array([D(start)], dtype="datetime64[D]"), n)
    assert many[0].astype(date) == D(expected), rule
    assert Period(n, "wd").end(D(start), cal) == D(expected)


def test_make_up_days_are_working_days(cal: WorkingCalendar) -> None:
    # §12: make-up days (调休上班日) are working days; the holiday weekdays are not.
    for d in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
              "2025-01-26", "2025-02-08", "2025-09-28", "2025-10-11"):
        assert cal.is_working_day(D(d)), d
    for d in ("2026-02-16", "2026-02-23", "2026-10-01", "2026-10-07", "2025-10-08", "2025-02-04"):
        assert not cal.is_working_day(D(d)), d


def test_calendar_period_rolls_past_the_holiday(cal: WorkingCalendar) -> None:
    # §13 ex. 2: "within 10 days" from Mon 2026-09-21 ends Thu 2026-10-01, a holiday → Thu 2026-10-08.
    assert cal.end_of_calendar_period(D("2026-09-21"), 10) == D("2026-10-08")
    assert Period(10, "days").end(D("2026-09-21"), cal) == D("2026-10-08")


@pytest.mark.parametrize(("start", "years", "expected"), [
    ("2026-07-14", 3, "2029-07-14"),   # §13 ex. 5 (民法典 art. 202)
    ("2025-12-01", 1, "2026-12-01"),   # §13 ex. 9: early removal possible from the day after
    ("2025-12-01", 3, "2028-12-01"),   # §13 ex. 9: automatic removal from 2028-12-02
    ("2024-02-29", 3, "2027-02-28"),   # no 29 February in the end year → last day of February
    ("2024-02-29", 4, "2028-02-29"),
    ("2023-02-28", 1, "2024-02-28"),   # into a leap year: the corresponding day exists
])
def test_years_across_29_february(start: str, years: int, expected: str) -> None:
    assert add_years(D(start), years) == D(expected)


def test_unknown_year_is_refused_and_estimated_only_as_provisional(cal: WorkingCalendar) -> None:
    # §13 ex. 11: 2027 has no published schedule → refuse; the weekday-only count is 2027-07-14.
    with pytest.raises(UnknownCalendarYear):
        cal.add_working_days(D("2027-06-30"), 10)
    with pytest.raises(UnknownCalendarYear):  # a 2026 start whose deadline runs into 2027
        cal.add_working_days(D("2026-12-28"), 10)
    due, prov = Period(10, "wd").end_many(np.array([D("2027-06-30"), D("2026-06-30")], dtype="datetime64[D]"), cal)
    assert np.isnat(due[0]) and prov[0].astype(date) == D("2027-07-14")
    assert due[1].astype(date) == D("2026-07-14") and np.isnat(prov[1])


@pytest.mark.parametrize(("n", "unit", "start", "expected"), [
    (5, "wd", "2026-12-29", "2027-01-06"),    # Dec 30, 31, (Fri 1 Jan 元旦), Jan 4, 5, 6
    (5, "wd", "2027-01-01", "2027-01-08"),    # counted from a day off: Jan 4 is the first
    (1, "wd", "2027-01-02", "2027-01-04"),
    (10, "days", "2026-12-22", "2027-01-04"),  # ends on 元旦 → the next day not off (民法典 art. 203)
    (3, "wd", "2027-09-29", "2027-10-05"),    # Sep 30, (Fri 1 Oct 国庆节), Oct 4, 5
    (3, "wd", "2028-04-27", "2028-05-04"),    # Apr 28, (Mon 1, Tue 2 May 劳动节), May 3, 4
])
def test_a_provisional_count_never_ends_on_a_day_the_law_fixes_off(n: int, unit: str, start: str, expected: str) -> None:
    # §12: 元旦 1 Jan, 劳动节 1–2 May, 国庆节 1–3 Oct are days off by date (全国年节及纪念日放假办法
    # art. 2); a weekday-only estimate (§13 ex. 11) for a year without a notice skips them.
    assert Period(n, unit).weekday_estimate(D(start)) == D(expected)


def test_without_weekend_roll_over_an_unknown_year_is_still_refused(cal: WorkingCalendar) -> None:
    # config roll_over_weekends: false (domain.md §12: whether weekends roll is unverified) must not
    # turn an unpublished year into a year without holidays: "10日" from 2026-12-22 ends on 1 January
    # 2027, a day off by law, and was returned as a hard date. The weekday-only estimate stays the
    # provisional answer (Mon 2027-01-04).
    from dataclasses import replace

    strict = replace(cal, roll_over_weekends=False)
    with pytest.raises(UnknownCalendarYear):
        strict.end_of_calendar_period(D("2026-12-22"), 10)
    due, prov = Period(10, "days").end_many(np.array([D("2026-12-22")], dtype="datetime64[D]"), strict)
    assert np.isnat(due[0]) and prov[0].astype(date) == D("2027-01-04")
    # a known year still rolls over its statutory holidays only: Thu 2026-10-01 → Thu 2026-10-08,
    # and Sat 2026-08-15 stays (no weekend roll-over)
    assert strict.end_of_calendar_period(D("2026-09-21"), 10) == D("2026-10-08")
    assert strict.end_of_calendar_period(D("2026-07-16"), 30) == D("2026-08-15")


# ------------------------------------------------------------------------------------------------
# Cases §13 does not work through, counted by hand on the 2026 notice (domain.md §12: off 1–3 Jan,
# work Sun 4 Jan; off 15–23 Feb, work Sat 14 and Sat 28 Feb; off 4–6 Apr; off 1–5 May, work Sat 9
# May; off 19–21 Jun; off 25–27 Sep; off 1–7 Oct, work Sun 20 Sep and Sat 10 Oct).
@pytest.mark.parametrize(("n", "unit", "start", "expected"), [
    # 68号令 art. 11 (5 WD) across New Year: Jan 1–3 off, Sun Jan 4 make-up (1), Jan 5–8 (5)
    (5, "wd", "2025-12-31", "2026-01-08"),
    # 68号令 art. 6 (10 WD) from the eve of the Spring Festival: Sat 14 (1), Feb 24–27 (5), Sat 28 (6), Mar 2–5 (10)
    (10, "wd", "2026-02-13", "2026-03-05"),
    # a count that starts on a make-up Saturday: the next working day is after the whole block
    (1, "wd", "2026-02-14", "2026-02-24"),
    # Qingming (Sat 4 – Mon 6 Apr): Fri 3 (1), Tue 7 (2), Wed 8 (3)
    (3, "wd", "2026-04-02", "2026-04-08"),
    # Dragon Boat (Fri 19 – Sun 21 Jun): Mon 22 (1), Tue 23 (2)
    (2, "wd", "2026-06-18", "2026-06-23"),
    # 45号令 art. 11 (3 WD) across National Day: Oct 8 (1), 9 (2), Sat 10 make-up (3)
    (3, "wd", "2026-09-30", "2026-10-10"),
    # 68号令 art. 16 objection (30 日, calendar): day 30 is Sun 15 Feb, in the holiday → Tue 24 Feb (民法典 art. 203)
    (30, "days", "2026-01-16", "2026-02-24"),
    # day 10 is the make-up Saturday 14 Feb, a working day: the period ends on it
    (10, "days", "2026-02-04", "2026-02-14"),
    # day 5 is the make-up Sunday 20 Sep: ends on it; day 30 is the make-up Saturday 10 Oct: ends on it
    (5, "days", "2026-09-15", "2026-09-20"),
    (30, "days", "2026-09-10", "2026-10-10"),
    # day 30 an ordinary Saturday (15 Aug): rolled to Monday (calendar.yaml roll_over_weekends: true)
    (30, "days", "2026-07-16", "2026-08-17"),
    # months: the corresponding day, or the end month's last day (民法典 art. 202), not rolled
    (1, "months", "2026-01-31", "2026-02-28"),
    (1, "months", "2026-03-31", "2026-04-30"),
    (6, "months", "2026-08-31", "2027-02-28"),    # across 31 December
    (3, "months", "2027-11-30", "2028-02-29"),    # into 29 February 2028
    (1, "years", "2028-02-29", "2029-02-28"),
])
def test_limits_the_worked_examples_do_not_cover(cal: WorkingCalendar, n: int, unit: str, start: str, expected: str) -> None:
    assert Period(n, unit).end(D(start), cal) == D(expected)


@pytest.mark.parametrize(("decided", "published", "fine", "heavier", "publicity_from", "repair_from", "until"), [
    # order 107 general tier (domain.md §5.1, §6): 3 months then 1 year, from publication (45号令 art. 13)
    ("2026-08-28", "2026-08-31", 50000.0, False, "2026-08-31", "2026-12-01", "2027-08-31"),   # 30 Nov has no 31st
    # published late: the art. 9 limit (20 WD, Spring Festival and both make-up Saturdays) is the start
    ("2026-02-10", "2026-04-01", 50000.0, False, "2026-03-16", "2026-06-17", "2027-03-16"),
    # serious tier: repair after 1 year, 3 years in all
    ("2026-01-30", "2026-01-31", 50000.0, True, "2026-01-31", "2027-02-01", "2029-01-31"),
    # 45号令 (decided before 2025-12-25): 6 months then 3 years
    ("2025-08-29", "2025-08-31", 50000.0, False, "2025-08-31", "2026-03-01", "2028-08-31"),
])
def test_penalty_publicity_windows_at_month_ends(cal: WorkingCalendar, decided: str, published: str, fine: float,
                                                 heavier: bool, publicity_from: str, repair_from: str, until: str) -> None:
    from credit.penalties.publicity import load_publicity_rules, window_of

    w = window_of(load_publicity_rules(), cal, decided_on=D(decided), measures=["fine"], fine=fine, heavier=heavier,
                  category="other", first_night=D(published))
    assert w is not None
    assert (w["publicity_from"], w["repair_from"], w["publicity_until"]) == (D(publicity_from), D(repair_from), D(until))

"""The working-day calendar as data: unknown years refused, a published year added by config (domain.md §12)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from credit.calendar import UnknownCalendarYear, working_calendar
from credit.settings import Settings, bundled


def _config(tmp_path: Path) -> Settings:
    folder = tmp_path / "config"
    shutil.copytree(bundled("config"), folder)
    return Settings(config_dir=folder)


def test_a_year_without_a_published_schedule_is_refused(tmp_path: Path) -> None:
    cal = working_calendar(_config(tmp_path))
    with pytest.raises(UnknownCalendarYear, match="2027"):
        cal.is_working_day(date(2027, 1, 4))
    with pytest.raises(UnknownCalendarYear):   # a deadline that runs into the unknown year
        cal.add_working_days(date(2026, 12, 28), 10)


def test_publishing_a_year_in_config_takes_effect_without_a_restart(tmp_path: Path) -> None:
    settings = _config(tmp_path)
    working_calendar(settings)  # cached before the notice lands
    path = Path(settings.config_dir) / "calendar.yaml"
    # A hypothetical schedule, only to exercise the mechanism (not the real 2027 notice).
    path.write_text(path.read_text(encoding="utf-8").replace("years: {}", (
        "years:\n  2027:\n    notice: test\n    holidays: [2027-01-01, 2027-02-10, 2027-02-11, 2027-10-01]\n"
        "    workdays: [2027-02-06]\n")), encoding="utf-8")
    cal = working_calendar(settings)
    assert cal.is_working_day(date(2027, 2, 6))          # a make-up Saturday counts
    assert not cal.is_working_day(date(2027, 2, 10))     # a holiday does not
    assert cal.add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)  # Dec 31, (Jan 1 off), Jan 4


def test_a_calendar_period_ending_on_a_weekend_holiday_rolls_over_even_without_weekend_roll_over(
        tmp_path: Path) -> None:
    settings = _config(tmp_path)
    path = Path(settings.config_dir) / "calendar.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("roll_over_weekends: true", "roll_over_weekends: false"),
                    encoding="utf-8")
    cal = working_calendar(settings)
    # Sat 2026-10-03 is a National Day holiday (民法典 art. 203): the period ends after the block.
    assert cal.end_of_calendar_period(date(2026, 9, 23), 10) == date(2026, 10, 8)
    # An ordinary Saturday does not roll over under this switch.
    assert cal.end_of_calendar_period(date(2026, 11, 4), 10) == date(2026, 11, 14)
    # A make-up working day (Sat 2026-10-10, 调休 for National Day) is no rest day: the period ends on it.
    assert cal.end_of_calendar_period(date(2026, 9, 30), 10) == date(2026, 10, 10)
    # The same for the make-up Sunday before the holiday (Sun 2026-09-20).
    assert cal.end_of_calendar_period(date(2026, 9, 10), 10) == date(2026, 9, 20)


def test_the_library_years_match_chinesecalendar_day_by_day(tmp_path: Path) -> None:
    import chinese_calendar

    cal = working_calendar(_config(tmp_path))
    for year in (2020, 2025, 2026):
        d = date(year, 1, 1)
        while d.year == year:
            assert cal.is_working_day(d) == chinese_calendar.is_workday(d), d
            d = date.fromordinal(d.toordinal() + 1)


def test_limits_across_the_year_end_once_the_next_year_is_added(tmp_path: Path) -> None:
    """Golden checks by hand across 2026 → 2027 (start day not counted, domain.md §12), on a
    hypothetical 2027 entry (1 Jan off, nothing else in early January; not the real notice)."""
    settings = _config(tmp_path)
    path = Path(settings.config_dir) / "calendar.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("years: {}", (
        "years:\n  2027:\n    notice: test\n    holidays: [2027-01-01, 2027-02-05, 2027-10-01]\n"
        "    workdays: [2027-02-20]\n")), encoding="utf-8")
    cal = working_calendar(settings)
    # 陈述申辩 5 WD from a notice on Sat 2026-12-26: Dec 28, 29, 30, 31, (Jan 1 off, 2–3 weekend), Mon Jan 4.
    assert cal.add_working_days(date(2026, 12, 26), 5) == date(2027, 1, 4)
    # 10 WD from Tue 2026-12-22: Dec 23, 24, 25, 28, 29, 30, 31, Jan 4, 5, 6.
    assert cal.add_working_days(date(2026, 12, 22), 10) == date(2027, 1, 6)
    # 20 WD from a penalty decided Wed 2026-12-16 (45号令 art. 9): Dec 17–31 (11), Jan 4–8 (16), Jan 11–14.
    assert cal.add_working_days(date(2026, 12, 16), 20) == date(2027, 1, 14)
    # "10日" from 2026-12-22 ends on 2027-01-01, a holiday → the next working day, Mon Jan 4.
    assert cal.end_of_calendar_period(date(2026, 12, 22), 10) == date(2027, 1, 4)
    assert cal.working_days_between(date(2026, 12, 30), date(2027, 1, 4)) == 2


def test_one_date_and_many_dates_give_the_same_working_day_limits(tmp_path: Path) -> None:
    """``add_working_days`` (one date, by bisection) answers and refuses exactly as
    ``add_working_days_many`` (arrays) over every day of the known years and the year after, for
    the periods the rules use and longer ones: holidays, make-up working days, year ends."""
    import numpy as np

    cal = working_calendar(_config(tmp_path))
    first, last = date(min(cal.years), 1, 1), date(max(cal.years) + 1, 1, 10)
    starts = [date.fromordinal(o) for o in range(first.toordinal(), last.toordinal(), 3)]
    for n in (1, 2, 5, 10, 15, 20, 60):
        for d in starts:
            try:
                many: object = cal.add_working_days_many(np.array([d], dtype="datetime64[D]"), n)[0].astype(date)
            except UnknownCalendarYear as e:
                many = ("refused", e.year)
            try:
                one: object = cal.add_working_days(d, n)
            except UnknownCalendarYear as e:
                one = ("refused", e.year)
            assert one == many, (d, n)


def test_a_limit_never_runs_through_an_unknown_year_between_known_ones(tmp_path: Path) -> None:
    """domain.md §12 ("block WD deadlines for years without an official notice"): with a year entered
    in calendar.yaml (here a hypothetical 2028, or a typo for 2027) while 2027's notice is not, a
    working-day count from December 2026 must be refused for 2027 — not skip 2027 as if it had no
    days at all. It answered 5 WD after Wed 2026-12-30 with 2028-01-07 and counted 6 working days
    between 2026-12-30 and 2028-01-10."""
    import numpy as np

    settings = _config(tmp_path)
    path = Path(settings.config_dir) / "calendar.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("years: {}", (
        "years:\n  2028:\n    notice: test\n    holidays: [2028-01-03, 2028-05-01, 2028-05-02, 2028-10-02, 2028-10-03]\n")), encoding="utf-8")
    cal = working_calendar(settings)
    with pytest.raises(UnknownCalendarYear, match="2027"):
        cal.add_working_days(date(2026, 12, 30), 5)
    with pytest.raises(UnknownCalendarYear, match="2027"):
        cal.add_working_days_many(np.array([date(2026, 12, 30)], dtype="datetime64[D]"), 5)
    with pytest.raises(UnknownCalendarYear, match="2027"):
        cal.working_days_between(date(2026, 12, 30), date(2028, 1, 10))
    # within a known year, and from the later known year, the answers stand
    assert cal.add_working_days(date(2026, 12, 29), 2) == date(2026, 12, 31)
    assert cal.add_working_days(date(2028, 1, 1), 1) == date(2028, 1, 4)   # Mon 3 Jan off in this entry
    assert cal.add_working_days_many(np.array([date(2026, 6, 30), date(2028, 1, 1)], dtype="datetime64[D]"), 1)[1] \
        == np.datetime64("2028-01-04")


@pytest.mark.parametrize(("entry", "says"), [
    # An entry without its days off would make 2027 a year of weekends only, and every deadline in it a
    # hard date (domain.md §12: never guessed). 1 January and 1 October 2027 are Fridays, days off by
    # 全国年节及纪念日放假办法 art. 2 whatever the notice does with the lunar holidays.
    ("    notice: test\n    holidays: []\n", "2027-01-01"),
    ("    notice: test\n    holidays: [2027-01-01]\n", "2027-10-01"),
    # a make-up working day on a fixed day off (a typo for 2027-10-09)
    ("    notice: test\n    holidays: [2027-01-01, 2027-10-01]\n    workdays: [2027-10-02]\n", "2027-10-02"),
    # a date of another year under 2027 would be silently dropped
    ("    notice: test\n    holidays: [2027-01-01, 2027-10-01, 2028-02-10]\n", "2028-02-10"),
    # a make-up working day is a Saturday or Sunday; a weekday there is a misplaced holiday
    ("    notice: test\n    holidays: [2027-01-01, 2027-10-01]\n    workdays: [2027-02-10]\n", "2027-02-10"),
    # the entry names the notice it copies (the runbook of calendar.yaml)
    ("    holidays: [2027-01-01, 2027-10-01]\n", "notice"),
])
def test_a_year_entry_that_cannot_be_the_published_schedule_is_refused(tmp_path: Path, entry: str, says: str) -> None:
    from credit.config import ConfigError

    settings = _config(tmp_path)
    path = Path(settings.config_dir) / "calendar.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("years: {}", "years:\n  2027:\n" + entry),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=says) as e:
        working_calendar(settings)
    assert "calendar.yaml" in str(e.value) and "2027" in str(e.value)


def test_without_weekend_roll_over_a_fixed_holiday_on_a_weekend_of_an_entered_year_still_rolls(tmp_path: Path) -> None:
    """民法典 art. 203 rolls a period ending on a statutory rest day (domain.md §12). Sat 2 and Sun 3
    October 2027 are 国庆节 by date (全国年节及纪念日放假办法 art. 2) whether or not the entry lists
    them: with ``roll_over_weekends: false`` a "10日" period from Wed 2027-09-22 ended on Sat 10-02,
    inside the holiday, when the entry listed the weekdays off only; the library years roll such a
    day (Sat 2026-10-03 → 10-08, test above). A hypothetical 2027 entry, not the real notice."""
    settings = _config(tmp_path)
    path = Path(settings.config_dir) / "calendar.yaml"
    text = path.read_text(encoding="utf-8").replace("roll_over_weekends: true", "roll_over_weekends: false")
    path.write_text(text.replace("years: {}", (
        "years:\n  2027:\n    notice: test\n"
        "    holidays: [2027-01-01, 2027-10-01, 2027-10-04, 2027-10-05, 2027-10-06, 2027-10-07]\n"
        "    workdays: [2027-10-09]\n")), encoding="utf-8")
    cal = working_calendar(settings)
    assert cal.end_of_calendar_period(date(2027, 9, 22), 10) == date(2027, 10, 8)
    # an ordinary Saturday still stays under this switch, and the make-up Saturday is a working day
    assert cal.end_of_calendar_period(date(2027, 9, 15), 10) == date(2027, 9, 25)
    assert cal.end_of_calendar_period(date(2027, 9, 29), 10) == date(2027, 10, 9)

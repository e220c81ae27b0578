"""The end of the annual-report filing period (credit.annual_reports; domain.md §2, §12, §13 ex. 1, 11)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from credit.annual_reports import ended_before, filing_period_end
from credit.calendar import UnknownCalendarYear, working_calendar
from credit.settings import Settings, bundled


def _settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "config"
    shutil.copytree(bundled("config"), folder)
    return Settings(config_dir=folder)


def test_the_period_ends_on_30_june_or_the_working_day_it_rolls_to(tmp_path: Path) -> None:
    cal = working_calendar(_settings(tmp_path))
    assert filing_period_end(2023, cal) == date(2024, 7, 1)    # Sun 2024-06-30 → Mon 07-01 (民法典 art. 203)
    assert filing_period_end(2024, cal) == date(2025, 6, 30)   # Monday
    assert filing_period_end(2025, cal) == date(2026, 6, 30)   # Tuesday (§13 ex. 1)
    assert filing_period_end(2017, cal) == date(2018, 7, 2)    # Sat 2018-06-30 → Mon 07-02
    with pytest.raises(UnknownCalendarYear, match="2027"):     # 2027's notice not published: never guessed
        filing_period_end(2026, cal)


def test_a_weekday_30_june_was_a_working_day_in_every_known_year(tmp_path: Path) -> None:
    # What ended_before rests on when it takes a Monday–Friday 30 June of an unknown year.
    cal = working_calendar(_settings(tmp_path))
    for year in sorted(cal.years):
        june_30 = date(year, 6, 30)
        assert filing_period_end(year - 1, cal) == june_30 or june_30.weekday() >= 5, year


def test_the_years_ended_before_a_night(tmp_path: Path) -> None:
    cal = working_calendar(_settings(tmp_path))
    # 2024: the enterprise may still file on Mon 07-01; decided from 07-02.
    assert ended_before(date(2024, 7, 1), 2022, cal) == ([(2022, date(2023, 6, 30))], [])
    assert ended_before(date(2024, 7, 2), 2022, cal) == ([(2022, date(2023, 6, 30)), (2023, date(2024, 7, 1))], [])
    # 2026 (Tuesday): from 07-01, as before.
    assert ended_before(date(2026, 6, 30), 2025, cal) == ([], [])
    assert ended_before(date(2026, 7, 1), 2025, cal) == ([(2025, date(2026, 6, 30))], [])
    assert ended_before(date(2027, 1, 1), 2025, cal) == ([(2025, date(2026, 6, 30))], [])


def test_an_unknown_year_weekday_is_taken_a_weekend_waits_with_a_warning(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    cal = working_calendar(settings)
    # 2027 (Wed 30 June, calendar unknown): taken as is, the decision's due date is then provisional.
    assert ended_before(date(2027, 7, 1), 2026, cal) == ([(2026, date(2027, 6, 30))], [])
    assert ended_before(date(2027, 6, 30), 2026, cal) == ([], [])
    # 2029 (Sat 30 June, calendar unknown): Saturday could be a make-up working day, or the period
    # ends on Monday 07-02 — left out, and said.
    ends, warnings = ended_before(date(2029, 7, 10), 2027, cal)
    assert ends == [(2027, date(2028, 6, 30))]
    assert len(warnings) == 1 and warnings[0].startswith("annual_report_period_end_unknown:2028: ")
    # Once 2029 is in the calendar (a hypothetical schedule, only to exercise the mechanism):
    path = Path(settings.config_dir) / "calendar.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "years: {}", "years:\n  2029:\n    notice: test\n    holidays: [2029-01-01, 2029-05-01, 2029-05-02, 2029-10-01, 2029-10-02, 2029-10-03]\n"), encoding="utf-8")
    known = working_calendar(settings)
    assert ended_before(date(2029, 7, 2), 2028, known) == ([], [])    # Monday 07-02 is the last day
    assert ended_before(date(2029, 7, 3), 2028, known) == ([(2028, date(2029, 7, 2))], [])


def test_the_grading_takes_the_years_the_rosters_take(tmp_path: Path) -> None:
    # One end for the grading and the roster's cause 1 (domain.md §2, §12, §13 ex. 11): on a night
    # of July 2027 (2027's notice not published) the rosters take Wed 2027-06-30 and list for a
    # missing 2026 report; the grading left 2026 out (only a warning) and looked back at 2023–2025,
    # so REPORTS_MISSING / REPORTS_LATE did not count the very year the entity was listed for.
    from credit.grading.indicators import report_deadlines

    cal = working_calendar(_settings(tmp_path))
    deadlines, warnings = report_deadlines(date(2027, 7, 2), 3, cal)
    assert deadlines == [(2024, date(2025, 6, 30)), (2025, date(2026, 6, 30)), (2026, date(2027, 6, 30))]
    assert warnings == []
    assert report_deadlines(date(2027, 6, 30), 3, cal)[0][-1][0] == 2025   # its last day: not yet ended
    # a weekend 30 June of an unknown year still waits, with the rosters' warning
    deadlines, warnings = report_deadlines(date(2029, 7, 10), 3, cal)
    assert [y for y, _ in deadlines] == [2025, 2026, 2027]
    assert len(warnings) == 1 and warnings[0].startswith("annual_report_period_end_unknown:2028: ")

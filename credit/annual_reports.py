"""When the annual-report filing period ends — one answer for the grading, the rosters' cause 1,
the deadline watch's quarantine holds and the night's scope (domain.md §2, §3.1, §3.2, §12).

The report for year Y is filed 1 January – 30 June of Y+1 (企业信息公示暂行条例 art. 8). A period
whose last day is a rest day ends on the first working day after it (民法典 art. 203, domain.md
§12; weekends too unless ``calendar.yaml`` says otherwise, :attr:`WorkingCalendar.roll_over_weekends`):
in 2024 (30 June a Sunday) the period ended on Monday 2024-07-01, in 2029 (Saturday) and 2030
(Sunday) it ends on 2 and 1 July. Before this module the grading rolled the date and the rosters
did not: a report filed on Monday 2024-07-01 was in time for the grading and late for the roster,
and the roster listed on the night of 2024-07-01 while the enterprise could still file that day.
"""

from __future__ import annotations

from datetime import date

from credit.calendar import UnknownCalendarYear, WorkingCalendar


def filing_period_end(report_year: int, calendar: WorkingCalendar) -> date:
    """The last day of the filing period of report year ``report_year``: 30 June of the next year,
    rolled to the next working day when it is a rest day (民法典 art. 203, domain.md §12).

    Raises :class:`UnknownCalendarYear` when the calendar does not know that year: whether 30 June
    is a rest day (a weekend, or a make-up working day of the year's notice) is never guessed here.
    """
    return calendar.roll_forward(date(report_year + 1, 6, 30))


def ended_before(night: date, first_year: int, calendar: WorkingCalendar) -> tuple[list[tuple[int, date]], list[str]]:
    """The report years from ``first_year`` whose filing period ended before ``night`` (so that
    ``night`` is on or after the day after it: the rosters' cause 1 is decided from then), each
    with the period's end (:func:`filing_period_end`), and warnings for the years left out.

    A year the calendar does not know (chinesecalendar 1.11.0 carries 2004–2026; ``calendar.yaml``
    adds a year when its notice is published) is treated as the rosters treat unknown years
    elsewhere: the decision is made and its due date is *provisional* (a weekday-only estimate,
    ``due_provisional``, domain.md §13 ex. 11; :meth:`credit.rosters.rules.Period.end_many`), and
    recomputed once the year is published (:func:`credit.rosters.env.effective_due`). So a 30 June
    falling Monday–Friday in an unknown year is taken as the end itself: no statutory holiday is
    fixed near it (Dragon Boat, the only one of the season, falls by late June) and every known
    year 2004–2026 has a Monday–Friday 30 June as a working day (tests/unit/calendar/test_annual_reports.py
    checks them all); the 10 WD after it then run in the unknown year, so the decision's due date
    is marked provisional, never silent. A 30 June on a weekend in an unknown year could end the
    period on the Saturday (a make-up working day) or on the Monday: that year is left out, with a
    warning ``annual_report_period_end_unknown:<year>``, as the grading leaves out a year it cannot
    date (:func:`credit.grading.indicators.report_deadlines`), until the notice is in the calendar
    (the configuration change makes that night a full one, :func:`credit.night.scope.global_events`).
    """
    ends: list[tuple[int, date]] = []
    warnings: list[str] = []
    for report_year in range(first_year, night.year):
        june_30 = date(report_year + 1, 6, 30)
        if june_30 >= night:
            continue   # not yet ended whatever the calendar says: rolling only moves the end later
        try:
            end = filing_period_end(report_year, calendar)
        except UnknownCalendarYear as e:
            if june_30.weekday() >= 5:
                warnings.append(f"annual_report_period_end_unknown:{report_year}: {e}")
                continue
            end = june_30
        if end < night:
            ends.append((report_year, end))
    return ends, warnings

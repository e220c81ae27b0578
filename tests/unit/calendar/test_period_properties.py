"""Properties of legal periods on the working calendar (hypothesis) — domain.md §12.

Every roster, penalty and serious-list deadline is a :class:`Period` end; these say what an end
is whatever the start: N working days after the start (start not counted) land on the N-th working
day; "N日" lands on the N-th day, rolled past rest days onto a working day (民法典 arts. 201, 203);
months land on the corresponding day or the month's last (art. 202); a count that needs an
unpublished year is refused, never guessed.
"""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.calendar import UnknownCalendarYear, working_calendar
from credit.rosters.rules import Period
from credit.settings import Settings, bundled

CAL = working_calendar(Settings(config_dir=bundled("config")))
LAST = date(max(CAL.years), 12, 31)
#: starts around the holiday blocks and make-up days of 2026 (domain.md §12) and anywhere known
starts = st.one_of(st.sampled_from([date(2026, 2, 10), date(2026, 2, 13), date(2026, 4, 30), date(2026, 9, 18),
                                    date(2026, 9, 21), date(2026, 9, 30), date(2025, 12, 31), date(2026, 12, 16)]),
                   st.dates(date(min(CAL.years), 1, 1), LAST))


@settings(max_examples=200, deadline=None)
@given(starts, st.sampled_from([1, 2, 3, 5, 7, 10, 15, 20]))
def test_n_working_days_end_on_the_n_th_working_day_after_the_start(start: date, n: int) -> None:
    try:
        end = Period(n, "wd").end(start, CAL)
    except UnknownCalendarYear as e:
        assert e.year > LAST.year                      # refused only when the count runs past the data
        assert CAL.working_days_between(start, LAST) < n
        return
    assert end > start and CAL.is_working_day(end)
    assert CAL.working_days_between(start, end) == n
    assert CAL.working_days_between(start, end - timedelta(days=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(starts, st.sampled_from([5, 10, 15, 30, 60]))
def test_n_calendar_days_end_on_the_n_th_day_rolled_past_rest_days(start: date, n: int) -> None:
    try:
        end = Period(n, "days").end(start, CAL)
    except UnknownCalendarYear as e:
        assert e.year > LAST.year
        return
    nth = start + timedelta(days=n)
    assert end >= nth and CAL.is_working_day(end)
    # every day skipped is a rest day (a make-up working day is never skipped)
    assert all(not CAL.is_working_day(nth + timedelta(days=k)) for k in range((end - nth).days))


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.sampled_from([1, 3, 6, 12, 36]))
def test_months_end_on_the_corresponding_day_or_the_month_s_last(start: date, months: int) -> None:
    end = Period(months, "months").end(start, CAL)
    assert (end.year - start.year) * 12 + end.month - start.month == months
    assert end.day == min(start.day, _cal.monthrange(end.year, end.month)[1])
    if months % 12 == 0:
        assert Period(months // 12, "years").end(start, CAL) == end


def test_a_count_into_an_unpublished_year_is_refused() -> None:
    # domain.md §12: never default an unknown year to "no holidays"
    with pytest.raises(UnknownCalendarYear):
        Period(10, "wd").end(LAST - timedelta(days=3), CAL)

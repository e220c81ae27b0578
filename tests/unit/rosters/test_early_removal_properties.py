"""Properties of early removal from the serious list (hypothesis) — domain.md §4, §12.

Early removal after one full year on the list (from the day after, 民法典 art. 202), never while a
restriction of the penalty runs, never on or after the automatic removal; an application is
refused exactly when it comes before the first day it can be granted.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from credit.calendar import add_years
from credit.rosters.early_removal import early_removal, early_removal_refusal, early_removal_refusal_en

included = st.one_of(st.sampled_from([date(2024, 2, 29), date(2025, 12, 1), date(2026, 1, 31)]),
                     st.dates(date(2021, 9, 1), date(2027, 12, 31)))
offset = st.one_of(st.none(), st.integers(-400, 6 * 366))


@settings(max_examples=300, deadline=None)
@given(included, offset, st.one_of(st.none(), st.sampled_from([2, 3, 5]), st.sampled_from([-1, 0, 1]).map(str)),
       st.integers(-30, 6 * 366))
def test_early_removal_waits_a_full_year_and_the_restriction_and_precedes_the_automatic_removal(
        on: date, restriction_days: int | None, years: int | str | None, received_days: int) -> None:
    restriction = None if restriction_days is None else on + timedelta(days=restriction_days)
    wait = max(add_years(on, 1), restriction or add_years(on, 1)) + timedelta(days=1)
    # the automatic removal N years on, or (a string) a day next to the end of the wait: the boundary
    automatic = None if years is None else (
        add_years(on, years) + timedelta(days=1) if isinstance(years, int) else wait + timedelta(days=int(years)))
    w = early_removal(on, restriction, automatic)
    year_full = add_years(on, 1)                        # one full year ends on this day (art. 202)
    if w.apply_from is not None:
        assert w.apply_from > year_full                 # from the day after the full year
        assert restriction is None or w.apply_from > restriction
        assert automatic is None or w.apply_from < automatic
        # the earliest such day: the later of the day after the year and after the restriction
        assert w.apply_from == max(year_full, restriction or year_full) + timedelta(days=1)
    else:
        # no early removal only when the wait reaches the automatic removal
        assert automatic is not None
        assert max(year_full, restriction or year_full) + timedelta(days=1) >= automatic
    # the restriction is named exactly when it holds the removal back beyond the year
    assert (w.restriction_ends is not None) == (restriction is not None and restriction >= year_full + timedelta(days=1))
    assert w.automatic_on == automatic
    received = on + timedelta(days=received_days)
    refusal = early_removal_refusal(w, received)
    granted = w.apply_from is not None and received >= w.apply_from
    assert (refusal is None) == granted
    if refusal is not None:
        # the refusal names the day to apply, or the automatic removal when there is none
        assert (w.apply_from.isoformat() if w.apply_from else "自动移出") in refusal
        assert early_removal_refusal_en(w)

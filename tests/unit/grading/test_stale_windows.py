"""The first assessment year and period the grading reads (grading.yaml windows tax_years and
social_security_months, domain.md §11): the night's year or month less the window, none without it."""

from __future__ import annotations

from datetime import date

import pytest

from credit.grading.indicators import social_window_start, tax_window_start


@pytest.mark.parametrize(("night", "years", "first"), [
    (date(2026, 7, 15), 2, 2024), (date(2026, 1, 1), 2, 2024), (date(2026, 12, 31), 0, 2026),
    (date(2027, 1, 1), 2, 2025), (date(2026, 7, 15), None, 0),
])
def test_the_first_tax_year_read(night: date, years: int | None, first: int) -> None:
    assert tax_window_start(night, years) == first


@pytest.mark.parametrize(("night", "months", "first"), [
    (date(2026, 7, 15), 6, "2026-01"), (date(2026, 7, 1), 6, "2026-01"), (date(2026, 6, 30), 6, "2025-12"),
    (date(2026, 3, 31), 3, "2025-12"), (date(2026, 12, 31), 0, "2026-12"), (date(2026, 1, 1), 13, "2024-12"),
    (date(2026, 7, 15), None, "0000-00"),
])
def test_the_first_social_security_period_read(night: date, months: int | None, first: str) -> None:
    assert social_window_start(night, months) == first

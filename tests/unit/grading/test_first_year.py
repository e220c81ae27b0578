"""成立不满一年 (grading.yaml NEW_ENTITY): a year counted as the law counts it (domain.md §12,
民法典 arts. 201, 202) — from the day after the establishment to the corresponding day, which ends
at 24:00; a 29 February's corresponding day is 28 February."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from credit.grading.indicators import basic_attributes


def _new(established: str, night: str) -> bool:
    pop = pd.DataFrame({"entity_kind": ["enterprise"], "region_code": ["330106"], "industry_code": ["F51"],
                        "registered_capital": [1e6], "established_on": pd.to_datetime([established])})
    return bool(basic_attributes(pop, date.fromisoformat(night))["new_entity"].iloc[0])


@pytest.mark.parametrize(("established", "night", "new"), [
    ("2025-07-15", "2026-07-14", True),
    ("2025-07-15", "2026-07-15", True),    # the year ends at 24:00 on the corresponding day
    ("2025-07-15", "2026-07-16", False),
    ("2025-12-31", "2026-12-31", True),    # a year end
    ("2025-12-31", "2027-01-01", False),
    ("2024-02-29", "2025-02-28", True),    # no 29 February in 2025: the year ends on the 28th
    ("2024-02-29", "2025-03-01", False),
    ("2023-03-01", "2024-02-29", True),    # 365 days into a leap year: still within the year
    ("2023-03-01", "2024-03-01", True),
    ("2023-03-01", "2024-03-02", False),
])
def test_the_first_year_ends_on_the_corresponding_day(established: str, night: str, new: bool) -> None:
    assert _new(established, night) is new

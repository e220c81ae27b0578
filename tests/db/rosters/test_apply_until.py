"""The last day to apply for removal from the abnormal roster (68号令 art. 10: within 3 years of
inclusion), counted by 民法典 arts. 201–203 (domain.md §3.3, §12; real PostgreSQL, fast)."""

from __future__ import annotations

import pytest

from credit.rosters.read import entity_rosters
from credit.rosters.repair import import_decision
from tests.db.rosters.helpers import D, night, reg

A = "91110105MA00000012"


@pytest.mark.parametrize(("included", "last_day"), [
    # 3 years end on Mon 2026-02-16, inside the Spring Festival holiday (15–23 Feb, 2026 notice):
    # the period ends on the first working day after it, Tue 2026-02-24 (民法典 art. 203).
    ("2023-02-16", "2026-02-24"),
    # ends on Wed 2026-10-07, the last day of National Day (1–7 Oct) → Thu 2026-10-08
    ("2023-10-07", "2026-10-08"),
    # ends on Sat 2026-06-13, an ordinary weekend (rolled, as calendar.yaml roll_over_weekends says)
    ("2023-06-13", "2026-06-15"),
    # ends on Sat 2026-02-28, a make-up working day (调休上班): no rest day, the period ends on it
    ("2023-02-28", "2026-02-28"),
    # ends on a working day: the corresponding day itself (民法典 art. 202)
    ("2023-07-01", "2026-07-01"),
])
def test_the_last_day_to_apply_rolls_past_a_rest_day(engine, settings, included: str, last_day: str) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        import_decision(c, uscc=A, roster="abnormal", rule_id="abn.include.unreachable", decided_on=D(included),
                        decision_no="京朝市监异〔2023〕1号", region_code="110105", settings=settings)
        night(c, settings, "2026-01-05")
        (entry,) = [e for e in entity_rosters(c, A, D("2026-01-05"), settings) if e["decision_no"] == "京朝市监异〔2023〕1号"]
        assert entry["apply_until"] == last_day


def test_a_last_day_in_a_year_without_its_notice_gives_the_weekday_estimate_as_provisional(engine, settings) -> None:  # type: ignore[no-untyped-def]
    """3 years from Tue 2024-02-13 end on Sat 2027-02-13, in a year whose holiday notice is not out:
    ``apply_until`` stays the corresponding day (the earliest the period can end), and the weekday
    count the README promises for such years is given beside it, marked provisional (domain.md §12,
    §13 example 11): Mon 2027-02-15, not a Saturday shown as the last day without a word."""
    with engine.begin() as c:
        reg(c, A)
        import_decision(c, uscc=A, roster="abnormal", rule_id="abn.include.unreachable", decided_on=D("2024-02-13"),
                        decision_no="京朝市监异〔2024〕1号", region_code="110105", settings=settings)
        night(c, settings, "2026-01-05")
        (entry,) = [e for e in entity_rosters(c, A, D("2026-01-05"), settings) if e["decision_no"] == "京朝市监异〔2024〕1号"]
    assert (entry["apply_until"], entry.get("apply_until_provisional")) == ("2027-02-13", "2027-02-15")

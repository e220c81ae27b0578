"""Counts (employees, insured persons, months in arrears, lenders, days overdue) are whole numbers
and never negative (contracts.md §1: quarantine what is not unambiguous), and each wrong value is
held for what is wrong with it: a word is "not a whole number", not "negative"."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from credit.contract.sources import SOURCES
from credit.night import normalise, quality
from credit.settings import bundled
from tests.dropkit import code

NIGHT = date(2026, 7, 13)
USCC = code()
ROWS: dict[str, dict[str, str | None]] = {
    "annual_reports": {"uscc": USCC, "report_year": "2025", "filed_on": "2026-05-01", "employees": "3",
                       "revenue": "1000.00", "total_tax": "10.00"},
    "social_security": {"uscc": USCC, "period": "2026-06", "insured_count": "3", "arrears": "0",
                        "arrears_months": "0"},
    "bank_credit": {"uscc": USCC, "period": "2026-06", "lenders": "1", "loans_outstanding": "100.00",
                    "overdue_amount": "0", "max_overdue_days": "0", "in_default": "false", "updated_on": "2026-07-01"},
}
NOT_WHOLE = "不是整数 (not a whole number)"
NEGATIVE = "不能为负数 (must not be negative)"


def _reasons(source: str, column: str, values: list[str]) -> list[str]:
    rows = [{**ROWS[source], column: v} for v in values]
    frame = pd.DataFrame(rows, columns=SOURCES[source].column_names).astype(normalise.ARROW_STRING)
    checked = quality.check_rows(frame, SOURCES[source], NIGHT, bundled("expectations") / f"{source}.json")
    reasons, _ = checked.found.joined()
    return [str(r) for r in reasons]


@pytest.mark.parametrize("source, column", [
    ("annual_reports", "employees"), ("social_security", "insured_count"), ("social_security", "arrears_months"),
    ("bank_credit", "lenders"), ("bank_credit", "max_overdue_days"),
])
def test_a_count_is_held_when_negative_and_for_its_own_reason_when_not_a_number(source: str, column: str) -> None:
    ok, negative, word, fraction = _reasons(source, column, ["12", "-3", "abc", "2.5"])
    assert ok == ""
    assert negative == f"{column}：{NEGATIVE}"
    assert word == fraction == f"{column}：{NOT_WHOLE}"


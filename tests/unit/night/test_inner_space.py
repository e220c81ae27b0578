"""White space inside a number or a date is not a stray space: it is held back, never deleted
(contracts.md §1: normalise what is unambiguous, quarantine what is not; hostile review D4).

``3 4`` may be 34, or 3 and a stray 4; ``2026-7-1 4`` may be the 14th, or the 1st and a stray 4;
a line break inside a quoted value says even less. Leading and trailing white space (ASCII, the
ideographic space U+3000, no-break spaces), full-width digits, the space between a timestamp's
date and time and spaces around a list's ``;`` stay normalised.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from credit.contract.sources import SOURCES
from credit.night import normalise, quality
from credit.settings import bundled
from tests.dropkit import code, registration_row

NIGHT = date(2026, 7, 28)
USCC = code()


def _report(**over: str) -> dict[str, str]:
    row = {"uscc": USCC, "report_year": "2025", "filed_on": "2026-05-20", "employees": "12",
           "revenue": "1200000.50", "total_tax": "35000"}
    row.update(over)
    return row


def _checked(source: str, rows: list[dict[str, str]]) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The canonical rows, and each row's rules and reasons (empty: accepted)."""
    raw = pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in SOURCES[source].column_names]))
    canonical = normalise.normalise(raw, SOURCES[source])
    checked = quality.check_rows(canonical, SOURCES[source], NIGHT, bundled("expectations") / f"{source}.json")
    reasons, rules = checked.found.joined()
    return canonical, [str(r) for r in rules], [str(r) for r in reasons]


@pytest.mark.parametrize("column, value, rule", [
    ("employees", "3\n\n4", "employees"),          # the reviewer's: a quoted value over three lines
    ("employees", "3 4", "employees"),
    ("employees", "3\t4", "employees"),
    ("employees", "3\u30004", "employees"),        # an ideographic space inside
    ("revenue", "1 200.50", "revenue"),            # a space as a thousands separator: ambiguous too
    ("filed_on", "2026-07-1\r\n3", "filed_on"),
    ("filed_on", "2026-7-1 4", "filed_on"),
    ("filed_on", "2026 -07-14", "filed_on"),
])
def test_white_space_inside_a_number_or_a_date_is_held_not_deleted(column: str, value: str, rule: str) -> None:
    canonical, rules, reasons = _checked("annual_reports", [_report(), _report(**{column: value})])
    assert rules[0] == ""
    assert f"({rule})" in rules[1], (rules, reasons)
    kind = "不是整数" if column == "employees" else "金额格式不正确" if column == "revenue" else "日期格式不正确"
    assert kind in reasons[1]
    assert canonical[column][1] not in ("34", "2026-07-13", "2026-07-14", "1200.50")


@pytest.mark.parametrize("column, value, canonical", [
    ("employees", " 34 ", "34"),
    ("employees", "\u300034\u3000", "34"),                 # ideographic spaces around
    ("employees", "\u00a034\t", "34"),                     # a no-break space, a tab
    ("employees", "３４", "34"),                           # full-width digits
    ("revenue", " ¥1200.50 ", "1200.50"),
    ("revenue", "¥ 1200.50", "1200.50"),
    ("filed_on", " 2026-7-14\u3000", "2026-07-14"),
    ("filed_on", "２０２６／７／１４", "2026-07-14"),
])
def test_leading_and_trailing_white_space_and_full_width_forms_are_still_normalised(
        column: str, value: str, canonical: str) -> None:
    frame, rules, _ = _checked("annual_reports", [_report(**{column: value})])
    assert (frame[column][0], rules) == (canonical, [""])


def test_a_timestamp_keeps_its_date_time_separator_and_a_list_its_items() -> None:
    rows = [registration_row(USCC, updated_at=" 2026-07-01  08:00:00 "),
            registration_row(code(body="MA2B3C4E"), updated_at="2026-07-01\t08:00"),
            registration_row(code(body="MA2B3C4F"), updated_at="2026-07-01 08: 00")]
    frame, rules, _ = _checked("registration", rows)
    assert list(frame["updated_at"][:2]) == ["2026-07-01 08:00:00", "2026-07-01 08:00"]
    assert rules[:2] == ["", ""] and "updated_at" in rules[2]
    penalty = {"case_no": "c1", "uscc": USCC, "decided_on": "2026-03-02", "doc_no": "杭市监处罚〔2026〕1号",
               "category": "other", "measures": " warning ; fine ", "fine_amount": "1000", "heavier": "false",
               "fulfilled_on": "", "restricted_until": "", "revoked_on": ""}
    frame, rules, _ = _checked("penalties", [penalty, dict(penalty, case_no="c2", measures="warn ing;fine")])
    assert frame["measures"][0] == "warning;fine" and rules[0] == ""
    assert "measures" in rules[1]

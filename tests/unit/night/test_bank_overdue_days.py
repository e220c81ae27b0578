"""A bank's max_overdue_days that reaches back before 1949-10-01 from the end of its period is not a
count of days (a keying error or a sentinel) and is quarantined with its own reason, not graded
as the worst overdue loan (contracts.md §1: quarantine what is not unambiguous; an outsider's
pass, s36: ``max_overdue_days=99999999999`` was accepted and graded)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd

from credit.contract.sources import SOURCES
from credit.night import normalise, quality
from credit.night.quarantine import reason
from credit.settings import bundled

NIGHT = date(2026, 7, 18)
BANK = SOURCES["bank_credit"]
# The outsider's line as delivered (/work/bb/bbJ/tools/n18.py, night 2026-07-18).
TRUE_LINE = "91330700MAJMD3PA1B,2026-06,1,500000.00,100000.00,99999999999,false,2026-07-17"
# 2026-06-30 is 28,031 days after 1949-10-01.
MOST = (date(2026, 6, 30) - quality.EARLIEST_DUE).days


def _checked(lines: list[str]) -> tuple[list[str], list[str]]:
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    frame = pd.DataFrame(rows, columns=BANK.column_names).astype(normalise.ARROW_STRING)
    checked = quality.check_rows(frame, BANK, NIGHT, bundled("expectations") / "bank_credit.json")
    reasons, rules = checked.found.joined()
    return [str(r) for r in rules], [str(r) for r in reasons]


def test_the_outsiders_line_is_quarantined_with_a_bilingual_reason() -> None:
    rules, reasons = _checked([TRUE_LINE])
    assert rules == ["days_before_1949"]
    assert reasons == [reason("days_before_1949", column="max_overdue_days", month_column="period")]
    assert "max_overdue_days：" in reasons[0] and "1949-10-01" in reasons[0] and "(" in reasons[0]


def test_the_bound_is_the_days_from_1949_10_01_to_the_period_s_end() -> None:
    assert MOST == 28031
    base = "91330700MAJMD3PA1B,2026-06,1,500000.00,100000.00,{},false,2026-07-17"
    rules, _ = _checked([base.format(MOST), base.format(MOST + 1), base.format(120),
                         base.replace("2026-06", "2026-05").format(MOST)])   # May ends a month earlier
    assert rules == ["", "days_before_1949", "", "days_before_1949"]


def test_a_malformed_day_count_is_held_for_its_own_reason_only() -> None:
    rules, _ = _checked(["91330700MAJMD3PA1B,2026-06,1,500000.00,100000.00,9999999999999999,false,2026-07-17",
                         "91330700MAJMD3PA1B,2026-06,1,500000.00,100000.00,-5,false,2026-07-17"])
    assert "days_before_1949" not in ";".join(rules) and all(rules)

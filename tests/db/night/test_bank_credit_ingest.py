"""The bank_credit source through a night: quarantine reasons of its own, history of every change,
full and delta modes — and drops that never had it keep working (contracts.md §1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.night.steps import run_night
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night

N1, N2 = date(2026, 7, 13), date(2026, 7, 14)
A, B = code(body="MA2B3C4D"), code(body="MA2B3C4E")


def bank(uscc: str, **over: str) -> dict[str, str]:
    row = {"uscc": uscc, "period": "2026-06", "lenders": "1", "loans_outstanding": "200000.00",
           "overdue_amount": "0.00", "max_overdue_days": "0", "in_default": "false", "updated_on": "2026-07-05"}
    row.update(over)
    return row


def test_a_drop_without_bank_credit_publishes_and_grades(tmp_path: Path, engine: Engine, settings: Settings) -> None:
    write_night(tmp_path, N1, {"registration.csv": csv_file("registration", "full", [registration_row(A)])})
    summary = run_night(tmp_path, N1, settings)
    assert summary["grading"]["graded"] == 1 and "bank_credit" not in {m["source"] for m in summary["merges"]}
    with engine.connect() as c:
        reasons = c.execute(sa.text("select reasons from grades where uscc = :u"), {"u": A}).scalar_one()
    assert reasons and not any(r["code"].startswith("BANK_") for r in reasons)


def test_bank_credit_rows_are_checked_kept_with_history_and_replaced_by_a_full_file(
        tmp_path: Path, engine: Engine, settings: Settings) -> None:
    rows = [
        bank(A),
        bank(B, overdue_amount="300000.00"),           # more overdue than outstanding: cannot both be true
        bank(A, period="2026-05", max_overdue_days="-3"),
        bank(B, period="2026-08"),                     # a month after the night's
        bank(B, period="2026-05", in_default="是", max_overdue_days="１２０", overdue_amount="5000", lenders=" 2 "),
    ]
    write_night(tmp_path, N1, {"registration.csv": csv_file("registration", "full", [registration_row(A),
                                                                                    registration_row(B)]),
                               "bank_credit.csv": csv_file("bank_credit", "full", rows, bom=True)})
    summary = run_night(tmp_path, N1, settings)
    (f,) = [x for x in summary["files"] if x["source"] == "bank_credit"]
    assert (f["accepted"], f["quarantined"]) == (2, 3)
    with engine.connect() as c:
        held = dict(c.execute(sa.text("select line, reason from quarantine where source = 'bank_credit'")).all())
        kept = c.execute(sa.text("select uscc, period, max_overdue_days, in_default, lenders from bank_credit "
                                 "order by uscc, period")).all()
    assert held[3].startswith("overdue_amount 大于 loans_outstanding")
    assert held[4].startswith("max_overdue_days：不能为负数")
    assert held[5].startswith("period：所属期晚于批次所在月份 2026-07")
    assert [tuple(r) for r in kept] == [(A, "2026-06", 0, False, 1), (B, "2026-05", 120, True, 2)]

    # A delta changes one row (history keeps both); a later full file drops what it no longer has.
    write_night(tmp_path, N2, {"bank_credit.csv": csv_file("bank_credit", "delta", [
        bank(A, max_overdue_days="95", overdue_amount="20000.00")])})
    run_night(tmp_path, N2, settings)
    with engine.connect() as c:
        hist = c.execute(sa.text("select night, change, max_overdue_days from bank_credit_history "
                                 "where uscc = :u order by night"), {"u": A}).all()
        assert [(str(n), ch, d) for n, ch, d in hist] == [("2026-07-13", "new", 0), ("2026-07-14", "changed", 95)]
        grade = c.execute(sa.text("select reasons from grades where uscc = :u and night = :n"),
                          {"u": A, "n": N2}).scalar_one()
        assert "银行贷款逾期超过90天" in [r["text"] for r in grade]

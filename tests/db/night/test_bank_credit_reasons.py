"""A bad bank_credit amount is held with its own reason only (contracts.md §1: amounts are yuan with
up to 2 decimals): a negative balance is malformed, not also "overdue_amount exceeds
loans_outstanding" — that comparison is for two well-formed amounts (credit.night.quality)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.night.steps import run_night
from credit.settings import Settings
from tests.db.night.test_bank_credit_ingest import N1, A, bank
from tests.dropkit import csv_file, registration_row, write_night


def test_a_malformed_amount_is_not_blamed_again_as_above_the_balance(tmp_path: Path, engine: Engine,
                                                                     settings: Settings) -> None:
    rows = [bank(A, loans_outstanding="-100.00"),                                # malformed balance
            bank(A, period="2026-05", overdue_amount="-5.00", loans_outstanding="-10.00"),
            bank(A, period="2026-04", overdue_amount="300000.00")]              # well formed, above: held
    write_night(tmp_path, N1, {"registration.csv": csv_file("registration", "full", [registration_row(A)]),
                               "bank_credit.csv": csv_file("bank_credit", "full", rows)})
    run_night(tmp_path, N1, settings)
    with engine.connect() as c:
        held = dict(c.execute(sa.text("select line, reason from quarantine where source = 'bank_credit'")).all())
    assert held[2].startswith("loans_outstanding：金额格式不正确") and "大于" not in held[2]
    assert "overdue_amount：金额格式不正确" in held[3] and "大于" not in held[3]
    assert held[4].startswith("overdue_amount 大于 loans_outstanding")


def test_an_overdue_count_reaching_before_1949_is_held_not_stored(tmp_path: Path, engine: Engine,
                                                                  settings: Settings) -> None:
    # the outsider's value (s36): accepted, it was graded as the worst overdue loan
    rows = [bank(A, overdue_amount="100000.00", max_overdue_days="99999999999"),
            bank(A, period="2026-05", overdue_amount="100000.00", max_overdue_days="120")]
    write_night(tmp_path, N1, {"registration.csv": csv_file("registration", "full", [registration_row(A)]),
                               "bank_credit.csv": csv_file("bank_credit", "full", rows)})
    run_night(tmp_path, N1, settings)
    with engine.connect() as c:
        held = dict(c.execute(sa.text("select line, reason from quarantine where source = 'bank_credit'")).all())
        stored = c.execute(sa.text("select period, max_overdue_days from bank_credit")).all()
    assert list(held) == [2] and held[2].startswith("max_overdue_days：天数超过 period 月末至 1949-10-01 的天数")
    assert [tuple(r) for r in stored] == [("2026-05", 120)]

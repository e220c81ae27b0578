"""A re-delivered row older than the stored one (outsider's report M5): held back, never merged.

contracts.md §1: registration carries ``updated_at``, tax and bank credit ``updated_on``. A ``delta``
(or ``full``) file that delivers again a key's row with an older stamp than the store's would,
merged, replace newer state with older state (an entity's later name, status or tax grade
undone). It is quarantined with its true line and the rule ``stale_update``; the night's counts
still add up (rows in = accepted + quarantined) and the merge does not count it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.night.steps import run_night
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night

N1, N2 = date(2026, 7, 13), date(2026, 7, 14)
A, B, C = code(body="MA2B3C4D"), code(body="MA2B3C4E"), code(body="MA2B3C4F")


def tax_row(uscc: str, grade: str, updated_on: str) -> dict[str, str]:
    return {"uscc": uscc, "assessed_year": "2025", "tax_credit_grade": grade, "abnormal_taxpayer_since": "",
            "arrears": "0", "updated_on": updated_on}


def bank_row(uscc: str, overdue: str, updated_on: str) -> dict[str, str]:
    return {"uscc": uscc, "period": "2026-06", "lenders": "2", "loans_outstanding": "800000.00",
            "overdue_amount": overdue, "max_overdue_days": "0", "in_default": "false", "updated_on": updated_on}


def first_night(drop: Path, settings: Settings) -> None:
    write_night(drop, N1, {
        "registration.csv": csv_file("registration", "full", [
            registration_row(A, name="甲新名称有限公司", updated_at="2026-07-10T09:00:00"),
            registration_row(B, updated_at="2026-07-01T08:00:00"),
            registration_row(C, updated_at="2026-07-01T08:00:00")]),
        "tax.csv": csv_file("tax", "delta", [tax_row(A, "A", "2026-06-01")]),
        "bank_credit.csv": csv_file("bank_credit", "delta", [bank_row(A, "0", "2026-07-05")]),
    })
    run_night(drop, N1, settings)


@pytest.mark.parametrize(("mode", "partitions"), [("delta", None), ("full", None), ("delta", 2)])
def test_an_older_redelivered_row_is_quarantined_not_merged(mode: str, partitions: int | None, settings: Settings,
                                                            engine: Engine, tmp_path: Path) -> None:
    # partitions: the night computed in region partitions, whose rehearsal merges the rows too
    drop = tmp_path / "drop"
    first_night(drop, settings)
    registrations = [
        registration_row(B, status="revoked", status_on="2026-07-12", updated_at="2026-07-12T10:00:00"),
        # line 3: A's row of before its renaming, delivered again
        registration_row(A, name="甲旧名称有限公司", updated_at="2026-06-20T09:00:00"),
        # an equal stamp is no older: merged as delivered (the platform's latest word)
        registration_row(C, address="杭州市西湖区文三路2号", updated_at="2026-07-01T08:00:00"),
    ]
    write_night(drop, N2, {
        "registration.csv": csv_file("registration", mode, registrations),
        "tax.csv": csv_file("tax", "delta", [tax_row(A, "D", "2026-05-01")]),
        "bank_credit.csv": csv_file("bank_credit", "delta", [bank_row(A, "90000", "2026-07-01")]),
    })
    summary = run_night(drop, N2, settings, max_partitions=partitions)
    files = {f["source"]: f for f in summary["files"]}
    assert {s: (f["rows_in"], f["accepted"], f["quarantined"]) for s, f in files.items()} == {
        "registration": (3, 2, 1), "tax": (1, 0, 1), "bank_credit": (1, 0, 1)}
    merges = {m["source"]: (m["staged"], m["new"], m["changed"], m["dropped"]) for m in summary["merges"]}
    assert merges == {"registration": (2, 0, 2, 0), "tax": (0, 0, 0, 0), "bank_credit": (0, 0, 0, 0)}
    with engine.connect() as c:
        name = c.execute(sa.text("select name from registration where uscc = :u"), {"u": A}).scalar_one()
        status = c.execute(sa.text("select status from registration where uscc = :u"), {"u": B}).scalar_one()
        grade = c.execute(sa.text("select tax_credit_grade from tax where uscc = :u"), {"u": A}).scalar_one()
        overdue = c.execute(sa.text("select overdue_amount from bank_credit where uscc = :u"), {"u": A}).scalar_one()
        history = c.execute(sa.text("select count(*) from registration_history where night = :n and uscc = :u"),
                            {"n": N2, "u": A}).scalar_one()
        held = c.execute(sa.text("select source, file, line, rule, reason, raw from quarantine where night = :n "
                                 "order by source"), {"n": N2}).all()
        loads = c.execute(sa.text("select source, rows_in, accepted, quarantined from file_loads where night = :n "
                                  "order by source"), {"n": N2}).all()
    assert (name, status, grade, float(overdue), history) == ("甲新名称有限公司", "revoked", "A", 0.0, 0)
    assert [(s, f, ln, r) for s, f, ln, r, _, _ in held] == [
        ("bank_credit", "bank_credit.csv", 2, "stale_update"),
        ("registration", "registration.csv", 3, "stale_update"),
        ("tax", "tax.csv", 2, "stale_update")]
    reg = next(h for h in held if h[0] == "registration")
    assert "2026-06-20" in reg[4] and "2026-07-10" in reg[4] and "stale" in reg[4]
    raw = reg[5] if isinstance(reg[5], dict) else json.loads(reg[5])
    assert raw["uscc"] == A and raw["name"] == "甲旧名称有限公司"   # the row as delivered
    assert [tuple(r) for r in loads] == [("bank_credit", 1, 0, 1), ("registration", 3, 2, 1), ("tax", 1, 0, 1)]
    # The night again: nothing changes, the same quarantine.
    again = run_night(drop, N2, settings)
    assert again.get("already_published")
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from quarantine where night = :n"), {"n": N2}).scalar_one() == 3

"""Tonight's changed windows are written in one statement of arrays (issue 11); the rows are those
the row-by-row insert it replaced wrote from the same frame, NULL dates and awkward texts included."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.penalties.publicity import WINDOW_COLUMNS
from credit.penalties.store import window_arrays

#: The statement maintain_windows ran once per window before (executemany of the frame's records).
ROW_BY_ROW = sa.text("""
insert into penalty_publicity (case_no, night, uscc, decided_on, regime, class, published, publicity_from,
                               publicity_until, repair_from, repair_note, revoked_on, withdrawn_on,
                               withdraw_due, basis, config_version)
values (:case_no, :night, :uscc, :decided_on, :regime, :class, :published, :publicity_from, :publicity_until,
        :repair_from, :repair_note, :revoked_on, :withdrawn_on, :withdraw_due, :basis, :config_version)
on conflict (case_no, night) do nothing""")

INSERT = sqlfiles.statement("penalties/insert_windows")
D = date.fromisoformat
A, B = "91110105MA0000001A", "91110105MA0000002B"


def frame() -> pd.DataFrame:
    """Windows as :func:`credit.penalties.store.changes` gives them (object columns, None for a
    missing value), with NULL dates in every date column, a NULL and an empty text, texts that an
    array literal would have to quote (comma, brace, quote, backslash, the word NULL) and a numpy
    boolean."""
    rows: list[dict[str, Any]] = [
        {"case_no": "C1", "uscc": A, "decided_on": D("2026-01-10"), "regime": "order107", "class": "general",
         "published": True, "publicity_from": D("2026-01-12"), "publicity_until": D("2027-01-12"),
         "repair_from": D("2026-04-13"), "repair_note": None, "revoked_on": None, "withdraw_due": None,
         "basis": "《办法》第七条", "withdrawn_on": None},
        {"case_no": "C2,{x}", "uscc": B, "decided_on": D("2026-02-01"), "regime": "order107", "class": "minor",
         "published": np.bool_(False), "publicity_from": None, "publicity_until": None, "repair_from": None,
         "repair_note": 'NULL', "revoked_on": D("2026-03-02"), "withdraw_due": D("2026-03-05"),
         "basis": 'a "quoted" \\ basis', "withdrawn_on": D("2026-07-13")},
        {"case_no": "C3", "uscc": A, "decided_on": D("2025-12-31"), "regime": "45", "class": "standard",
         "published": np.bool_(True), "publicity_from": D("2026-01-05"), "publicity_until": D("2029-01-05"),
         "repair_from": None, "repair_note": "", "revoked_on": None, "withdraw_due": None,
         "basis": "不予修复：{尚未履行}", "withdrawn_on": None},
    ]
    return pd.DataFrame(rows, columns=[*WINDOW_COLUMNS, "withdrawn_on"], dtype=object)


def written(c: Connection, night: date) -> list[tuple[Any, ...]]:
    cols = [*WINDOW_COLUMNS, "withdrawn_on", "config_version"]
    sql = f"select {', '.join(cols)} from penalty_publicity where night = :n order by case_no"
    return [tuple(r) for r in c.execute(sa.text(sql), {"n": night}).all()]


def test_arrays_write_the_rows_of_the_row_by_row_insert(engine) -> None:  # type: ignore[no-untyped-def]
    new, version = frame(), "rules-1;cal-2026"
    with engine.begin() as c:
        before = new.copy()
        before["night"], before["config_version"] = D("2026-07-13"), version
        c.execute(ROW_BY_ROW, before.to_dict("records"))
        sqlfiles.execute_binary(c, INSERT, window_arrays(new, D("2026-07-14"), version))
        reference, arrays = written(c, D("2026-07-13")), written(c, D("2026-07-14"))
        assert len(reference) == 3
        assert arrays == reference
        # the NULLs stayed NULLs and the texts came back as they went in
        c2 = next(r for r in arrays if r[0] == "C2,{x}")
        assert c2[6:9] == (None, None, None) and c2[9] == "NULL" and c2[12] == 'a "quoted" \\ basis'
        assert next(r for r in arrays if r[0] == "C3")[9] == ""
        # a night's windows are written once: the same arrays again add nothing
        sqlfiles.execute_binary(c, INSERT, window_arrays(new, D("2026-07-14"), version))
        assert c.execute(sa.text("select count(*) from penalty_publicity")).scalar_one() == 6
        # a chunk whose column is all NULL (C1 alone: no note, no revocation) has a list of None only
        sqlfiles.execute_binary(c, INSERT, window_arrays(new.iloc[[0]], D("2026-07-15"), version))
        assert written(c, D("2026-07-15")) == [r for r in reference if r[0] == "C1"]
        c.rollback()

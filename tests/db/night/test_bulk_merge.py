"""The store merge's bulk load of an empty table (issue 11) writes what the general merge writes.

A first night loads each source into an empty table: plain inserts, its indexes dropped for the
load and built again after it (:func:`credit.night.merge.merge_into`). The same rows merged by the
general path (forced with a scope that keeps every row) must leave the same current rows, the
same history rows and the same indexes and constraints; a duplicate key still fails the load.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.contract.sources import SOURCES
from credit.night import merge
from tests.dropkit import code, registration_row

N13, N14 = date(2026, 7, 13), date(2026, 7, 14)
REG = SOURCES["registration"]


def _frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Canonical text rows (empty cells are unknown, as credit.night.normalise leaves them)."""
    return pd.DataFrame([{k: (v or None) for k, v in r.items()} for r in rows], columns=REG.column_names)


ROWS = [registration_row(code(body=f"MA2B3C{i:02d}"), name=f"示例{i}公司") for i in range(12)]


def _contents(c: sa.Connection) -> dict[str, object]:
    return {
        "current": c.exec_driver_sql("select * from registration order by uscc").all(),
        "history": c.exec_driver_sql("select * from registration_history order by night, uscc").all(),
        "indexes": c.exec_driver_sql(
            "select tablename, indexname, indexdef from pg_indexes where tablename in "
            "('registration', 'registration_history') order by 1, 2").all(),
        "constraints": c.exec_driver_sql(
            "select conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) from pg_constraint "
            "where conrelid in ('registration'::regclass, 'registration_history'::regclass) order by 1, 2").all(),
    }


def _general(c: sa.Connection, frame: pd.DataFrame, mode: str, night: date) -> merge.MergeResult:
    """The general merge (changes found by a join), whatever the table holds."""
    return merge.merge_into(c, REG, mode, night, lambda stage: merge.copy_frame(c, stage, frame, REG),
                            scope=("true", {}))


def test_a_first_load_writes_what_the_general_merge_writes(engine: Engine) -> None:
    frame = _frame(ROWS)
    second = _frame([dict(ROWS[0], name="改名公司"), *ROWS[1:5], registration_row(code(body="MA2B3D99"))])
    with engine.connect() as c:
        before = _contents(c)
        c.rollback()
        tr = c.begin()
        bulk = [merge.merge(c, REG, frame, "full", N13), merge.merge(c, REG, second, "full", N14)]
        after_bulk = _contents(c)
        tr.rollback()
        tr = c.begin()
        general = [_general(c, frame, "full", N13), _general(c, second, "full", N14)]
        after_general = _contents(c)
        tr.rollback()
    assert bulk == general
    assert bulk[0] == merge.MergeResult("registration", 12, 12, 0, 0)
    assert bulk[1] == merge.MergeResult("registration", 6, 1, 1, 7)
    assert after_bulk == after_general
    assert len(after_bulk["current"]) == 6 and len(after_bulk["history"]) == 12 + 2 + 7  # type: ignore[arg-type]
    # The indexes and constraints dropped for the load are back, the same.
    assert (after_bulk["indexes"], after_bulk["constraints"]) == (before["indexes"], before["constraints"])


def test_a_duplicate_key_still_fails_a_first_load(engine: Engine) -> None:
    frame = _frame([*ROWS[:3], ROWS[1]])
    with engine.connect() as c, c.begin(), pytest.raises(sa.exc.IntegrityError):
        merge.merge(c, REG, frame, "full", N13)


def test_a_first_load_writes_the_table_and_its_history_in_key_order(engine: Engine) -> None:
    """A file's rows come in file order, not key order; the first load sorts them, so the table's
    pages and its history's hold them in key order (a range of USCCs reads few pages: at 1 M, 20 k
    annual reports by key read 380 buffers sorted, 7,785 unsorted). Fails if the sort is dropped."""
    shuffled = _frame(ROWS[5:] + ROWS[:5][::-1])
    with engine.connect() as c, c.begin() as tr:
        merge.merge(c, REG, shuffled, "full", N13)
        for table in ("registration", "registration_history"):
            on_disk = c.exec_driver_sql(f"select uscc from {table} order by ctid").scalars().all()
            assert on_disk == sorted(r["uscc"] for r in ROWS)
        tr.rollback()

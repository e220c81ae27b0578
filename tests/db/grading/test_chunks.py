"""Grading by chunks (issue 11): several small chunks, each reading only its USCC range of the fact
tables, grade exactly as one chunk does — entities on a chunk's boundary included."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.context import NightContext
from credit.grading.indicators import chunk_population, create_population
from credit.grading.night import compute_grades
from credit.penalties.store import maintain_windows
from credit.settings import Settings
from tests.configkit import grading_chunks
from tests.db.grading.helpers import NIGHT, listed, reg, reports

ENTITIES = [f"E{i:02d}" for i in range(12)]   # chunks of 4: E00–E03, E04–E07, E08–E11
CHUNK = 4


def _facts(c: sa.Connection) -> None:
    """Every entity has facts of every family that the fact tables read by USCC range, different
    from one entity to the next; a cancelled entity between two chunks has facts too."""
    for i, u in enumerate(ENTITIES + ["E03X"]):
        reg(c, u, status="cancelled" if u == "E03X" else "operating", rep=f"rep-{i % 5}")
        # operations: 2025 missing for some, 2024 late for others; latest figures differ
        filed = {2023: "2024-05-01", 2024: "2025-05-01" if i % 2 else "2025-08-01"}
        if i % 2 == 0:
            filed[2025] = "2026-05-01"
        reports(c, u, filed, employees=i, revenue=1000.0 * i)
        c.execute(sa.text(
            "insert into penalties (case_no, uscc, decided_on, category, measures, fine_amount, heavier, fulfilled_on, "
            "first_night, last_night) values (:k, :u, '2026-03-10', 'food_safety', array['fine'], :f, :h, null, "
            "'2026-07-01', '2026-07-01')"), {"k": f"case-{u}", "u": u, "f": 20000 * (i + 1), "h": i % 4 == 0})
        c.execute(sa.text(
            "insert into findings (finding_id, uscc, kind, found_on, first_night, last_night) values "
            "(:k, :u, 'false_disclosure', '2026-03-05', '2026-07-01', '2026-07-01')"), {"k": f"f-{u}", "u": u})
        c.execute(sa.text(
            "insert into inspection_results (task_id, uscc, inspected_on, result_code, first_night, last_night) "
            "values (:k, :u, '2026-04-01', 'not_disclosed', '2026-07-01', '2026-07-01')"), {"k": f"t-{i % 3}", "u": u})
        c.execute(sa.text(
            "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, "
            "last_night) values (:u, 2025, :g, :a, :r, '2026-07-01', '2026-07-01')"),
            {"u": u, "g": "ABCDM"[i % 5], "a": "2025-01-01" if i % 3 == 0 else None, "r": 100 * (i + 1)})
        c.execute(sa.text(
            "insert into social_security (uscc, period, insured_count, arrears, arrears_months, first_night, last_night) "
            "values (:u, '2025-06', :e, 0, 0, '2026-07-01', '2026-07-01'), "
            "       (:u, '2026-06', :n, 10, :m, '2026-07-01', '2026-07-01')"),
            {"u": u, "e": 40 + i, "n": 4 + i, "m": 1 + i % 4})
        c.execute(sa.text(
            "insert into bank_credit (uscc, period, max_overdue_days, in_default, first_night, last_night) "
            "values (:u, '2026-06', :d, :x, '2026-07-01', '2026-07-01')"),
            {"u": u, "d": 90 + 30 * i, "x": i % 4 == 3})
        if i % 2 == 0:
            listed(c, u, "abnormal")
    listed(c, "E11", "serious")


def _grades(engine: Engine, settings: Settings) -> pd.DataFrame:
    with engine.begin() as c:
        g = compute_grades(c, NightContext(NIGHT, "digest", settings))
        c.rollback()
    return g.frame.drop(columns=["legal_rep_hash"], errors="ignore").reset_index(drop=True)


def test_small_chunks_grade_as_one_chunk(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    with engine.begin() as c:
        _facts(c)
        maintain_windows(c, NIGHT, settings)
    whole = _grades(engine, settings)
    chunked = _grades(engine, grading_chunks(settings, tmp_path, CHUNK))
    assert list(whole["uscc"]) == ENTITIES
    # every family counts for every entity, the chunks' first and last ones included
    codes: dict[str, set[str]] = {
        u: {r["code"] for r in json.loads(rs)} for u, rs in zip(whole["uscc"], whole["reasons"], strict=True)}
    for u in ("E00", "E03", "E04", "E07", "E08", "E11"):
        assert {"PENALTIES_UNFULFILLED", "OPEN_FINDINGS", "INSPECTION_ADVERSE", "TAX_ARREARS", "INSURED_DROP",
                "SOCIAL_ARREARS", "BANK_OVERDUE"} <= codes[u], (u, codes[u])
        assert codes[u] & {"REPORTS_MISSING", "REPORTS_LATE"}, (u, codes[u])
    assert "ABNORMAL_ROSTER" in codes["E00"] and "ABNORMAL_ROSTER" in codes["E04"] and "SERIOUS_LIST" in codes["E11"]
    pd.testing.assert_frame_equal(chunked, whole)


def test_chunks_see_the_facts_of_their_own_range_only(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    """An entity's facts count once, in its own chunk: grading chunk by chunk gives each chunk's
    rows the indicators of their own entities (a range read wrongly would move or lose facts)."""
    with engine.begin() as c:
        _facts(c)
        maintain_windows(c, NIGHT, settings)
    whole = _grades(engine, settings)
    for size in (1, 5, 11):
        got = _grades(engine, grading_chunks(settings, tmp_path, size))
        pd.testing.assert_frame_equal(got, whole, obj=f"chunk_entities={size}")



def test_a_chunk_is_indexed_by_uscc_only(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    """A chunk of the population carries the USCC index its families read and no index by legal
    representative (population_chunk.sql: no plan of a chunk read it; at 1 M its build was a third
    of a chunk's server time), and its relations still count across chunks: E11 (rep-1) is on the
    serious list, E01 and E06 share its representative from other chunks."""
    with engine.begin() as c:
        _facts(c)
    with engine.begin() as c:
        n = create_population(c, chunk=CHUNK)
        chunk_population(c, 0, CHUNK)
        chunk_population(c, CHUNK, CHUNK)   # the second chunk, as the night makes it
        columns = c.exec_driver_sql(
            "select array_agg(a.attname::text order by a.attname) from pg_index as i "
            "join pg_attribute as a on a.attrelid = i.indrelid and a.attnum = any (i.indkey) "
            "where i.indrelid = 'grading_population'::regclass").scalar()
        c.rollback()
    assert n == len(ENTITIES)
    assert columns == ["uscc"]
    grades = _grades(engine, grading_chunks(settings, tmp_path, CHUNK)).set_index("uscc")
    assert grades.loc[["E01", "E06"], "related_serious"].tolist() == [1, 1]
    assert grades.loc[["E00", "E11"], "related_serious"].tolist() == [0, 0]

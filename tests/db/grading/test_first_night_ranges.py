"""A first night loads its grades straight into ``grade_ranges`` (issue 11, docs/benchmarks.md stop 42).

With no grade range before tonight, every graded entity opens a range and none closes, so
``grade_night`` COPYs the grades into ``grade_ranges`` instead of staging them in ``grades_tonight``
and inserting them again. The ranges, transitions, counts and run it stores must be those of the
staged path (``store_grades``), row for row; the test that the staging table is never made fails
on the code before."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.context import NightContext
from credit.grading.counts import add_counts
from credit.grading.night import (
    GRADES_TONIGHT,
    copy_grades,
    grade_night,
    graded_chunks,
    open_grades_tonight,
    record_grades,
)
from credit.penalties.store import maintain_windows
from credit.settings import Settings
from tests.db.grading.helpers import NIGHT, all_filed, listed, reg, reports

TABLES = {
    "ranges": "select uscc, valid_from, valid_to, grade, score, config_version, reasons from grade_ranges",
    "transitions": "select night, from_grade, to_grade, count from grade_transitions",
    "counts": "select * from grade_counts",
    "runs": "select night, config_version, graded, distribution, warnings, config, rosters_config from grading_runs",
}


def _store(c: sa.Connection) -> None:
    for i in range(40):
        u = f"E{i:03d}"
        reg(c, u, status="cancelled" if i % 13 == 0 else "operating", established=f"20{18 + i % 8}-0{1 + i % 9}-15")
        if i % 3:
            all_filed(c, u)
        elif i % 2:
            reports(c, u, {2023: "2024-06-28", 2024: "2025-08-01"})
    listed(c, "E005", "abnormal")
    listed(c, "E007", "serious")


def _rows(c: sa.Connection) -> dict[str, Counter[str]]:
    """Every row of the tables a night's grading writes, as text, with its multiplicity (two equal
    multisets: `except all` both ways empty)."""
    return {name: Counter(c.execute(sa.text(f"select row(t.*)::text from ({query}) as t")).scalars())
            for name, query in TABLES.items()}


def _staged_path(c: sa.Connection, ctx: NightContext) -> dict[str, Any]:
    """grade_night as it was before: the grades staged in grades_tonight, analyzed, then stored."""
    open_grades_tonight(c)
    parts = []
    for g in graded_chunks(c, ctx):
        copy_grades(c, GRADES_TONIGHT, g.frame, g.config.version)
        parts.append(g)
    c.exec_driver_sql("analyze grades_tonight")
    return dict(record_grades(c, ctx, parts[0].config, [w for p in parts for w in p.warnings],
                              counted=add_counts([p.counts for p in parts]), rosters=parts[0].rosters))


def test_a_first_night_loads_its_ranges_as_the_staged_path_stores_them(engine: Engine, settings: Settings) -> None:
    with engine.begin() as c:
        _store(c)
    ctx = NightContext(NIGHT, "digest", settings)
    with engine.connect() as c, c.begin() as tx:
        maintain_windows(c, NIGHT, settings)
        c.exec_driver_sql("savepoint staged")
        staged = _staged_path(c, ctx)
        staged_rows = _rows(c)
        c.exec_driver_sql("rollback to savepoint staged")
        assert c.execute(sa.text("select count(*) from grade_ranges")).scalar_one() == 0
        loaded = dict(grade_night(c, ctx))
        assert c.execute(sa.text("select to_regclass('pg_temp.grades_tonight')")).scalar() is None
        assert loaded == staged and loaded["graded"] == 36
        loaded_rows = _rows(c)
        for name in TABLES:
            assert staged_rows[name], name
            assert loaded_rows[name] == staged_rows[name], name
        # the indexes dropped for the load are back
        indexes = set(c.execute(sa.text("select indexname from pg_indexes where tablename = 'grade_ranges'")).scalars())
        assert {"grade_ranges_pkey", "ix_grade_ranges_current"} <= indexes
        tx.rollback()

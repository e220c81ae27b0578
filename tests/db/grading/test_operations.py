"""The operations family (经营) on entities whose due years, late filings and latest report differ:
the one-pass statement (sql/grading/operations.sql, stop 30) gives the figures of domain.md §2 for
the whole population and, chunk by chunk, for a population read by USCC range."""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.calendar import working_calendar
from credit.grading.indicators import (
    chunk_bounds,
    chunk_population,
    create_population,
    operations,
    report_deadlines,
)
from credit.settings import Settings
from tests.db.grading.helpers import NIGHT, reg, reports

# NIGHT 2026-07-15: report years 2023, 2024, 2025 are due (deadlines 2024-07-01, 2025-06-30, 2026-06-30).
# uscc: (established, {report_year: filed_on}, employees, revenue) — one figure pair per entity.
CASES: dict[str, tuple[str, dict[int, str], int, float]] = {
    # 2024 late, 2025 missing; 2022 is older than the years looked at, 2024 the latest report
    "E1": ("2020-03-01", {2022: "2023-05-01", 2023: "2024-05-01", 2024: "2025-08-01"}, 24, 2400.0),
    "E2": ("2025-03-01", {}, 0, 0.0),                                  # 2025 due and missing, no report
    "E3": ("2026-01-01", {}, 0, 0.0),                                  # nothing due, nothing filed: no row
    # established 2024: 2023's late report is not due; 2024 missing, 2025 late (2026-07-02)
    "E4": ("2024-02-01", {2023: "2024-09-01", 2025: "2026-07-02"}, 4, 400.0),
    "E5": ("2020-03-01", {2021: "2022-05-01"}, 0, 0.0),                # all three missing; latest 2021, all zero
    "E6": ("2020-03-01", {2023: "2024-07-01", 2024: "2025-06-30", 2025: "2026-06-30"}, 6, 600.0),  # on time
    # established 2023: its first year is due and filed a day late, 2025 missing
    "E7": ("2023-06-01", {2023: "2024-07-02", 2024: "2025-06-01"}, 7, 700.0),
}
EXPECTED = pd.DataFrame({
    "reports_missing": [1, 1, 0, 1, 3, 0, 1],
    "reports_late": [1, 0, 0, 1, 0, 0, 1],
    "employees": [24.0, np.nan, np.nan, 4.0, 0.0, 6.0, 7.0],
    "revenue": [2400.0, np.nan, np.nan, 400.0, 0.0, 600.0, 700.0],
    "report_all_zero": [False, False, False, False, True, False, False],
})


def _store(engine: Engine) -> None:
    with engine.begin() as c:
        for u, (established, filed, employees, revenue) in CASES.items():
            reg(c, u, established=established)
            reports(c, u, filed, employees=employees, revenue=revenue)
        # the latest report of E1 is 2024's: its 2022 report carries other figures
        c.execute(sa.text("update annual_reports set employees = 99, revenue = 9900 "
                          "where uscc = 'E1' and report_year = 2022"))


def test_operations_whole_population_and_by_chunks(engine: Engine, settings: Settings) -> None:
    _store(engine)
    deadlines, warnings = report_deadlines(NIGHT, 3, working_calendar(settings))
    assert [y for y, _ in deadlines] == [2023, 2024, 2025] and not warnings
    with engine.begin() as c:
        n = create_population(c)
        whole = operations(c, NIGHT, n, deadlines)
        parts = []
        for start in range(0, n, 2):   # chunks E1–E2, E3–E4, E5–E6, E7, each read by its USCC range
            chunk_population(c, start, 2)
            parts.append(operations(c, NIGHT, min(2, n - start), deadlines, bounds=chunk_bounds(c)))
        c.rollback()
    pd.testing.assert_frame_equal(whole, EXPECTED)
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), EXPECTED)


def _indexed(c: sa.Connection, table: str) -> set[str]:
    """The columns ``table``'s (this session's temporary) indexes are on."""
    return {str(a) for a in c.execute(sa.text(
        "select a.attname from pg_index as i join pg_attribute as a on a.attrelid = i.indrelid "
        "and a.attnum = any (i.indkey) where i.indrelid = to_regclass(:t)"), {"t": table}).scalars()}


def test_a_population_graded_by_chunks_is_indexed_by_rn_only(engine: Engine) -> None:
    """Graded whole, the population is indexed by USCC and legal representative; graded by chunks,
    the whole is indexed by rn (each chunk a range scan) and each chunk by USCC only (no plan of a
    chunk read its representative index, population_chunk.sql)."""
    _store(engine)
    with engine.begin() as c:
        n = create_population(c, chunk=n_whole(c))
        assert _indexed(c, "grading_population") == {"uscc", "legal_rep_hash"}
        assert create_population(c, chunk=2) == n
        assert _indexed(c, "grading_population") == set()
        chunk_population(c, 0, 2)
        assert _indexed(c, "grading_everyone") == {"rn"}
        assert _indexed(c, "grading_population") == {"uscc"}
        c.rollback()


def n_whole(c: sa.Connection) -> int:
    """A chunk as large as the store's operating entities: the population is graded whole."""
    return int(c.execute(sa.text("select count(*) from registration where status = 'operating'")).scalar_one())

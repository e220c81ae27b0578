"""The social-security family (社保) in one pass over its rows (sql/grading/social.sql): the latest
headcount and arrears months, each of the latest period that carries one (contracts.md §1: an empty
cell is unknown), and the headcount exactly :trend_months before the latest headcount — not the
period before it, not an older one — for the whole population and chunk by chunk, each chunk
reading its USCC range with its bounds as values (credit.grading.indicators.chunk_bounds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.grading.indicators import chunk_bounds, chunk_population, create_population, social_security
from tests.db.grading.helpers import NIGHT, reg

# uscc: {period: (insured_count, arrears_months)}
ROWS: dict[str, dict[str, tuple[int | None, int | None]]] = {
    "S1": {"2025-06": (40, 0), "2026-01": (30, 1), "2026-06": (10, 2)},   # a year earlier 40, a middle month between
    "S2": {"2025-05": (50, 0), "2026-06": (20, 0)},                       # nothing exactly a year earlier
    "S3": {"2025-06": (0, 0), "2026-06": (None, None)},                   # the latest period unknown: 2025-06's 0 and 0
    "S4": {"2025-03": (60, 3)},                                           # an old latest period: its own year before
    "S5": {},                                                             # no rows: neutral
    "S6": {"2024-06": (80, 0), "2025-06": (70, 0), "2026-06": (35, 4)},   # two years of history: a year earlier 70
    # an empty latest period hides neither the headcount's 90% drop nor the arrears (outsider's pass)
    "S7": {"2025-05": (40, 0), "2026-05": (4, 3), "2026-06": (None, None)},
    "S8": {"2025-06": (50, 2), "2026-06": (25, None)},                    # arrears months known a year before only
}


# insured_drop = 1 − latest / earlier: by :trend_months 12, S1 10 against 40, S6 35 against 70, S7 4
# against 40 (2026-05 against 2025-05: the latest headcount known and a year before it), S8 25 against 50;
# by 0 the latest period is its own earlier one (no drop where its headcount is known and positive).
DROP = {12: [0.75, np.nan, np.nan, np.nan, np.nan, 0.5, 0.9, 0.5],
        0: [0.0, 0.0, np.nan, 0.0, np.nan, 0.0, 0.0, 0.0]}


def _expected(trend: int) -> pd.DataFrame:
    return pd.DataFrame({
        "insured_count": [10.0, 20.0, 0.0, 60.0, np.nan, 35.0, 4.0, 25.0],
        "social_arrears_months": [2, 0, 0, 3, 0, 4, 3, 2],
        "insured_drop": DROP[trend],
    })


def _store(engine: Engine) -> None:
    with engine.begin() as c:
        for u, periods in ROWS.items():
            reg(c, u)
            for period, (count, months) in periods.items():
                c.execute(sa.text(
                    "insert into social_security (uscc, period, insured_count, arrears, arrears_months, first_night, "
                    "last_night) values (:u, :p, :n, 0, :m, '2026-07-01', '2026-07-01')"),
                    {"u": u, "p": period, "n": count, "m": months})


def test_latest_and_earlier_periods_whole_and_by_chunks(engine: Engine) -> None:
    _store(engine)
    for trend in (12, 0):
        expected = _expected(trend)
        with engine.begin() as c:
            n = create_population(c)
            whole = social_security(c, NIGHT, n, trend)
            parts = []
            for start in range(0, n, 4):   # S1–S4, S5–S8: each read by its USCC range
                chunk_population(c, start, 4)
                parts.append(social_security(c, NIGHT, min(4, n - start), trend, bounds=chunk_bounds(c)))
            c.rollback()
        pd.testing.assert_frame_equal(whole, expected, obj=f"whole, trend {trend}")
        pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), expected, obj=f"chunks, trend {trend}")

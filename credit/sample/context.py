"""What is fixed for one call of the generator: seed-derived salts and permutations, calendar anchors.

Dates are integers here (days since 1970-01-01) so that whole columns are computed at once; rows
of one family travel as :data:`Rows`, one numpy array per field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

import numpy as np
import pyarrow as pa

from credit.contract.regions import COUNTIES
from credit.contract.sources import SOURCES
from credit.sample.draw import HashDraw, Salts, generator, make_permutation

CHUNK: Final = 200_000
"""Entities per generation step, and rows per written block: bounds memory at any scale."""

SOURCE_NUMBER: Final = {s: i + 1 for i, s in enumerate(SOURCES)}
"""A source's number seeds its random streams: its position in the contract (contracts.md §1)."""

# Relative weight of each city in the province's population of market entities.
_CITY_WEIGHT: Final = {"330100": 20, "330200": 15, "330300": 14, "330400": 8, "330500": 5,
                        "330600": 8, "330700": 12, "330800": 3, "330900": 2, "331000": 10, "331100": 3}
_DAY0: Final = date(1970, 1, 1)


def day(y: int, m: int = 1, d: int = 1) -> int:
    """Days since 1970-01-01 (the integer form of every date in this package)."""
    return (date(y, m, d) - _DAY0).days


def day_of(d: date) -> int:
    return (d - _DAY0).days


def year_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


Rows = dict[str, np.ndarray]
"""A batch of rows of one family as named columns (all arrays of one length)."""


def take(rows: Rows, sel: np.ndarray) -> Rows:
    return {k: v[sel] for k, v in rows.items()}


def concat(parts: Sequence[Rows]) -> Rows | None:
    kept = [p for p in parts if p and len(next(iter(p.values())))]
    if not kept:
        return None
    return {k: np.concatenate([p[k] for p in kept]) for k in kept[0]}


def nrows(rows: Rows | None) -> int:
    return 0 if not rows else len(next(iter(rows.values())))


class Context:
    """Everything fixed for one call: seed-derived salts and permutations, calendar anchors."""

    def __init__(self, seed: int, entities: int, start: date, defect_rate: float) -> None:
        self.seed = seed
        self.n_base = entities
        self.start = start
        self.cut1 = day_of(start) - 1  # night 1 carries events up to the day before
        self.salts = Salts(seed)
        self.defect_rate = defect_rate
        y = start.year
        self.report_years = (y - 3, y - 2, y - 1)
        self.assessed_year = y - 1
        first_of_month = date(y, start.month, 1)
        months = []
        for back in (3, 2, 1):
            mm = (start.month - 1 - back) % 12 + 1
            yy = y + (start.month - 1 - back) // 12
            months.append(date(yy, mm, 1))
        self.period_labels = pa.array([f"{d.year:04d}-{d.month:02d}" for d in months])
        ends = [*months[1:], first_of_month]
        self.period_start = np.array([day_of(d) for d in months], dtype=np.int64)
        self.period_end = np.array([day_of(d) - 1 for d in ends], dtype=np.int64)
        # Spot-check tasks (抽查任务) of this year: four finished ones and one in progress.
        self.task_year = y
        self.task_start = np.array([self.cut1 - 150 + 30 * t for t in range(4)] + [self.cut1 - 5])
        self.task_ratio = (0.03, 0.03, 0.03, 0.03, 0.01)  # 企业公示信息抽查办法 art. 4: >= 3 %
        self.task_ids = pa.array([f"T{y}-{t:04d}" for t in range(1, 6)])
        r = generator(seed, 0xC0DE)
        self.perm_new = make_permutation(r, 31 ** 6, (31,))
        self.perm_old = make_permutation(r, 10 ** 8, (2, 5))
        self.perm_ind = make_permutation(r, 31 ** 7, (31,))
        self.perm_id = make_permutation(r, 10 ** 10, (2, 5))
        w = np.array([_CITY_WEIGHT[c.city_code] / sum(1 for x in COUNTIES if x.city_code == c.city_code)
                      for c in COUNTIES])
        self.county_weights = w / w.sum()
        self.rep_pool = max(1, entities // 200)  # ~2 % of entities share ~4 legal reps each
        self.new_est = np.zeros(0, dtype=np.int64)  # established day of entities born on deltas

    def hd(self, idx: np.ndarray, slot: int) -> HashDraw:
        """Hash draws of the rows `slot` of entities `idx`."""
        return HashDraw(self.salts, idx.astype(np.uint64) * np.uint64(32) + np.uint64(slot))

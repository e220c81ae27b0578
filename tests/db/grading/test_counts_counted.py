"""A full night's report counts as the client counts them while grading (credit.grading.counts
.chunk_counts, stored instead of counts_full.sql's count of every grade): the same cells as the
report's crosstab of the night's grades (report_counts.sql), whole or by chunks, with a missing
and an empty industry code and an empty region code, which reach the client both as NA."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.context import NightContext
from credit.grading.night import grade_night
from credit.penalties.store import maintain_windows
from credit.settings import Settings
from tests.configkit import grading_chunks
from tests.db.grading.helpers import NIGHT, all_filed, listed, reg

Cells = dict[tuple[str, str, str], int]

#: (uscc, region, industry): cells with a known, missing and empty industry, an empty region.
ENTITIES = [("E00", "110105", "C13"), ("E01", "110105", None), ("E02", "110105", ""), ("E03", "", "F51"),
            ("E04", "110108", "F51"), ("E05", "", None), ("E06", "110108", ""), ("E07", "110105", "C13")]


def _night(engine: Engine, settings: Settings) -> tuple[Cells, Cells]:
    """The night's stored counts and the report's crosstab of its grades (rolled back)."""
    with engine.begin() as c:
        maintain_windows(c, NIGHT, settings)
        grade_night(c, NightContext(NIGHT, "digest", settings))
        stored = {(str(a), str(b), str(g)): int(n) for a, b, g, n in c.execute(sa.text(
            "select region_code, section, grade, n from grade_counts where night = :d"), {"d": NIGHT})}
        f = sqlfiles.frame(c, "grading/report_counts", {"night": NIGHT})
        full = {(str(r.region_code), str(r.section), str(r.grade)): int(r.n) for r in f.itertuples()}
        c.rollback()
    return stored, full


@pytest.mark.parametrize("chunk", [None, 1, 3])
def test_counted_while_grading_equal_the_crosstab(engine: Engine, settings: Settings, tmp_path: Path,
                                                   chunk: int | None) -> None:
    with engine.begin() as c:
        for i, (u, region, industry) in enumerate(ENTITIES):
            reg(c, u, region=region, industry=industry)   # type: ignore[arg-type]
            if i % 2:
                all_filed(c, u)   # the others miss their reports: several tiers
        listed(c, "E03", "serious")
    stored, full = _night(engine, settings if chunk is None else grading_chunks(settings, tmp_path, chunk))
    assert stored == full
    cells = {(r, s) for r, s, _ in full}
    assert {("110105", ""), ("", "F"), ("110105", "未知"), ("", "未知")} <= cells, cells
    assert sum(stored.values()) == len(ENTITIES)

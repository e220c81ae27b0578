"""A scoped night's indicator families are planned with the lower cost of a random page
(credit.grading.night.scoped_costs), and only they: a full night plans with the server's
setting, the setting is back after the families, and the grades are those of a full night."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.context import NightContext
from credit.grading import indicators
from credit.grading.night import SCOPED_RANDOM_PAGE_COST, compute_grades, scoped_costs
from credit.night import scope as night_scope
from credit.settings import Settings
from tests.configkit import grading_chunks
from tests.db.grading.helpers import NIGHT, all_filed, reg, reports

USCCS = [f"K{i:02d}" for i in range(12)]


def _setting(c: sa.Connection) -> str:
    return str(c.exec_driver_sql("select current_setting('random_page_cost')").scalar_one())


def test_only_a_scoped_nights_families_plan_with_cheap_random_pages(
        engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with engine.begin() as c:
        for i, u in enumerate(USCCS):
            reg(c, u)
            if i % 3:
                all_filed(c, u)
            else:
                reports(c, u, {2023: "2024-05-01"})
    seen: list[str] = []
    real = indicators.copy_out

    def copy_out(conn: sa.Connection, query: str, types: Any, params: Any = None) -> Any:
        seen.append(_setting(conn))
        return real(conn, query, types, params)

    monkeypatch.setattr(indicators, "copy_out", copy_out)
    ctx = NightContext(NIGHT, "digest", settings)
    with engine.begin() as c:
        server = _setting(c)
        assert server != SCOPED_RANDOM_PAGE_COST
        full = compute_grades(c, ctx).frame
        assert seen and set(seen) == {server}
        seen.clear()
        inside = USCCS[::2]
        scoped = compute_grades(c, replace(ctx, scope=night_scope.of_entities(c, inside))).frame
        assert seen and set(seen) == {SCOPED_RANDOM_PAGE_COST}
        assert _setting(c) == server
        seen.clear()
        # A scope of more than one chunk (a region's rehearsal, a large night) was not measured
        # with the lower cost: it keeps the server's.
        chunked = replace(ctx, settings=grading_chunks(settings, tmp_path, 2),
                          scope=night_scope.of_entities(c, inside))
        compute_grades(c, chunked)
        assert seen and set(seen) == {server}
        c.rollback()
    cols = ["uscc", "grade", "score"]
    want = full[full["uscc"].isin(inside)][cols].sort_values("uscc").reset_index(drop=True)
    pd.testing.assert_frame_equal(scoped[cols].sort_values("uscc").reset_index(drop=True), want)


def test_a_failed_statement_under_the_lower_cost_keeps_its_own_error(engine: Engine) -> None:
    with engine.begin() as c, pytest.raises(sa.exc.ProgrammingError, match="no_such_table"), \
            scoped_costs(c, True):
        c.exec_driver_sql("select * from no_such_table")

"""A scoped night stores its grades through the open ranges' index (issue 11): the statements of
``store_grades`` on a scope find the scope's open ranges by ``ix_grade_ranges_current``, one probe
per entity, and never read every open range; and they store what the ranges and transitions
must be.

The sizes put the scope above the share where the planner, given ``uscc in (select … night_scope)``,
hashed every open range rather than probing the index (at 1 M: 7,824 entities of 899,000 open
ranges; here 1,053 of 20,000): with those semi-joins this test fails."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.grading.night import stage_grades, store_grades
from credit.night import scope as night_scope

ENTITIES = 20_000
PREVIOUS = date(2026, 7, 13)
NIGHT = date(2026, 7, 14)
REASONS = json.dumps([{"code": "NO_ADVERSE", "text": "x", "kind": "points", "value": True, "contribution": 0.0}])


def _uscc(i: int) -> str:
    return f"S{i:06d}"


def _grade(i: int) -> str:
    return "ABCD"[i % 4]


def _previous_night(c: sa.Connection) -> None:
    """Every entity graded on PREVIOUS: one open range each, and that night's grading run."""
    c.execute(sa.text(
        "insert into grade_ranges (uscc, valid_from, grade, score, config_version, reasons) "
        "select 'S' || lpad(i::text, 6, '0'), :p, substr('ABCD', i % 4 + 1, 1), i % 50, 'v1', cast(:r as jsonb) "
        "from generate_series(0, :n - 1) as i"), {"p": PREVIOUS, "n": ENTITIES, "r": REASONS})
    dist = Counter(_grade(i) for i in range(ENTITIES))
    c.execute(sa.text("insert into grading_runs (night, config_version, graded, distribution, warnings) "
                      "values (:p, 'v1', :g, cast(:d as jsonb), '[]')"),
              {"p": PREVIOUS, "g": ENTITIES, "d": json.dumps(dict(dist))})
    c.exec_driver_sql("analyze grade_ranges")


def _tonight(scope: list[int]) -> pd.DataFrame:
    """The scope's grades tonight: every third entity changes tier, every seventh is not graded."""
    rows = [{"uscc": _uscc(i), "grade": _grade(i + 1 if i % 3 == 0 else i), "score": float(i % 50),
             "reasons": REASONS} for i in scope if i % 7]
    return pd.DataFrame(rows, columns=["uscc", "grade", "score", "reasons"])


def test_a_scoped_night_probes_the_open_ranges_of_its_scope(engine: Engine) -> None:
    scope = list(range(0, ENTITIES, 19))
    with engine.connect() as c:
        tx = c.begin()
        try:
            _previous_night(c)
            night_scope.of_entities(c, [_uscc(i) for i in scope])
            graded = _tonight(scope)
            stage_grades(c, NIGHT, "v1", graded)
            issued: list[tuple[str, Any]] = []

            def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
                issued.append((statement, parameters))

            sa.event.listen(c, "before_cursor_execute", keep)
            store_grades(c, NIGHT, scoped=True)
            sa.event.remove(c, "before_cursor_execute", keep)
            scoped = [(s, p) for s, p in issued
                      if "night_scope" in s and ("grade_ranges" in s or "grade_transitions" in s)]
            # the scope's open ranges per tier, the transitions, the closing of ranges
            assert len(scoped) == 3, [s for s, _ in issued]
            sp = c.begin_nested()
            c.exec_driver_sql("delete from grade_transitions where night = %(n)s", {"n": NIGHT})
            c.exec_driver_sql("delete from grade_ranges where valid_from = %(n)s", {"n": NIGHT})
            c.exec_driver_sql("update grade_ranges set valid_to = null where valid_to = %(n)s", {"n": NIGHT})
            c.exec_driver_sql("analyze grade_ranges")
            for statement, params in scoped:   # planned on yesterday's ranges, as the night plans them
                plan = "\n".join(c.exec_driver_sql("explain " + statement, params).scalars())
                assert "Seq Scan on grade_ranges" not in plan and "ix_grade_ranges_current" in plan, plan
            sp.rollback()

            tonight = {u: g for u, g in zip(graded["uscc"], graded["grade"], strict=True)}
            inside = set(scope)   # an entity outside the scope keeps its grade
            moves = Counter((_grade(i), tonight.get(_uscc(i), "-" if i in inside else _grade(i))) for i in range(ENTITIES))
            stored = {(f, t): k for f, t, k in c.execute(sa.text(
                "select from_grade, to_grade, count from grade_transitions where night = :n"), {"n": NIGHT})}
            assert stored == dict(moves)
            current = {u: g for u, g in c.execute(sa.text("select uscc, grade from grade_ranges where valid_to is null"))}
            assert current == {**{_uscc(i): _grade(i) for i in range(ENTITIES) if i not in inside}, **tonight}
            closed = c.execute(sa.text("select count(*) from grade_ranges where valid_to = :n"), {"n": NIGHT}).scalar()
            assert closed == sum(1 for i in scope if i % 3 == 0 or i % 7 == 0)
        finally:
            tx.rollback()

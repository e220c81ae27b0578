"""Tonight's staged grades are analyzed without their reasons (issue 11, docs/benchmarks.md stop 42).

``grades_tonight`` is analyzed after the COPY so that storing the grades plans on its rows; the
reasons (a jsonb array per entity) were most of that ANALYZE (200 k entities: 0.25 of 0.31 s of
the server's CPU) and no plan reads their statistics. The other columns keep theirs: the ranges'
and transitions' joins are by USCC and grade. Fails when the reasons are analyzed again."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.grading.night import stage_grades

NIGHT = date(2026, 7, 13)


def _stats(c: sa.Connection) -> set[str]:
    return {str(r[0]) for r in c.execute(sa.text(
        "select attname from pg_stats where tablename = 'grades_tonight'")).all()}


def test_staged_grades_are_analyzed_without_their_reasons(engine: Engine) -> None:
    reasons = [json.dumps([{"code": f"C{i % 7}", "text": "x", "kind": "points", "value": i, "contribution": 1.0}])
               for i in range(500)]
    frame = pd.DataFrame({"uscc": [f"E{i:05d}" for i in range(500)], "grade": ["ABCD"[i % 4] for i in range(500)],
                          "score": [float(i % 40) for i in range(500)], "reasons": reasons})
    with engine.connect() as c, c.begin() as tx:
        stage_grades(c, NIGHT, "v1", frame)
        assert _stats(c) == {"uscc", "grade", "score", "config_version"}
        # the rows themselves are staged whole
        assert c.execute(sa.text("select count(*), count(distinct reasons) from grades_tonight")).one() == (500, 500)
        tx.rollback()

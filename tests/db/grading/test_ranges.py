"""Grades as validity ranges (issue 11, migration 0015): the table grows with change, and every
per-night answer (the night's grades, transitions, ``grade_of``) equals the per-night table's."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from credit import db, schema
from credit.grading.night import stage_grades, store_grades
from credit.grading.read import grade_of
from credit.settings import Settings
from tests.db.grading.helpers import NEXT, NIGHT, all_filed, listed, night, reg
from tests.db.migrations import downgrade

Night = dict[str, tuple[str, float, str]]   # uscc → (grade, score, reasons as JSON)
USCCS = [f"E{i}" for i in range(6)]


def _reasons(code: str) -> str:
    return json.dumps([{"code": code, "text": code, "kind": "points", "value": True, "contribution": 1.0}])


def _ranges(c: sa.Connection) -> int:
    return int(c.execute(sa.text("select count(*) from grade_ranges")).scalar_one())


def _grade_a_night(c: sa.Connection, d: date, graded: Night) -> None:
    """What grade_night writes, from a given set of grades (the storage, without the indicators)."""
    frame = pd.DataFrame([{"uscc": u, "grade": g, "score": s, "reasons": r} for u, (g, s, r) in sorted(graded.items())],
                         columns=["uscc", "grade", "score", "reasons"])
    stage_grades(c, d, "v1", frame)
    store_grades(c, d)
    c.execute(sa.text("insert into grading_runs (night, config_version, graded, distribution, warnings) "
                      "values (:n, 'v1', :g, '{}', '[]')"), {"n": d, "g": len(graded)})


def _latest_on(history: list[tuple[date, Night]], u: str, d: date) -> tuple[date, str, float] | None:
    """The answer to grade_of: u's grade on the latest graded night on or before d, None when that
    night did not grade u (not operating then: no tier, not the last one it had — outsider's pass bb5)."""
    found = [g for n, g in history if n <= d]
    if not found or u not in found[-1]:
        return None
    n = max(n for n, _ in history if n <= d)
    grade, score, _ = found[-1][u]
    return n, grade, score


one_entity = st.one_of(st.none(), st.tuples(st.sampled_from("ABCD"), st.sampled_from([0.0, 12.5, 40.0]),
                                            st.sampled_from(["NO_ADVERSE", "ABNORMAL_ROSTER"])))
a_night = st.tuples(st.integers(1, 3), st.lists(one_entity, min_size=len(USCCS), max_size=len(USCCS)))


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(a_night, min_size=1, max_size=6))
def test_ranges_answer_every_night_as_the_per_night_table(engine: Engine, settings: Settings, nights: list[Any]) -> None:
    history: list[tuple[date, Night]] = []
    d = date(2026, 12, 28)   # across a year end
    for gap, states in nights:
        d += timedelta(days=gap)
        history.append((d, {u: (g, s, _reasons(r)) for u, x in zip(USCCS, states, strict=True) if x is not None
                            for g, s, r in [x]}))
    with engine.connect() as c:
        tx = c.begin()
        try:
            previous: Night = {}
            for n, graded in history:
                before = _ranges(c)
                _grade_a_night(c, n, graded)
                changed = sum(1 for u, v in graded.items() if previous.get(u) != v)
                assert _ranges(c) - before == changed     # the table grows by what changed, nothing else
                moves = Counter((previous[u][0] if u in previous else "-", graded[u][0] if u in graded else "-")
                                for u in set(previous) | set(graded))
                stored = {(f, t): k for f, t, k in c.execute(sa.text(
                    "select from_grade, to_grade, count from grade_transitions where night = :n"), {"n": n})}
                assert stored == dict(moves)
                previous = graded
            for n, graded in history:   # the night as the view gives it: the per-night rows
                rows = {u: (g, float(s), r) for u, g, s, r in c.execute(sa.text(
                    "select uscc, grade, score, reasons from grades where night = :n"), {"n": n})}
                assert rows == {u: (g, s, json.loads(r)) for u, (g, s, r) in graded.items()}
            days = [history[0][0] + timedelta(days=k) for k in range(-1, (history[-1][0] - history[0][0]).days + 2)]
            for u in USCCS:
                for day in days:
                    got = grade_of(c, u, day, settings)
                    want = _latest_on(history, u, day)
                    assert (None if got is None else (date.fromisoformat(got["night"]), got["grade"], got["score"])) == want
        finally:
            tx.rollback()


def test_three_nights_where_two_entities_change_add_two_rows_each(engine: Engine, settings: Settings) -> None:
    clean = [f"R{i:02d}" for i in range(30)]
    with engine.begin() as c:
        for u in clean:
            reg(c, u)
            all_filed(c, u)
    sizes, answers = [], {}
    for d, listing in ((NIGHT, []), (NEXT, ["R01", "R02"]), (NEXT + timedelta(days=1), ["R03", "R04"])):
        with engine.begin() as c:
            for u in listing:
                listed(c, u, "abnormal", on=d.isoformat())
        night(engine, settings, d)
        with engine.connect() as c:
            sizes.append(_ranges(c))
            answers[d] = {u: g for u, g in c.execute(sa.text("select uscc, grade from grades where night = :n"), {"n": d})}
    assert sizes == [30, 32, 34]
    assert answers[NEXT]["R01"] == "C" and answers[NIGHT]["R01"] == "A"
    with engine.connect() as c:
        for d, graded in answers.items():
            assert {u: (grade_of(c, u, d, settings) or {}).get("grade") for u in clean} == graded
        current = c.execute(sa.text("select count(*) from grade_ranges where valid_to is null")).scalar_one()
        assert current == 30


def test_the_migration_turns_per_night_rows_into_ranges(pg_dir: Path) -> None:
    url = db.embedded_url(pg_dir, "ranges_migration")
    db.create_database_if_missing(url)
    engine = sa.create_engine(url)
    try:
        schema.upgrade(engine, "0011_penalty_publicity")
        n1, n2, n3, n4 = date(2026, 7, 1), date(2026, 7, 2), date(2026, 7, 3), date(2026, 7, 6)
        per_night = {n1: {"X": "A", "Y": "B", "Z": "C"}, n2: {"X": "A", "Y": "D", "Z": "C"},
                     n3: {"X": "A", "Z": "C"}, n4: {"X": "A", "Y": "D", "Z": "B"}}
        with engine.begin() as c:
            for n, graded in per_night.items():
                c.execute(sa.text("insert into grading_runs (night, config_version, graded, distribution, warnings) "
                                  "values (:n, 'v1', :g, '{}', '[]')"), {"n": n, "g": len(graded)})
                c.execute(sa.text("insert into grades (night, uscc, grade, score, config_version, reasons) "
                                  "values (:n, :u, :g, 1, 'v1', cast(:r as jsonb))"),
                          [{"n": n, "u": u, "g": g, "r": _reasons("T")} for u, g in graded.items()])
        schema.upgrade(engine)
        with engine.connect() as c:
            ranges = {tuple(r) for r in c.execute(sa.text("select uscc, valid_from, valid_to, grade from grade_ranges"))}
            view = {(n, u): g for n, u, g in c.execute(sa.text("select night, uscc, grade from grades"))}
            then = grade_of(c, "Y", date(2026, 7, 2), Settings())
            gone = grade_of(c, "Y", date(2026, 7, 5), Settings())   # not graded on n3: no tier until n4
        # Y left on n3 and came back on n4 with the grade it had: two ranges, the gap is kept
        assert ranges == {("X", n1, None, "A"), ("Y", n1, n2, "B"), ("Y", n2, n3, "D"), ("Y", n4, None, "D"),
                          ("Z", n1, n4, "C"), ("Z", n4, None, "B")}
        assert view == {(n, u): g for n, graded in per_night.items() for u, g in graded.items()}
        assert then is not None and (then["grade"], then["night"]) == ("D", "2026-07-02") and gone is None
        # and back: the per-night table again, row for row
        downgrade(engine, "0011_penalty_publicity")
        with engine.connect() as c:
            back = {(n, u): g for n, u, g in c.execute(sa.text("select night, uscc, grade from grades"))}
            kind = c.execute(sa.text("select relkind from pg_class where relname = 'grades'")).scalar_one()
        assert back == view and kind == "r"
    finally:
        engine.dispose()

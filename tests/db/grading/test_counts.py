"""The report's counts kept per night (issue 11, migration 0030): a scoped night's counts, derived
from the previous night's and tonight's changes, equal the full crosstab of every grade
(``report_counts.sql``) over generated nights in which entities are graded, regraded, registered,
move to another region or industry, leave the registry or stop being graded."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.grading.counts import RECOUNTED, store_counts
from credit.grading.night import stage_grades, store_grades, tonight_distribution
from credit.night import scope as night_scope

USCCS = [f"91330{i:02d}" for i in range(8)]
REASONS = json.dumps([{"code": "T", "text": "T", "kind": "points", "value": True, "contribution": 1.0}])

Registration = tuple[str, str | None] | None    # (region, industry) or not registered
Entity = tuple[Registration, str | None]         # registration, grade (None: not graded tonight)

a_registration = st.one_of(st.none(), st.tuples(st.sampled_from(["330106", "330108", "330212"]),
                                                st.sampled_from(["C13", "F51", None])))
an_entity = st.tuples(a_registration, st.one_of(st.none(), st.sampled_from("ABCD")))
a_night = st.tuples(st.integers(1, 3), st.lists(an_entity, min_size=len(USCCS), max_size=len(USCCS)))


def _register(c: sa.Connection, d: date, u: str, before: Registration, now: Registration) -> None:
    """What the store's merge writes (credit.night.merge): the current row and a history row."""
    if before == now:
        return
    if now is None:
        c.execute(sa.text("insert into registration_history (night, change, uscc, region_code, industry_code) "
                          "select :d, 'dropped', uscc, region_code, industry_code from registration where uscc = :u"),
                  {"d": d, "u": u})
        c.execute(sa.text("delete from registration where uscc = :u"), {"u": u})
        return
    region, industry = now
    c.execute(sa.text(
        "insert into registration (uscc, name, entity_kind, region_code, industry_code, established_on, status, "
        "first_night, last_night) values (:u, :u, 'enterprise', :r, :i, '2020-01-01', 'operating', :d, :d) "
        "on conflict (uscc) do update set region_code = :r, industry_code = :i, last_night = :d"),
        {"u": u, "r": region, "i": industry, "d": d})
    c.execute(sa.text("insert into registration_history (night, change, uscc, region_code, industry_code) "
                      "values (:d, :k, :u, :r, :i)"),
              {"d": d, "k": "new" if before is None else "changed", "u": u, "r": region, "i": industry})


def _crosstab(c: sa.Connection, d: date) -> dict[tuple[str, str, str], int]:
    """The report's full count of the night (report_counts.sql over the grades view)."""
    f = sqlfiles.frame(c, "grading/report_counts", {"night": d})
    return {(str(r.region_code), str(r.section), str(r.grade)): int(r.n) for r in f.itertuples()}


def _stored(c: sa.Connection, d: date) -> dict[tuple[str, str, str], int]:
    return {(str(a), str(b), str(g)): int(n) for a, b, g, n in c.execute(sa.text(
        "select region_code, section, grade, n from grade_counts where night = :d"), {"d": d})}


def _grade_a_night(c: sa.Connection, d: date, first: bool, grades: dict[str, str],
                   changed: set[str]) -> list[str]:
    """A night as record_grades stores it: the scope (the entities that changed; everyone on the
    first night), tonight's grades of the scope, the ranges, the distribution, the counts."""
    if first:
        scope = night_scope.everything(c)
    else:
        scope = night_scope.of_entities(c, changed)
    frame = pd.DataFrame([{"uscc": u, "grade": g, "score": 1.0, "reasons": REASONS}
                          for u, g in sorted(grades.items()) if first or u in changed],
                         columns=["uscc", "grade", "score", "reasons"])
    stage_grades(c, d, "v1", frame)
    scoped = night_scope.is_scoped(scope)
    store_grades(c, d, scoped)
    if scoped:
        dist = tonight_distribution(c, d)
    else:
        dist = {t: sum(1 for g in grades.values() if g == t) for t in "ABCD"}
    assert dist == {t: sum(1 for g in grades.values() if g == t) for t in "ABCD"}
    warnings = store_counts(c, d, dist, incremental=scoped)
    c.execute(sa.text("insert into grading_runs (night, config_version, graded, distribution, warnings) "
                      "values (:n, 'v1', :g, cast(:d as jsonb), '[]')"),
              {"n": d, "g": sum(dist.values()), "d": json.dumps(dist)})
    return warnings


def _run(c: sa.Connection, nights: list[Any], between: Callable[[sa.Connection, int], None] | None = None,
         ) -> list[tuple[date, dict[Any, int], dict[Any, int], list[str]]]:
    d = date(2026, 7, 13)
    regs: dict[str, Registration] = {u: None for u in USCCS}
    graded: dict[str, str] = {}
    out = []
    for i, (gap, states) in enumerate(nights):
        d += timedelta(days=gap)
        if between is not None:
            between(c, i)
        changed: set[str] = set()
        tonight: dict[str, str] = {}
        for u, (registration, grade) in zip(USCCS, states, strict=True):
            _register(c, d, u, regs[u], registration)
            if regs[u] != registration:
                changed.add(u)
            regs[u] = registration
            if grade is not None:
                tonight[u] = grade
            if graded.get(u) != tonight.get(u):
                changed.add(u)
        warnings = _grade_a_night(c, d, i == 0, tonight, changed)
        graded = tonight
        out.append((d, _stored(c, d), _crosstab(c, d), warnings))
    return out


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(a_night, min_size=2, max_size=6))
def test_counts_of_scoped_nights_equal_the_full_crosstab(engine: Engine, nights: list[Any]) -> None:
    with engine.connect() as c:
        tx = c.begin()
        try:
            for d, stored, full, warnings in _run(c, nights):
                assert stored == full, f"night {d}"
                assert warnings == []
        finally:
            tx.rollback()


#: Nights that move entities between cells without changing a tier's total: E0 changes region,
#: E1 industry, E2 leaves the registry (graded by a stale grade: '未知'), E3 stops being graded.
MOVES: list[Any] = [
    (1, [(("330106", "C13"), "A"), (("330106", "C13"), "B"), (("330108", "F51"), "C"), (("330108", None), "D")]
     + [(None, None)] * 4),
    (1, [(("330212", "C13"), "A"), (("330106", "F51"), "B"), (None, "C"), (("330108", None), None)]
     + [(("330106", "C13"), "A")] + [(None, None)] * 3),
]


def test_region_industry_changes_and_leavers_move_their_counts(engine: Engine) -> None:
    with engine.connect() as c:
        tx = c.begin()
        try:
            (_, s1, f1, _), (_, s2, f2, w2) = _run(c, MOVES)
            assert s1 == f1 and s2 == f2 and w2 == []
            assert s2 == {("330212", "C", "A"): 1, ("330106", "F", "B"): 1, ("未知", "未知", "C"): 1,
                          ("330106", "C", "A"): 1}
        finally:
            tx.rollback()


def test_the_comparison_sees_counts_that_ignore_registration_changes(engine: Engine,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests above can fail: counts that miss tonight's registration changes differ from the crosstab."""
    real = sqlfiles.text_of

    def blind(name: str) -> str:
        text = real(name)
        if name == "grading/counts_delta":
            text = text.replace("where h.night > :prev and h.night <= :night", "where false")
            assert "where false" in text
        return text

    monkeypatch.setattr(sqlfiles, "text_of", blind)
    with engine.connect() as c:
        tx = c.begin()
        try:
            (_, s1, f1, _), (_, s2, f2, _) = _run(c, MOVES)
            assert s1 == f1 and s2 != f2
        finally:
            tx.rollback()


def test_inconsistent_previous_counts_are_counted_again(engine: Engine) -> None:
    """Derived counts that do not add up to tonight's distribution are never stored: the night
    counts every grade and records why."""

    def corrupt(c: sa.Connection, i: int) -> None:
        if i == 1:
            c.execute(sa.text("update grade_counts set n = n + 5 where grade = 'A'"))

    with engine.connect() as c:
        tx = c.begin()
        try:
            _, (_, s2, f2, w2) = _run(c, MOVES, corrupt)
            assert w2 == [RECOUNTED] and s2 == f2
        finally:
            tx.rollback()

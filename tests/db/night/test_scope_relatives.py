"""The scope's relatives (``sql/night/scope_relatives.sql``) on the first incremental night after a
full night, when every grade range began on the previous graded night: the tier-D ranges are read
through their own index (migration 0044), never the whole of ``grade_ranges``, and the entities
added are the ones a plain reading of the rule gives."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.night import scope as night_scope

ENTITIES = 20_000
PREV = date(2026, 7, 13)


def _province(engine: Engine) -> None:
    """Entities from 19,000 on sharing a representative by pairs (i and i ^ 1), each one below
    alone; every one graded on the full night ``PREV`` (one open range each), every 500th in tier D."""
    with engine.begin() as c:
        c.execute(sa.text(
            "insert into registration (uscc, name, entity_kind, region_code, industry_code, registered_capital, "
            "established_on, status, legal_rep_hash, first_night, last_night) "
            "select 'R' || lpad(i::text, 17, '0'), '企业', 'enterprise', '110105', 'C13', 1, date '2020-01-01', "
            "'operating', case when i >= 19000 then 'P' || i / 2 else 'H' || i end, :p, :p "
            "from generate_series(1, :n) as i"), {"n": ENTITIES, "p": PREV})
        c.execute(sa.text(
            "insert into grade_ranges (uscc, valid_from, grade, score, config_version, reasons) "
            "select 'R' || lpad(i::text, 17, '0'), :p, case when i % 500 = 0 then 'D' else 'A' end, 90, 'g1', "
            "'[\"r\"]'::jsonb from generate_series(1, :n) as i"), {"n": ENTITIES, "p": PREV})
        c.exec_driver_sql("analyze registration")
        c.exec_driver_sql("analyze grade_ranges")


def _statement() -> str:
    return (f"select distinct q.uscc from (\n{sqlfiles.text_of('night/scope_relatives').rstrip().rstrip(';')}\n)"
            " as q where q.uscc is not null")


def test_the_relatives_read_the_tier_d_ranges_by_index_after_a_full_night(engine: Engine) -> None:
    _province(engine)
    with engine.begin() as c:
        night_scope.of_entities(c, [f"R{i:017d}" for i in (3, 19001, 19500)])
        plan = "\n".join(r[0] for r in c.execute(sa.text("explain " + _statement()), {"prev_graded": PREV}))
    assert "Seq Scan on grade_ranges" not in plan, plan
    assert "ix_grade_ranges_d" in plan, plan


def test_the_relatives_are_the_rule_s(engine: Engine) -> None:
    """The scope's entities, those whose D began on ``PREV``, and everyone sharing a representative
    with either; a D range ending on ``PREV`` counts too, a D range of another night does not."""
    _province(engine)
    with engine.begin() as c:
        c.execute(sa.text("update grade_ranges set grade = 'D', valid_from = date '2026-07-01', valid_to = :p "
                          "where uscc = 'R00000000000019502'"), {"p": PREV})
        c.execute(sa.text("update grade_ranges set grade = 'D', valid_from = date '2026-07-01' "
                          "where uscc = 'R00000000000019601'"))
        scope = night_scope.of_entities(c, [f"R{i:017d}" for i in (3, 19001)])
        got = night_scope.add_query(c, scope, "night/scope_relatives", {"prev_graded": PREV}, "relatives:legal_rep")
        rows = set(c.exec_driver_sql(f"select uscc from {night_scope.TABLE}").scalars())
    d = set(range(500, ENTITIES + 1, 500)) | {19502}
    want = {3, 19001} | d | {i ^ 1 for i in d | {19001} if 19000 <= i and i ^ 1 <= ENTITIES}
    assert rows == {f"R{i:017d}" for i in want}
    assert got.reasons["relatives:legal_rep"] == len(want) - 2

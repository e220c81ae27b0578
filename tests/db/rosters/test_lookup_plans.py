"""Look-ups by index (issue 11, migration 0015): one entity's entries and a screening batch read
only their own decisions, and give the same entries as the whole roster's fold."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.api.views import entity_status
from credit.config import load_config
from credit.rosters.known import KnownAt, fold, params
from credit.rosters.read import entity_head
from credit.settings import Settings

ENTITIES = 3000


def _log(engine: Engine) -> None:
    """A few thousand entities on the abnormal roster; every third removed, every fifth corrected."""
    with engine.begin() as c:
        c.execute(sa.text(
            "insert into roster_decisions (uscc, roster, action, cause_code, cause, basis, rule_id, rule_version, "
            "facts, decision_date, authority, authority_name, config_version, actor) "
            "select 'U' || lpad(i::text, 6, '0'), 'abnormal', 'include', 'no_report', '未报', 'art. 8', 'r', 't1', "
            "'{}'::jsonb, date '2026-01-01' + (i % 200), '110105', '测试局', 't1', 'night' "
            "from generate_series(1, :n) as i"), {"n": ENTITIES})
        for action, cause, every in (("remove", "no_report", 3), ("correct", "unreachable", 5)):
            c.execute(sa.text(
                "insert into roster_decisions (uscc, roster, action, entry_id, cause_code, cause, basis, rule_id, "
                "rule_version, facts, decision_date, authority, authority_name, config_version, actor) "
                "select d.uscc, d.roster, :a, d.seq, :cause, '测', 'art. 9', 'r', 't1', '{}'::jsonb, "
                "d.decision_date + 30, '110105', '测试局', 't1', 'night' "
                "from roster_decisions as d where d.action = 'include' and d.seq % :k = 0 order by d.seq"),
                {"a": action, "cause": cause, "k": every})
        c.exec_driver_sql("analyze roster_decisions")


def _plan(c: sa.Connection, stmt: sa.TextClause, values: dict[str, Any]) -> str:
    return "\n".join(r[0] for r in c.execute(sa.text("explain " + stmt.text), values))


def test_one_entity_and_a_screening_batch_are_read_through_indexes(engine: Engine) -> None:
    _log(engine)
    known = KnownAt(date(2026, 9, 1), ENTITIES)
    with engine.connect() as c:
        for name, values in (("rosters/entity_entries", {"u": "U000030", "d": date(2026, 12, 31)}),
                             ("rosters/entries_for_screening",
                              {"u": [f"U{i:06d}" for i in range(1, 400, 7)], "d": date(2026, 12, 31)}),
                             ("rosters/hidden_entries_of", {"u": "U000030", "d": date(2026, 12, 31),
                                                         "k": ["repair", "revoked"]})):
            for k in (None, known):
                plan = _plan(c, fold(name, k), {**values, **params(k)})
                assert "Seq Scan on roster_decisions" not in plan, f"{name} known={k}:\n{plan}"
                assert "Index" in plan, plan


def test_the_per_entity_fold_gives_the_whole_fold_s_entries(engine: Engine) -> None:
    _log(engine)
    picked = ["U000001", "U000015", "U000030", "U000201", "NOSUCH"]
    with engine.connect() as c:
        for d in (date(2026, 1, 5), date(2026, 3, 1), date(2026, 12, 31)):
            for k in (None, 2000, ENTITIES + 700):
                whole = c.execute(sa.text(
                    "select * from roster_entry_detail_known(:d, :k) where uscc = any(:u) order by entry_id"),
                    {"d": d, "k": k, "u": picked}).all()
                mine = c.execute(sa.text(
                    "select * from roster_entry_detail_known_of(:u, :d, :k) order by entry_id"),
                    {"d": d, "k": k, "u": picked}).all()
                assert mine == whole and (d < date(2026, 3, 1) or whole)
            assert c.execute(sa.text("select * from roster_entry_detail_of(:u, :d) order by entry_id"),
                             {"d": d, "u": picked}).all() == c.execute(sa.text(
                "select * from roster_entry_detail_as_of(:d) where uscc = any(:u) order by entry_id"),
                {"d": d, "u": picked}).all()


def test_a_look_up_s_statements_keep_one_generic_plan(engine: Engine, settings: Settings) -> None:
    """``GET /v1/entities/{uscc}`` prepares its statements (psycopg, after five runs on a
    connection) and PostgreSQL then either keeps a generic plan or plans every call again. The
    penalties statement once took an array of entities: its generic estimate for ``= any($1)``
    assumed several, so it was planned on every look-up, most of a look-up's database time."""
    _log(engine)
    with engine.begin() as c:
        c.execute(sa.text(
            "insert into penalty_publicity (case_no, night, uscc, decided_on, regime, class, published, "
            "publicity_from, publicity_until, basis, config_version) "
            "select 'P' || i || '-' || j, date '2026-06-01', 'U' || lpad(i::text, 6, '0'), "
            "date '2026-01-01' + (i % 150), 'order_45', 'general', true, date '2026-01-08' + (i % 150), "
            "date '2026-04-08' + (i % 150), '45号令', 't1' "
            "from generate_series(1, :n) as i, generate_series(1, 1 + i % 3) as j"), {"n": ENTITIES})
        c.exec_driver_sql("analyze penalty_publicity")
    cfg = load_config("api", settings)
    with engine.connect() as c:
        for i in range(1, 25):
            u = f"U{i * 97:06d}"
            head = entity_head(c, u)
            # each role, on the latest data's date and on an earlier one (other statements then)
            for role in ("public", "consumer", "bureau"):
                for d in (date(2026, 7, 1), date(2026, 3, 1)):
                    entity_status(c, settings, cfg, u, d, role=role, latest=date(2026, 7, 1),
                                  today=date(2026, 7, 2), head=head)
        plans = c.execute(sa.text(
            "select statement, generic_plans, custom_plans from pg_prepared_statements "
            "where generic_plans + custom_plans >= 10")).all()
    assert len(plans) >= 3, plans   # the head, the entries and the penalties at least
    replanned = [p.statement.splitlines()[0] for p in plans if p.generic_plans == 0]
    assert not replanned, f"planned again on every look-up: {replanned}"

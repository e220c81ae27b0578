"""Bulk screening of 10,000 USCCs is one indexed join (issue 11, migration 0025), whatever the
planner estimates: against a register and a decision log with realistic statistics (120,000
entities, a quarter of them listed, ANALYZEd), the screening statements reach ``roster_decisions``
and ``registration`` through their indexes only. With ``uscc = any(:u)`` over 10,000 codes the
planner scanned the whole log (measured at 200,000 entities: a Seq Scan, 70 ms of 115 ms)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.rosters.certificates import screen
from credit.rosters.known import KnownAt, fold, params
from credit.rosters.registration import status_statement

ENTITIES = 120_000
LISTED_EVERY = 4      # a quarter of the register has an entry
ASKED = 10_000
BIG = {"roster_decisions", "registration", "registration_history"}


def _province(engine: Engine) -> list[str]:
    """The register and the log, written in bulk with the log's chain trigger off (the hashes are
    not what is tested here), then ANALYZEd; returns the registered codes."""
    with engine.begin() as c:
        c.exec_driver_sql("set local session_replication_role = replica")
        c.execute(sa.text(
            "insert into registration (uscc, name, entity_kind, region_code, established_on, status, "
            "first_night, last_night) "
            "select 'U' || lpad(i::text, 7, '0'), '测试企业' || i, 'enterprise', '330106', date '2015-01-01', "
            "'active', date '2026-07-13', date '2026-07-13' from generate_series(1, :n) as i"), {"n": ENTITIES})
        c.execute(sa.text(
            "insert into roster_decisions (seq, uscc, roster, action, entry_id, cause_code, cause, basis, rule_id, "
            "rule_version, facts, decision_date, authority, authority_name, config_version, actor, content_hash, "
            "prev_hash, row_hash) "
            "select i / :every, 'U' || lpad(i::text, 7, '0'), 'abnormal', 'include', i / :every, 'no_report', '未报', "
            "'art. 8', 'r', 't1', '{}'::jsonb, date '2026-01-01' + (i % 180), '330106', '测试局', 't1', 'night', "
            "'x', 'x', 'x' from generate_series(:every, :n, :every) as i"), {"n": ENTITIES, "every": LISTED_EVERY})
        c.execute(sa.text(
            "insert into roster_decisions (seq, uscc, roster, action, entry_id, cause_code, cause, basis, rule_id, "
            "rule_version, facts, decision_date, authority, authority_name, config_version, actor, content_hash, "
            "prev_hash, row_hash) "
            "select :base + d.seq, d.uscc, d.roster, 'remove', d.seq, d.cause_code, d.cause, 'art. 9', 'r', 't1', "
            "'{}'::jsonb, d.decision_date + 40, '330106', '测试局', 't1', 'night', 'x', 'x', 'x' "
            "from roster_decisions as d where d.seq % 3 = 0"), {"base": ENTITIES})
        # the registration history (its status changes are read per code): a row per entity, and a
        # second for every tenth, cancelled a night later
        c.execute(sa.text(
            "insert into registration_history (night, change, uscc, name, entity_kind, region_code, established_on, "
            "status, status_on) select date '2026-07-13', 'new', uscc, name, entity_kind, region_code, established_on, "
            "status, status_on from registration"))
        c.execute(sa.text(
            "insert into registration_history (night, change, uscc, name, entity_kind, region_code, established_on, "
            "status, status_on) select date '2026-07-14', 'changed', uscc, name, entity_kind, region_code, "
            "established_on, 'cancelled', date '2026-07-14' from registration where right(uscc, 1) = '0'"))
        c.exec_driver_sql("analyze registration")
        c.exec_driver_sql("analyze registration_history")
        c.exec_driver_sql("analyze roster_decisions")
    return [f"U{i:07d}" for i in range(1, ENTITIES + 1)]


def _nodes(plan: Any) -> Iterator[dict[str, Any]]:
    if isinstance(plan, dict):
        if "Node Type" in plan:
            yield plan
        for v in plan.values():
            yield from _nodes(v)
    elif isinstance(plan, list):
        for v in plan:
            yield from _nodes(v)


def _access(c: sa.Connection, stmt: sa.TextClause, values: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(big tables scanned sequentially, big tables read through an index) in the statement's plan."""
    raw = c.execute(sa.text("explain (format json) " + stmt.text), values).scalar_one()
    nodes = list(_nodes(raw if isinstance(raw, list) else json.loads(raw)))
    scanned = {n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in BIG}
    indexed = {n["Relation Name"] for n in nodes
               if n["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan")
               and n.get("Relation Name") in BIG}
    return scanned, indexed


def test_screening_10000_usccs_reads_the_big_tables_through_their_indexes(engine: Engine) -> None:
    registered = _province(engine)
    asked = random.Random(11).sample(registered, ASKED - 10) + [f"V{i:07d}" for i in range(10)]   # some unknown
    known = KnownAt(date(2026, 7, 13), 10 * ENTITIES)
    with engine.connect() as c:
        for k in (None, known):
            scanned, indexed = _access(c, fold("rosters/entries_for_screening", k),
                                       {"u": asked, "d": date(2026, 7, 15), **params(k)})
            assert not scanned and indexed == {"roster_decisions"}, (k, scanned, indexed)
        scanned, indexed = _access(c, status_statement("rosters/screening_names"), {"u": asked})
        assert not scanned and indexed == {"registration", "registration_history"}, (scanned, indexed)
        # as known after a night: the history's rows up to it, per code, with their status changes
        scanned, indexed = _access(c, status_statement("rosters/registration_known"),
                                   {"u": asked, "kn": date(2026, 7, 14)})
        assert "registration_history" not in scanned and "registration_history" in indexed, (scanned, indexed)


def test_the_indexed_screening_answers_as_the_filtered_one(engine: Engine) -> None:
    """Same rows as before the lateral join: every asked code once, duplicates and unknown codes included."""
    _province(engine)
    asked = ["U0000004", "U0000012", "U0000013", "U0000004", "V0000001", "U0000120"]
    with engine.connect() as c:
        for d in (date(2026, 1, 2), date(2026, 3, 1), date(2026, 12, 31)):
            mine = c.execute(sa.text("select * from roster_entry_detail_of(:u, :d) order by entry_id"),
                             {"u": asked, "d": d}).all()
            whole = c.execute(sa.text("select * from roster_entry_detail_as_of(:d) where uscc = any(:u) "
                                      "order by entry_id"), {"u": asked, "d": d}).all()
            assert mine == whole
        rows = screen(c, list(dict.fromkeys(asked)), date(2026, 12, 31))
    assert [r["uscc"] for r in rows] == list(dict.fromkeys(asked))
    assert [r["registered"] for r in rows] == [True, True, True, False, True]
    assert [len(r["entries"]) for r in rows] == [1, 1, 0, 0, 1]
    # U0000120 was cancelled on 07-14 (its second history row): not on a day before it
    assert [r["registration_status"] for r in rows] == ["active", "active", "active", None, "cancelled"]
    with engine.connect() as c:
        assert screen(c, ["U0000120"], date(2026, 7, 13))[0]["registration_status"] == "active"

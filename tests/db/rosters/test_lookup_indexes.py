"""Look-ups by index (issue 11, migration 0021): the cure date of one entry reads its entity's
history through indexes, the change feed reads by ``seq``, the data version is one statement."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.rosters.certificates import data_version, latest_data_date
from credit.rosters.read import cure_established_on

ENTITIES = 3000
D = date.fromisoformat
# The cure date as it was read before migration 0021: a join with the view over every entity.
WHOLE_VIEW = """select min(c.cured_on) from roster_decisions d join cure_events c
                   on c.uscc = d.uscc and c.cause_code = d.cause_code
                 where d.seq = :e and c.cured_on >= coalesce(d.trigger_date, d.decision_date) and c.cured_on <= :on"""


def _store(engine: Engine) -> dict[str, int]:
    """Registration histories of a few thousand entities over three nights (every tenth moved
    house on the last one), a finding per entity, and three entries of cause 4 (unreachable)."""
    with engine.begin() as c:
        for k, (night, change) in enumerate((("2026-03-01", "new"), ("2026-05-10", "changed"),
                                             ("2026-06-20", "changed"))):
            c.execute(sa.text(
                "insert into registration_history (night, change, uscc, name, entity_kind, region_code, status, "
                "address, updated_at) "
                "select :n, :ch, 'U' || lpad(i::text, 6, '0'), '测试' || i, 'enterprise', '110105', 'operating', "
                "case when :k = 2 and i % 10 = 0 then '新址' || i else '旧址' || i end, "
                "cast(:n as date) - 2 from generate_series(1, :m) as i"),
                {"n": D(night), "ch": change, "k": k, "m": ENTITIES})
        c.execute(sa.text(
            "insert into findings (finding_id, uscc, kind, found_on, first_night, last_night) "
            "select 'F' || i, 'U' || lpad(i::text, 6, '0'), "
            "case when i % 7 = 0 then 'contact_restored' else 'unreachable_address' end, "
            "date '2026-04-01' + (i % 60), date '2026-06-20', date '2026-06-20' from generate_series(1, :m) as i"),
            {"m": ENTITIES})
        seqs = {}
        for u in ("U000010", "U000014", "U000011"):   # moved house; restored contact; neither
            seqs[u] = int(c.execute(sa.text(
                "insert into roster_decisions (uscc, roster, action, cause_code, cause, basis, rule_id, "
                "rule_version, facts, decision_date, authority, authority_name, config_version, actor) "
                "values (:u, 'abnormal', 'include', 'unreachable', '通过登记的住所无法联系', '68号令第四条', "
                "'abn.include.unreachable', 't1', '{}'::jsonb, date '2026-03-20', '110105', '测试局', 't1', 'night') "
                "returning seq"), {"u": u}).scalar_one())
        c.exec_driver_sql("analyze registration_history")
        c.exec_driver_sql("analyze findings")
        c.exec_driver_sql("analyze roster_decisions")
    return seqs


def _plan(c: sa.Connection, name: str, values: dict[str, Any]) -> str:
    return "\n".join(r[0] for r in c.execute(sa.text("explain " + sqlfiles.text_of(name)), values))


def test_the_cure_date_reads_one_entity_s_history_through_indexes(engine: Engine) -> None:
    seqs = _store(engine)
    with engine.connect() as c:
        plan = _plan(c, "rosters/cure_established", {"e": seqs["U000010"], "on": D("2026-07-01"), "kn": None})
    assert "ix_registration_history_uscc_night" in plan, plan
    assert "Seq Scan on registration_history" not in plan and "Seq Scan on findings" not in plan, plan


def test_the_cure_date_is_the_one_the_whole_view_gives(engine: Engine) -> None:
    seqs = _store(engine)
    with engine.connect() as c:
        for u, e in seqs.items():
            for on in (D("2026-03-25"), D("2026-05-09"), D("2026-06-18"), D("2026-06-19"), D("2026-12-31")):
                whole = c.execute(sa.text(WHOLE_VIEW), {"e": e, "on": on}).scalar()
                assert cure_established_on(c, e, on) == whole, (u, on)
        # moved house (registered change, dated by updated_at): 2026-06-18; restored contact: its finding
        assert cure_established_on(c, seqs["U000010"], D("2026-12-31")) == D("2026-06-18")
        assert cure_established_on(c, seqs["U000014"], D("2026-12-31")) == D("2026-04-15")
        assert cure_established_on(c, seqs["U000011"], D("2026-12-31")) is None
        assert cure_established_on(c, 10**9, D("2026-12-31")) is None   # no such entry


def test_the_change_feed_reads_by_seq(engine: Engine) -> None:
    with engine.begin() as c:
        c.execute(sa.text(
            "insert into roster_decisions (uscc, roster, action, cause_code, cause, basis, rule_id, rule_version, "
            "facts, decision_date, authority, authority_name, config_version, actor) "
            "select 'U' || lpad(i::text, 6, '0'), 'abnormal', 'include', 'no_report', '未报', 'art. 8', 'r', 't1', "
            "'{}'::jsonb, date '2026-01-01' + (i % 200), '110105', '测试局', 't1', 'night' "
            "from generate_series(1, :n) as i"), {"n": ENTITIES})
        c.exec_driver_sql("analyze roster_decisions")
    with engine.connect() as c:
        plan = _plan(c, "rosters/decision_feed", {"a": 1, "n": 100, "procedures": False})
    assert "roster_decisions_pkey" in plan and "Seq Scan" not in plan, plan


def test_the_data_version_is_one_statement_and_knows_an_empty_log(engine: Engine) -> None:
    with engine.connect() as c:
        assert data_version(c) == {"decision_seq": 0, "decision_hash": None, "night": None}
        assert latest_data_date(c) is None
    seqs = _store(engine)
    with engine.begin() as c:
        c.execute(sa.text("insert into night_runs values (date '2026-06-20', 'x', 'test', now(), now(), '{}'::jsonb)"))
    with engine.connect() as c:
        head = c.execute(sa.text("select seq, row_hash from roster_decisions order by seq desc limit 1")).one()
        version = data_version(c)
        assert version == {"decision_seq": max(seqs.values()), "decision_hash": head.row_hash, "night": "2026-06-20"}
        assert head.row_hash
        assert latest_data_date(c, version) == latest_data_date(c) == D("2026-06-20")

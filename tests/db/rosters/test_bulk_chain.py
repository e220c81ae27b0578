"""The set-based append of a night's decisions (migration 0028, ``roster_decisions_append``) gives
byte for byte the rows the per-row trigger gives: seq, entry ids, 文号 per authority and year,
late, and the hash chain (domain.md §3, §4), on a log that already holds rows. The trigger stays
for every other writer, and cannot be skipped by one."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy.engine import Connection

from credit.rosters.audit import verify_chain
from credit.rosters.log import INSERT_COLUMNS, NIGHT_ORDER, DecisionStage, insert_decisions

D = date.fromisoformat
COMPARED = ("seq", "entry_id", "doc_year", "doc_seq", "decision_no", "late", "prev_hash", "content_hash", "row_hash")


def _row(n: int, action: str = "include", *, authority: str = "110105", on: str = "2026-07-13",
         **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "uscc": f"91110105MA{n:08d}", "roster": "abnormal", "action": action, "proposed_action": None,
        "entry_id": None, "refers_to": None, "request_id": None, "cause_code": "annual_report",
        "cause": "未按照规定的期限公示年度报告", "basis": "《企业信息公示暂行条例》第十八条",
        "rule_id": "abnormal.annual_report", "rule_version": "2024.1",
        "facts": json.dumps({"report_year": 2025, "n": n}, ensure_ascii=False), "fact_key": f"k{n}",
        "trigger_date": D("2026-07-01"), "decision_date": D(on), "due_date": D("2026-07-31"),
        "due_provisional": None, "due_note": None, "effective_until": None, "reason": None,
        "authority": authority, "authority_name": f"{authority}市场监督管理局", "doc_prefix": f"{authority}市监信",
        "decision_no": None, "config_version": "test", "night": D(on), "actor": "night"}
    if action == "propose":
        row["proposed_action"] = "include"
    if action in ("remove", "revoke", "correct", "decline", "refuse", "assess", "consent", "publish"):
        row["entry_id"] = 1
    row.update(over)
    return row


def _seed(c: Connection) -> None:
    """A log with rows already: 文号 of two authorities in 2026, one of 2025, a draft, a given 文号."""
    insert_decisions(c, pd.DataFrame([
        _row(9001), _row(9002, authority="310115"), _row(9003, on="2025-12-30"), _row(9004),
        _row(9005, "propose"), _row(9006, decision_no="京市监信〔2026〕88号"), _row(9007, "notice")],
        columns=INSERT_COLUMNS))


def _log_after(c: Connection, last: int) -> list[dict[str, Any]]:
    return [dict(r) for r in c.execute(sa.text("select * from roster_decisions where seq > :s order by seq"),
                                       {"s": last}).mappings()]


def _both(c: Connection, frame: pd.DataFrame, rank: pd.Series | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The same staged decisions appended by the trigger (the INSERT … SELECT of before 0028), in a
    savepoint rolled back, then by ``DecisionStage.append``; the chain verified after (last: the
    walk streams the connection's results). The caller rolls its transaction back."""
    last = c.execute(sa.text("select coalesce(max(seq), 0) from roster_decisions")).scalar_one()
    cols = ", ".join(INSERT_COLUMNS)
    sp = c.begin_nested()
    stage = DecisionStage(c)
    stage.add(frame, rank)
    c.exec_driver_sql(f"insert into roster_decisions ({cols}) select {cols} from _roster_new order by {NIGHT_ORDER}")
    by_trigger = _log_after(c, last)
    sp.rollback()
    stage = DecisionStage(c)
    stage.add(frame, rank)
    assert stage.append(NIGHT_ORDER) == len(frame)
    as_set = _log_after(c, last)
    report = verify_chain(c)
    assert report.ok, report
    return by_trigger, as_set


def _same(by_trigger: list[dict[str, Any]], as_set: list[dict[str, Any]]) -> None:
    assert len(as_set) == len(by_trigger)
    for a, b in zip(by_trigger, as_set, strict=True):
        assert {k: b[k] for k in COMPARED} == {k: a[k] for k in COMPARED}
        assert b == a      # every column, not only the assigned ones


def test_bulk_append_continues_the_chain_and_the_numbers_as_the_trigger_does(engine) -> None:  # type: ignore[no-untyped-def]
    rows = [_row(1), _row(2, authority="310115"), _row(3, "propose"), _row(4, "escalate"),
            _row(5, on="2027-01-04"),                                   # a new year: 文号 restart at 1
            _row(6, "remove", entry_id=1, fact_key=None), _row(7, decision_no="京市监信〔2026〕99号"),
            _row(8, "proposal", roster="serious"), _row(9, "decline", refers_to=3, roster="serious"),
            _row(10, due_date=D("2026-07-01")),                         # decided after its due date: late
            _row(11, due_date=None, due_provisional=D("2026-07-20")), _row(12, authority="310115", on="2025-12-31"),
            # dated the law's day (an automatic end of a listing), recorded by a later night: late (0045)
            _row(13, "remove", authority="310115", on="2026-07-10", night=D("2026-07-13"), due_date=D("2026-07-10"), roster="serious"),
            _row(14, authority="310115", on="2026-08-03", night=None, actor="officer")]     # no night: its own date decides
    frame = pd.DataFrame(rows, columns=INSERT_COLUMNS)
    rank = pd.Series([3, 3, 1, 2, 3, 0, 3, 1, 1, 3, 3, 3, 0, 3])
    with engine.connect() as c, c.begin():
        _seed(c)
        by_trigger, as_set = _both(c, frame, rank)
    _same(by_trigger, as_set)
    by_fact = {r["fact_key"]: r for r in as_set}
    # after the log's 1–3, tonight's removal (rank 0), decline (1) and escalation (2) come first: 4, 5, 6
    assert by_fact["k1"]["decision_no"] == "110105市监信〔2026〕7号"
    assert by_fact["k5"]["decision_no"] == "110105市监信〔2027〕1号"
    assert by_fact["k12"]["decision_no"] == "310115市监信〔2025〕1号"
    assert by_fact["k3"]["decision_no"] is None and by_fact["k3"]["doc_seq"] is None     # a draft: no 文号
    assert by_fact["k7"]["decision_no"] == "京市监信〔2026〕99号" and by_fact["k7"]["doc_seq"] is None
    assert by_fact["k10"]["late"] and not by_fact["k1"]["late"]
    assert by_fact["k13"]["late"] and by_fact["k14"]["late"]
    assert by_fact["k4"]["entry_id"] == by_fact["k4"]["seq"]


def test_bulk_append_on_an_empty_log_starts_at_the_genesis(engine) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame([_row(1), _row(2)], columns=INSERT_COLUMNS)
    with engine.connect() as c, c.begin():
        by_trigger, as_set = _both(c, frame, None)
    _same(by_trigger, as_set)
    assert as_set[0]["seq"] == 1 and as_set[0]["prev_hash"] == "0" * 64


texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=12)
ACTIONS = ("include", "escalate", "remove", "notice", "propose", "proposal", "decline", "correct")
decision = st.fixed_dictionaries({
    "action": st.sampled_from(ACTIONS), "authority": st.sampled_from(("110105", "310115", "440305")),
    "on": st.sampled_from(("2025-12-31", "2026-07-13", "2027-01-04")), "cause": texts,
    "reason": st.none() | texts, "facts": st.dictionaries(texts, texts | st.integers() | st.booleans(), max_size=3),
    "given_no": st.booleans(), "due": st.sampled_from((None, "2025-06-30", "2026-12-31")), "rank": st.integers(0, 3)})


@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(decision, min_size=1, max_size=25))
def test_any_stage_gives_the_triggers_rows(engine, picks) -> None:  # type: ignore[no-untyped-def]
    rows = [_row(n, p["action"], authority=p["authority"], on=p["on"], cause=p["cause"], reason=p["reason"],
                 facts=json.dumps(p["facts"], ensure_ascii=False), due_date=D(p["due"]) if p["due"] else None,
                 decision_no=f"给定〔{n}〕号" if p["given_no"] else None)
            for n, p in enumerate(picks)]
    frame = pd.DataFrame(rows, columns=INSERT_COLUMNS)
    with engine.connect() as c:
        tx = c.begin()
        try:
            _seed(c)
            by_trigger, as_set = _both(c, frame, pd.Series([p["rank"] for p in picks]))
        finally:
            tx.rollback()
    _same(by_trigger, as_set)


def test_a_writer_setting_the_marker_still_gets_the_trigger(engine) -> None:  # type: ignore[no-untyped-def]
    """Only the function, running as the log's owner, skips the per-row trigger: a writer who sets
    ``credit.bulk_chain`` and inserts a forged link gets seq, 文号 and chain from the trigger."""
    with engine.connect() as c, c.begin():
        _seed(c)
        last = c.execute(sa.text("select max(seq) from roster_decisions")).scalar_one()
        c.exec_driver_sql("set local role credit_writer")
        c.exec_driver_sql("set local credit.bulk_chain = 'on'")
        row = _row(50) | {"seq": 999, "prev_hash": "x", "content_hash": "y", "row_hash": "z", "doc_seq": 7}
        cols = list(row)
        c.execute(sa.text(f"insert into roster_decisions ({', '.join(cols)}) values ({', '.join(':' + k for k in cols)})"),
                  row)
        got = _log_after(c, last)
        assert [r["seq"] for r in got] == [last + 1]
        assert got[0]["row_hash"] != "z" and got[0]["decision_no"] == "110105市监信〔2026〕4号"
        c.exec_driver_sql("reset role")
        assert verify_chain(c).ok


def test_the_night_role_appends_through_the_function(engine) -> None:  # type: ignore[no-untyped-def]
    """``credit_writer`` (a deployment's night, migration 0013) may run the function, which reads its stage."""
    with engine.connect() as c, c.begin():
        _seed(c)
        c.exec_driver_sql("set local role credit_writer")
        stage = DecisionStage(c)
        stage.add(pd.DataFrame([_row(1), _row(2)], columns=INSERT_COLUMNS))
        assert stage.append(NIGHT_ORDER) == 2
        c.exec_driver_sql("reset role")
        assert verify_chain(c).ok


@pytest.mark.parametrize("order", ["ord; drop table roster_decisions", "(select 1)", "nosuchcolumn", "ord desc"])
def test_an_order_that_is_not_the_stages_columns_is_refused(engine, order: str) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as c, c.begin():
        stage = DecisionStage(c)
        stage.add(pd.DataFrame([_row(1)], columns=INSERT_COLUMNS))
        with pytest.raises(sa.exc.DBAPIError, match="not an order of the stage"):
            stage.append(order)


def test_a_canonical_text_drifting_from_the_reference_is_refused(engine) -> None:  # type: ignore[no-untyped-def]
    """Should a later migration change ``roster_decision_canonical`` and not the bulk function, the
    bulk function refuses to append rather than chain hashes that audit verify would reject."""
    with engine.connect() as c, c.begin():
        c.exec_driver_sql("""create or replace function roster_decision_canonical(r roster_decisions) returns text
                             language sql immutable as $$ select r.uscc $$""")
        stage = DecisionStage(c)
        stage.add(pd.DataFrame([_row(1)], columns=INSERT_COLUMNS))
        with pytest.raises(sa.exc.DBAPIError, match="differs from roster_decision_canonical"):
            stage.append()


def test_the_migration_goes_down_and_up_again(engine) -> None:  # type: ignore[no-untyped-def]
    """Down to 0027: the trigger without its condition and no function, the night's append by the
    trigger; up again: the function and the condition back."""
    from credit import schema
    from tests.db.migrations import downgrade

    def parts(c: Connection) -> tuple[bool, bool]:
        when = c.execute(sa.text("select pg_get_triggerdef(oid) like '%WHEN%' from pg_trigger "
                                 "where tgname = 'roster_decisions_chain'")).scalar_one()
        return when, c.execute(sa.text("select to_regprocedure('roster_decisions_append(text)') is not null")).scalar_one()

    downgrade(engine, "0027_typed_staging")
    with engine.connect() as c:
        assert parts(c) == (False, False)
    schema.upgrade(engine)
    with engine.connect() as c, c.begin():
        assert parts(c) == (True, True)
        stage = DecisionStage(c)
        stage.add(pd.DataFrame([_row(1)], columns=INSERT_COLUMNS))
        assert stage.append() == 1


def test_0045_goes_down_and_up_again(engine) -> None:  # type: ignore[no-untyped-def]
    """Down to 0044 a decision dated before the night that records it is judged by its date (never
    late when dated its due day); up again, by the later of its date and its night (late)."""
    from credit import schema
    from tests.db.migrations import downgrade

    backdated = _row(1, "remove", on="2026-07-10", night=D("2026-07-13"), due_date=D("2026-07-10"), roster="serious")

    def late(c: Connection) -> tuple[bool, bool]:
        out = []
        for path in ("bulk", "trigger"):
            sp = c.begin_nested()
            stage = DecisionStage(c)
            stage.add(pd.DataFrame([backdated], columns=INSERT_COLUMNS))
            if path == "bulk":
                stage.append()
            else:
                cols = ", ".join(INSERT_COLUMNS)
                c.exec_driver_sql(f"insert into roster_decisions ({cols}) select {cols} from _roster_new")
            out.append(c.execute(sa.text("select late from roster_decisions order by seq desc limit 1")).scalar_one())
            sp.rollback()
        return out[0], out[1]

    downgrade(engine, "0044_grade_ranges_d")
    with engine.connect() as c, c.begin():
        assert late(c) == (False, False)
    schema.upgrade(engine)
    with engine.connect() as c, c.begin():
        assert late(c) == (True, True)


# -- migration 0041: The first night's append to an empty decision log builds the log's indexes after the rows (migration 0041): the same rows as the trigger gives, the same indexes after, and a unique index built after the load still refuses a duplicate.


def _indexes(c: Connection) -> dict[str, tuple[str, int]]:
    """The log's indexes: name → (definition, file node); a rebuilt index has a new file node."""
    return {r.name: (r.definition, r.node) for r in c.execute(sa.text(
        "select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition, "
        "x.relfilenode as node from pg_index i join pg_class x on x.oid = i.indexrelid "
        "where i.indrelid = 'roster_decisions'::regclass"))}


def test_an_empty_log_gets_the_triggers_rows_and_its_indexes_back(engine) -> None:  # type: ignore[no-untyped-def]
    """The trigger's rows are appended first in a rolled-back savepoint (_both), so the empty log
    holds dead rows: the case of a first night run again after a failure."""
    rows = [_row(1), _row(2, authority="310115"), _row(3, "propose"), _row(4, "escalate"),
            _row(5, on="2027-01-04"), _row(6, "notice"), _row(7, decision_no="京市监信〔2026〕99号")]
    with engine.connect() as c, c.begin():
        assert c.execute(sa.text("select count(*) from roster_decisions")).scalar_one() == 0
        before = _indexes(c)
        by_trigger, as_set = _both(c, pd.DataFrame(rows, columns=INSERT_COLUMNS), pd.Series([3, 3, 1, 2, 3, 3, 3]))
        after = _indexes(c)
    _same(by_trigger, as_set)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}   # same names and definitions
    rebuilt = {k for k in before if after[k][1] != before[k][1]}
    assert rebuilt == set(before) - {"roster_decisions_pkey"}   # built after the rows, but the primary key


def test_a_log_with_rows_keeps_its_indexes(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as c, c.begin():
        _seed(c)
        before = _indexes(c)
        stage = DecisionStage(c)
        stage.add(pd.DataFrame([_row(1), _row(2)], columns=INSERT_COLUMNS))
        assert stage.append(NIGHT_ORDER) == 2
        assert _indexes(c) == before


@pytest.mark.parametrize(("action", "index"), [("include", "ux_roster_decisions_fact"),
                                               ("propose", "ux_roster_proposals_fact")])
def test_a_duplicate_fact_key_on_an_empty_log_still_fails(engine, action: str, index: str) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as c, c.begin():
        stage = DecisionStage(c)
        stage.add(pd.DataFrame([_row(1, action), _row(2, action, fact_key="k1")], columns=INSERT_COLUMNS))
        with pytest.raises(sa.exc.IntegrityError, match=index):
            stage.append(NIGHT_ORDER)


def test_the_night_role_appends_to_an_empty_log(engine) -> None:  # type: ignore[no-untyped-def]
    """``credit_writer`` may not drop the log's indexes; the function, running as the log's owner, does."""
    with engine.connect() as c, c.begin():
        before = _indexes(c)
        c.exec_driver_sql("set local role credit_writer")
        stage = DecisionStage(c)
        stage.add(pd.DataFrame([_row(1), _row(2)], columns=INSERT_COLUMNS))
        assert stage.append(NIGHT_ORDER) == 2
        c.exec_driver_sql("reset role")
        after = _indexes(c)
        assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
        assert after["ix_roster_decisions_uscc"][1] != before["ix_roster_decisions_uscc"][1]

"""Statistics inside the night: a table that tonight grew by more than a tenth is analyzed before
the statements that read it back (the re-run of a first night that failed after its rosters found
``roster_decisions`` planned as empty and hung in grading's roster fold; a first night's region partitions, its rosters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text

from credit.night.merge import plan_on_tonights_rows
from credit.settings import Settings


def _estimate(conn: Connection, table: str) -> float:
    return float(conn.execute(text("select reltuples from pg_class where relname = :t"), {"t": table}).scalar_one())


def test_rows_added_tonight_reach_the_planner_before_the_night_commits(engine: Engine) -> None:
    with engine.connect() as conn, conn.begin() as tx:
        conn.exec_driver_sql("create table grown_tonight (x int)")
        conn.exec_driver_sql("insert into grown_tonight select generate_series(1, 20000)")
        conn.exec_driver_sql("analyze grown_tonight")
        conn.exec_driver_sql("insert into grown_tonight select generate_series(1, 1500)")
        assert not plan_on_tonights_rows(conn, "grown_tonight", 1500)   # under a tenth: left to autovacuum
        assert _estimate(conn, "grown_tonight") == 20000
        conn.exec_driver_sql("insert into grown_tonight select generate_series(1, 8000)")
        assert plan_on_tonights_rows(conn, "grown_tonight", 9500)       # a tenth and more: analyzed now
        assert _estimate(conn, "grown_tonight") == 29500
        tx.rollback()


def test_an_empty_table_that_received_a_province_is_analyzed(engine: Engine) -> None:
    with engine.connect() as conn, conn.begin() as tx:
        conn.exec_driver_sql("create table empty_before (x int)")
        conn.exec_driver_sql("analyze empty_before")
        assert not plan_on_tonights_rows(conn, "empty_before", 999)     # fewer than 1,000 rows: never
        conn.exec_driver_sql("insert into empty_before select generate_series(1, 5000)")
        assert plan_on_tonights_rows(conn, "empty_before", 5000)
        assert _estimate(conn, "empty_before") == 5000
        tx.rollback()


def test_a_region_merged_into_an_empty_table_is_analyzed_with_its_history(engine: Engine) -> None:
    """A region partition's rehearsal of a first night merges its region into the empty store
    (not the bulk load, which is publish's): the rosters and grading after it plan on its rows."""
    from datetime import date

    from credit.contract.sources import SOURCES
    from credit.night.merge import merge_into

    source = SOURCES["tax"]
    cols = ", ".join(source.column_names)
    with engine.connect() as conn, conn.begin() as tx:
        conn.exec_driver_sql("analyze tax; analyze tax_history")   # the statistics of an empty store
        merge_into(conn, source, "full", date(2026, 7, 13),
                   lambda stage: conn.exec_driver_sql(
                       f"insert into {stage} ({cols}) select {cols} from (select "
                       "'91110000' || lpad(i::text, 10, '0') as uscc, 2025 as assessed_year, 'A' as tax_credit_grade, "
                       "null::date as abnormal_taxpayer_since, 0 as arrears, date '2026-07-01' as updated_on "
                       "from generate_series(1, 3000) as i) as s").rowcount,
                   scope=("t.uscc like %(p)s", {"p": "911100%"}))
        assert _estimate(conn, "tax") == 3000
        assert _estimate(conn, "tax_history") == 3000
        tx.rollback()


def test_analyze_skips_the_wide_columns_no_statement_compares(engine: Engine) -> None:
    """Migration 0039: ANALYZE collects nothing for a decision's facts, basis and digests or a grade
    range's reasons (statistics target 0: no plan reads them; they were half of a first night's
    ANALYZE), and still collects the columns statements filter on; the downgrade gives the
    server's default back."""
    from importlib import import_module

    from credit import schema
    from tests.db.migrations import downgrade

    quiet = import_module("credit.migrations.versions.0039_quiet_statistics").QUIET

    def targets() -> dict[tuple[str, str], int | None]:
        with engine.connect() as conn:
            return {(t, c): conn.execute(text(
                "select attstattarget from pg_attribute where attrelid = cast(:t as regclass) and attname = :c"),
                {"t": t, "c": c}).scalar_one() for t, cols in quiet.items() for c in cols}

    assert set(targets().values()) == {0}
    with engine.connect() as conn:   # what statements filter and join on keeps the server's default
        kept = conn.execute(text(
            "select attname from pg_attribute where attrelid = 'roster_decisions'::regclass and attnum > 0 "
            "and not attisdropped and attstattarget is null")).scalars().all()
    assert {"uscc", "roster", "entry_id", "decision_date", "night", "seq"} <= set(kept)
    downgrade(engine, "0038_licensing_keys")
    try:
        assert set(targets().values()) == {None}
    finally:
        schema.upgrade(engine)


def test_a_history_bulk_loaded_tonight_is_analyzed_inside_the_night(engine: Engine) -> None:
    """A first night bulk-loads each source's history into an empty table, and later statements of
    the same transaction read it back (the 双告知 statement: tonight's registration_history rows).
    Never analyzed, its columns have no statistics and the planner guesses at ``night = :night``:
    the history is analyzed right after its load. Fails if that ANALYZE is dropped."""
    from datetime import date

    import pandas as pd

    from credit.contract.sources import SOURCES
    from credit.night.merge import merge
    from tests.dropkit import code, registration_row

    source = SOURCES["registration"]
    rows = [registration_row(code(body=f"MA2B3C{i:02d}"), name=f"示例{i}公司") for i in range(12)]
    frame = pd.DataFrame([{k: (v or None) for k, v in r.items()} for r in rows], columns=source.column_names)

    def night_values(conn: Connection) -> object:
        return conn.execute(text(
            "select most_common_vals::text from pg_stats where tablename = 'registration_history' "
            "and attname = 'night'")).scalar()

    with engine.connect() as conn, conn.begin() as tx:
        # A first night's history has never been analyzed: no statistics at all (undone by the rollback).
        conn.exec_driver_sql("delete from pg_statistic where starelid = 'registration_history'::regclass")
        assert night_values(conn) is None
        merge(conn, source, frame, "full", date(2026, 7, 13))
        assert night_values(conn) == "{2026-07-13}"
        tx.rollback()



def test_a_fact_key_of_a_log_without_statistics_is_taken_for_half_a_percent_of_it(engine: Engine) -> None:
    """What a 10 M first night met: ``serious_proposal_candidates.sql`` probes the log once per
    penalty and case key; the log had just been appended in the night's transaction, without
    statistics, so each probe was taken for 0.5 % of 1.76 M decisions (8,800 rows), and the planner
    hashed the whole log in parallel inside the per-penalty probes: the statement ran for 39
    minutes and had not finished when it was stopped. Analyzed, a fact key is one decision."""
    from credit import sqlfiles

    values = {"f": ["food_safety"], "hm": ["closure"], "ff": "2025-01-01", "n": "2026-07-13"}
    with engine.connect() as conn, conn.begin() as tx:
        conn.exec_driver_sql(
            "insert into roster_decisions (uscc, roster, action, cause_code, cause, basis, rule_id, rule_version, "
            "facts, decision_date, authority, authority_name, config_version, actor, fact_key) "
            "select '91110000' || lpad(i::text, 10, '0'), 'abnormal', 'include', 'no_report', '未报', 'art. 8', 'r', "
            "'t1', '{}'::jsonb, date '2026-07-13', '110105', '测试局', 't1', 'night', 'report:' || i "
            "from generate_series(1, 4000) as i")
        conn.exec_driver_sql("delete from pg_statistic where starelid = 'roster_decisions'::regclass")

        def probes() -> set[str]:
            plan = [r[0] for r in conn.execute(
                text("explain " + sqlfiles.text_of("rosters/serious_proposal_candidates")), values)]
            return {int(line.split("rows=")[1].split()[0]) for k, line in enumerate(plan)
                    if "on roster_decisions" in line and "fact_key" in plan[k + 1]}

        assert max(probes()) >= 10           # a guess of 0.5 % of the log's estimated rows
        assert plan_on_tonights_rows(conn, "roster_decisions", 4000)
        assert probes() == {1}
        tx.rollback()


def test_the_night_analyzes_its_decisions_before_the_serious_list_s_steps(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The order in ``append_night``: the night's main pass appended, the log's statistics (when it
    grew by a tenth: :func:`plan_on_tonights_rows` decides), then the serious list's procedure. It
    was after the whole rosters stage, where grading alone benefited."""
    from datetime import date

    from credit.night.steps import run_night
    from credit.rosters import decide, serious_night
    from credit.sample import write_sample

    calls: list[str] = []
    plan, advance = decide.plan_on_tonights_rows, serious_night.advance

    def planned(conn: Connection, table: str, added: int) -> bool:
        calls.append(f"statistics {table}")
        return plan(conn, table, added)

    def advanced(*args: Any, **kwargs: Any) -> Any:
        calls.append("serious list")
        return advance(*args, **kwargs)

    monkeypatch.setattr(decide, "plan_on_tonights_rows", planned)
    monkeypatch.setattr(serious_night, "advance", advanced)
    write_sample(tmp_path / "drop", 300, 1, seed=5, start=date(2026, 7, 13))
    run_night(tmp_path / "drop", date(2026, 7, 13), settings)
    assert calls == ["statistics roster_decisions", "serious list"]


def test_a_first_night_leaves_the_tables_it_loaded_vacuumed(settings: Settings, tmp_path: Path) -> None:
    """The night itself vacuums what it loaded (``vacuum_changed_tables``, after its page and
    anchors): a manual VACUUM of the store and the grade ranges, counted apart from autovacuum's,
    and pages marked all-visible. Not every page: on the test server autovacuum visits each new
    database, and a page another process has pinned is left unmarked by a VACUUM (that every page
    is marked when nothing else runs: tests/db/test_bulk.py)."""
    from datetime import date

    from credit.db import engine_for
    from credit.night.steps import run_night
    from credit.sample import write_sample

    write_sample(tmp_path / "drop", 1500, 1, seed=5, start=date(2026, 7, 13))
    run_night(tmp_path / "drop", date(2026, 7, 13), settings)
    tables = ["registration", "registration_history", "annual_reports", "grade_ranges"]
    with engine_for(settings).connect() as conn:
        rows = conn.execute(text(
            "select s.relname, s.vacuum_count, c.relallvisible, c.relpages from pg_stat_user_tables as s "
            "join pg_class as c on c.oid = s.relid where s.relname = any(:t) and s.schemaname = current_schema()"),
            {"t": tables}).all()
    assert sorted(r.relname for r in rows) == sorted(tables)
    for r in rows:
        assert r.vacuum_count >= 1, r.relname
        assert r.relallvisible > 0, r.relname


"""Statistics inside the night: a table that tonight grew by more than a tenth is analyzed before
the statements that read it back (the re-run of a first night that failed after its rosters found
``roster_decisions`` planned as empty and hung in grading's roster fold)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from credit.night.merge import plan_on_tonights_rows


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

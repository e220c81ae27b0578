"""Loading an empty table with its indexes built after the rows (credit.bulk, issue 11).

The table comes out with the same indexes and constraints as it went in, a duplicate key still
fails the load, and a table that is not empty (or that a foreign key refers to) keeps its indexes
during the load. The first night's grade ranges go this way: the indexes of ``grade_ranges`` after
a first night are those of the schema.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import bulk
from credit.settings import Settings
from tests.db.grading.helpers import all_filed, night, reg


def _indexes(c: sa.Connection, table: str) -> list[tuple[str, str]]:
    return [tuple(r) for r in c.execute(sa.text(
        "select indexname, indexdef from pg_indexes where tablename = :t order by 1"), {"t": table}).all()]


def _constraints(c: sa.Connection, table: str) -> list[tuple[str, str]]:
    return [tuple(r) for r in c.execute(sa.text(
        "select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = cast(:t as regclass) "
        "order by 1"), {"t": table}).all()]


def _table(c: sa.Connection) -> None:
    c.exec_driver_sql("create temporary table loaded (k text primary key, v int, w text)")
    c.exec_driver_sql("create unique index loaded_open on loaded (v) where w is null")
    c.exec_driver_sql("create index loaded_w on loaded (w)")


def test_the_indexes_come_back_as_they_were_and_are_dropped_during_the_load(engine: Engine) -> None:
    with engine.begin() as c:
        _table(c)
        before = _indexes(c, "loaded"), _constraints(c, "loaded")
        with bulk.load_then_index(c, "loaded", bulk.is_empty(c, "loaded")):
            assert _indexes(c, "loaded") == []     # really loaded without them
            c.exec_driver_sql("insert into loaded select g::text, g, null from generate_series(1, 500) g")
        assert (_indexes(c, "loaded"), _constraints(c, "loaded")) == before
        assert not bulk.is_empty(c, "loaded")
        with bulk.load_then_index(c, "loaded", bulk.is_empty(c, "loaded")):
            assert _indexes(c, "loaded") == before[0]   # not empty: kept
        c.rollback()


def test_a_duplicate_key_still_fails_the_load(engine: Engine) -> None:
    with engine.begin() as c:
        _table(c)
        with pytest.raises(sa.exc.IntegrityError, match="loaded_pkey"), bulk.load_then_index(c, "loaded", True):
            c.exec_driver_sql("insert into loaded values ('a', 1, 'x'), ('a', 2, 'y')")
        c.rollback()


def test_a_table_a_foreign_key_refers_to_keeps_its_indexes(engine: Engine) -> None:
    with engine.begin() as c:
        _table(c)
        c.exec_driver_sql("create temporary table referring (k text references loaded (k))")
        before = _indexes(c, "loaded")
        with bulk.load_then_index(c, "loaded", True):
            assert _indexes(c, "loaded") == before
        c.rollback()


def test_a_first_nights_grade_ranges_have_the_schemas_indexes(engine: Engine, settings: Settings) -> None:
    with engine.connect() as c:
        schema = _indexes(c, "grade_ranges"), _constraints(c, "grade_ranges")
    with engine.begin() as c:
        for u in ("ONE", "TWO"):
            reg(c, u)
            all_filed(c, u)
    night(engine, settings)
    with engine.connect() as c:
        assert (_indexes(c, "grade_ranges"), _constraints(c, "grade_ranges")) == schema
        assert c.execute(sa.text("select count(*) from grade_ranges where valid_to is null")).scalar_one() == 2


def _relfilenode(c: sa.Connection, table: str) -> int:
    return int(c.execute(sa.text("select relfilenode from pg_class where oid = cast(:t as regclass)"),
                         {"t": table}).scalar_one())


@pytest.fixture
def committed(engine: Engine) -> Iterator[str]:
    """A table of an earlier transaction (one created in the loading transaction has new storage
    already, which TRUNCATE keeps), with the indexes of :func:`_table`."""
    with engine.begin() as c:
        c.exec_driver_sql("create table bulk_committed (k text primary key, v int, w text)")
        c.exec_driver_sql("create index bulk_committed_w on bulk_committed (w)")
    try:
        yield "bulk_committed"
    finally:
        with engine.begin() as c:
            c.exec_driver_sql("drop table bulk_committed")
            c.exec_driver_sql("drop function if exists bulk_refuse()")


def test_an_empty_table_is_loaded_into_storage_new_in_the_transaction(engine: Engine, committed: str) -> None:
    # New storage is what lets a server at wal_level minimal skip the WAL for the load.
    with engine.begin() as c:
        old = _relfilenode(c, committed)
        with bulk.load_then_index(c, committed, True):
            c.exec_driver_sql(f"insert into {committed} select g::text, g, null from generate_series(1, 50) g")
        assert _relfilenode(c, committed) != old
        assert c.exec_driver_sql(f"select count(*) from {committed}").scalar_one() == 50
        c.rollback()


def test_a_table_guarded_against_truncate_is_loaded_where_it_is(engine: Engine, committed: str) -> None:
    with engine.begin() as c:
        c.exec_driver_sql("create function bulk_refuse() returns trigger language plpgsql as "
                          "$$ begin raise exception 'append-only'; end $$")
        c.exec_driver_sql(f"create trigger bulk_no_truncate before truncate on {committed} "
                          "for each statement execute function bulk_refuse()")
    with engine.begin() as c:
        old = _relfilenode(c, committed)
        with bulk.load_then_index(c, committed, True):
            c.exec_driver_sql(f"insert into {committed} values ('a', 1, null)")
        assert _relfilenode(c, committed) == old
        c.rollback()


def test_a_table_that_filled_meanwhile_is_not_truncated(engine: Engine, committed: str) -> None:
    # The caller's "empty" may be stale by the time the lock is held: rows are never truncated away.
    with engine.begin() as c:
        c.exec_driver_sql(f"insert into {committed} values ('kept', 0, 'x')")
    with engine.begin() as c:
        old = _relfilenode(c, committed)
        with bulk.load_then_index(c, committed, True):
            c.exec_driver_sql(f"insert into {committed} values ('a', 1, null)")
        assert c.exec_driver_sql(f"select count(*) from {committed}").scalar_one() == 2
        assert _relfilenode(c, committed) == old
        c.rollback()


def _counted(engine: Engine, tables: tuple[str, ...]) -> None:
    """Until the server's statistics count the committed rows of ``tables`` (they are flushed
    about once a second)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with engine.connect() as c:
            counted = c.execute(sa.text("select count(*) from pg_stat_user_tables where relname = any(:t) "
                                        "and n_mod_since_analyze > 0"), {"t": list(tables)}).scalar_one()
        if counted == len(tables):
            return
        time.sleep(0.2)
    raise AssertionError(f"the statistics never counted the rows of {tables}")


def test_after_a_night_the_tables_it_changed_by_a_tenth_are_analyzed_two_at_a_time(engine: Engine) -> None:
    from credit.night.steps import refresh_statistics
    tables = ("stats_a", "stats_b", "stats_c", "stats_small")
    with engine.begin() as c:
        for t in tables:
            c.exec_driver_sql(f"create table {t} (k int)")
    try:
        with engine.begin() as c:
            for t in tables[:3]:
                c.exec_driver_sql(f"insert into {t} select generate_series(1, 5000)")
            c.exec_driver_sql("insert into stats_small select generate_series(1, 50)")
            c.exec_driver_sql("analyze stats_a")   # inside the writing transaction: its rows still count as changes
            c.exec_driver_sql("select pg_stat_force_next_flush()")
        _counted(engine, tables)
        names = {n.split(".")[-1] for n in refresh_statistics(engine)}
        assert {"stats_a", "stats_b", "stats_c"} <= names and "stats_small" not in names
        with engine.connect() as c:
            analyzed = c.execute(sa.text("select count(*) from pg_stat_user_tables where relname = any(:t) "
                                         "and n_mod_since_analyze = 0"), {"t": list(tables[:3])}).scalar_one()
        assert analyzed == 3
        assert not {n.split(".")[-1] for n in refresh_statistics(engine)} & set(tables)   # nothing left to do
    finally:
        with engine.begin() as c:
            c.exec_driver_sql("drop table " + ", ".join(tables))


def test_the_tables_a_night_changed_by_a_tenth_are_left_vacuumed(engine: Engine) -> None:
    """After the statistics, the same tables are vacuumed: every page marked all-visible (the
    visibility map an index-only scan needs) by the night, not by the next night's first reader.
    Autovacuum is off for these tables, so only the night's own VACUUM can mark them."""
    from credit.night.steps import refresh_statistics, vacuum_changed_tables

    tables = ("vac_a", "vac_b", "vac_c")

    def all_visible() -> dict[str, tuple[int, int]]:
        with engine.connect() as c:
            return {r.relname: (r.relallvisible, r.relpages) for r in c.execute(sa.text(
                "select relname, relallvisible, relpages from pg_class where relname = any(:t)"), {"t": list(tables)})}

    with engine.begin() as c:
        for t in tables:
            c.exec_driver_sql(f"create table {t} (k int, v text) with (autovacuum_enabled = false)")
    try:
        with engine.begin() as c:
            for t in tables:
                c.exec_driver_sql(f"insert into {t} select g, repeat('x', 50) from generate_series(1, 20000) as g")
            c.exec_driver_sql("select pg_stat_force_next_flush()")
        _counted(engine, tables)
        names = refresh_statistics(engine)
        assert set(tables) <= {n.split(".")[-1] for n in names}
        assert all(visible == 0 < pages for visible, pages in all_visible().values())   # analyzed, not vacuumed
        vacuum_changed_tables(engine, names)
        assert all(visible == pages > 0 for visible, pages in all_visible().values())
    finally:
        with engine.begin() as c:
            c.exec_driver_sql("drop table " + ", ".join(tables))



def test_a_table_that_cannot_be_analyzed_or_vacuumed_costs_the_night_no_other_table(engine: Engine) -> None:
    """One ANALYZE or VACUUM failing after the commit is logged and the other tables are still
    done: the night is committed, and a table left to autovacuum is no reason to leave them all.
    ``stats_broken``'s expression index calls a function that raises on a row ANALYZE samples
    (replaced after the rows are in, as a function declared immutable must not be)."""
    from credit.night.steps import refresh_statistics, vacuum_changed_tables

    tables = ("stats_fine", "stats_broken")
    with engine.begin() as c:
        # PL/pgSQL: never inlined into the index's expression, so the replacement below is what runs
        c.exec_driver_sql("create function stats_key(k int) returns int language plpgsql immutable "
                          "as 'begin return k; end'")
        for t in tables:
            c.exec_driver_sql(f"create table {t} (k int) with (autovacuum_enabled = false)")
        c.exec_driver_sql("create index on stats_broken (stats_key(k))")
    try:
        with engine.begin() as c:
            for t in tables:
                c.exec_driver_sql(f"insert into {t} select generate_series(0, 5000)")
            c.exec_driver_sql("""create or replace function stats_key(k int) returns int language plpgsql immutable
                                 as $$ begin if k = 0 then raise exception 'no key for 0'; end if; return k; end $$""")
            c.exec_driver_sql("select pg_stat_force_next_flush()")
        _counted(engine, tables)
        names = {n.split(".")[-1] for n in refresh_statistics(engine)}
        assert set(tables) <= names   # both listed, though one could not be analyzed
        with engine.connect() as c:
            analyzed = dict(c.execute(sa.text("select relname, n_mod_since_analyze = 0 from pg_stat_user_tables "
                                              "where relname = any(:t)"), {"t": list(tables)}).all())
        assert analyzed == {"stats_fine": True, "stats_broken": False}

        vacuum_changed_tables(engine, ["public.stats_no_such_table", *tables])   # the first one fails
        with engine.connect() as c:
            visible = dict(c.execute(sa.text("select relname, relallvisible = relpages and relpages > 0 from pg_class "
                                             "where relname = any(:t)"), {"t": list(tables)}).all())
        assert visible == {"stats_fine": True, "stats_broken": True}
    finally:
        with engine.begin() as c:
            c.exec_driver_sql("drop table " + ", ".join(tables))
            c.exec_driver_sql("drop function stats_key(int)")

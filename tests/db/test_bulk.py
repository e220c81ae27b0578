"""Loading an empty table with its indexes built after the rows (credit.bulk, issue 11).

The table comes out with the same indexes and constraints as it went in, a duplicate key still
fails the load, and a table that is not empty (or that a foreign key refers to) keeps its indexes
during the load. The first night's grade ranges go this way: the indexes of ``grade_ranges`` after
a first night are those of the schema.
"""

from __future__ import annotations

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

"""``sqlfiles.dict_rows``: the rows psycopg builds are the rows SQLAlchemy gives, in the caller's
transaction, and a driver's error reaches the caller as SQLAlchemy's (the API maps those)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import sqlfiles


def test_the_same_rows_as_sqlalchemy_in_the_same_transaction(engine: Engine) -> None:
    stmt = sa.text("select :u as uscc, cast(:d as date) as day, 100 % 7 as rest, "
                   "cast('{\"a\": [1]}' as jsonb) as facts, cast(null as text) as none")
    values = {"u": "91110105MA00000012", "d": date(2026, 7, 15)}
    with engine.begin() as c:
        assert sqlfiles.dict_rows(c, stmt, values) == [dict(r) for r in c.execute(stmt, values).mappings()]
        c.exec_driver_sql("create temporary table t (x int)")
        c.exec_driver_sql("insert into t values (1)")
        assert sqlfiles.dict_rows(c, sa.text("select x from t"), {}) == [{"x": 1}]   # not committed yet


def test_a_driver_error_is_raised_as_sqlalchemy_s(engine: Engine) -> None:
    with engine.connect() as c, pytest.raises(sa.exc.DataError):
        sqlfiles.dict_rows(c, sa.text("select cast(:d as date)"), {"d": "2026-13-01"})
    with engine.connect() as c, pytest.raises(sa.exc.ProgrammingError):
        sqlfiles.dict_rows(c, sa.text("select * from no_such_table"), {})
